"""KPI metrics: data quality (registered on import).

`data_quality_flags` counts what needs an official's attention, by flag and (where the flag has one)
region:

- open_duplicate_flags: duplicate-support flags raised by the as-of date and not overridden by then
  (region of the flagged application);
- overdue_outcome_reports: outcome reports still due or returned for correction whose due date is
  before the as-of date (region of the factory);
- reconciliation_mismatches: figures of the money layer that do not reconcile (funding.reconciliation:
  paid ≠ ledger, recovered ≠ ledger, outstanding ≠ open requests, call and win-win commitments). This
  one is the state of the data when the snapshot is taken, whatever its as-of date; no region.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from applications.models import DuplicateFlag
from factories.models import OutcomeReport
from factories.outcomes_selectors import OPEN_STATUSES
from funding.reconciliation import reconcile
from kpi.registry import Cell, Metric, register

FLAGS = ("open_duplicate_flags", "overdue_outcome_reports", "reconciliation_mismatches")


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def compute_flags(as_of: dt.date) -> list[Cell]:
    end = _end_of(as_of)
    cells: list[Cell] = []
    duplicates = (
        DuplicateFlag.objects.filter(created_at__lt=end)
        .filter(Q(overridden_at__isnull=True) | Q(overridden_at__gte=end))
        .order_by()
        .values("application__region__slug")
        .annotate(n=Count("id"))
    )
    cells += [
        Cell({"flag": "open_duplicate_flags", "region": r["application__region__slug"]}, r["n"])
        for r in duplicates
    ]
    overdue = (
        OutcomeReport.objects.filter(status__in=OPEN_STATUSES, due_on__lt=as_of)
        .order_by()
        .values("factory__region__slug")
        .annotate(n=Count("id"))
    )
    cells += [
        Cell({"flag": "overdue_outcome_reports", "region": r["factory__region__slug"]}, r["n"])
        for r in overdue
    ]
    mismatches = len(reconcile().mismatches)
    if mismatches:
        cells.append(Cell({"flag": "reconciliation_mismatches"}, mismatches))
    return cells


register(
    Metric(
        code="data_quality_flags",
        name_ko="데이터 품질 점검 항목",
        name_en="Data-quality flags",
        unit="count",
        definition_ko=(
            "확인이 필요한 항목 수: 해소되지 않은 중복지원 의심(지원서 "
            "지역), 기한이 지난 성과 보고(공장 지역), "
            "정산 대사 불일치(스냅샷 작성 시점 기준, 지역 없음)."
        ),
        definition_en=(
            "What needs attention: duplicate-support flags open on the as-of date (region of the "
            "application), outcome reports overdue on it (region of the factory), and money-layer "
            "reconciliation mismatches when the snapshot is taken (no region)."
        ),
        breakdowns=("flag", "region"),
        compute=compute_flags,
        group="quality",
        extra={"flags": list(FLAGS)},
    )
)
