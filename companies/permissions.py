from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from companies.models import Company
from core.models import User
from core.roles import Role
from core.selectors import user_access

AnyUser = User | AnonymousUser


def can_register_company(user: AnyUser) -> bool:
    """Officials register any company; a new user without any role registers their own."""
    access = user_access(user)
    return user.is_authenticated and (access.has(Role.OFFICIAL) or not access.roles)


def can_edit_company(user: AnyUser, company: Company) -> bool:
    access = user_access(user)
    return access.has(Role.OFFICIAL) or company.organisation_id in access.orgs(Role.SME)


def can_change_identifiers(user: AnyUser) -> bool:
    """A company's registration numbers are corrected only by officials once registered."""
    return user_access(user).has(Role.OFFICIAL)


def can_manage_suppliers(user: AnyUser) -> bool:
    return user_access(user).has(Role.OFFICIAL)
