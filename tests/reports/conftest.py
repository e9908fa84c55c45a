"""A small program with a live and two official KPI snapshots of it, and the workbook read back.

The factories of tests.kpi_dashboards (two regions, two partner firms, completions 2020–2025, one
of them self-built) plus one more factory in 2022 (SME A, so 2023 has fewer than 2022: a negative
year-on-year change), and SME A's signed agreement with 12 million won of its government share paid.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from applications.models import ProjectAgreement
from exports.ministry import ministry_workbook_write
from funding import services as fs
from funding.models import LedgerEntry
from kpi.models import Snapshot
from kpi.snapshots import snapshot_freeze, snapshot_refresh
from tests import flow
from tests.conftest import Persona
from tests.kpi_dashboards.conftest import build_world, make_factory

M = 1_000_000
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


def pay(agreement: ProjectAgreement, sme: Any, finance: Any, amount: int) -> LedgerEntry:
    made = fs.disbursement_request(
        agreement=agreement, actor=sme, source="government", tranche="advance", amount_krw=amount
    )
    fs.disbursement_approve(request=made, actor=finance)
    return fs.disbursement_pay(request=made, actor=finance)


@dataclass
class Reports:
    live: Snapshot
    official: Snapshot
    past: Snapshot  # official, as of 2022-12-31
    agreement: ProjectAgreement


def build_reports(
    sme_owner: Persona,
    other_sme: Persona,
    partner: Persona,
    other_partner: Persona,
    official: Persona,
    finance_officer: Persona,
    draft: Any,
    evaluator: Persona,
) -> Reports:
    build_world(sme_owner, other_sme, partner, other_partner, official)
    make_factory(sme_owner, year=2022, level="L4")
    agreement = flow.to_agreed(draft, sme_owner.user, official.user, evaluator.user)
    pay(agreement, sme_owner.user, finance_officer.user, 12 * M)
    live = snapshot_refresh(actor=official.user)
    frozen = snapshot_freeze(actor=official.user, note="test")
    past = snapshot_freeze(actor=official.user, as_of=dt.date(2022, 12, 31), note="2022")
    return Reports(live, frozen, past, agreement)


@pytest.fixture
def reports(
    sme_owner, other_sme, partner, other_partner, official, finance_officer, draft, evaluator
) -> Reports:
    return build_reports(
        sme_owner, other_sme, partner, other_partner, official, finance_officer, draft, evaluator
    )


def workbook_bytes(snapshot: Snapshot) -> bytes:
    out = io.BytesIO()
    ministry_workbook_write(snapshot=snapshot, out=out)
    return out.getvalue()


def values(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values (python-calamine)."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def styled(data: bytes) -> openpyxl.Workbook:
    """The workbook with its styles, merges and print settings (openpyxl)."""
    return openpyxl.load_workbook(io.BytesIO(data))


def find_row(rows: list[list[Any]], label: str, start: int = 0) -> int:
    for i in range(start, len(rows)):
        if rows[i] and rows[i][0] == label:
            return i
    raise AssertionError(f"no row {label!r}")


def table(rows: list[list[Any]], header: int) -> tuple[list[list[Any]], int]:
    """The rows of the table whose header starts at row `header` (two header rows), up to its 합계 row
    (excluded), and the index of the 합계 row."""
    total = find_row(rows, "합계", header + 2)
    return rows[header + 2 : total], total


def number(value: Any) -> Any:
    """A cell value as the table means it: '-' is nothing."""
    return None if value in ("-", "") else value


def today() -> dt.date:
    return timezone.localdate()
