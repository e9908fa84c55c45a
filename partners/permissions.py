"""Pure predicates for win-win partnerships. Visibility is the selectors' job."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.models import User
from core.roles import Role
from core.selectors import user_access
from partners.models import Consortium, Match, WinWinAgreement

AnyUser = User | AnonymousUser


def is_partner_of(user: AnyUser, consortium: Consortium) -> bool:
    return consortium.partner_id in user_access(user).orgs(Role.PARTNER)


def is_institution_of(user: AnyUser, consortium: Consortium) -> bool:
    return consortium.institution_id in user_access(user).orgs(Role.INSTITUTION)


def can_manage_consortia(user: AnyUser) -> bool:
    """Consortia are formed with the ministry."""
    return user_access(user).has(Role.OFFICIAL)


def can_manage_agreement(user: AnyUser, consortium: Consortium) -> bool:
    """Officials, and the cooperating institution that administers the consortium's funds."""
    return user_access(user).has(Role.OFFICIAL) or is_institution_of(user, consortium)


def can_propose_match(user: AnyUser, agreement: WinWinAgreement) -> bool:
    return user_access(user).has(Role.OFFICIAL) or is_partner_of(user, agreement.consortium)


def can_answer_match(user: AnyUser, match: Match) -> bool:
    """The SME decides whether to accept a proposed partner."""
    return match.company.organisation_id in user_access(user).orgs(Role.SME)


def can_run_match(user: AnyUser, match: Match) -> bool:
    """Start, complete or end a match: the partner firm, or an official."""
    return user_access(user).has(Role.OFFICIAL) or is_partner_of(user, match.agreement.consortium)


def can_manage_partner_data(user: AnyUser, partner_id: int) -> bool:
    """Mentors and supply-chain ties of a partner firm: that firm, or an official."""
    access = user_access(user)
    return access.has(Role.OFFICIAL) or partner_id in access.orgs(Role.PARTNER)
