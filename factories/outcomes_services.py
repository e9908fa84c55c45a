"""Writes of outcome reports (성과 보고): the reporting schedule of a call, scheduling a factory's reports,
submission by the SME, review by officials, and the one-time reminder of an overdue report.

Schedule: report k (1-based) of a factory measures the period from completed_on + (k-1)·interval months
to the day before completed_on + k·interval months (the half-open interval [start, next start)), and is
due `due_days` after that last day. A call without a schedule uses the default: yearly, three times,
due 30 days after each period. `period_end` holds the last day of the period (inclusive).

Call `outcome_reports_schedule(factory=factory)` right after a factory is recorded: a supported factory
gets its call's schedule; a self-built one gets nothing unless an official asks (`actor=` an official).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audited
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import User
from core.money import MAX_KRW
from core.roles import Role
from core.selectors import member_emails, user_access
from factories.models import (
    OUTCOME_MEASURES,
    Factory,
    FactoryOrigin,
    OutcomeReport,
    OutcomeSchedule,
    OutcomeStatus,
)
from factories.permissions import can_manage_region, can_review_outcome, can_submit_outcome
from programs.models import Call

logger = logging.getLogger(__name__)

DEFAULT_REPORTS = 3
DEFAULT_INTERVAL_MONTHS = 12
DEFAULT_DUE_DAYS = 30
MAX_DUE_DAYS = 365
MAX_COUNT = 2_147_483_647  # PostgreSQL integer
MAX_PRODUCTIVITY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# Reports an SME still has to file: overdue once their due date has passed.
OPEN_STATUSES = (OutcomeStatus.DUE, OutcomeStatus.RETURNED)
SUBMITTABLE_STATUSES = (OutcomeStatus.DUE, OutcomeStatus.RETURNED)
# Field names of the values a report carries: productivity_before, productivity_after, ...
VALUE_FIELDS: tuple[str, ...] = tuple(
    f"{stem}_{side}" for stem, _l, _k in OUTCOME_MEASURES for side in ("before", "after")
)
MEASURE_KINDS: dict[str, str] = {stem: kind for stem, _l, kind in OUTCOME_MEASURES}


@dataclass(frozen=True)
class EffectiveSchedule:
    reports: int
    interval_months: int
    due_days: int
    is_default: bool


DEFAULT_SCHEDULE = EffectiveSchedule(DEFAULT_REPORTS, DEFAULT_INTERVAL_MONTHS, DEFAULT_DUE_DAYS, True)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_for_call(call: Call | None) -> EffectiveSchedule:
    """The call's reporting schedule, or the default (yearly for three years, due 30 days after)."""
    if call is None:
        return DEFAULT_SCHEDULE
    row = OutcomeSchedule.objects.filter(call=call).first()
    if row is None:
        return DEFAULT_SCHEDULE
    return EffectiveSchedule(row.reports, row.interval_months, row.due_days, False)


def report_periods(
    completed_on: dt.date, schedule: EffectiveSchedule
) -> list[tuple[int, dt.date, dt.date, dt.date]]:
    """(sequence, first day, last day, due date) of each report of a factory completed on that day."""
    periods = []
    for k in range(1, schedule.reports + 1):
        start = add_months(completed_on, (k - 1) * schedule.interval_months)
        last = add_months(completed_on, k * schedule.interval_months) - dt.timedelta(days=1)
        periods.append((k, start, last, last + dt.timedelta(days=schedule.due_days)))
    return periods


@audited
@transaction.atomic
def outcome_schedule_set(
    *, call: Call, actor: User, reports: int, interval_months: int, due_days: int
) -> OutcomeSchedule:
    """Set how the call's factories report their outcomes (officials only).

    Applies to reports scheduled from now on; reports already scheduled keep their periods and dates.
    Errors: PermissionDenied for anyone but an official; ValidationFailed for numbers out of bounds
    (1–10 reports, 1–36 months apart, 0–365 days to report).
    """
    if not user_access(actor).has(Role.OFFICIAL):
        raise PermissionDenied()
    errors: dict[str, list[Any]] = {}
    for name, value, low, high in (
        ("reports", reports, 1, 10),
        ("interval_months", interval_months, 1, 36),
        ("due_days", due_days, 0, MAX_DUE_DAYS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [
                gettext_lazy("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
    if errors:
        raise ValidationFailed(fields=errors)
    schedule, _created = OutcomeSchedule.objects.update_or_create(
        call=call,
        defaults={"reports": reports, "interval_months": interval_months, "due_days": due_days},
    )
    return schedule


@audited
@transaction.atomic
def outcome_reports_schedule(*, factory: Factory, actor: User | None = None) -> list[OutcomeReport]:
    """Create the factory's scheduled outcome reports (status due) that do not exist yet; return all of
    the factory's reports in order. Idempotent: a second call creates nothing (unique factory+sequence,
    concurrent calls included).

    A supported factory follows its call's schedule (or the default). A self-built factory gets reports
    only when an official or the region's officer asks (`actor`), on the default schedule; without an
    actor it gets none. A closed factory gets no new reports.
    Errors: PermissionDenied when an actor is given who may not manage the factory's region.
    """
    if actor is not None and not can_manage_region(actor, factory.region_id):
        raise PermissionDenied()
    if factory.origin == FactoryOrigin.SELF_BUILT and actor is None:
        return list(factory.outcome_reports.order_by("sequence"))
    if factory.closed_on is not None:
        return list(factory.outcome_reports.order_by("sequence"))
    schedule = schedule_for_call(factory.call if factory.call_id else None)
    existing = set(factory.outcome_reports.values_list("sequence", flat=True))
    missing = [
        OutcomeReport(factory=factory, sequence=k, period_start=start, period_end=last, due_on=due)
        for k, start, last, due in report_periods(factory.completed_on, schedule)
        if k not in existing
    ]
    if missing:
        OutcomeReport.objects.bulk_create(missing, ignore_conflicts=True)
    return list(factory.outcome_reports.order_by("sequence"))


def schedule_outcome_reports(factory: Factory) -> list[OutcomeReport]:
    """The hook for recording a factory (factories.services, the demo seed): schedule its outcome
    reports if it is a supported factory; nothing for a self-built one. Safe to call twice."""
    return outcome_reports_schedule(factory=factory)


# --- submission --------------------------------------------------------------------------------------


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _clean_value(kind: str, value: Any) -> tuple[Any, Any]:
    """(clean value, None) or (None, error message) of one measure's value."""
    if kind == "percent":
        number = _as_decimal(value)
        if number is None or not 0 <= number <= HUNDRED or number != number.quantize(CENT):
            return None, gettext_lazy("Enter a percentage from 0 to 100 with at most two decimals.")
        return number.quantize(CENT), None
    if kind == "decimal":
        number = _as_decimal(value)
        if number is None or not 0 <= number <= MAX_PRODUCTIVITY or number != number.quantize(CENT):
            return None, gettext_lazy("Enter a number of zero or more with at most two decimals.")
        return number.quantize(CENT), None
    if kind == "krw":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KRW:
            return None, gettext_lazy("Enter the amount as whole won, zero or more.")
        return value, None
    # counts
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None, gettext_lazy("Enter a whole number, zero or more.")
    return value, None


def clean_outcome_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the before/after values of a report; return every value field (None where not given).

    Rules: each value of its kind (percent 0–100 with two decimals, whole won ≥ 0, counts ≥ 0,
    productivity ≥ 0 with two decimals); a measure given with a baseline needs its after value too;
    productivity or the defect rate is required (both values). Errors: ValidationFailed naming fields.
    """
    errors: dict[str, list[Any]] = {}
    unknown = sorted(set(values) - set(VALUE_FIELDS))
    for name in unknown:
        errors[name] = [gettext_lazy("Unknown measure.")]
    clean: dict[str, Any] = dict.fromkeys(VALUE_FIELDS)
    for name in VALUE_FIELDS:
        value = values.get(name)
        if value is None or value == "":
            continue
        stem = name.rsplit("_", 1)[0]
        cleaned, error = _clean_value(MEASURE_KINDS[stem], value)
        if error is not None:
            errors[name] = [error]
        else:
            clean[name] = cleaned
    for stem, _label, _kind in OUTCOME_MEASURES:
        before, after = f"{stem}_before", f"{stem}_after"
        if values.get(before) not in (None, "") and values.get(after) in (None, "") and after not in errors:
            errors[after] = [gettext_lazy("Give the value after the project as well.")]
    core_pairs = [("productivity_before", "productivity_after"), ("defect_rate_before", "defect_rate_after")]
    if not errors and not any(clean[b] is not None and clean[a] is not None for b, a in core_pairs):
        errors["productivity_after"] = [
            gettext_lazy("Give productivity or the defect rate, before and after the project.")
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _locked(report: OutcomeReport) -> OutcomeReport:
    return OutcomeReport.objects.select_for_update().select_related("factory__company").get(pk=report.pk)


@audited
@transaction.atomic
def outcome_report_submit(
    *,
    report: OutcomeReport,
    actor: User,
    values: dict[str, Any],
    note: str = "",
    today: dt.date | None = None,
) -> OutcomeReport:
    """The factory's SME files the report's before/after values (replacing any earlier values).

    Allowed when the report is due or was returned for correction, and its measurement period has
    ended. Errors: PermissionDenied (not the factory's SME); Conflict `outcome_accepted` (an accepted
    report never changes), IllegalTransition (already submitted, awaiting review), Conflict
    `period_not_ended`; ValidationFailed for the values (see clean_outcome_values).
    """
    locked = _locked(report)
    if not can_submit_outcome(actor, locked):
        raise PermissionDenied()
    if locked.status == OutcomeStatus.ACCEPTED:
        raise Conflict(gettext_lazy("An accepted report cannot be changed."), code="outcome_accepted")
    if locked.status not in SUBMITTABLE_STATUSES:
        raise IllegalTransition(gettext_lazy("The report was submitted and awaits review."))
    today = today or timezone.localdate()
    if today <= locked.period_end:
        raise Conflict(
            gettext_lazy("The measurement period ends on %(date)s; submit the report after that.")
            % {"date": locked.period_end.isoformat()},
            code="period_not_ended",
        )
    clean = clean_outcome_values(values)
    if len(note) > 5_000:
        raise ValidationFailed(fields={"note": [gettext_lazy("At most 5,000 characters.")]})
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.note = note.strip()
    locked.status = OutcomeStatus.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.save(update_fields=[*VALUE_FIELDS, "note", "status", "submitted_by", "submitted_at"])
    return locked


def _review_checks(report: OutcomeReport, actor: User) -> OutcomeReport:
    locked = _locked(report)
    if not can_review_outcome(actor, locked):
        raise PermissionDenied()
    if locked.status == OutcomeStatus.ACCEPTED:
        raise Conflict(gettext_lazy("An accepted report cannot be changed."), code="outcome_accepted")
    if locked.status != OutcomeStatus.SUBMITTED:
        raise IllegalTransition(gettext_lazy("Only a submitted report can be reviewed."))
    return locked


@audited
@transaction.atomic
def outcome_report_accept(*, report: OutcomeReport, actor: User, note: str = "") -> OutcomeReport:
    """Accept a submitted report (officials; regional officers of the factory's region). Final.

    Errors: PermissionDenied; Conflict `outcome_accepted`; IllegalTransition when not submitted.
    """
    locked = _review_checks(report, actor)
    locked.status = OutcomeStatus.ACCEPTED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_note = note.strip()[:5_000]
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


@audited
@transaction.atomic
def outcome_report_return(*, report: OutcomeReport, actor: User, note: str) -> OutcomeReport:
    """Return a submitted report to the SME for correction, with a note saying what to correct.

    Errors: ValidationFailed `note` (required); PermissionDenied; Conflict `outcome_accepted`;
    IllegalTransition when not submitted.
    """
    locked = _review_checks(report, actor)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(fields={"note": [gettext_lazy("Say what should be corrected.")]})
    if len(note) > 5_000:
        raise ValidationFailed(fields={"note": [gettext_lazy("At most 5,000 characters.")]})
    locked.status = OutcomeStatus.RETURNED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_note = note
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


# --- reminders ---------------------------------------------------------------------------------------


def outcome_reminder_send(*, report_id: int, today: dt.date | None = None) -> bool:
    """Email the factory's SME users that the report is overdue, once. Returns False when the report is
    not overdue or was reminded already.

    The report is claimed with a conditional UPDATE (`reminded_at IS NULL` and still overdue) in the
    same transaction as the send: concurrent runs send one email, a failed send rolls the claim back so
    the next run tries again, and a replay after success sends nothing.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        claimed = OutcomeReport.objects.filter(
            pk=report_id, reminded_at__isnull=True, status__in=OPEN_STATUSES, due_on__lt=today
        ).update(reminded_at=timezone.now())
        if not claimed:
            return False
        report = OutcomeReport.objects.select_related("factory__workplace", "factory__company").get(
            pk=report_id
        )
        factory = report.factory
        recipients = member_emails(factory.company.organisation_id, Role.SME)
        if not recipients:
            return True
        values = {
            "sequence": report.sequence,
            "workplace": factory.workplace.name,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
            "due": report.due_on.isoformat(),
        }
        parts = []
        for language in ("ko", "en"):
            with translation.override(language):
                parts.append(
                    _(
                        "Outcome report %(sequence)s of %(workplace)s (period %(start)s – %(end)s) was due "
                        "on %(due)s and is still open. Please submit it in the smart factory system."
                    )
                    % values
                )
        with translation.override("ko"):
            subject = _("[Smart factory program] Outcome report overdue: %(workplace)s") % values
        send_mail(subject, "\n\n".join(parts), settings.DEFAULT_FROM_EMAIL, recipients)
        return True
