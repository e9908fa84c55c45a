"""Many rows at once for the query-count tests: `grow(kind, world, request, n)` adds n rows that the
auditor's export of `kind` holds, with bulk inserts (the rows are data, not a workflow under test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from applications.models import Application, ApplicationStatus, ChangeRequest, ProjectAgreement
from companies.models import Company, Workplace
from core.identifiers import brn_check_digit
from core.models import AccessAction, AccessLog, Organisation
from core.roles import OrganisationKind
from factories.models import Factory, FactoryOrigin, OutcomeReport
from funding.models import DisbursementRequest
from partners.models import Match, MatchStatus, MentoringActivity
from tests import factories as f
from tests.export_datasets.conftest import World
from training.models import TrainingCohort


def _workplaces(persona: Any, n: int) -> list[Workplace]:
    company = persona.company
    return Workplace.objects.bulk_create(
        Workplace(
            company=company,
            name=f"대량공장{i}",
            postal_code="15588",
            address="경기도 안산시 단원구 산단로 1",
            region=persona.workplace.region,
            ksic=persona.workplace.ksic,
        )
        for i in range(n)
    )


def _applications(world: World, request: Any, n: int) -> list[Application]:
    # Withdrawn, so that many applications of one call and workplace are allowed.
    template = world.app_a
    return Application.objects.bulk_create(
        Application(
            call=template.call,
            workplace=template.workplace,
            company=template.company,
            region=template.region,
            target_level=template.target_level,
            supplier=template.supplier,
            current_level=template.current_level,
            status=ApplicationStatus.WITHDRAWN,
            title=f"대량 과제 {i}",
            total_cost_krw=80_000_000,
            gov_amount_krw=32_000_000,
            sme_amount_krw=48_000_000,
            submitted_at=timezone.now(),
            created_by=template.created_by,
        )
        for i in range(n)
    )


def grow_applications(world: World, request: Any, n: int) -> None:
    _applications(world, request, n)


def grow_agreements(world: World, request: Any, n: int) -> None:
    start = timezone.localdate()
    ProjectAgreement.objects.bulk_create(
        ProjectAgreement(
            application=app,
            starts_on=start,
            ends_on=start + dt.timedelta(days=365),
            supplier=app.supplier,
            scope="MES",
            account_bank="기업은행",
            account_number="123-456789-01-012",
            account_holder="(주)에이정밀",
            signed_on=start,
            signed_by=world.agreement_a.signed_by,
        )
        for app in _applications(world, request, n)
    )


def grow_change_requests(world: World, request: Any, n: int) -> None:
    ChangeRequest.objects.bulk_create(
        ChangeRequest(
            agreement=world.agreement_a,
            cause_date=timezone.localdate(),
            reason=f"변경 {i}",
            new_scope="범위",
            filed_by=world.change_a.filed_by,
            filed_at=timezone.now(),
        )
        for i in range(n)
    )


def grow_disbursements(world: World, request: Any, n: int) -> None:
    DisbursementRequest.objects.bulk_create(
        DisbursementRequest(
            agreement=world.agreement_a,
            source="government",
            tranche="interim",
            amount_krw=1_000 + i,
            requested_by=world.disbursement_a.requested_by,
            requested_at=timezone.now(),
        )
        for i in range(n)
    )


def grow_factories(world: World, request: Any, n: int) -> None:
    persona = request.getfixturevalue("sme_owner")
    completed = world.factory_a.completed_on
    Factory.objects.bulk_create(
        Factory(
            workplace=workplace,
            company=workplace.company,
            region=workplace.region,
            ksic=workplace.ksic,
            origin=FactoryOrigin.SELF_BUILT,
            completed_on=completed,
            completion_year=completed.year,
            level=f.level("L2"),
            created_by=persona.user,
        )
        for workplace in _workplaces(persona, n)
    )


def grow_matches(world: World, request: Any, n: int) -> None:
    # Ended matches: a company may have many of them under one agreement.
    Match.objects.bulk_create(
        Match(
            agreement=world.match_a.agreement,
            company=world.match_a.company,
            status=MatchStatus.ENDED,
            score=i % 100,
            proposed_by=world.match_a.proposed_by,
        )
        for i in range(n)
    )


def grow_mentoring(world: World, request: Any, n: int) -> None:
    MentoringActivity.objects.bulk_create(
        MentoringActivity(
            match=world.match_a,
            mentor=world.activity_a.mentor,
            kind="remote",
            date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            hours=Decimal("1.5"),
            created_by=world.activity_a.created_by,
        )
        for i in range(n)
    )


def grow_training_cohorts(world: World, request: Any, n: int) -> None:
    TrainingCohort.objects.bulk_create(
        TrainingCohort(
            course=world.cohort_a.course,
            # One cohort per course and start date; the year is the end's.
            period_start=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            period_end=dt.date(2020, 2, 1) + dt.timedelta(days=i),
            year=(dt.date(2020, 2, 1) + dt.timedelta(days=i)).year,
            enrolled=10,
            completed=i % 10,
            recorded_by=world.cohort_a.recorded_by,
        )
        for i in range(n)
    )


def grow_outcome_reports(world: World, request: Any, n: int) -> None:
    last = max(r.sequence for r in world.reports_a)
    OutcomeReport.objects.bulk_create(
        OutcomeReport(
            factory=world.factory_a,
            sequence=last + 1 + i,
            period_start=dt.date(2030, 1, 1),
            period_end=dt.date(2030, 12, 31),
            due_on=dt.date(2031, 1, 30),
        )
        for i in range(n)
    )


def _brn(i: int) -> str:
    nine = f"{101 + i // 10_000:03d}82{i % 10_000:04d}"
    return nine + str(brn_check_digit(nine))


def grow_companies(world: World, request: Any, n: int) -> None:
    organisations = Organisation.objects.bulk_create(
        Organisation(kind=OrganisationKind.COMPANY, name_ko=f"(주)대량기업{i}", name_en=f"Bulk {i}")
        for i in range(n)
    )
    companies = Company.objects.bulk_create(
        Company(
            organisation=org,
            brn=_brn(i),
            representative="홍길동",
            size_class=f.size("small"),
            ksic=f.ksic("29"),
            founded_on=dt.date(2010, 1, 1),
            employees=10,
            revenue_krw=1_000_000_000,
        )
        for i, org in enumerate(organisations)
    )
    Workplace.objects.bulk_create(
        Workplace(
            company=company,
            name="본사공장",
            postal_code="15588",
            address="경기도 안산시",
            region=f.region("gyeonggi"),
            ksic=f.ksic("29"),
        )
        for company in companies
    )


def grow_access_log(world: World, request: Any, n: int) -> None:
    AccessLog.objects.bulk_create(
        AccessLog(username="auditor", ip="10.0.0.9", action=AccessAction.SEARCH, resource="applications")
        for _ in range(n)
    )


GROW: dict[str, Callable[[World, Any, int], None]] = {
    "applications": grow_applications,
    "agreements": grow_agreements,
    "change_requests": grow_change_requests,
    "disbursements": grow_disbursements,
    "factories": grow_factories,
    "matches": grow_matches,
    "mentoring": grow_mentoring,
    "training_cohorts": grow_training_cohorts,
    "outcome_reports": grow_outcome_reports,
    "companies": grow_companies,
    "access_log": grow_access_log,
}


def grow(kind: str, world: World, request: Any, n: int) -> None:
    GROW[kind](world, request, n)
