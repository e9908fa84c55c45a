"""The streaming writers: formula neutralisation in xlsx and CSV, numbers untouched, the BOM and CRLF of
CSV, the header, progress reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from exports.datasets.base import Column
from exports.writers import FORMULA_PREFIXES, neutralise, write_csv, write_json, write_xlsx

COLUMNS = (
    Column("번호", "id", "int"),
    Column("비고", "note"),
    Column("금액", "amount", "money"),
    Column("기록일", "day", "date"),
)
DANGEROUS = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def rows() -> list[list[object]]:
    out: list[list[object]] = [
        [i, text, -5_000 * (i + 1), dt.date(2026, 1, i + 1)] for i, text in enumerate(DANGEROUS)
    ]
    out.append([99, "안전한 문장", 1_234_567, None])
    return out


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_neutralise_each_prefix(prefix):
    assert neutralise(prefix + "x") == "'" + prefix + "x"
    assert neutralise("x" + prefix) == "x" + prefix
    assert neutralise("") == ""


def test_csv_neutralises_text_keeps_numbers_and_has_bom_and_crlf():
    buffer = io.BytesIO()
    count = write_csv(buffer, COLUMNS, rows())
    data = buffer.getvalue()
    assert count == len(DANGEROUS) + 1
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    assert data.count(b"\r\n") >= len(DANGEROUS) + 2
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["번호", "비고", "금액", "기록일"]
    for line, text in zip(parsed[1:], DANGEROUS, strict=False):
        assert line[1] == "'" + text
        # Negative amounts are numbers, written without a quote.
        assert line[2].startswith("-")
        assert int(line[2]) < 0
    assert parsed[-1] == ["99", "안전한 문장", "1234567", ""]


def test_csv_neutralises_the_header_too():
    buffer = io.BytesIO()
    write_csv(buffer, (Column("=bad", "x"),), [["ok"]])
    assert buffer.getvalue().decode("utf-8-sig").splitlines()[0] == "'=bad"


def test_xlsx_neutralises_text_keeps_numbers_and_dates(tmp_path):
    path = tmp_path / "out.xlsx"
    count = write_xlsx(path, COLUMNS, rows(), title="원장", criteria=[("구분", "=지급")])
    assert count == len(DANGEROUS) + 1
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "원장"
    assert values[1][:2] == ("구분", "'=지급")
    header_row = 3  # title, one criterion, a blank row
    assert values[header_row] == ("번호", "비고", "금액", "기록일")
    assert sheet.freeze_panes == f"A{header_row + 2}"
    assert sheet.cell(header_row + 1, 1).font.b
    for offset, text in enumerate(DANGEROUS):
        row = values[header_row + 1 + offset]
        # XlsxWriter escapes a carriage return as _x000D_ (Excel reads it back; openpyxl does not).
        assert row[1].replace("_x000D_", "\r") == "'" + text
        assert isinstance(row[2], int)
        assert row[2] < 0
        assert isinstance(row[3], dt.datetime)
    data_cell = sheet.cell(header_row + 2, 3)
    assert data_cell.data_type == "n"
    assert data_cell.number_format == "#,##0"
    # No cell of the sheet is a formula.
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_xlsx_without_title_has_header_on_the_first_row(tmp_path):
    path = tmp_path / "plain.xlsx"
    write_xlsx(path, COLUMNS, [])
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["번호", "비고", "금액", "기록일"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 0


def test_aware_datetimes_are_local_time(tmp_path):
    moment = dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC)  # 09:30 in Seoul
    columns = (Column("기록", "at", "datetime"),)
    buffer = io.BytesIO()
    write_csv(buffer, columns, [[moment]])
    assert "2026-03-01 09:30:00" in buffer.getvalue().decode("utf-8-sig")
    path = tmp_path / "t.xlsx"
    write_xlsx(path, columns, [[moment]])
    # Excel has no time zones: the cell holds the naive Seoul wall-clock time.
    seoul = moment.astimezone(dt.timezone(dt.timedelta(hours=9))).replace(tzinfo=None)
    assert seoul == dt.datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001 - a naive wall-clock time on purpose
    assert openpyxl.load_workbook(path).active.cell(2, 1).value == seoul


def test_progress_is_reported_every_n_rows_and_at_the_end():
    seen: list[int] = []
    write_csv(
        io.BytesIO(),
        COLUMNS,
        ([i, "x", i, None] for i in range(2_500)),
        progress=seen.append,
        progress_every=1_000,
    )
    assert seen == [1_000, 2_000, 2_500]
    seen_xlsx: list[int] = []
    write_xlsx(
        io.BytesIO(),
        COLUMNS,
        ([i, "x", i, None] for i in range(2_500)),
        progress=seen_xlsx.append,
        progress_every=1_000,
    )
    assert seen_xlsx == [1_000, 2_000, 2_500]


def test_json_keeps_text_as_is():
    buffer = io.BytesIO()
    count = write_json(buffer, COLUMNS, rows())
    parsed = json.loads(buffer.getvalue())
    assert count == len(parsed) == len(DANGEROUS) + 1
    assert parsed[0] == {"번호": 0, "비고": "=1+2", "금액": -5000, "기록일": "2026-01-01"}
