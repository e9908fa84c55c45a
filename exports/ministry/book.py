"""What the sheets of the ministry workbook share: the snapshot's figures (`Figures`), the labels and
units of the tables, and the writing context (`Book`) that names each sheet's title, 기준일, unit and
source line after the snapshot. The sheets themselves are in sheets_deployment and sheets_money; the
workbook (its properties and the order of the sheets) in workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from core.money import Unit, to_unit
from exports.ministry.layout import (
    BLANK,
    SheetWriter,
    Styles,
    chart_fonts,
)
from kpi.dashboards import national_summary
from kpi.models import Snapshot, SnapshotKind, ValueStatus
from kpi.registry import is_registered
from kpi.selectors import breakdown

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


def parse_date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def target_marks(records: Iterable[Mapping[str, Any]], years: Sequence[int], unit: str) -> dict[int, str]:
    """ "목표 …" for the 비고 column: on the row of the target's deadline year, or else on the latest
    row within its period."""
    marks: dict[int, list[str]] = {}
    for record in records:
        start, deadline = parse_date(record.get("counts_from")), parse_date(record.get("deadline"))
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


def annual_and_cumulative_chart(
    ctx: Book, sheet: SheetWriter, rows: Any, *, names: tuple[str, str], colour: str, title: str
) -> None:
    """Columns of the annual figure (table column 1) with the running total (column 2) as a line on a
    second axis, over the years in column 0 of `rows`."""
    bars = ctx.chart("column")
    bars.add_series(
        {
            "name": names[0],
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 1),
            "fill": {"color": colour},
        }
    )
    line = ctx.chart("line")
    line.add_series(
        {
            "name": names[1],
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 2),
            "y2_axis": True,
            "line": {"color": "#E0533D", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    line.set_y2_axis({"num_format": "#,##0", "min": 0, "num_font": {"name": "맑은 고딕", "size": 9}})
    bars.combine(line)
    chart_fonts(bars, title)
    sheet.add_chart(bars)
