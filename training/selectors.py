"""Reads of workforce training, scoped to the user (a foreign object is a 404), and the trained-workers
totals toward the 100,000 target.

Counting rule: a worker counts when they complete a cohort, in the year the cohort ends, and only once
it has ended (a cohort still running counts nothing). A year for which historical aggregates of
`trained_workers` are loaded is counted from the aggregates alone, never from both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access
from factories.aggregates import aggregate_year_figures
from factories.models import AggregateMetric
from programs.models import NationalTarget, TargetMetric
from programs.selectors import national_target_list
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

AnyUser = User | AnonymousUser

AGGREGATE = "aggregate"  # the breakdown key of a year counted from imported aggregates
BREAKDOWNS = ("kind", "region")


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def provider_scope(user: AnyUser) -> Q | None:
    """Which providers a user may see; None means all. Officials and auditors see all; a provider's
    members their own; anyone else none."""
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return None
    if access.has(Role.TRAINING_PROVIDER):
        return Q(organisation_id__in=access.orgs(Role.TRAINING_PROVIDER))
    return Q(pk__in=[])


def _scoped(qs: QuerySet, user: AnyUser, prefix: str) -> QuerySet:
    scope = provider_scope(user)
    if scope is None:
        return qs
    return (
        qs.filter(**{f"{prefix}__in": TrainingProvider.objects.filter(scope)}) if prefix else qs.filter(scope)
    )


def provider_list_for_user(user: AnyUser) -> QuerySet[TrainingProvider]:
    qs = TrainingProvider.objects.select_related("organisation", "region")
    return _scoped(qs, user, "").order_by("organisation__name_ko", "id")


def provider_get_for_user(user: AnyUser, provider_id: object) -> TrainingProvider:
    found = provider_list_for_user(user).filter(pk=_pk(provider_id)).first()
    if found is None:
        raise NotFound()
    return found


def course_list_for_user(user: AnyUser) -> QuerySet[TrainingCourse]:
    qs = TrainingCourse.objects.select_related("provider__organisation", "provider__region")
    return _scoped(qs, user, "provider").order_by("provider__organisation__name_ko", "title_ko", "id")


def course_get_for_user(user: AnyUser, course_id: object) -> TrainingCourse:
    found = course_list_for_user(user).filter(pk=_pk(course_id)).first()
    if found is None:
        raise NotFound()
    return found


def cohort_list_for_user(user: AnyUser) -> QuerySet[TrainingCohort]:
    qs = TrainingCohort.objects.select_related(
        "course__provider__organisation", "course__provider__region", "recorded_by"
    )
    return _scoped(qs, user, "course__provider").order_by("-period_end", "-id")


def cohort_get_for_user(user: AnyUser, cohort_id: object) -> TrainingCohort:
    found = cohort_list_for_user(user).filter(pk=_pk(cohort_id)).first()
    if found is None:
        raise NotFound()
    return found


# --- totals ------------------------------------------------------------------------------------------------


@dataclass
class TrainedYear:
    year: int
    completed: int  # what counts for the year
    from_aggregates: bool
    provisional: bool
    cohort_completed: int  # what the cohorts hold (shown, not counted, in an aggregate year)
    cumulative: int = 0
    breakdown: dict[str | int | None, int] = field(default_factory=dict)


@dataclass
class TrainedTotals:
    years: list[TrainedYear]
    by: str | None
    as_of: dt.date

    @property
    def total(self) -> int:
        return sum(y.completed for y in self.years)

    def between(self, first: int, last: int) -> int:
        return sum(y.completed for y in self.years if first <= y.year <= last)


def trained_workers(
    *, year: int | None = None, by: str | None = None, as_of: dt.date | None = None
) -> TrainedTotals:
    """Workers trained per year (completed cohorts that have ended by `as_of`, today by default), with
    the cumulative count, optionally broken down `by` provider kind or region (a region id; None where
    an aggregate year is not broken down by region). Aggregate years replace the cohorts of that year.
    With `year`, only that year is listed (its cumulative still counts every year before it).
    Two queries whatever the data."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(by)
    as_of = as_of or timezone.localdate()
    key = {"kind": "course__provider__kind", "region": "course__provider__region_id"}.get(by or "")
    columns = ["year", key] if key else ["year"]
    cohorts: dict[int, dict[str | int | None, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        TrainingCohort.objects.filter(period_end__lte=as_of)
        .values(*columns)
        .annotate(n=Sum("completed"))
        .order_by()
    )
    for row in rows:
        cohorts[row["year"]][row[key] if key else None] += row["n"] or 0
    aggregates = aggregate_year_figures(AggregateMetric.TRAINED_WORKERS)
    years: list[TrainedYear] = []
    running = 0
    for y in sorted(set(cohorts) | {y for y in aggregates if y <= as_of.year}):
        from_cohorts = sum(cohorts[y].values()) if y in cohorts else 0
        figure = aggregates.get(y)
        if figure is not None:
            if by == "region":
                breakdown: dict[str | int | None, int] = {}
                for region_id, n in figure.by_region.items():
                    breakdown[region_id] = n
            else:
                breakdown = {AGGREGATE: figure.value} if by else {}
            item = TrainedYear(y, figure.value, True, figure.provisional, from_cohorts, breakdown=breakdown)
        else:
            breakdown = dict(cohorts[y]) if by else {}
            item = TrainedYear(y, from_cohorts, False, False, from_cohorts, breakdown=breakdown)
        running += item.completed
        item.cumulative = running
        years.append(item)
    if year is not None:
        years = [y for y in years if y.year == year]
    return TrainedTotals(years=years, by=by, as_of=as_of)


@dataclass(frozen=True)
class TargetProgress:
    target: NationalTarget
    achieved: int

    @property
    def percent(self) -> float:
        return min(100.0, float(self.achieved) * 100 / float(self.target.target_value))


def training_target_progress(totals: TrainedTotals) -> list[TargetProgress]:
    """Each active trained-workers target with what counts toward it (years from its start to its
    deadline)."""
    targets = national_target_list().filter(metric=TargetMetric.TRAINED_WORKERS)
    return [TargetProgress(t, totals.between(t.counts_from.year, t.deadline.year)) for t in targets]
