"""Who may do what with factories, levels, outcomes and complexes: pure predicates on the user's roles.

Officials and auditors see every factory; regional officers those in their region; SME users their own
company's; partner firms those they co-funded; finance officers every factory (its support is money they
paid). Writes: officials record level confirmations, completions and closures everywhere, regional
officers within their region; SMEs submit their own factories' outcome reports, which officials and
regional officers review. Auditors never write.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.models import User
from core.roles import Role
from core.selectors import user_access
from factories.models import Factory, OutcomeReport

AnyUser = User | AnonymousUser


def can_manage_region(user: AnyUser, region_id: int | None) -> bool:
    """Officials everywhere; regional officers in their own region."""
    access = user_access(user)
    if access.has(Role.OFFICIAL):
        return True
    return access.has(Role.REGIONAL_OFFICER) and region_id in access.region_ids


def can_record_level(user: AnyUser, region_id: int | None) -> bool:
    """Record a level confirmation (수준확인) of a workplace in this region."""
    return can_manage_region(user, region_id)


def can_record_completion(user: AnyUser, region_id: int | None) -> bool:
    """Pass a project's final inspection and record its factory."""
    return can_manage_region(user, region_id)


def can_close_factory(user: AnyUser, factory: Factory) -> bool:
    return factory.closed_on is None and can_manage_region(user, factory.region_id)


def is_factory_owner(user: AnyUser, factory: Factory) -> bool:
    """The SME whose company runs the factory."""
    access = user_access(user)
    return access.has(Role.SME) and factory.company.organisation_id in access.orgs(Role.SME)


def can_submit_outcome(user: AnyUser, report: OutcomeReport) -> bool:
    return is_factory_owner(user, report.factory)


def can_review_outcome(user: AnyUser, report: OutcomeReport) -> bool:
    return can_manage_region(user, report.factory.region_id)


def can_manage_complexes(user: AnyUser) -> bool:
    return user_access(user).has(Role.OFFICIAL)


def can_import_aggregates(user: AnyUser) -> bool:
    return user_access(user).has(Role.OFFICIAL)


def can_view_complexes(user: AnyUser) -> bool:
    """Leading smart industrial complexes: officials, auditors, regional officers and finance see them."""
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER, Role.FINANCE)
