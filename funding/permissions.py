"""Pure predicates for money. Finance officers approve and pay; nobody approves their own request."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from applications.models import ProjectAgreement
from applications.permissions import can_manage_project, is_applicant
from core.models import User
from core.roles import Role
from core.selectors import user_access
from funding.models import DisbursementRequest

AnyUser = User | AnonymousUser


def can_request_disbursement(user: AnyUser, agreement: ProjectAgreement) -> bool:
    """The SME for its own project, the project's regional center or an official, or finance."""
    app = agreement.application
    return is_applicant(user, app) or can_manage_project(user, app) or user_access(user).has(Role.FINANCE)


def can_decide_disbursement(user: AnyUser, request: DisbursementRequest) -> bool:
    """Finance officers decide requests, never their own (the database refuses that too)."""
    return user_access(user).has(Role.FINANCE) and request.requested_by_id != user.pk


def can_pay(user: AnyUser) -> bool:
    return user_access(user).has(Role.FINANCE)


def can_record_recovery(user: AnyUser) -> bool:
    """Recovery (환수) is ordered by an official and recorded by finance."""
    return user_access(user).has(Role.FINANCE, Role.OFFICIAL)
