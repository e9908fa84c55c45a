"""Who sees which dashboard, and the scope of what they see (pure predicates over the user's access).

- Officials, auditors and finance officers see the national dashboard (no filter).
- A regional officer sees their region: every figure is filtered on `region=<slug>`; a metric without a
  region breakdown cannot be scoped, so it is hidden from them.
- A partner firm sees its own figures: filtered on `partner=<organisation id>`; metrics without a
  partner breakdown are hidden.
- An SME sees its own projects, built from its own raw rows (kpi.dashboards.sme_dashboard), never from
  the snapshot's national cells (except the median of its industry, which is an aggregate).
- Anyone else has no dashboard.

A user holding several roles gets the widest scope (national, then region, then partner, then SME).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser

from core.errors import PermissionDenied
from core.models import Region, User
from core.roles import Role
from core.selectors import user_access
from kpi.registry import Metric

AnyUser = User | AnonymousUser
ScopeKind = Literal["national", "region", "partner", "sme", "none"]

NATIONAL_ROLES = (Role.OFFICIAL, Role.AUDITOR, Role.FINANCE)


@dataclass(frozen=True)
class DashboardScope:
    """The part of the program a user's dashboard covers.

    `dim` is the breakdown every figure is filtered on (None: national or SME), `choices` the values of
    it the user may pick (a regional officer serving two regions), `value` the one in force."""

    kind: ScopeKind
    dim: str | None = None
    value: Any = None
    choices: tuple[Any, ...] = ()
    org_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def filters(self) -> dict[str, Any]:
        return {self.dim: self.value} if self.dim is not None else {}

    @property
    def uses_snapshot(self) -> bool:
        """National, regional and partner dashboards read the snapshot's cells; the SME's its raw rows."""
        return self.kind in ("national", "region", "partner")

    def allows(self, m: Metric) -> bool:
        """Whether the metric can be shown within this scope (it can be filtered on the scope's dim)."""
        if self.kind == "national":
            return True
        if self.dim is None:
            return False
        return self.dim in m.breakdowns

    def with_value(self, value: Any) -> DashboardScope:
        return DashboardScope(self.kind, self.dim, value, self.choices, self.org_ids)


NO_DASHBOARD = DashboardScope("none")


def dashboard_scope(user: AnyUser) -> DashboardScope:
    """The user's dashboard scope (NO_DASHBOARD for users without one). One query for a regional
    officer (their regions' slugs); none otherwise beyond the cached access."""
    access = user_access(user)
    if access.has(*NATIONAL_ROLES):
        return DashboardScope("national")
    if access.has(Role.REGIONAL_OFFICER) and access.region_ids:
        slugs = tuple(
            Region.objects.filter(pk__in=access.region_ids)
            .order_by("sort_order")
            .values_list("slug", flat=True)
        )
        if slugs:
            return DashboardScope("region", "region", slugs[0], slugs)
    if access.has(Role.PARTNER):
        firms = tuple(sorted(access.orgs(Role.PARTNER)))
        if firms:
            return DashboardScope("partner", "partner", firms[0], firms, frozenset(firms))
    if access.has(Role.SME):
        return DashboardScope("sme", org_ids=access.orgs(Role.SME))
    return NO_DASHBOARD


def can_view_dashboard(user: AnyUser) -> bool:
    return dashboard_scope(user).kind != "none"


def can_view_metrics(user: AnyUser) -> bool:
    """The metric API reads snapshot cells: national, regional and partner scopes only."""
    return dashboard_scope(user).uses_snapshot


def can_take_snapshot(user: AnyUser) -> bool:
    """Freezing an official snapshot and computing a live one on demand: officials only."""
    return user_access(user).has(Role.OFFICIAL)


def scoped_filters(scope: DashboardScope, filters: dict[str, Any]) -> dict[str, Any]:
    """The filters with the scope's own filter forced on. A regional officer (or partner firm) may pick
    one of their own regions (firms) but no other: PermissionDenied for a foreign value."""
    if scope.dim is None:
        return dict(filters)
    requested = filters.get(scope.dim)
    if requested is not None and requested not in scope.choices:
        raise PermissionDenied()
    return {**filters, scope.dim: requested if requested is not None else scope.value}
