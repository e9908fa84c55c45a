"""Reads of consortia, agreements, matches, mentors and mentoring, scoped to what the user may see.

A partner firm's users see their own consortia and everything under them; a cooperating institution's
users see the consortia it administers; an SME sees its own matches; officials and auditors see all.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum

from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access
from partners.models import (
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def consortium_scope(user: AnyUser, prefix: str = "") -> Q | None:
    """Filter on Consortium (reached through `prefix`, e.g. 'agreement__consortium__'); None means all."""
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return None
    scope = Q(pk__in=[])
    if access.has(Role.PARTNER):
        scope |= Q(**{f"{prefix}partner_id__in": access.orgs(Role.PARTNER)})
    if access.has(Role.INSTITUTION):
        scope |= Q(**{f"{prefix}institution_id__in": access.orgs(Role.INSTITUTION)})
    return scope


def _scoped(qs: QuerySet, scope: Q | None) -> QuerySet:
    return qs if scope is None else qs.filter(scope)


def consortium_list_for_user(user: AnyUser) -> QuerySet[Consortium]:
    return _scoped(Consortium.objects.select_related("partner", "institution"), consortium_scope(user))


def consortium_get_for_user(user: AnyUser, consortium_id: object) -> Consortium:
    consortium = consortium_list_for_user(user).filter(pk=_pk(consortium_id)).first()
    if consortium is None:
        raise NotFound()
    return consortium


def agreement_list_for_user(user: AnyUser) -> QuerySet[WinWinAgreement]:
    qs = WinWinAgreement.objects.select_related("consortium__partner", "consortium__institution")
    return _scoped(qs, consortium_scope(user, "consortium__")).order_by(
        "-fiscal_year", "consortium__name_ko", "id"
    )


def agreement_get_for_user(user: AnyUser, agreement_id: object) -> WinWinAgreement:
    agreement = (
        agreement_list_for_user(user)
        .prefetch_related("regions", "industries")
        .filter(pk=_pk(agreement_id))
        .first()
    )
    if agreement is None:
        raise NotFound()
    return agreement


def match_scope(user: AnyUser) -> Q | None:
    access = user_access(user)
    scope = consortium_scope(user, "agreement__consortium__")
    if scope is None:
        return None
    if access.has(Role.SME):
        scope |= Q(company__organisation_id__in=access.orgs(Role.SME))
    return scope


def match_list_for_user(user: AnyUser) -> QuerySet[Match]:
    qs = Match.objects.select_related(
        "agreement__consortium__partner", "agreement__consortium__institution", "company__organisation"
    )
    return _scoped(qs, match_scope(user)).order_by("-created_at", "-id")


def match_get_for_user(user: AnyUser, match_id: object) -> Match:
    match = match_list_for_user(user).filter(pk=_pk(match_id)).first()
    if match is None:
        raise NotFound()
    return match


def match_history(match: Match) -> QuerySet[MatchStatusChange]:
    return match.history.select_related("actor").order_by("at", "id")


def mentor_list_for_user(user: AnyUser) -> QuerySet[Mentor]:
    access = user_access(user)
    qs = Mentor.objects.select_related("partner")
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return qs
    return qs.filter(partner_id__in=access.orgs(Role.PARTNER))


def mentor_get_for_user(user: AnyUser, mentor_id: object) -> Mentor:
    mentor = mentor_list_for_user(user).filter(pk=_pk(mentor_id)).first()
    if mentor is None:
        raise NotFound()
    return mentor


def activity_list_for_user(user: AnyUser) -> QuerySet[MentoringActivity]:
    qs = MentoringActivity.objects.select_related(
        "mentor", "match__company__organisation", "match__agreement"
    )
    scope = match_scope(user)
    return qs if scope is None else qs.filter(match__in=Match.objects.filter(scope))


def tie_list_for_user(user: AnyUser) -> QuerySet[SupplyChainTie]:
    """Supply-chain ties of the partner firms whose consortia the user may see."""
    access = user_access(user)
    qs = SupplyChainTie.objects.select_related("partner")
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return qs
    partner_ids = set(access.orgs(Role.PARTNER))
    if access.has(Role.INSTITUTION):
        partner_ids |= set(
            Consortium.objects.filter(institution_id__in=access.orgs(Role.INSTITUTION)).values_list(
                "partner_id", flat=True
            )
        )
    return qs.filter(partner_id__in=partner_ids)


def tie_get_for_user(user: AnyUser, tie_id: object) -> SupplyChainTie:
    tie = tie_list_for_user(user).filter(pk=_pk(tie_id)).first()
    if tie is None:
        raise NotFound()
    return tie


def mentoring_hours_by_match(matches: QuerySet[Match]) -> dict[int, object]:
    rows = (
        MentoringActivity.objects.filter(match__in=matches)
        .values("match_id")
        .annotate(hours=Sum("hours"))
        .values_list("match_id", "hours")
    )
    return dict(rows)
