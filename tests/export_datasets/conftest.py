"""One small world for the export tests: two of everything, on either side of every scope line.

SME A (Gyeonggi) and SME B (Busan) each have a signed agreement with a disbursement request and a change
request, a match with a mentoring session (A's with `partner`, whose consortium `institution`
administers; B's with `other_partner`), a factory with outcome reports; two training providers have a
cohort each; the access log has two rows. Agreements are signed with the real services; the rest is
built directly (the services are tested in their own apps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.agreements import change_request_file
from applications.models import Application, ChangeRequest, ProjectAgreement
from core.models import AccessAction, AccessLog
from core.roles import OrganisationKind, Role
from factories.models import Factory, FactoryOrigin, OutcomeReport
from factories.outcomes_services import outcome_reports_schedule
from funding import services as fs
from funding.models import DisbursementRequest
from partners.models import Match, MatchStatus, Mentor, MentoringActivity
from tests import factories as f
from tests import flow
from tests.conftest import Persona
from training.models import TrainingCohort, TrainingCourse, TrainingProvider


@dataclass
class World:
    app_a: Application
    app_b: Application
    draft_a: Application
    agreement_a: ProjectAgreement
    agreement_b: ProjectAgreement
    disbursement_a: DisbursementRequest
    disbursement_b: DisbursementRequest
    change_a: ChangeRequest
    change_b: ChangeRequest
    match_a: Match
    match_b: Match
    activity_a: MentoringActivity
    activity_b: MentoringActivity
    factory_a: Factory
    factory_b: Factory
    reports_a: list[OutcomeReport]
    reports_b: list[OutcomeReport]
    cohort_a: TrainingCohort
    cohort_b: TrainingCohort
    log_a: AccessLog
    log_b: AccessLog


def _institution() -> Persona:
    user = f.UserFactory(username="institution_a")
    org = f.OrganisationFactory(kind=OrganisationKind.INSTITUTION, name_ko="대·중소기업·농어업협력재단")
    f.member(user, org, Role.INSTITUTION)
    return Persona(user, org)


@pytest.fixture
def institution(db) -> Persona:
    return _institution()


def provider(name: str, kind: str, region: str) -> TrainingProvider:
    org = f.OrganisationFactory(
        kind=OrganisationKind.TRAINING_PROVIDER, name_ko=name, region=f.region(region)
    )
    return TrainingProvider.objects.create(organisation=org, kind=kind, region=f.region(region))


@pytest.fixture
def trainer(db) -> Persona:
    """A member of the first training provider (스마트공장 배움터 안산)."""
    user = f.UserFactory(username="trainer")
    org = f.OrganisationFactory(
        kind=OrganisationKind.TRAINING_PROVIDER, name_ko="스마트공장 배움터 안산", region=f.region("gyeonggi")
    )
    f.member(user, org, Role.TRAINING_PROVIDER)
    return Persona(user, org)


def _factory(persona: Persona, completed_on: dt.date) -> Factory:
    workplace = persona.workplace
    assert workplace is not None
    assert persona.user is not None
    return Factory.objects.create(
        workplace=workplace,
        company=workplace.company,
        region=workplace.region,
        ksic=workplace.ksic,
        origin=FactoryOrigin.SELF_BUILT,
        completed_on=completed_on,
        completion_year=completed_on.year,
        level=f.level("L3"),
        created_by=persona.user,
    )


def _cohort(course: TrainingCourse, recorder, end: dt.date) -> TrainingCohort:
    return TrainingCohort.objects.create(
        course=course,
        period_start=end - dt.timedelta(days=30),
        period_end=end,
        year=end.year,
        enrolled=20,
        completed=18,
        recorded_by=recorder,
    )


@pytest.fixture
def world(
    sme_owner,
    other_sme,
    partner,
    other_partner,
    institution,
    official,
    other_evaluator,
    finance_officer,
    trainer,
    open_call,
) -> World:
    today = timezone.localdate()
    app_a = f.ApplicationFactory(call=open_call, workplace=sme_owner.workplace, created_by=sme_owner.user)
    app_b = f.ApplicationFactory(call=open_call, workplace=other_sme.workplace, created_by=other_sme.user)
    second_workplace = f.WorkplaceFactory(company=sme_owner.company, region=f.region("gyeonggi"))
    draft_a = f.ApplicationFactory(
        call=open_call, workplace=second_workplace, created_by=sme_owner.user, title="초안 과제"
    )
    agreement_a = flow.to_agreed(app_a, sme_owner.user, official.user, other_evaluator.user)
    agreement_b = flow.to_agreed(app_b, other_sme.user, official.user, other_evaluator.user)
    app_a.refresh_from_db()
    app_b.refresh_from_db()

    consortium_a = f.ConsortiumFactory(partner=partner.organisation, institution=institution.organisation)
    consortium_b = f.ConsortiumFactory(partner=other_partner.organisation)
    winwin_a = f.AgreementFactory(consortium=consortium_a)
    winwin_b = f.AgreementFactory(consortium=consortium_b)
    # Co-funding, as the partner scope of applications sees it (the confirmation flow is tested elsewhere).
    Application.objects.filter(pk=app_a.pk).update(partner_agreement=winwin_a)
    Application.objects.filter(pk=app_b.pk).update(partner_agreement=winwin_b)
    match_a = f.MatchFactory(agreement=winwin_a, company=sme_owner.company, status=MatchStatus.ACCEPTED)
    match_b = f.MatchFactory(agreement=winwin_b, company=other_sme.company, status=MatchStatus.ACTIVE)
    mentor_a = Mentor.objects.create(partner=partner.organisation, name="김멘토", expertise="MES")
    mentor_b = Mentor.objects.create(partner=other_partner.organisation, name="박멘토")
    activity_a = MentoringActivity.objects.create(
        match=match_a,
        mentor=mentor_a,
        kind="visit",
        date=dt.date(2026, 3, 2),
        hours=Decimal("3.0"),
        created_by=partner.user,
    )
    activity_b = MentoringActivity.objects.create(
        match=match_b,
        mentor=mentor_b,
        kind="consulting",
        date=dt.date(2026, 3, 3),
        hours=Decimal("2.5"),
        created_by=other_partner.user,
    )

    disbursement_a = fs.disbursement_request(
        agreement=agreement_a,
        actor=sme_owner.user,
        source="government",
        tranche="advance",
        amount_krw=4_000_000,
    )
    disbursement_b = fs.disbursement_request(
        agreement=agreement_b,
        actor=other_sme.user,
        source="government",
        tranche="advance",
        amount_krw=5_000_000,
    )
    change_a = change_request_file(
        agreement=agreement_a,
        actor=sme_owner.user,
        cause_date=today,
        reason="공급기업 변경",
        new_scope="범위 조정",
    )
    change_b = change_request_file(
        agreement=agreement_b,
        actor=other_sme.user,
        cause_date=today,
        reason="기간 연장",
        new_scope="범위 축소",
    )

    completed = today - dt.timedelta(days=430)
    factory_a = _factory(sme_owner, completed)
    factory_b = _factory(other_sme, completed)
    # A self-built factory reports its outcomes when someone schedules them (an official here).
    reports_a = outcome_reports_schedule(factory=factory_a, actor=official.user)
    reports_b = outcome_reports_schedule(factory=factory_b, actor=official.user)

    provider_a = TrainingProvider.objects.create(
        organisation=trainer.organisation, kind="learning_center", region=f.region("gyeonggi")
    )
    provider_b = provider("한국폴리텍대학 러닝팩토리", "learning_factory", "incheon")
    course_a = TrainingCourse.objects.create(
        provider=provider_a, title_ko="MES 기초", level="basic", hours=16
    )
    course_b = TrainingCourse.objects.create(
        provider=provider_b, title_ko="PLC 실습", level="advanced", hours=40
    )
    cohort_a = _cohort(course_a, trainer.user, dt.date(2026, 6, 30))
    cohort_b = _cohort(course_b, official.user, dt.date(2025, 6, 30))

    log_a = AccessLog.objects.create(
        actor=sme_owner.user,
        username="sme_a",
        ip="10.0.0.1",
        action=AccessAction.VIEW,
        resource="company",
        subject="(주)에이정밀",
    )
    log_b = AccessLog.objects.create(
        actor=official.user,
        username="official",
        ip="10.0.0.2",
        action=AccessAction.DOWNLOAD,
        resource="applications",
        subject="list",
        personal_data=True,
        reason="감사 자료",
    )
    return World(
        app_a,
        app_b,
        draft_a,
        agreement_a,
        agreement_b,
        disbursement_a,
        disbursement_b,
        change_a,
        change_b,
        match_a,
        match_b,
        activity_a,
        activity_b,
        factory_a,
        factory_b,
        reports_a,
        reports_b,
        cohort_a,
        cohort_b,
        log_a,
        log_b,
    )
