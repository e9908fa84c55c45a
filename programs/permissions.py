from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.models import User
from core.roles import Role
from core.selectors import user_access


def can_manage_calls(user: User | AnonymousUser) -> bool:
    """Calls, their rules and rubrics, and national targets are run by ministry officials."""
    return user_access(user).has(Role.OFFICIAL)


def can_see_unpublished_calls(user: User | AnonymousUser) -> bool:
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR)
