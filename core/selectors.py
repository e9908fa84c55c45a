"""Reads of users' access and of reference data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from core.errors import NotFound
from core.models import (
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    RegionCode,
    TargetLevel,
    User,
)
from core.roles import Role

# Roles that see every record of the program (read). Officials also act on them; auditors only read.
NATIONAL_READ_ROLES = frozenset({Role.OFFICIAL, Role.AUDITOR})


@dataclass(frozen=True)
class Access:
    """What a user may act as: their active roles, organisations per role and regions they serve."""

    user_id: int | None
    roles: frozenset[str] = frozenset()
    orgs_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    region_ids: frozenset[int] = frozenset()

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def orgs(self, *roles: str) -> frozenset[int]:
        out: set[int] = set()
        for role in roles:
            out |= self.orgs_by_role.get(role, frozenset())
        return frozenset(out)

    @property
    def all_org_ids(self) -> frozenset[int]:
        return self.orgs(*self.orgs_by_role.keys())

    @property
    def sees_everything(self) -> bool:
        return self.has(*NATIONAL_READ_ROLES)


_ANONYMOUS = Access(user_id=None)


def user_access(user: User | AnonymousUser) -> Access:
    """The user's access, computed once per user object (one query) and cached on it."""
    if not user.is_authenticated:
        return _ANONYMOUS
    cached: Access | None = getattr(user, "_access_cache", None)
    if cached is not None:
        return cached
    orgs: dict[str, set[int]] = defaultdict(set)
    regions: set[int] = set()
    rows = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True).values_list(
        "role", "organisation_id", "organisation__region_id"
    )
    for role, org_id, region_id in rows:
        orgs[role].add(org_id)
        if role == Role.REGIONAL_OFFICER and region_id is not None:
            regions.add(region_id)
    access = Access(
        user_id=user.pk,
        roles=frozenset(orgs),
        orgs_by_role={role: frozenset(ids) for role, ids in orgs.items()},
        region_ids=frozenset(regions),
    )
    setattr(user, "_access_cache", access)  # noqa: B010 - a per-request cache, not a model field
    return access


def forget_access(user: User) -> None:
    """Drop the cached access after memberships change within the same request."""
    if hasattr(user, "_access_cache"):
        del user._access_cache


def member_emails(organisation_id: int, role: str) -> list[str]:
    """The email addresses of the active users holding `role` in the organisation (for notifications),
    each once, in order."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__role=role,
            memberships__is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )


def membership_list_for_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).select_related("organisation")


def organisation_get(org_id: int) -> Organisation:
    try:
        return Organisation.objects.get(pk=org_id)
    except Organisation.DoesNotExist as exc:
        raise NotFound() from exc


def region_list() -> QuerySet[Region]:
    return Region.objects.prefetch_related("codes").order_by("sort_order")


def region_for_code(mois_code: str, on: dt.date) -> Region | None:
    """Resolve a MOIS code valid on a date (e.g. '42' in 2020 or '51' in 2024 → Gangwon)."""
    code = RegionCode.objects.valid_on(on).filter(mois_code=mois_code).select_related("region").first()
    return code.region if code else None


def ksic_division_list() -> QuerySet[KsicDivision]:
    return KsicDivision.objects.order_by("code")


def level_list() -> QuerySet[Level]:
    return Level.objects.order_by("rank")


def target_level_list() -> QuerySet[TargetLevel]:
    return TargetLevel.objects.select_related("reference_level").order_by("sort_order")


def firm_size_class_list(on: dt.date | None = None) -> QuerySet[FirmSizeClass]:
    qs = FirmSizeClass.objects.order_by("sort_order", "valid_from")
    return qs.valid_on(on) if on else qs
