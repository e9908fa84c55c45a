"""Reads of factories, levels and outcomes, scoped to what the user may see (a foreign object is a 404)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access
from factories.models import Factory

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
