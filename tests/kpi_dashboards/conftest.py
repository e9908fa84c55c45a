"""A small program in two regions, two partner firms and two companies, with a live snapshot of it.

SME A (Gyeonggi) has 2 supported factories, one co-funded by partner firm A; SME B (Busan) has 3, two
co-funded by partner firm B, and one more self-built. Each company has level confirmations and an
accepted outcome report. The numbers differ on purpose, so a leak of a foreign row changes a sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from core.models import Organisation
from factories.models import (
    ConfirmationKind,
    Factory,
    FactoryOrigin,
    LevelConfirmation,
    OutcomeReport,
    OutcomeStatus,
)
from kpi.models import Snapshot
from kpi.snapshots import snapshot_refresh
from tests import factories as f
from tests.conftest import Persona


def make_factory(
    persona: Persona,
    *,
    year: int,
    partner: Organisation | None = None,
    level: str = "L3",
    origin: str = FactoryOrigin.SUPPORTED,
) -> Factory:
    workplace = persona.workplace
    assert workplace is not None
    assert persona.user is not None
    completed_on = dt.date(year, 6, 30)
    fields: dict[str, Any] = {}
    if origin == FactoryOrigin.SUPPORTED:
        call = f.CallFactory(fiscal_year=year - 1)
        app = f.ApplicationFactory(call=call, workplace=workplace, created_by=persona.user)
        fields = {
            "application": app,
            "call": call,
            "program_type": call.program_type,
            "support_year": call.fiscal_year,
            "partner": partner,
        }
    return Factory.objects.create(
        workplace=workplace,
        company=workplace.company,
        region=workplace.region,
        ksic=workplace.ksic,
        origin=origin,
        completed_on=completed_on,
        completion_year=year,
        level=f.level(level),
        created_by=persona.user,
        **fields,
    )


def confirm(persona: Persona, day: dt.date, level: str, recorder: Any) -> LevelConfirmation:
    assert persona.workplace is not None
    return LevelConfirmation.objects.create(
        workplace=persona.workplace,
        level=f.level(level),
        confirmed_on=day,
        kind=ConfirmationKind.LEVEL_CONFIRMATION,
        confirming_body="KOSMO",
        recorded_by=recorder,
    )


def accepted_report(
    factory: Factory, submitter: Any, reviewer: Any, productivity_after: str
) -> OutcomeReport:
    now = timezone.now()
    return OutcomeReport.objects.create(
        factory=factory,
        sequence=1,
        period_start=factory.completed_on,
        period_end=factory.completed_on + dt.timedelta(days=365),
        due_on=factory.completed_on + dt.timedelta(days=395),
        status=OutcomeStatus.ACCEPTED,
        productivity_before=Decimal("100.00"),
        productivity_after=Decimal(productivity_after),
        employees_before=10,
        employees_after=12,
        submitted_by=submitter,
        submitted_at=now - dt.timedelta(days=2),
        reviewed_by=reviewer,
        reviewed_at=now - dt.timedelta(days=1),
    )


@dataclass
class World:
    a_factories: list[Factory]
    b_factories: list[Factory]
    snapshot: Snapshot


def build_world(
    sme_owner: Persona, other_sme: Persona, partner: Persona, other_partner: Persona, official: Persona
) -> World:
    a = [
        make_factory(sme_owner, year=2021, level="L2"),
        make_factory(sme_owner, year=2023, partner=partner.organisation, level="L3"),
    ]
    b = [
        make_factory(other_sme, year=2020, partner=other_partner.organisation, level="L4"),
        make_factory(other_sme, year=2022, partner=other_partner.organisation, level="L3"),
        make_factory(other_sme, year=2024, level="L1"),
        make_factory(other_sme, year=2025, origin=FactoryOrigin.SELF_BUILT, level="L2"),
    ]
    confirm(sme_owner, dt.date(2021, 7, 1), "L2", official.user)
    confirm(sme_owner, dt.date(2023, 7, 1), "L3", official.user)
    confirm(other_sme, dt.date(2020, 7, 1), "L4", official.user)
    accepted_report(a[0], sme_owner.user, official.user, "130.00")
    accepted_report(b[0], other_sme.user, official.user, "110.00")
    return World(a, b, snapshot_refresh(actor=official.user))


@pytest.fixture
def world(sme_owner, other_sme, partner, other_partner, official) -> World:
    return build_world(sme_owner, other_sme, partner, other_partner, official)
