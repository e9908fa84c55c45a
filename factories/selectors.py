"""Reads of factories, levels and outcomes, scoped to what the user may see (a foreign object is a 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from applications.models import AgreementFunding, FundingSource
from companies.models import Workplace
from companies.selectors import workplace_get_for_user
from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access
from factories.models import Factory, LevelConfirmation

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def factory_scope(user: AnyUser) -> Q | None:
    """The one place that decides which factories a user may see; None means all of them.

    Officials, auditors and finance officers see every factory; regional officers those in their region;
    SME users their company's; partner firms those they co-funded. Anyone else sees none.
    """
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR, Role.FINANCE):
        return None
    scope = Q(pk__in=[])
    if access.has(Role.SME):
        scope |= Q(company__organisation_id__in=access.orgs(Role.SME))
    if access.has(Role.PARTNER):
        scope |= Q(partner_id__in=access.orgs(Role.PARTNER))
    if access.has(Role.REGIONAL_OFFICER):
        scope |= Q(region_id__in=access.region_ids)
    return scope


def factory_list_for_user(user: AnyUser) -> QuerySet[Factory]:
    qs = Factory.objects.select_related(
        "workplace", "company__organisation", "region", "ksic", "level", "call", "partner"
    )
    scope = factory_scope(user)
    return qs if scope is None else qs.filter(scope)


def factory_get_for_user(user: AnyUser, factory_id: object) -> Factory:
    try:
        return factory_list_for_user(user).get(pk=_pk(factory_id))
    except Factory.DoesNotExist as exc:
        raise NotFound() from exc


# --- the factory register: deployments, levels and closures ----------------------------------------------
# The aggregates below take any Factory queryset (already scoped, or Factory.objects for national
# figures) and run one query each, whatever the number of factories: the KPI registry builds on them.

# Breakdowns of deployment counts: name → the field grouped by (the key of each returned row).
DEPLOYMENT_BREAKDOWNS = {
    "region": "region_id",
    "program_type": "program_type",
    "origin": "origin",
    "level": "level__code",
}


def _gov_paid(application_ref: str = "application_id") -> Subquery:
    """Government support paid (net) to a factory's project: zero rows for a self-built factory."""
    return Subquery(
        AgreementFunding.objects.filter(
            agreement__application_id=OuterRef(application_ref), source=FundingSource.GOVERNMENT
        ).values("paid_krw")[:1]
    )


def factory_register_for_user(user: AnyUser) -> QuerySet[Factory]:
    """The factories the user may see, newest completion first, each with the code of its workplace's
    current level (`current_level_code`) and the government support paid to its project
    (`gov_paid_krw`, None for a self-built factory)."""
    latest = LevelConfirmation.objects.filter(workplace_id=OuterRef("workplace_id")).order_by(
        "-confirmed_on", "-id"
    )
    return (
        factory_list_for_user(user)
        .annotate(current_level_code=Subquery(latest.values("level__code")[:1]), gov_paid_krw=_gov_paid())
        .order_by("-completed_on", "-id")
    )


def deployment_counts(
    factories: QuerySet[Factory] | None = None,
    *,
    year: Literal["completion", "support"] = "completion",
    by: Sequence[str] = (),
) -> QuerySet[Any]:
    """Counted factories per year, optionally broken down by region, program type, origin and level.

    Rows are dicts of the year field (`completion_year` or `support_year`), the breakdown fields named
    in DEPLOYMENT_BREAKDOWNS, and `count`, in that order. By support year, self-built factories (which
    have none) are left out. Closed factories stay in: they were deployed.
    """
    unknown = set(by) - set(DEPLOYMENT_BREAKDOWNS)
    if unknown:
        raise ValueError(f"unknown breakdowns: {sorted(unknown)}")
    qs = (factories if factories is not None else Factory.objects.all()).filter(counted=True)
    year_field = "completion_year" if year == "completion" else "support_year"
    if year == "support":
        qs = qs.filter(support_year__isnull=False)
    fields = [year_field, *(DEPLOYMENT_BREAKDOWNS[name] for name in by)]
    return qs.order_by().values(*fields).annotate(count=Count("id")).order_by(*fields)


def active_factory_count(factories: QuerySet[Factory] | None = None, *, as_of: dt.date | None = None) -> int:
    """Counted factories completed by `as_of` (today by default) and not closed by then."""
    day = as_of or timezone.localdate()
    qs = factories if factories is not None else Factory.objects.all()
    return (
        qs.filter(counted=True, completed_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .order_by()
        .count()
    )


def sunk_support_krw(factories: QuerySet[Factory] | None = None) -> int:
    """Government support paid (net) to the projects of closed factories: money spent on factories that
    no longer run."""
    qs = factories if factories is not None else Factory.objects.all()
    closed = qs.filter(closed_on__isnull=False, application__isnull=False).order_by().values("application_id")
    total = AgreementFunding.objects.filter(
        source=FundingSource.GOVERNMENT, agreement__application_id__in=closed
    ).aggregate(total=Sum("paid_krw"))["total"]
    return int(total or 0)


def factory_totals(factories: QuerySet[Factory]) -> dict[str, int]:
    """Totals of a (filtered) register: all, counted, active (counted and not closed), closed, and the
    sunk support of the closed ones. Two queries."""
    # Aliases differ from the field names (an aggregate may not shadow a field it filters on).
    row = factories.order_by().aggregate(
        n_total=Count("id"),
        n_counted=Count("id", filter=Q(counted=True)),
        n_active=Count("id", filter=Q(counted=True, closed_on__isnull=True)),
        n_closed=Count("id", filter=Q(closed_on__isnull=False)),
    )
    totals = {key.removeprefix("n_"): value for key, value in row.items()}
    totals["sunk_support_krw"] = sunk_support_krw(factories)
    return totals


def factory_support_paid_krw(factory: Factory) -> int:
    """Government support paid (net) to the factory's project; zero for a self-built factory."""
    if factory.application_id is None:
        return 0
    paid = (
        AgreementFunding.objects.filter(
            agreement__application_id=factory.application_id, source=FundingSource.GOVERNMENT
        )
        .values_list("paid_krw", flat=True)
        .first()
    )
    return int(paid or 0)


def workplace_get_for_levels(user: AnyUser, workplace_id: object) -> Workplace:
    """A workplace whose level history the user may see: one they may see among companies, or the
    workplace of a factory they may see (partner firms, finance). Anything else is a 404."""
    pk = _pk(workplace_id)
    try:
        return workplace_get_for_user(user, pk)
    except NotFound:
        if not factory_list_for_user(user).filter(workplace_id=pk).exists():
            raise
    return Workplace.objects.select_related("company__organisation", "region", "ksic").get(pk=pk)


def workplace_level_history(workplace: Workplace) -> QuerySet[LevelConfirmation]:
    """Every level confirmation of the workplace, oldest first (confirmed date, then recording order)."""
    return (
        LevelConfirmation.objects.filter(workplace=workplace)
        .select_related("level", "recorded_by", "factory")
        .order_by("confirmed_on", "id")
    )


def workplace_current_level(workplace: Workplace) -> LevelConfirmation | None:
    """The latest confirmation by (confirmed date, id): the workplace's level now."""
    return (
        LevelConfirmation.objects.filter(workplace=workplace)
        .select_related("level")
        .order_by("-confirmed_on", "-id")
        .first()
    )


def workplace_factories(user: AnyUser, workplace: Workplace) -> QuerySet[Factory]:
    """The workplace's factories the user may see, newest completion first."""
    return factory_list_for_user(user).filter(workplace=workplace).order_by("-completed_on", "-id")
