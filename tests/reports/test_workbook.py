"""The ministry workbook: layout (openpyxl) and figures (python-calamine) against the snapshot's cells,
the KPI dashboard of the same snapshot, and another snapshot's date."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from core.money import Unit, to_unit
from exports.ministry import ministry_snapshot_select
from exports.ministry.workbook import NUMBER_FORMATS
from kpi.models import Value
from kpi.selectors import breakdown, total
from tests.reports.conftest import SHEETS, find_row, number, styled, table, values, workbook_bytes

pytestmark = pytest.mark.django_db
COUNT_FORMAT = '#,##0;"△"#,##0;"-"'


def test_sheets_titles_and_layout(reports):
    wb = styled(workbook_bytes(reports.official))
    assert tuple(wb.sheetnames) == SHEETS
    for ws in wb.worksheets:
        # Merged title across the table, bold; 기준일 left and the unit right on the next row.
        merged = [str(r) for r in ws.merged_cells.ranges]
        assert any(m.startswith("A1:") for m in merged), ws.title
        assert ws["A1"].font.b
        assert ws["A2"].value.startswith(f"기준일: {reports.official.as_of.strftime('%Y. %m. %d.')}")
        unit_cells = [c for c in ws[2] if isinstance(c.value, str) and c.value.startswith("(단위:")]
        assert unit_cells
        assert unit_cells[0].alignment.horizontal == "right"
        # Two header rows (4 and 5), the stub merged over both; panes frozen below them; they repeat
        # on every printed page; A4 landscape, one page wide.
        assert "A4:A5" in merged
        assert ws.freeze_panes == "B6"
        assert ws.print_title_rows == "$4:$5"
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == "9"
        assert ws.page_setup.fitToWidth in (None, 1)
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # Footnotes: 주) and the source with the snapshot's id and status.
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(t.startswith("주)") for t in texts), ws.title
        assert any(
            t.startswith("자료:") and f"#{reports.official.pk}" in t and "공식(확정)" in t for t in texts
        )


def test_grouped_headers_total_row_and_number_formats(reports):
    wb = styled(workbook_bytes(reports.official))
    ws = wb["연도별 보급실적"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    # "보급 실적(개)" spans its three columns in the upper header row; the sub-headers are below.
    assert ws["B4"].value == "보급 실적(개)"
    assert "B4:D4" in merged
    assert [ws["B5"].value, ws["C5"].value, ws["D5"].value] == ["연간", "누적", "전년 대비 증감"]
    total_row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == "합계")
    assert ws.cell(total_row, 1).font.b
    assert ws.cell(total_row, 2).font.b
    assert ws.cell(6, 2).number_format == COUNT_FORMAT
    assert ws.cell(6, 1).font.b is not True
    # A target row is marked 목표 in the 비고 column.
    notes = [ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
    assert any(isinstance(n, str) and n.startswith("목표") for n in notes)
    assert NUMBER_FORMATS["krw"] == COUNT_FORMAT
    assert '"△"' in NUMBER_FORMATS["percent"]


def test_negative_and_zero_formatting(reports):
    data = workbook_bytes(reports.official)
    rows = values(data)["연도별 보급실적"]
    ws = styled(data)["연도별 보급실적"]
    r2022, r2023 = find_row(rows, "2022"), find_row(rows, "2023")
    # 2022 has two deployments and 2023 one: the change is −1, written as a number shown with △.
    assert rows[r2022][1] == 2
    assert rows[r2023][1] == 1
    assert rows[r2023][3] == -1
    assert ws.cell(r2023 + 1, 4).number_format == COUNT_FORMAT  # negative section: "△"#,##0
    # A year without a self-built factory: nothing is written as "-" (and zero shows "-" by the format).
    assert rows[r2022][5] == "-"


def test_charts_present(reports):
    wb = styled(workbook_bytes(reports.official))
    assert len(wb["연도별 보급실적"]._charts) >= 2  # annual + cumulative, and one per deployments target
    assert len(wb["수준별"]._charts) == 1  # advancement ratio by year against its target
    assert len(wb["예산 집행현황"]._charts) == 1  # agreed vs paid by source
    assert len(wb["인력양성"]._charts) >= 1


def test_annual_figures_equal_the_snapshot_and_the_dashboard(reports):
    snapshot = reports.official
    rows = values(workbook_bytes(snapshot))["연도별 보급실적"]
    header = find_row(rows, "준공연도")
    data, total_index = table(rows, header)
    by_year = {int(r.dims["year"]): r.value for r in breakdown(snapshot, "deployments", group_by=("year",))}
    assert {int(r[0]): r[1] for r in data} == {y: int(v) for y, v in by_year.items()}
    # The running total, and the 합계 row is the sum of the rows and the snapshot's total.
    running = 0
    for r in data:
        running += r[1]
        assert r[2] == running
    assert rows[total_index][1] == sum(r[1] for r in data) == int(total(snapshot, "deployments"))
    # The same figures as the KPI dashboard (stored summary) of the same snapshot.
    card = next(c for c in snapshot.summary["cards"] if c["id"] == "deployments")
    assert rows[total_index][1] == card["value"]
    summary = values(workbook_bytes(snapshot))["요약"]
    assert summary[find_row(summary, "스마트공장 보급(전체 연도 누적)")][2] == card["value"]
    # Advancement ratio per year as the snapshot computes it.
    ratios = {
        int(r.dims["year"]): r.value for r in breakdown(snapshot, "advancement_ratio", group_by=("year",))
    }
    for r in data:
        expected = ratios.get(int(r[0]))
        assert number(r[8]) == (None if expected is None else float(expected))


def test_region_and_program_type_tables_add_up(reports):
    snapshot = reports.official
    sheets = values(workbook_bytes(snapshot))
    rows = sheets["지역별"]
    data, total_index = table(rows, find_row(rows, "시도"))
    by_region = {
        r.dims["region"]: int(r.value) for r in breakdown(snapshot, "deployments", group_by=("region",))
    }
    gyeonggi = next(r for r in data if r[0] == "경기도")
    busan = next(r for r in data if r[0] == "부산광역시")
    assert (gyeonggi[1], busan[1]) == (by_region["gyeonggi"], by_region["busan"])
    for col in range(1, 8):  # 계, L1–L5, 미확인: each 합계 is the sum of its rows
        assert (number(rows[total_index][col]) or 0) == sum(number(r[col]) or 0 for r in data)
    # Money in 백만원, rounded half-up from the won in the snapshot.
    paid = {
        r.dims["region"]: r.value
        for r in breakdown(snapshot, "paid_krw", group_by=("region",), filters={"source": "government"})
    }
    assert number(gyeonggi[-2]) == int(to_unit(int(paid["gyeonggi"]), Unit.MILLION))

    rows = sheets["사업유형별"]
    header = find_row(rows, "사업유형")
    data, total_index = table(rows, header)
    labels = rows[header + 1]
    for col in range(1, len(rows[total_index]) - 1):
        if labels[col] == "집행률(%)":
            continue
        assert (number(rows[total_index][col]) or 0) == sum(number(r[col]) or 0 for r in data), labels[col]
    assert number(rows[total_index][labels.index("계")]) == int(total(snapshot, "deployments"))


def test_budget_sheet_matches_the_snapshot_by_source(reports):
    snapshot = reports.official
    rows = values(workbook_bytes(snapshot))["예산 집행현황"]
    header = find_row(rows, "재원")
    data, total_index = table(rows, header)
    agreed = {r.dims["source"]: r.value for r in breakdown(snapshot, "agreed_krw", group_by=("source",))}
    paid = {r.dims["source"]: r.value for r in breakdown(snapshot, "paid_krw", group_by=("source",))}
    gov = next(r for r in data if r[0] == "정부지원금")
    assert gov[1] == int(to_unit(int(agreed["government"]), Unit.MILLION))
    assert gov[2] == int(to_unit(int(paid["government"]), Unit.MILLION)) == 12
    for col in (1, 2, 3, 4):
        assert (number(rows[total_index][col]) or 0) == sum(number(r[col]) or 0 for r in data)
    rate = breakdown(snapshot, "execution_rate", group_by=("source",), filters={"source": "government"})[
        0
    ].value
    assert gov[5] == float(rate)


def test_summary_targets_come_from_the_snapshot(reports):
    snapshot = reports.official
    rows = values(workbook_bytes(snapshot))["요약"]
    for record in snapshot.summary["targets"]:
        r = rows[find_row(rows, record["label_ko"])]
        assert r[3] == pytest.approx(float(record["target_value"]))
        if record["current"] is not None:
            assert r[2] == pytest.approx(float(record["current"]))
    workers = rows[find_row(rows, "스마트공장 전문인력 10만 명 양성 (2022년까지)")]
    assert workers[3] == 100_000


def test_two_builds_are_identical_and_stay_so_after_the_data_changes(reports, other_sme):
    first = workbook_bytes(reports.official)
    assert workbook_bytes(reports.official) == first
    from tests.kpi_dashboards.conftest import make_factory

    make_factory(other_sme, year=2023, level="L5")  # raw data changes; the frozen snapshot does not
    assert values(workbook_bytes(reports.official)) == values(first)
    assert Value.objects.filter(snapshot=reports.official, frozen=True).exists()


def test_a_snapshot_of_another_date_gives_that_dates_numbers(reports):
    past = ministry_snapshot_select(as_of="2022-12-31")
    assert past.pk == reports.past.pk
    rows = values(workbook_bytes(past))["연도별 보급실적"]
    data, total_index = table(rows, find_row(rows, "준공연도"))
    assert [int(r[0]) for r in data] == [2020, 2021, 2022]
    assert rows[total_index][1] == int(total(past, "deployments")) == 4
    assert rows[1][0].startswith("기준일: 2022. 12. 31.")
    now = values(workbook_bytes(reports.official))["연도별 보급실적"]
    assert now[table(now, find_row(now, "준공연도"))[1]][1] > rows[total_index][1]


def test_live_snapshot_is_marked_provisional(reports):
    data = values(workbook_bytes(reports.live))
    for rows in data.values():
        assert rows[0][0].endswith("(잠정)")
        assert "실시간(잠정)" in rows[1][0]


def test_default_selection_is_the_latest_official_snapshot(reports):
    assert ministry_snapshot_select().pk == reports.official.pk
    assert ministry_snapshot_select(snapshot_id=str(reports.live.pk)).pk == reports.live.pk


def test_rounding_is_half_up(reports):
    assert to_unit(1_500_000, Unit.MILLION) == Decimal(2)
    assert to_unit(2_500_000, Unit.MILLION) == Decimal(3)
    assert Decimal("2.5").quantize(Decimal(1), rounding=ROUND_HALF_UP) == 3
    assert dt.date.fromisoformat("2022-12-31")
