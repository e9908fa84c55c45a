"""Writes of workforce training: providers and courses (officials), cohorts (a provider's members or
officials).

Cohort rules: whole numbers; 1 ≤ enrolled ≤ 10,000; completed ≤ enrolled; the period ends on or after
it starts, starts in 2000 or later and ends at most a year from today (a cohort can be entered when it
is planned); a cohort that has not ended yet has no completions (workers count when they complete).
One cohort per course and start date (409 otherwise). Cohorts hold counts only, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audited
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import Organisation, Region, User
from core.roles import OrganisationKind
from training.models import CourseLevel, ProviderKind, TrainingCohort, TrainingCourse, TrainingProvider
from training.permissions import can_manage_training, can_record_cohort

MAX_ENROLLED = 10_000
MAX_HOURS = 2_000
PLAN_AHEAD = dt.timedelta(days=366)
EARLIEST = dt.date(2000, 1, 1)


def _whole(value: object, name: str, low: int, high: int, errors: dict[str, list[Any]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.setdefault(name, []).append(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": f"{high:,}"}
        )
        return low
    return value


def _name(value: str, name: str, errors: dict[str, list[Any]], *, max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append(_("Enter a name."))
    elif len(value) > max_length:
        errors.setdefault(name, []).append(_("Keep it to %(n)s characters.") % {"n": max_length})
    return value


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


# --- providers -----------------------------------------------------------------------------------------


@audited
@transaction.atomic
def provider_create(
    *, actor: User, name_ko: str, name_en: str = "", kind: str, region: Region
) -> TrainingProvider:
    """An official registers a training provider (and its organisation, which its staff join with the
    training-provider role). A second provider of the same Korean name is a 409."""
    if not can_manage_training(actor):
        raise PermissionDenied()
    errors: dict[str, list[Any]] = {}
    name_ko = _name(name_ko, "name_ko", errors)
    name_en = (name_en or "").strip()[:200]
    if kind not in ProviderKind.values:
        errors["kind"] = [_("Choose the kind of provider.")]
    if not isinstance(region, Region):
        errors["region"] = [_("Choose a region.")]
    _raise(errors)
    if TrainingProvider.objects.filter(organisation__name_ko=name_ko).exists():
        raise Conflict(
            _("A training provider of this name exists already."),
            code="provider_exists",
            fields={"name_ko": [_("A training provider of this name exists already.")]},
        )
    organisation = Organisation.objects.create(
        kind=OrganisationKind.TRAINING_PROVIDER, name_ko=name_ko, name_en=name_en, region=region
    )
    return TrainingProvider.objects.create(organisation=organisation, kind=kind, region=region)


@audited
@transaction.atomic
def provider_update(
    *,
    provider: TrainingProvider,
    actor: User,
    kind: str | None = None,
    region: Region | None = None,
    is_active: bool | None = None,
) -> TrainingProvider:
    """An official changes a provider's kind, region or whether it is active (an inactive provider
    records no new cohorts; its past cohorts still count)."""
    if not can_manage_training(actor):
        raise PermissionDenied()
    locked = TrainingProvider.objects.select_for_update().get(pk=provider.pk)
    if kind is not None:
        if kind not in ProviderKind.values:
            raise ValidationFailed(fields={"kind": [_("Choose the kind of provider.")]})
        locked.kind = kind
    if region is not None:
        locked.region = region
    if is_active is not None:
        locked.is_active = bool(is_active)
    locked.save(update_fields=["kind", "region", "is_active"])
    return locked


# --- courses -------------------------------------------------------------------------------------------


def _course_fields(title_ko: str, title_en: str, level: str, hours: object) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    data = {
        "title_ko": _name(title_ko, "title_ko", errors),
        "title_en": (title_en or "").strip()[:200],
        "level": level,
        "hours": _whole(hours, "hours", 1, MAX_HOURS, errors),
    }
    if level not in CourseLevel.values:
        errors["level"] = [_("Choose the course level.")]
    _raise(errors)
    return data


def _course_conflict() -> Conflict:
    return Conflict(
        _("This provider already has a course of this title."),
        code="course_exists",
        fields={"title_ko": [_("This provider already has a course of this title.")]},
    )


@audited
@transaction.atomic
def course_create(
    *, actor: User, provider: TrainingProvider, title_ko: str, title_en: str = "", level: str, hours: int
) -> TrainingCourse:
    """An official adds a course to an active provider; a duplicate title of that provider is a 409."""
    if not can_manage_training(actor):
        raise PermissionDenied()
    data = _course_fields(title_ko, title_en, level, hours)
    if not provider.is_active:
        raise Conflict(_("The provider is inactive."), code="provider_inactive")
    try:
        with transaction.atomic():
            return TrainingCourse.objects.create(provider=provider, **data)
    except IntegrityError as exc:
        raise _course_conflict() from exc


@audited
@transaction.atomic
def course_update(
    *,
    course: TrainingCourse,
    actor: User,
    title_ko: str | None = None,
    title_en: str | None = None,
    level: str | None = None,
    hours: int | None = None,
    is_active: bool | None = None,
) -> TrainingCourse:
    """An official corrects a course or retires it (a retired course records no new cohorts)."""
    if not can_manage_training(actor):
        raise PermissionDenied()
    locked = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    data = _course_fields(
        locked.title_ko if title_ko is None else title_ko,
        locked.title_en if title_en is None else title_en,
        locked.level if level is None else level,
        locked.hours if hours is None else hours,
    )
    for name, value in data.items():
        setattr(locked, name, value)
    if is_active is not None:
        locked.is_active = bool(is_active)
    try:
        with transaction.atomic():
            locked.save(update_fields=[*data, "is_active"])
    except IntegrityError as exc:
        raise _course_conflict() from exc
    return locked


# --- cohorts -------------------------------------------------------------------------------------------


def _cohort_fields(
    period_start: object, period_end: object, enrolled: object, completed: object, note: str
) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    today = timezone.localdate()
    for name, value in (("period_start", period_start), ("period_end", period_end)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[name] = [_("Enter a date.")]
    enrolled_n = _whole(enrolled, "enrolled", 1, MAX_ENROLLED, errors)
    completed_n = _whole(completed, "completed", 0, MAX_ENROLLED, errors)
    if not errors and isinstance(period_start, dt.date) and isinstance(period_end, dt.date):
        if period_start < EARLIEST:
            errors["period_start"] = [_("Enter a date in 2000 or later.")]
        if period_end < period_start:
            errors["period_end"] = [_("The period ends before it starts.")]
        elif period_end > today + PLAN_AHEAD:
            errors["period_end"] = [_("Enter a cohort at most a year ahead.")]
        if completed_n > enrolled_n:
            errors["completed"] = [_("More completed than enrolled.")]
        elif completed_n and period_end > today:
            errors["completed"] = [
                _("The cohort has not ended yet: completions are entered once it has ended.")
            ]
    if len(note or "") > 5_000:
        errors["note"] = [_("Keep the note to 5,000 characters.")]
    _raise(errors)
    if not isinstance(period_end, dt.date):  # narrowed above; keeps the type checker informed
        raise ValidationFailed(fields={"period_end": [_("Enter a date.")]})
    return {
        "period_start": period_start,
        "period_end": period_end,
        "year": period_end.year,
        "enrolled": enrolled_n,
        "completed": completed_n,
        "note": (note or "").strip(),
    }


def _cohort_conflict() -> Conflict:
    return Conflict(
        _("This course already has a cohort starting on that date."),
        code="cohort_exists",
        fields={"period_start": [_("This course already has a cohort starting on that date.")]},
    )


@audited
@transaction.atomic
def cohort_record(
    *,
    actor: User,
    course: TrainingCourse,
    period_start: dt.date,
    period_end: dt.date,
    enrolled: int,
    completed: int = 0,
    note: str = "",
) -> TrainingCohort:
    """A provider's member (for its own courses) or an official records a cohort with its counts.
    Refused: 403 for anyone else; 400 for bad counts or dates; 409 for an inactive course or provider,
    or a second cohort of the course starting the same day."""
    if not can_record_cohort(actor, course.provider):
        raise PermissionDenied()
    data = _cohort_fields(period_start, period_end, enrolled, completed, note)
    if not (course.is_active and course.provider.is_active):
        raise Conflict(_("The course or its provider is inactive."), code="course_inactive")
    try:
        with transaction.atomic():
            return TrainingCohort.objects.create(course=course, recorded_by=actor, **data)
    except IntegrityError as exc:
        raise _cohort_conflict() from exc


@audited
@transaction.atomic
def cohort_update(
    *,
    cohort: TrainingCohort,
    actor: User,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    enrolled: int | None = None,
    completed: int | None = None,
    note: str | None = None,
) -> TrainingCohort:
    """Correct a cohort (typically: enter its completions once it has ended). Same rules as recording;
    every change is kept in the cohort's history."""
    if not can_record_cohort(actor, cohort.course.provider):
        raise PermissionDenied()
    locked = TrainingCohort.objects.select_for_update().get(pk=cohort.pk)
    data = _cohort_fields(
        locked.period_start if period_start is None else period_start,
        locked.period_end if period_end is None else period_end,
        locked.enrolled if enrolled is None else enrolled,
        locked.completed if completed is None else completed,
        locked.note if note is None else note,
    )
    for name, value in data.items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            locked.save(update_fields=[*data, "updated_at"])
    except IntegrityError as exc:
        raise _cohort_conflict() from exc
    return locked
