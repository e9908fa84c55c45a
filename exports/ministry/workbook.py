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
from collections.abc import Callable
from typing import IO

import xlsxwriter
from django.utils import timezone

from exports.ministry.book import REPORT_TITLE, SHEETS, SYSTEM_NAME, Book, Figures, korean_date, status_label
from exports.ministry.layout import (
    NUMBER_FORMATS,
    Styles,
)
from exports.ministry.sheets_deployment import (
    build_annual,
    build_levels,
    build_partners,
    build_program_types,
    build_regions,
    build_summary,
)
from exports.ministry.sheets_money import build_budget, build_outcomes, build_training
from kpi.models import Snapshot

__all__ = ["NUMBER_FORMATS", "SHEETS", "ministry_workbook_write", "status_label"]


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
