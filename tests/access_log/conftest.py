"""One of everything the access log covers, built with the real services where they exist: SME A's
application taken to a signed agreement with a disbursement request, its factory with scheduled outcome
reports, a win-win match with a mentor, a leading-complex candidate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from applications.models import Application, EvaluatorAssignment, ProjectAgreement
from companies.models import Company, Supplier, Workplace
from core.models import AccessLog, SecurityEvent
from factories.models import Factory, FactoryOrigin, IndustrialComplex, OutcomeReport
from factories.outcomes_services import outcome_reports_schedule
from funding import services as fs
from funding.models import DisbursementRequest
from partners.models import Consortium, Match, Mentor, WinWinAgreement
from programs.models import Call
from tests import factories as f
from tests import flow


@dataclass
class World:
    company: Company
    workplace: Workplace
    supplier: Supplier
    call: Call
    application: Application
    assignment: EvaluatorAssignment
    agreement: ProjectAgreement
    disbursement: DisbursementRequest
    factory: Factory
    report: OutcomeReport
    match: Match
    winwin: WinWinAgreement
    consortium: Consortium
    mentor: Mentor
    complex: IndustrialComplex

    @property
    def firm_subject(self) -> str:
        return f"{self.company.organisation.name_ko} ({self.company.brn_display})"


@pytest.fixture
def world(draft, sme_owner, official, other_evaluator, partner) -> World:
    agreement = flow.to_agreed(draft, sme_owner.user, official.user, other_evaluator.user)
    disbursement = fs.disbursement_request(
        agreement=agreement,
        actor=sme_owner.user,
        source="government",
        tranche="advance",
        amount_krw=1_000_000,
    )
    completed_on = timezone.localdate() - dt.timedelta(days=430)
    old_call = f.CallFactory(fiscal_year=completed_on.year - 1)
    old_app = f.ApplicationFactory(call=old_call, workplace=sme_owner.workplace, created_by=sme_owner.user)
    factory = Factory.objects.create(
        workplace=sme_owner.workplace,
        company=sme_owner.company,
        region=sme_owner.workplace.region,
        ksic=sme_owner.workplace.ksic,
        origin=FactoryOrigin.SUPPORTED,
        completed_on=completed_on,
        completion_year=completed_on.year,
        level=f.level("L3"),
        created_by=official.user,
        application=old_app,
        call=old_call,
        program_type=old_call.program_type,
        support_year=old_call.fiscal_year,
    )
    report = outcome_reports_schedule(factory=factory)[0]
    winwin = f.AgreementFactory(consortium__partner=partner.organisation)
    match = f.MatchFactory(agreement=winwin, company=sme_owner.company)
    mentor = Mentor.objects.create(partner=partner.organisation, name="김멘토", expertise="MES")
    complex_ = IndustrialComplex.objects.create(
        name_ko="반월국가산업단지", name_en="Banwol National Industrial Complex", region=f.region("gyeonggi")
    )
    return World(
        company=sme_owner.company,
        workplace=sme_owner.workplace,
        supplier=draft.supplier,
        call=draft.call,
        application=draft,
        assignment=EvaluatorAssignment.objects.get(application=draft),
        agreement=agreement,
        disbursement=disbursement,
        factory=factory,
        report=report,
        match=match,
        winwin=winwin,
        consortium=winwin.consortium,
        mentor=mentor,
        complex=complex_,
    )


def new_rows(since: int) -> list[AccessLog]:
    return list(AccessLog.objects.filter(pk__gt=since).order_by("pk"))


def last_id() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def last_event_id() -> int:
    return SecurityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
