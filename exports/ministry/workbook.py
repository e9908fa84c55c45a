"""The ministry KPI workbook (스마트공장 보급·확산 성과 보고): nine statistics tables of one KPI snapshot.

Every figure comes from the snapshot's stored cells (kpi.selectors.breakdown / total) or its stored
national summary (`snapshot.summary`: the dashboard's headline cards and target progress), never from
raw rows, so an official snapshot gives the same workbook whatever happened to the data since. The
workbook's properties (its creation date is the snapshot's) are fixed too, so the same snapshot gives
byte-identical files (XlsxWriter dates every part of the zip 1980-01-01).

Sheets: 요약, 연도별 보급실적, 지역별, 사업유형별, 수준별, 상생형 주관기관별, 예산 집행현황, 인력양성, 성과
— in the layout of exports.ministry.layout. Money is in 백만원, rounded half-up per cell
(core.money.to_unit); a 합계 is the rounded total, so the rounded parts may not add up to it exactly
(the footnote says so, as 통계청 tables do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

from core.models import Organisation, Region
from core.money import Unit, to_unit
from exports.ministry.layout import (
    BLANK,
    NUMBER_FORMATS,
    Col,
    Line,
    SheetWriter,
    Styles,
    TablePos,
    chart_fonts,
)
from kpi.dashboards import national_summary
from kpi.models import Snapshot, SnapshotKind, ValueStatus
from kpi.registry import is_registered, metric
from kpi.selectors import breakdown

__all__ = ["NUMBER_FORMATS", "SHEETS", "ministry_workbook_write", "status_label"]

SHEETS = (
    "요약",
    "연도별 보급실적",
    "지역별",
    "사업유형별",
    "수준별",
    "상생형 주관기관별",
    "예산 집행현황",
    "인력양성",
    "성과",
)
SYSTEM_NAME = "스마트공장 사업관리시스템"
REPORT_TITLE = "스마트공장 보급·확산 성과 보고"
LEVELS = ("L1", "L2", "L3", "L4", "L5")
LEVEL_LABELS = {code: f"레벨{code[1:]}" for code in LEVELS}
PROGRAM_TYPES = {
    "government_only": "정부 단독지원형",
    "winwin_type1": "상생형 유형1",
    "winwin_type2": "상생형 유형2(소기업)",
    "partner_track": "주관기관 트랙",
}
SOURCES = {
    "government": "정부지원금",
    "partner": "주관기관 부담금",
    "local": "지방비",
    "sme": "기업부담금",
}
PROVIDER_KINDS = {
    "learning_center": "스마트공장 배움터",
    "learning_factory": "러닝팩토리",
    "smart_lab": "스마트랩",
    "other": "기타",
}
# Outcome measures: (label, unit, number-format kind of the change).
MEASURES = {
    "productivity": ("생산성", "%", "percent"),
    "defect_rate": ("불량률", "%", "percent"),
    "cost": ("원가", "%", "percent"),
    "on_time_delivery": ("납기준수율", "%", "percent"),
    "sales": ("매출액", "%", "percent"),
    "employees": ("고용", "명", "decimal"),
    "accidents": ("산업재해", "건", "decimal"),
}
UNIT_WORDS = {"count": "개", "persons": "명", "percent": "%", "krw": "백만원", "days": "일"}
# Headline cards of the stored summary: label and unit word (the metric's Korean name otherwise).
CARD_LABELS: dict[str, tuple[str, str]] = {
    "deployments": ("스마트공장 보급(전체 연도 누적)", "개"),
    "advancement_ratio": ("고도화율(레벨3 이상, 누적)", "%"),
    "trained_workers": ("스마트제조 인력양성(전체 연도 누적)", "명"),
    "leading_complexes": ("선도 스마트산단(지정 중)", "개"),
    "active_factories": ("운영 중인 스마트공장", "개"),
    "budget_krw": ("정부 예산(게시 공고)", "백만원"),
    "committed_krw": ("정부지원금 약정", "백만원"),
    "paid_krw": ("집행액(전체 재원, 순지급)", "백만원"),
    "execution_rate": ("집행률(전체 재원)", "%"),
    "partner_pledged_krw": ("상생형 주관기관 출연 약정액", "백만원"),
    "partner_committed_krw": ("주관기관 부담금 확정액", "백만원"),
    "mentees": ("멘티 기업", "개"),
    "applications": ("신청 과제", "건"),
    "selection_rate": ("선정률", "%"),
    "completion_rate": ("완료율", "%"),
    "data_quality_flags": ("데이터 품질 점검 항목", "건"),
}
MONEY_NOTE = "금액은 백만원 단위로 셀마다 반올림하여 세부 항목의 합이 합계와 다를 수 있음."
DASH_NOTE = '"-"는 해당 없음 또는 0, "△"는 감소(음수).'


# --- the snapshot ---------------------------------------------------------------------------------


def status_label(snapshot: Snapshot) -> str:
    """공식(확정) / 공식(잠정) / 실시간(잠정)."""
    if snapshot.kind == SnapshotKind.OFFICIAL:
        return "공식(확정)" if snapshot.status == ValueStatus.ACTUAL else "공식(잠정)"
    return "실시간(잠정)"


def is_provisional(snapshot: Snapshot) -> bool:
    return not (snapshot.kind == SnapshotKind.OFFICIAL and snapshot.status == ValueStatus.ACTUAL)


def korean_date(day: dt.date) -> str:
    return day.strftime("%Y. %m. %d.")


def million(value: Decimal | int | float | None) -> int | None:
    """Won → 백만원, half-up (None stays None)."""
    if value is None:
        return None
    return int(to_unit(int(value), Unit.MILLION))


def number(value: Decimal | int | float | None) -> int | float | None:
    """A stored figure as a cell value: int when whole, float otherwise."""
    if value is None:
        return None
    if isinstance(value, float):
        return value
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


class Figures:
    """Reads of one snapshot's cells, keyed by the breakdown's dimension values."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        summary = snapshot.summary if snapshot.summary.get("cards") is not None else None
        # A snapshot always stores its summary when it is taken; recomputing it (from the same cells)
        # only covers one taken before summaries were stored.
        self.summary: Mapping[str, Any] = summary if summary is not None else national_summary(snapshot)
        self.provisional_keys: dict[tuple[str, tuple[str, ...]], set[Any]] = {}

    def by(self, code: str, *dims: str, **filters: Any) -> dict[Any, Decimal | None]:
        """Value per key: the one dimension's value, or a tuple of them for several."""
        if not is_registered(code):
            return {}
        rows = breakdown(self.snapshot, code, group_by=dims, filters=filters)
        out: dict[Any, Decimal | None] = {}
        provisional: set[Any] = set()
        for row in rows:
            key = row.dims[dims[0]] if len(dims) == 1 else tuple(row.dims[d] for d in dims)
            out[key] = row.value
            if row.provisional:
                provisional.add(key)
        self.provisional_keys[(code, dims)] = provisional
        return out

    def total(self, code: str, **filters: Any) -> Decimal | None:
        if not is_registered(code):
            return None
        rows = breakdown(self.snapshot, code, filters=filters)
        return rows[0].value if rows else None

    def provisional(self, code: str, *dims: str) -> set[Any]:
        """The keys of the last `by(code, *dims)` read whose cells include provisional figures."""
        return self.provisional_keys.get((code, dims), set())

    def targets(self, metric_code: str | None = None) -> list[Mapping[str, Any]]:
        records = list(self.summary.get("targets", []))
        if metric_code is None:
            return records
        return [r for r in records if (r.get("metric") or r.get("target_metric")) == metric_code]


def years_of(*maps: Mapping[Any, Any]) -> list[int]:
    return sorted({int(k) for m in maps for k in m if k is not None})


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def target_marks(records: Iterable[Mapping[str, Any]], years: Sequence[int], unit: str) -> dict[int, str]:
    """ "목표 …" for the 비고 column: on the row of the target's deadline year, or else on the latest
    row within its period."""
    marks: dict[int, list[str]] = {}
    for record in records:
        start, deadline = _date(record.get("counts_from")), _date(record.get("deadline"))
        value = record.get("target_value")
        if start is None or deadline is None or value is None:
            continue
        inside = [y for y in years if start.year <= y <= deadline.year]
        if not inside:
            continue
        year = deadline.year if deadline.year in inside else inside[-1]
        shown = f"{float(value):,.0f}" if unit != "%" else f"{float(value):g}"
        marks.setdefault(year, []).append(f"목표 {shown}{unit}({start.year}~{deadline.year}년)")
    return {year: " / ".join(texts) for year, texts in marks.items()}


def remark(*parts: str) -> str | Any:
    text = ", ".join(p for p in parts if p)
    return text or BLANK


# --- the workbook ---------------------------------------------------------------------------------


@dataclass
class Book:
    book: xlsxwriter.Workbook
    styles: Styles
    figures: Figures
    snapshot: Snapshot

    def sheet(self, name: str, title: str, unit: str, width: int) -> SheetWriter:
        suffix = " (잠정)" if is_provisional(self.snapshot) else ""
        s = self.snapshot
        as_of_line = f"기준일: {korean_date(s.as_of)} ({status_label(s)}, 스냅숏 #{s.pk})"
        return SheetWriter(
            self.book,
            self.styles,
            name=name,
            title=f"{title}{suffix}",
            as_of_line=as_of_line,
            unit=f"(단위: {unit})",
            width=width,
        )

    def source(self) -> str:
        s = self.snapshot
        taken = timezone.localtime(s.taken_at).strftime("%Y. %m. %d. %H:%M")
        return (
            f"{SYSTEM_NAME} KPI 스냅숏 #{s.pk} ({status_label(s)}, {korean_date(s.as_of)} 기준, {taken} 산출)"
        )

    def finish(self, sheet: SheetWriter, notes: Sequence[str]) -> None:
        sheet.notes(notes, self.source())
        sheet.place_charts()

    def chart(self, kind: str, subtype: str | None = None) -> Any:
        spec = {"type": kind} if subtype is None else {"type": kind, "subtype": subtype}
        chart = self.book.add_chart(spec)
        if chart is None:  # XlsxWriter returns None for an unknown chart type
            raise ValueError(f"unknown chart type {kind!r}")
        return chart


def ministry_workbook_write(*, snapshot: Snapshot, out: IO[bytes]) -> None:
    """Write the ministry workbook of `snapshot` to `out` (a binary file or buffer). Reads only the
    snapshot's cells and stored summary (plus the names of regions and partner firms), so the same
    snapshot always gives the same bytes."""
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    taken = timezone.localtime(snapshot.taken_at, dt.UTC).replace(tzinfo=None)
    book.set_properties(
        {
            "title": f"{REPORT_TITLE} ({korean_date(snapshot.as_of)} 기준)",
            "subject": f"KPI 스냅숏 #{snapshot.pk} ({status_label(snapshot)})",
            "author": SYSTEM_NAME,
            "company": SYSTEM_NAME,
            "category": "KPI",
            "comments": f"KPI snapshot #{snapshot.pk}, as of {snapshot.as_of.isoformat()}",
            "created": taken,
        }
    )
    ctx = Book(book, Styles(book), Figures(snapshot), snapshot)
    try:
        for build in BUILDERS:
            build(ctx)
    finally:
        book.close()


# --- 요약 -----------------------------------------------------------------------------------------


def _card_line(card: Mapping[str, Any]) -> Line | None:
    code = card.get("id") or card.get("metric")
    unit = card.get("unit")
    if code is None:
        return None
    label, word = CARD_LABELS.get(
        str(code),
        (metric(str(card["metric"])).name_ko if is_registered(str(card.get("metric"))) else str(code), ""),
    )
    word = word or UNIT_WORDS.get(str(unit), "")
    value = card.get("value")
    shown = million(value) if unit == "krw" else number(value)
    kind = "krw" if unit == "krw" else ("percent" if unit == "percent" else "count")
    return Line(label, [word, shown, None, None, None, BLANK], kinds=[None, kind, kind, None, None, None])


def _target_line(record: Mapping[str, Any], as_of: dt.date) -> Line:
    unit = str(record.get("unit") or "count")
    kind = "percent" if unit == "percent" else "count"
    start, deadline = _date(record.get("counts_from")), _date(record.get("deadline"))
    if record.get("achieved"):
        state = "달성"
    elif deadline is not None and deadline < as_of:
        state = "기한 경과(미달성)"
    elif record.get("on_track"):
        state = "현 추세로 기한 내 달성 전망"
    elif record.get("current") is None:
        state = "실적 없음"
    else:
        state = "현 추세로는 기한 내 미달 전망"
    period = f"{start.year}~{deadline.year}년 누적" if start and deadline else ""
    percent = record.get("percent")
    return Line(
        str(record.get("label_ko") or record.get("code")),
        [
            UNIT_WORDS.get(unit, unit),
            number(record.get("current")),
            number(record.get("target_value")),
            number(percent),
            korean_date(deadline) if deadline else None,
            remark(period, state, "잠정 포함" if record.get("provisional") else ""),
        ],
        kinds=[None, kind, kind, None, None, None],
    )


def build_summary(ctx: Book) -> None:
    columns = [
        Col("단위", "text", width=8, align="center"),
        Col("실적", "count", "실적 및 목표", width=13),
        Col("목표", "count", "실적 및 목표", width=13),
        Col("달성률(%)", "percent", "실적 및 목표", width=11),
        Col("목표 기한", "text", "실적 및 목표", width=13, align="center"),
        Col("비고", "text", width=34),
    ]
    lines = [Line("주요 지표", section=True)]
    for card in ctx.figures.summary.get("cards", []):
        line = _card_line(card)
        if line is not None:
            lines.append(line)
    lines.append(Line("국정 목표 달성 현황", section=True))
    lines += [_target_line(r, ctx.snapshot.as_of) for r in ctx.figures.targets()]
    sheet = ctx.sheet("요약", REPORT_TITLE + " 요약", "개, 명, 건, 백만원, %", len(columns) + 1)
    sheet.main_table("구분", columns, lines, stub_width=40, stub_align="left")
    ctx.finish(
        sheet,
        [
            "주요 지표는 기준일 현재 전체 연도 누적(금액은 기준일까지 게시된 공고·체결된 협약 기준).",
            "국정 목표의 실적은 목표의 집계 기간(시작연도~기한연도) 안의 실적이며, 달성률은 목표 대비 실적.",
            "전망은 최근 12개월 실적 추세를 기한까지 연장한 선형 추정.",
            MONEY_NOTE,
        ],
    )


# --- 연도별 보급실적 ---------------------------------------------------------------------------------


def build_annual(ctx: Book) -> None:
    f = ctx.figures
    annual = f.by("deployments", "year")
    provisional = f.provisional("deployments", "year")
    origin = f.by("deployments", "year", "origin")
    advanced = f.by("advanced_deployments", "year")
    with_level = f.by("deployments_with_level", "year")
    ratio = f.by("advancement_ratio", "year")
    years = years_of(annual)
    targets = f.targets("deployments")
    marks = target_marks(targets, years, "개")
    lines: list[Line] = []
    running = 0
    previous: int | None = None
    for year in years:
        value = int(annual.get(year) or 0)
        running += value
        change = None if previous is None else value - previous
        lines.append(
            Line(
                str(year),
                [
                    value,
                    running,
                    change,
                    number(origin.get((year, "supported"))),
                    number(origin.get((year, "self_built"))),
                    number(advanced.get(year)),
                    number(with_level.get(year)),
                    number(ratio.get(year)),
                    remark(marks.get(year, ""), "잠정" if year in provisional else ""),
                ],
            )
        )
        previous = value
    by_origin = f.by("deployments", "origin")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                BLANK,
                BLANK,
                number(by_origin.get("supported")),
                number(by_origin.get("self_built")),
                number(f.total("advanced_deployments")),
                number(f.total("deployments_with_level")),
                number(f.total("advancement_ratio")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("연간", "count", "보급 실적(개)"),
        Col("누적", "count", "보급 실적(개)"),
        Col("전년 대비 증감", "count", "보급 실적(개)"),
        Col("정부지원", "count", "구축 유형(개)"),
        Col("자체구축", "count", "구축 유형(개)"),
        Col("레벨3 이상", "count", "수준(개)"),
        Col("수준 확인", "count", "수준(개)"),
        Col("고도화율(%)", "percent"),
        Col("비고", "text", width=30),
    ]
    sheet = ctx.sheet("연도별 보급실적", "연도별 스마트공장 보급 실적", "개, %", len(columns) + 1)
    pos = sheet.main_table("준공연도", columns, lines)
    _annual_chart(ctx, sheet, pos)
    notes = [
        "준공연도 기준, 보급 실적으로 집계되는 스마트공장(사업장·준공연도당 1회) 수. "
        "과거 집계가 있는 연도는 과거 집계로 셈(구축 유형·수준이 구분되지 않은 집계는 해당 열에서 빠짐).",
        "누적은 표의 첫 연도부터 더한 값이며, 전년 대비 증감은 앞 행(직전 연도) 대비.",
        "고도화율 = 레벨3 이상 ÷ 수준 확인 × 100(수준이 확인된 공장 기준).",
        "목표 대비 누적 실적은 아래 표와 그림 참조.",
        DASH_NOTE,
    ]
    sheet.notes(notes, ctx.source())
    for record in targets:
        _deployment_target(ctx, sheet, annual, record)
    sheet.place_charts()


def _annual_chart(ctx: Book, sheet: SheetWriter, pos: TablePos) -> None:
    rows = pos.span()
    bars = ctx.chart("column")
    bars.add_series(
        {
            "name": "연간 보급",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 1),
            "fill": {"color": "#256EF4"},
        }
    )
    line = ctx.chart("line")
    line.add_series(
        {
            "name": "누적 보급",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 2),
            "y2_axis": True,
            "line": {"color": "#E0533D", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    line.set_y2_axis({"num_format": "#,##0", "min": 0, "num_font": {"name": "맑은 고딕", "size": 9}})
    bars.combine(line)
    chart_fonts(bars, "연도별 스마트공장 보급(연간·누적)")
    sheet.add_chart(bars)


def _deployment_target(
    ctx: Book, sheet: SheetWriter, annual: Mapping[Any, Decimal | None], record: Mapping[str, Any]
) -> None:
    """The progress of one deployments target: its years so far, their running total and the target."""
    start, deadline = _date(record.get("counts_from")), _date(record.get("deadline"))
    if start is None or deadline is None:
        return
    last = min(deadline.year, ctx.snapshot.as_of.year)
    if last < start.year:
        return  # not started as of the snapshot
    target = number(record.get("target_value"))
    lines: list[Line] = []
    running = 0
    for year in range(start.year, last + 1):
        value = int(annual.get(year) or 0)
        running += value
        share = float(Decimal(running * 100) / Decimal(str(target))) if target else None
        lines.append(Line(str(year), [value, running, target, None if share is None else round(share, 2)]))
    columns = [
        Col("연간", "count", "보급 실적(개)"),
        Col("기간 누적", "count", "보급 실적(개)"),
        Col("목표(개)", "count"),
        Col("달성률(%)", "percent"),
    ]
    label = str(record.get("label_ko") or record.get("code"))
    pos = sheet.sub_table(f"목표 대비 누적 실적: {label}", "연도", columns, lines)
    rows = pos.span()
    chart = ctx.chart("line")
    chart.add_series(
        {
            "name": "기간 누적 실적",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 2),
            "line": {"color": "#256EF4", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    chart.add_series(
        {
            "name": "목표",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 3),
            "line": {"color": "#E0533D", "dash_type": "dash"},
        }
    )
    chart_fonts(chart, f"목표 대비 누적: {label}")
    sheet.add_chart(chart)


# --- 지역별 ---------------------------------------------------------------------------------------


def build_regions(ctx: Book) -> None:
    f = ctx.figures
    by_level = f.by("deployments", "region", "level")
    deployed = f.by("deployments", "region")
    active = f.by("active_factories", "region")
    agreed = f.by("agreed_krw", "region", source="government")
    paid = f.by("paid_krw", "region", source="government")
    regions = list(Region.objects.order_by("sort_order", "slug").values_list("slug", "name_ko"))
    known = {slug for slug, _name in regions}
    seen = {k for m in (deployed, active, agreed, paid) for k in m}
    keys: list[tuple[Any, str]] = list(regions)
    keys += [(slug, str(slug)) for slug in sorted(s for s in seen if s is not None and s not in known)]
    if None in seen:
        keys.append((None, "지역 미상"))
    lines = []
    for slug, name in keys:
        levels = [number(by_level.get((slug, code))) for code in LEVELS]
        lines.append(
            Line(
                name,
                [
                    number(deployed.get(slug)),
                    *levels,
                    number(by_level.get((slug, None))),
                    number(active.get(slug)),
                    million(agreed.get(slug)),
                    million(paid.get(slug)),
                    BLANK,
                ],
            )
        )
    level_totals = f.by("deployments", "level")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                *[number(level_totals.get(code)) for code in LEVELS],
                number(level_totals.get(None)),
                number(f.total("active_factories")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("계", "count", "보급 실적(개)"),
        *[Col(LEVEL_LABELS[code], "count", "보급 실적(개)", width=8) for code in LEVELS],
        Col("미확인", "count", "보급 실적(개)", width=8),
        Col("운영 중(개)", "count"),
        Col("협약액", "krw", "정부지원금(백만원)"),
        Col("집행액", "krw", "정부지원금(백만원)"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("지역별", "시도별 스마트공장 보급 및 정부지원금 집행", "개, 백만원", len(columns) + 1)
    sheet.main_table("시도", columns, lines)
    ctx.finish(
        sheet,
        [
            "보급 실적은 준공된 공장의 소재 시도 기준 전체 연도 누적, 수준은 구축 당시 도달 수준.",
            "운영 중은 기준일 현재 폐업·이탈하지 않은 공장.",
            "정부지원금은 신청 과제의 시도 기준이며, 집행액은 지급 취소·환수를 뺀 순지급액.",
            MONEY_NOTE,
        ],
    )


# --- 사업유형별 -------------------------------------------------------------------------------------


def build_program_types(ctx: Book) -> None:
    f = ctx.figures
    deployed = f.by("deployments", "program_type")
    advanced = f.by("advanced_deployments", "program_type")
    budget = f.by("budget_krw", "program_type")
    committed = f.by("committed_krw", "program_type")
    agreed = f.by("agreed_krw", "program_type", source="government")
    paid = f.by("paid_krw", "program_type", source="government")
    rate = f.by("execution_rate", "program_type", source="government")
    seen = {k for m in (deployed, budget, agreed) for k in m}
    keys: list[tuple[Any, str]] = list(PROGRAM_TYPES.items())
    keys += [(k, str(k)) for k in sorted(s for s in seen if s is not None and s not in PROGRAM_TYPES)]
    if None in seen:
        keys.append((None, "민간 자체구축"))
    lines = [
        Line(
            label,
            [
                number(deployed.get(key)),
                number(advanced.get(key)),
                million(budget.get(key)),
                million(committed.get(key)),
                million(agreed.get(key)),
                million(paid.get(key)),
                number(rate.get(key)),
                "사업유형 없음" if key is None else BLANK,
            ],
        )
        for key, label in keys
    ]
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                number(f.total("advanced_deployments")),
                million(f.total("budget_krw")),
                million(f.total("committed_krw")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                number(f.total("execution_rate", source="government")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("계", "count", "보급 실적(개)"),
        Col("레벨3 이상", "count", "보급 실적(개)"),
        Col("예산", "krw", "정부지원금(백만원)", width=12),
        Col("약정", "krw", "정부지원금(백만원)", width=12),
        Col("협약액", "krw", "정부지원금(백만원)", width=12),
        Col("집행액", "krw", "정부지원금(백만원)", width=12),
        Col("집행률(%)", "percent", "정부지원금(백만원)"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("사업유형별", "사업유형별 보급 실적 및 정부지원금", "개, 백만원, %", len(columns) + 1)
    sheet.main_table("사업유형", columns, lines, stub_width=22, stub_align="left")
    ctx.finish(
        sheet,
        [
            "사업유형은 공고의 사업유형이며, 민간 자체구축(수준확인) 공장은 사업유형이 없음.",
            "예산·약정은 기준일까지 접수를 시작한 게시 공고의 정부지원 예산과 선정 과제 약정액.",
            "협약액·집행액은 정부지원금 재원, 집행률 = 집행액 ÷ 협약액 × 100.",
            MONEY_NOTE,
        ],
    )


# --- 수준별 ---------------------------------------------------------------------------------------


def build_levels(ctx: Book) -> None:
    f = ctx.figures
    by_level = f.by("deployments", "year", "level")
    annual = f.by("deployments", "year")
    ratio = f.by("advancement_ratio", "year")
    years = years_of(annual, ratio)
    records = f.targets("advancement_ratio")
    marks = target_marks(records, years, "%")

    def target_in(year: int) -> int | float | None:
        for record in records:
            start, deadline = _date(record.get("counts_from")), _date(record.get("deadline"))
            if start and deadline and start.year <= year <= deadline.year:
                return number(record.get("target_value"))
        return None

    lines = [
        Line(
            str(year),
            [
                *[number(by_level.get((year, code))) for code in LEVELS],
                number(by_level.get((year, None))),
                number(annual.get(year)),
                number(ratio.get(year)),
                target_in(year),
                remark(marks.get(year, "")),
            ],
        )
        for year in years
    ]
    level_totals = f.by("deployments", "level")
    lines.append(
        Line(
            "합계",
            [
                *[number(level_totals.get(code)) for code in LEVELS],
                number(level_totals.get(None)),
                number(f.total("deployments")),
                number(f.total("advancement_ratio")),
                BLANK,
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        *[Col(LEVEL_LABELS[code], "count", "도달 수준별 보급(개)", width=8) for code in LEVELS],
        Col("미확인", "count", "도달 수준별 보급(개)", width=8),
        Col("계", "count", "도달 수준별 보급(개)"),
        Col("실적", "percent", "고도화율(%)"),
        Col("목표", "percent", "고도화율(%)"),
        Col("비고", "text", width=26),
    ]
    sheet = ctx.sheet("수준별", "준공연도·도달 수준별 보급 및 고도화율", "개, %", len(columns) + 1)
    pos = sheet.main_table("준공연도", columns, lines)
    rows = pos.span()
    chart = ctx.chart("line")
    chart.add_series(
        {
            "name": "고도화율",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 8),
            "line": {"color": "#256EF4", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    chart.add_series(
        {
            "name": "목표",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 9),
            "line": {"color": "#E0533D", "dash_type": "dash"},
        }
    )
    chart_fonts(chart, "연도별 고도화율(레벨3 이상 비율)과 목표", y_format="0.0")
    sheet.add_chart(chart)
    ctx.finish(
        sheet,
        [
            "도달 수준은 KS X 9001 레벨1(점검)~레벨5(자율운영), 미확인은 수준이 구분되지 않은 과거 집계.",
            "고도화율 = 레벨3 이상 ÷ 수준이 확인된 공장 × 100(해당 준공연도 코호트, 합계는 누적).",
            "목표는 그해가 목표의 집계 기간에 드는 경우의 목표 고도화율.",
            DASH_NOTE,
        ],
    )


# --- 상생형 주관기관별 ------------------------------------------------------------------------------


def build_partners(ctx: Book) -> None:
    f = ctx.figures
    pledged = f.by("partner_pledged_krw", "partner")
    committed = f.by("partner_committed_krw", "partner")
    completions = f.by("partner_cofunded_completions", "partner")
    mentees = f.by("mentees", "partner")
    hours = f.by("mentoring_hours", "partner")
    keys = {k for m in (pledged, committed, completions, mentees, hours) for k in m if k is not None}
    names = dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name_ko"))
    ordered = sorted(keys, key=lambda k: (names.get(k, ""), k))
    lines = [
        Line(
            names.get(key, f"주관기관 #{key}"),
            [
                million(pledged.get(key)),
                million(committed.get(key)),
                number(completions.get(key)),
                number(mentees.get(key)),
                number(hours.get(key)),
                BLANK,
            ],
        )
        for key in ordered
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("partner_pledged_krw")),
                million(f.total("partner_committed_krw")),
                number(f.total("partner_cofunded_completions")),
                number(f.total("mentees")),
                number(f.total("mentoring_hours")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("출연 약정액", "krw", "출연금(백만원)", width=12),
        Col("부담금 확정액", "krw", "출연금(백만원)", width=12),
        Col("공동지원 구축 완료(개)", "count", "지원 실적", width=12),
        Col("멘티 기업(개)", "count", "지원 실적"),
        Col("멘토링(시간)", "hours", "지원 실적"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet(
        "상생형 주관기관별", "상생형 스마트공장 주관기관별 실적", "백만원, 개, 시간", len(columns) + 1
    )
    sheet.main_table("주관기관", columns, lines, stub_width=24, stub_align="left")
    ctx.finish(
        sheet,
        [
            "출연 약정액은 기준일까지 체결된 상생협약의 출연 약정, "
            "부담금 확정액은 신청 과제에 확정된 주관기관 부담금.",
            "공동지원 구축 완료는 주관기관이 공동 부담한 정부지원 구축 공장 중 보급 실적에 산입되는 것.",
            "멘티 기업은 기준일 끝에 제안·수락·진행·완료 상태인 매칭 수(종료 제외).",
            MONEY_NOTE,
        ],
    )


# --- 예산 집행현황 ----------------------------------------------------------------------------------


def build_budget(ctx: Book) -> None:
    f = ctx.figures
    agreed = f.by("agreed_krw", "source")
    paid = f.by("paid_krw", "source")
    recovered = f.by("recovered_krw", "source")
    outstanding = f.by("outstanding_krw", "source")
    rate = f.by("execution_rate", "source")
    keys: list[tuple[Any, str]] = list(SOURCES.items())
    keys += [(k, str(k)) for k in sorted(k for k in agreed if k is not None and k not in SOURCES)]
    lines = [
        Line(
            label,
            [
                million(agreed.get(key)),
                million(paid.get(key)),
                million(recovered.get(key)),
                million(outstanding.get(key)),
                number(rate.get(key)),
                BLANK,
            ],
        )
        for key, label in keys
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("agreed_krw")),
                million(f.total("paid_krw")),
                million(f.total("recovered_krw")),
                million(f.total("outstanding_krw")),
                number(f.total("execution_rate")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("협약액", "krw", "금액(백만원)", width=12),
        Col("집행액", "krw", "금액(백만원)", width=12),
        Col("환수액", "krw", "금액(백만원)", width=12),
        Col("지급 대기액", "krw", "금액(백만원)", width=12),
        Col("집행률(%)", "percent"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("예산 집행현황", "재원별 예산 집행현황", "백만원, %", len(columns) + 1)
    pos = sheet.main_table("재원", columns, lines)
    rows = pos.span()
    chart = ctx.chart("column")
    for col, name, color in ((1, "협약액", "#256EF4"), (2, "집행액", "#1D8A5B")):
        chart.add_series(
            {
                "name": name,
                "categories": sheet.ref(rows, 0),
                "values": sheet.ref(rows, col),
                "fill": {"color": color},
            }
        )
    chart_fonts(chart, "재원별 협약액 대비 집행액(백만원)")
    sheet.add_chart(chart)
    _budget_by_year(ctx, sheet)
    ctx.finish(
        sheet,
        [
            "협약액은 기준일까지 체결된 협약의 재원별 금액(변경 승인 반영).",
            "집행액은 지급에서 지급 취소·환수를 뺀 순지급액, "
            "지급 대기액은 요청·승인되었으나 지급되지 않은 금액.",
            "집행률 = 집행액 ÷ 협약액 × 100. "
            "아래 표의 예산·약정은 게시 공고의 정부지원 예산과 선정 과제 약정액.",
            MONEY_NOTE,
        ],
    )


def _budget_by_year(ctx: Book, sheet: SheetWriter) -> None:
    f = ctx.figures
    budget = f.by("budget_krw", "year")
    committed = f.by("committed_krw", "year")
    agreed = f.by("agreed_krw", "year", source="government")
    paid = f.by("paid_krw", "year", source="government")
    rate = f.by("execution_rate", "year", source="government")
    lines = [
        Line(
            str(year),
            [
                million(budget.get(year)),
                million(committed.get(year)),
                million(agreed.get(year)),
                million(paid.get(year)),
                number(rate.get(year)),
            ],
        )
        for year in years_of(budget, committed, agreed, paid)
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("budget_krw")),
                million(f.total("committed_krw")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                number(f.total("execution_rate", source="government")),
            ],
            total=True,
        )
    )
    columns = [
        Col("예산", "krw", "정부지원금(백만원)"),
        Col("약정", "krw", "정부지원금(백만원)"),
        Col("협약액", "krw", "정부지원금(백만원)"),
        Col("집행액", "krw", "정부지원금(백만원)"),
        Col("집행률(%)", "percent"),
    ]
    sheet.sub_table("회계연도별 정부지원금", "회계연도", columns, lines)


# --- 인력양성 -------------------------------------------------------------------------------------


def build_training(ctx: Book) -> None:
    f = ctx.figures
    annual = f.by("trained_workers", "year")
    provisional = f.provisional("trained_workers", "year")
    by_kind = f.by("trained_workers", "year", "provider_kind")
    years = years_of(annual)
    marks = target_marks(f.targets("trained_workers"), years, "명")
    lines = []
    running = 0
    for year in years:
        value = int(annual.get(year) or 0)
        running += value
        lines.append(
            Line(
                str(year),
                [
                    value,
                    running,
                    *[number(by_kind.get((year, kind))) for kind in PROVIDER_KINDS],
                    number(by_kind.get((year, None))),
                    remark(marks.get(year, ""), "잠정" if year in provisional else ""),
                ],
            )
        )
    kinds_total = f.by("trained_workers", "provider_kind")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("trained_workers")),
                BLANK,
                *[number(kinds_total.get(kind)) for kind in PROVIDER_KINDS],
                number(kinds_total.get(None)),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("연간", "persons", "수료 인원(명)"),
        Col("누적", "persons", "수료 인원(명)"),
        *[Col(label, "persons", "교육기관 유형별(명)", width=11) for label in PROVIDER_KINDS.values()],
        Col("구분 없음", "persons", "교육기관 유형별(명)", width=10),
        Col("비고", "text", width=30),
    ]
    sheet = ctx.sheet("인력양성", "연도별 스마트제조 인력양성 실적", "명", len(columns) + 1)
    pos = sheet.main_table("연도", columns, lines)
    rows = pos.span()
    bars = ctx.chart("column")
    bars.add_series(
        {
            "name": "연간 수료",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 1),
            "fill": {"color": "#1D8A5B"},
        }
    )
    line = ctx.chart("line")
    line.add_series(
        {
            "name": "누적 수료",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 2),
            "y2_axis": True,
            "line": {"color": "#E0533D", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    line.set_y2_axis({"num_format": "#,##0", "min": 0, "num_font": {"name": "맑은 고딕", "size": 9}})
    bars.combine(line)
    chart_fonts(bars, "연도별 스마트제조 인력양성(연간·누적)")
    sheet.add_chart(bars)
    ctx.finish(
        sheet,
        [
            "교육 과정 종료연도 기준 수료 인원. "
            "과거 집계가 있는 연도는 과거 집계로 셈(교육기관 유형 구분 없음).",
            "누적은 표의 첫 연도부터 더한 값.",
            DASH_NOTE,
        ],
    )


# --- 성과 -----------------------------------------------------------------------------------------


def build_outcomes(ctx: Book) -> None:
    f = ctx.figures
    median = f.by("outcome_change_median", "measure")
    mean = f.by("outcome_change_mean", "measure")
    by_year = f.by("outcome_change_median", "measure", "year")
    years = sorted({int(y) for _m, y in by_year if y is not None})
    keys = [k for k in MEASURES if k in median or k in mean]
    keys += sorted(k for k in {*median, *mean} if k is not None and k not in MEASURES)
    lines = []
    for key in keys:
        label, unit, kind = MEASURES.get(str(key), (str(key), "", "decimal"))
        lines.append(
            Line(
                f"{label}({unit})" if unit else label,
                [
                    number(median.get(key)),
                    number(mean.get(key)),
                    *[number(by_year.get((key, year))) for year in years],
                    "감소가 개선" if key in ("defect_rate", "cost", "accidents") else BLANK,
                ],
                kinds=[kind, kind, *[kind for _y in years], None],
            )
        )
    columns = [
        Col("중앙값", "percent", "도입 전 대비 변화"),
        Col("평균", "percent", "도입 전 대비 변화"),
        *[Col(f"{year}년", "percent", "준공연도별 중앙값", width=9) for year in years],
        Col("비고", "text", width=14),
    ]
    sheet = ctx.sheet("성과", "스마트공장 도입 성과(도입 전 대비 변화)", "%, 명, 건", len(columns) + 1)
    sheet.main_table("성과 지표", columns, lines, stub_width=18, stub_align="left")
    accepted = number(f.total("outcome_reports_accepted"))
    ctx.finish(
        sheet,
        [
            "기준일까지 확인(승인)된 성과 보고의 도입 전 대비 후 변화"
            f"(보고 {accepted or 0:,}건). 생산성·불량률·원가·납기준수율·매출액은 증감률(%), "
            "고용·산업재해는 공장당 증감 수.",
            "준공연도별 중앙값은 해당 연도에 준공된 공장(코호트)의 중앙값.",
            DASH_NOTE,
        ],
    )


BUILDERS: tuple[Callable[[Book], None], ...] = (
    build_summary,
    build_annual,
    build_regions,
    build_program_types,
    build_levels,
    build_partners,
    build_budget,
    build_training,
    build_outcomes,
)
