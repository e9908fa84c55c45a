"""Fixtures of the win-win partnership tests: an institution persona, a world of two partner firms, and a
snapshot helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from core.roles import OrganisationKind, Role
from partners.models import (
    Consortium,
    Match,
    MatchStatus,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from tests import factories as f
from tests.applications.support import db_state
from tests.conftest import Persona

PARTNER_MODELS = (
    Consortium,
    WinWinAgreement,
    WinWinAgreement.regions.through,
    WinWinAgreement.industries.through,
    SupplyChainTie,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
)


def partner_db_state() -> dict[str, list[dict[str, Any]]]:
    """`tests.applications.support.db_state` plus every partnership table."""
    state = db_state()
    for model in PARTNER_MODELS:
        state[model.__name__] = list(model.objects.order_by("pk").values())
    return state


def institution_persona(username: str = "institution_a", name: str = "대·중소기업·농어업협력재단") -> Persona:
    user = f.UserFactory(username=username)
    org = f.OrganisationFactory(kind=OrganisationKind.INSTITUTION, name_ko=name)
    f.member(user, org, Role.INSTITUTION)
    return Persona(user, org)


@pytest.fixture
def institution(db) -> Persona:
    """A cooperating institution: it administers the consortium of `partner` in `world`."""
    return institution_persona()


@dataclass
class World:
    consortium: Consortium
    agreement: WinWinAgreement
    proposed: Match  # SME A's company, waiting for its answer
    accepted: Match  # another company, accepted: mentoring may be recorded
    mentor: Mentor
    tie: SupplyChainTie
    activity: MentoringActivity
    other_consortium: Consortium
    other_agreement: WinWinAgreement
    other_match: Match  # SME B's company with the other partner, accepted
    other_mentor: Mentor
    other_tie: SupplyChainTie
    other_activity: MentoringActivity
    free_company: Any  # a registered company without any match


def _match(agreement: WinWinAgreement, company: Any, status: str, by: Any) -> Match:
    match = f.MatchFactory(agreement=agreement, company=company, status=status, proposed_by=by)
    MatchStatusChange.objects.create(
        match=match,
        action="propose",
        from_status=MatchStatus.PROPOSED,
        to_status=MatchStatus.PROPOSED,
        actor=by,
        at=match.created_at,
    )
    return match


@pytest.fixture
def world(partner, other_partner, institution, sme_owner, other_sme) -> World:
    """Two partner firms, each with a consortium, a 2026 agreement, matches, a mentor, a tie and a
    mentoring session. `institution` administers the first consortium only."""
    consortium = f.ConsortiumFactory(
        partner=partner.organisation, institution=institution.organisation, name_ko="삼성전자 상생 컨소시엄"
    )
    agreement = f.AgreementFactory(consortium=consortium, mentee_quota=10)
    proposed = _match(agreement, sme_owner.company, MatchStatus.PROPOSED, partner.user)
    accepted = _match(agreement, f.CompanyFactory(), MatchStatus.ACCEPTED, partner.user)
    mentor = Mentor.objects.create(partner=partner.organisation, name="김멘토", expertise="MES")
    tie = SupplyChainTie.objects.create(
        partner=partner.organisation, brn=sme_owner.company.brn, name="에이정밀"
    )
    activity = MentoringActivity.objects.create(
        match=accepted,
        mentor=mentor,
        kind="visit",
        date=dt.date(2026, 3, 2),
        hours=Decimal("3.0"),
        created_by=partner.user,
    )
    other_consortium = f.ConsortiumFactory(partner=other_partner.organisation, name_ko="포스코 상생 컨소시엄")
    other_agreement = f.AgreementFactory(consortium=other_consortium, mentee_quota=10)
    other_match = _match(other_agreement, other_sme.company, MatchStatus.ACCEPTED, other_partner.user)
    other_mentor = Mentor.objects.create(partner=other_partner.organisation, name="박멘토")
    other_tie = SupplyChainTie.objects.create(
        partner=other_partner.organisation, brn=other_sme.company.brn, name="비금속"
    )
    other_activity = MentoringActivity.objects.create(
        match=other_match,
        mentor=other_mentor,
        kind="consulting",
        date=dt.date(2026, 3, 3),
        hours=Decimal("2.0"),
        created_by=other_partner.user,
    )
    return World(
        consortium,
        agreement,
        proposed,
        accepted,
        mentor,
        tie,
        activity,
        other_consortium,
        other_agreement,
        other_match,
        other_mentor,
        other_tie,
        other_activity,
        f.CompanyFactory(),
    )


@pytest.fixture
def other_institution(world) -> Persona:
    """The cooperating institution of the other partner firm's consortium."""
    user = f.UserFactory(username="institution_b")
    f.member(user, world.other_consortium.institution, Role.INSTITUTION)
    return Persona(user, world.other_consortium.institution)
