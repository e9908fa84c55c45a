"""Reads of outcome reports (성과 보고), scoped to what the user may see (a foreign report is a 404), the
overdue selector of the reminder task, and the outcome effects summary for the KPIs.

A report is overdue when it is due or returned for correction and its due date has passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from core.errors import NotFound
from core.models import User
from factories.models import OUTCOME_MEASURES, Factory, OutcomeReport, OutcomeStatus
from factories.selectors import factory_scope

AnyUser = User | AnonymousUser

OPEN_STATUSES = (OutcomeStatus.DUE, OutcomeStatus.RETURNED)


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def outcome_report_scope(user: AnyUser) -> Q | None:
    """Which outcome reports a user may see: those of the factories they may see (factory_scope):
    SMEs their own, regional officers their region's, partners those they co-funded, officials,
    auditors and finance officers all. None means all of them."""
    scope = factory_scope(user)
    if scope is None:
        return None
    return Q(factory__in=Factory.objects.filter(scope).values("pk"))


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_on__lt=today)


def overdue_reports(today: dt.date | None = None) -> QuerySet[OutcomeReport]:
    """Every overdue report (due or returned, due date before `today`), oldest due first. Unscoped:
    for the reminder task and officials' figures."""
    today = today or timezone.localdate()
    return OutcomeReport.objects.filter(overdue_q(today)).order_by("due_on", "id")


def outcome_report_list_for_user(user: AnyUser, today: dt.date | None = None) -> QuerySet[OutcomeReport]:
    """The reports the user may see, each with `is_overdue` and `priority` (overdue 0, returned 1,
    due 2, submitted 3, accepted 4), ordered by priority then due date: what needs doing comes first."""
    today = today or timezone.localdate()
    qs = OutcomeReport.objects.select_related(
        "factory__workplace",
        "factory__company__organisation",
        "factory__region",
        "factory__call",
        "submitted_by",
        "reviewed_by",
    ).annotate(
        is_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()),
        priority=Case(
            When(overdue_q(today), then=Value(0)),
            When(status=OutcomeStatus.RETURNED, then=Value(1)),
            When(status=OutcomeStatus.DUE, then=Value(2)),
            When(status=OutcomeStatus.SUBMITTED, then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        ),
    )
    scope = outcome_report_scope(user)
    if scope is not None:
        qs = qs.filter(scope)
    return qs.order_by("priority", "due_on", "id")


def outcome_report_get_for_user(user: AnyUser, report_id: object) -> OutcomeReport:
    report = outcome_report_list_for_user(user).filter(pk=_pk(report_id)).first()
    if report is None:
        raise NotFound()
    return report


# --- outcome effects (KPI) ---------------------------------------------------------------------------

# How the change of each measure kind is expressed: relative change in percent for productivity, rates
# and money (as the ministry reports "불량률 43.5% 감소"), absolute change for counts.
RELATIVE_KINDS = {"decimal", "percent", "krw"}
GROUPINGS = {
    "call": "factory__call_id",
    "program_type": "factory__program_type",
    "year": "factory__completion_year",
}


@dataclass(frozen=True)
class MeasureEffect:
    measure: str
    label: str
    kind: str
    unit: str  # "percent": mean relative change in %; "count": mean absolute change
    mean_change: float | None
    reports: int  # accepted reports with both values (and a baseline above zero for relative changes)


@dataclass(frozen=True)
class EffectGroup:
    key: object  # None when not grouped; else the call id, program type or completion year
    reports: int  # accepted reports in the group
    measures: list[MeasureEffect] = field(default_factory=list)


def _effect_annotations() -> dict[str, object]:
    annotations: dict[str, object] = {"n_reports": Count("id")}
    for stem, _label, kind in OUTCOME_MEASURES:
        before, after = F(f"{stem}_before"), F(f"{stem}_after")
        before_f, after_f = Cast(before, FloatField()), Cast(after, FloatField())
        if kind in RELATIVE_KINDS:
            usable = Q(**{f"{stem}_before__gt": 0, f"{stem}_after__isnull": False})
            change = (after_f - before_f) * Value(100.0) / before_f
        else:
            usable = Q(**{f"{stem}_before__isnull": False, f"{stem}_after__isnull": False})
            change = after_f - before_f
        annotations[f"{stem}__mean"] = Avg(Case(When(usable, then=change), output_field=FloatField()))
        annotations[f"{stem}__n"] = Count("id", filter=usable)
    return annotations


def outcome_effects_summary(
    *,
    call_id: int | None = None,
    program_type: str | None = None,
    year: int | None = None,
    by: str | None = None,
) -> list[EffectGroup]:
    """Mean change of each measure over accepted reports (after vs before), optionally filtered by call,
    program type and completion year of the factory, and optionally grouped by one of them (`by`:
    "call", "program_type" or "year"). One aggregate query whatever the number of reports.

    Relative change in % for productivity, rates and money (reports with a baseline of zero are left
    out), absolute change for employment and accidents. Unscoped: aggregates for the KPIs.
    Errors: ValueError for an unknown `by`.
    """
    qs = OutcomeReport.objects.filter(status=OutcomeStatus.ACCEPTED)
    if call_id is not None:
        qs = qs.filter(factory__call_id=call_id)
    if program_type:
        qs = qs.filter(factory__program_type=program_type)
    if year is not None:
        qs = qs.filter(factory__completion_year=year)
    annotations = _effect_annotations()
    if by is None:
        rows = [{"key": None, **qs.aggregate(**annotations)}]
    else:
        if by not in GROUPINGS:
            raise ValueError(by)
        grouped = qs.order_by().values(GROUPINGS[by]).annotate(**annotations).order_by(GROUPINGS[by])
        rows = [{"key": row.pop(GROUPINGS[by]), **row} for row in grouped]
    groups = []
    for row in rows:
        measures = [
            MeasureEffect(
                measure=stem,
                label=label,
                kind=kind,
                unit="percent" if kind in RELATIVE_KINDS else "count",
                mean_change=None if row[f"{stem}__mean"] is None else round(float(row[f"{stem}__mean"]), 2),
                reports=row[f"{stem}__n"] or 0,
            )
            for stem, label, kind in OUTCOME_MEASURES
        ]
        groups.append(EffectGroup(key=row["key"], reports=row["n_reports"] or 0, measures=measures))
    return groups


@dataclass(frozen=True)
class StatusStep:
    at: dt.datetime
    status: str
    label: str
    actor: str


def outcome_report_history(report: OutcomeReport) -> list[StatusStep]:
    """The report's status changes, oldest first, from its audit events (pghistory): when, to which
    status and by whom (the `actor` the service recorded). Two queries."""
    event_model = apps.get_model("factories", "OutcomeReportEvent")
    events = list(
        event_model.objects.filter(pgh_obj_id=report.pk)
        .select_related("pgh_context")
        .order_by("pgh_created_at", "pgh_id")
        .only("pgh_created_at", "status", "pgh_context__metadata")
    )
    user_ids: set[int] = set()
    for event in events:
        user_id = (event.pgh_context.metadata or {}).get("user") if event.pgh_context_id else None
        if isinstance(user_id, int):
            user_ids.add(user_id)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    steps: list[StatusStep] = []
    previous = None
    for event in events:
        if event.status == previous:
            continue
        previous = event.status
        user_id = (event.pgh_context.metadata or {}).get("user") if event.pgh_context_id else None
        steps.append(
            StatusStep(
                at=event.pgh_created_at,
                status=event.status,
                label=str(OutcomeStatus(event.status).label),
                actor=names.get(user_id, "-") if isinstance(user_id, int) else "-",
            )
        )
    return steps
