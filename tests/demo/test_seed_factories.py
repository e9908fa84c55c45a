"""`manage.py seed_demo` at small scale, the deployment half: factories for every completed project,
the counting rule, level history (append-only, with upgrades and self-built confirmations), closures,
outcome reports in every state, leading complexes, workforce training, the `trainer` login and the same
data for the same seed.

The seed runs once for the module and is committed; every test reads it inside its own rolled-back
transaction, and the module's teardown empties the seeded tables again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.models import Count, Q, Sum
from django.test import RequestFactory
from django.utils import timezone

from applications.models import Application, ApplicationStatus, ApplicationStatusChange
from companies.models import Company, Workplace
from core.models import Membership
from core.roles import OrganisationKind, Role
from core.selectors import user_access
from demo.seed.money import add_months
from demo.seed.reset import reset_seeded_data
from factories.models import (
    ComplexWorkplace,
    ConfirmationKind,
    Factory,
    FactoryOrigin,
    HistoricalAggregate,
    IndustrialComplex,
    LevelConfirmation,
    OutcomeReport,
    OutcomeSchedule,
    OutcomeStatus,
)
from programs.models import Call
from training.models import ProviderKind, TrainingCohort, TrainingCourse, TrainingProvider

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed_demo")]

PASSWORD = "demo-pass-2026!"
COMPLETED = [
    ApplicationStatus.COMPLETED,
    ApplicationStatus.SETTLED,
    ApplicationStatus.FOLLOW_UP,
    ApplicationStatus.CLOSED,
]
OPEN = [OutcomeStatus.DUE, OutcomeStatus.RETURNED]


def seed(seed: int = 42) -> None:
    call_command("seed_demo", scale="small", seed=seed, reset=True, verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        reset_seeded_data()


def fingerprint() -> str:
    """A digest of what the seed decides about factories, levels, outcomes, complexes and training."""
    parts = [
        list(
            Factory.objects.order_by("id").values_list(
                "id",
                "workplace_id",
                "application_id",
                "origin",
                "completed_on",
                "level__code",
                "counted",
                "partner_id",
                "closed_on",
                "closure_reason",
                "created_by_id",
            )
        ),
        list(
            LevelConfirmation.objects.order_by("id").values_list(
                "workplace_id",
                "level__code",
                "confirmed_on",
                "kind",
                "confirming_body",
                "certificate_number",
                "self_built",
                "factory_id",
            )
        ),
        list(
            OutcomeReport.objects.order_by("id").values_list(
                "factory_id",
                "sequence",
                "due_on",
                "status",
                "productivity_after",
                "defect_rate_after",
                "sales_after",
                "submitted_by_id",
                "reviewed_by_id",
                "reminded_at",
            )
        ),
        list(ComplexWorkplace.objects.order_by("id").values_list("complex__name_ko", "workplace_id")),
        list(
            TrainingCohort.objects.order_by("id").values_list(
                "course__title_ko",
                "course__provider__organisation__name_ko",
                "period_start",
                "enrolled",
                "completed",
            )
        ),
        list(HistoricalAggregate.objects.order_by("id").values_list("metric", "year", "value", "batch")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def completion_dates() -> dict[int, dt.date]:
    return {
        app: timezone.localtime(at).date()
        for app, at in ApplicationStatusChange.objects.filter(action="complete").values_list(
            "application_id", "at"
        )
    }


# --- factories ---------------------------------------------------------------------------------------


def test_every_completed_project_has_exactly_one_factory():
    completed = Application.objects.filter(status__in=COMPLETED)
    assert completed.count() > 100
    per_app = dict(
        Factory.objects.filter(application__isnull=False)
        .values("application_id")
        .annotate(n=Count("id"))
        .values_list("application_id", "n")
    )
    assert set(per_app) == set(completed.values_list("id", flat=True))
    assert set(per_app.values()) == {1}


def test_factories_copy_their_project():
    dates = completion_dates()
    factories = Factory.objects.filter(origin=FactoryOrigin.SUPPORTED).select_related(
        "application__call", "application__partner_agreement__consortium", "workplace"
    )
    cofunded = 0
    for factory in factories:
        app = factory.application
        assert factory.completed_on == dates[app.pk], factory.pk
        assert factory.completion_year == factory.completed_on.year
        assert factory.call_id == app.call_id
        assert factory.support_year == app.call.fiscal_year <= factory.completion_year
        assert factory.program_type == app.call.program_type
        assert factory.workplace_id == app.workplace_id
        assert factory.company_id == app.company_id
        assert factory.region_id == factory.workplace.region_id
        assert factory.ksic_id == factory.workplace.ksic_id
        if app.partner_agreement_id is None:
            assert factory.partner_id is None, factory.pk
        else:
            cofunded += 1
            assert factory.partner_id == app.partner_agreement.consortium.partner_id, factory.pk
        assert user_access(factory.created_by).has(Role.OFFICIAL, Role.REGIONAL_OFFICER)
    assert cofunded > 10


def test_counting_rule_once_per_workplace_and_year():
    """The first completion of a workplace in a year counts; a second one is recorded but not counted;
    self-built factories only where no project was supported, so they always count."""
    by_cell = defaultdict(list)
    for factory in Factory.objects.order_by("completed_on", "id"):
        by_cell[(factory.workplace_id, factory.completion_year)].append(factory)
    for cell, factories in by_cell.items():
        assert [f.counted for f in factories] == [True] + [False] * (len(factories) - 1), cell
    assert Factory.objects.filter(counted=False).exists()
    self_built = Factory.objects.filter(origin=FactoryOrigin.SELF_BUILT)
    assert self_built.count() >= 3
    assert not self_built.filter(counted=False).exists()
    supported_workplaces = set(
        Application.objects.filter(Q(status__in=COMPLETED) | Q(history__action="select")).values_list(
            "workplace_id", flat=True
        )
    )
    for factory in self_built:
        assert factory.workplace_id not in supported_workplaces
        assert factory.application_id is None
        assert factory.call_id is None
        assert factory.partner_id is None


def test_counted_deployments_per_year_are_the_workplaces_deployed_that_year():
    counted = dict(
        Factory.objects.counted()
        .values("completion_year")
        .annotate(n=Count("id"))
        .values_list("completion_year", "n")
    )
    workplaces = dict(
        Factory.objects.values("completion_year")
        .annotate(n=Count("workplace", distinct=True))
        .values_list("completion_year", "n")
    )
    assert counted == workplaces
    assert set(range(2015, 2027)) <= set(counted)
    assert sum(counted.values()) < Factory.objects.count()


def test_closures_keep_their_support_visible():
    supported = Factory.objects.filter(origin=FactoryOrigin.SUPPORTED)
    closed = supported.filter(closed_on__isnull=False)
    share = closed.count() / supported.count()
    assert 0.02 <= share <= 0.07
    today = timezone.localdate()
    for factory in closed:
        assert factory.completed_on <= factory.closed_on < today
        assert factory.closure_reason
        assert factory.closure_note
        assert factory.closed_by_id is not None
        assert factory.application.gov_amount_krw > 0  # the subsidy stays visible as sunk support


# --- level history -----------------------------------------------------------------------------------


def test_every_factory_has_its_final_inspection_level():
    inspections = {
        c.factory_id: c for c in LevelConfirmation.objects.filter(kind=ConfirmationKind.FINAL_INSPECTION)
    }
    for factory in Factory.objects.filter(origin=FactoryOrigin.SUPPORTED):
        row = inspections[factory.pk]
        assert (row.level_id, row.confirmed_on, row.workplace_id) == (
            factory.level_id,
            factory.completed_on,
            factory.workplace_id,
        )
        assert row.confirming_body
        assert not row.self_built


def test_level_history_rises_with_upgrades_and_self_built_confirmations():
    history = defaultdict(list)
    for row in LevelConfirmation.objects.select_related("level").order_by("confirmed_on", "id"):
        history[row.workplace_id].append(row)
    upgrades = 0
    for rows in history.values():
        ranks = [r.level.rank for r in rows]
        assert ranks == sorted(ranks), rows[0].workplace_id
        upgrades += sum(1 for a, b in itertools.pairwise(ranks) if b > a)
    assert upgrades >= 5
    confirmations = LevelConfirmation.objects.filter(kind=ConfirmationKind.LEVEL_CONFIRMATION)
    assert confirmations.filter(confirmed_on__lt=dt.date(2019, 3, 19)).count() == 0
    assert set(confirmations.values_list("confirming_body", flat=True)) >= {"한국표준협회", "한국생산성본부"}
    assert not confirmations.filter(certificate_number="").exists()
    self_built = confirmations.filter(self_built=True).select_related("factory")
    assert self_built.exists()
    for row in self_built:
        assert row.factory.origin == FactoryOrigin.SELF_BUILT
        assert row.factory.completed_on == row.confirmed_on
        assert row.factory.level_id == row.level_id


def test_level_history_is_append_only():
    row = LevelConfirmation.objects.order_by("id").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        LevelConfirmation.objects.filter(pk=row.pk).update(note="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        LevelConfirmation.objects.filter(pk=row.pk).delete()
    assert LevelConfirmation.objects.get(pk=row.pk).note == row.note


def test_demo_companies_levels_match_their_applications():
    hanbit = Factory.objects.get(company__organisation__name_ko="(주)한빛정밀")
    assert hanbit.level.code == "L2"
    daesung = Factory.objects.get(company__organisation__name_ko="대성금속(주)")
    assert daesung.level.code == "L3"


# --- outcome reports ---------------------------------------------------------------------------------


def test_every_call_has_a_schedule_and_every_supported_factory_its_reports():
    assert OutcomeSchedule.objects.count() == Call.objects.count()
    for factory in Factory.objects.filter(origin=FactoryOrigin.SUPPORTED).prefetch_related("outcome_reports"):
        reports = sorted(factory.outcome_reports.all(), key=lambda r: r.sequence)
        if factory.closed_on is None:
            assert [r.sequence for r in reports] == [1, 2, 3], factory.pk
        for report in reports:
            k = report.sequence
            assert report.period_start == add_months(factory.completed_on, (k - 1) * 12)
            assert report.period_end == add_months(factory.completed_on, k * 12) - dt.timedelta(days=1)
            assert report.due_on == report.period_end + dt.timedelta(days=30)
            if factory.closed_on is not None:
                assert report.due_on <= factory.closed_on
    assert not OutcomeReport.objects.filter(factory__origin=FactoryOrigin.SELF_BUILT).exists()


def test_outcome_reports_in_every_state_with_some_overdue():
    today = timezone.localdate()
    assert set(OutcomeReport.objects.values_list("status", flat=True)) == set(OutcomeStatus.values)
    overdue = OutcomeReport.objects.filter(status__in=OPEN, due_on__lt=today)
    assert overdue.count() >= 5
    assert overdue.filter(reminded_at__isnull=True).exists(), "the reminder task has work to do"
    assert overdue.filter(reminded_at__isnull=False).exists()
    assert not OutcomeReport.objects.filter(reminded_at__isnull=False, due_on__gte=today).exists()
    assert OutcomeReport.objects.filter(status=OutcomeStatus.DUE, due_on__gte=today).exists()


def test_filed_reports_came_after_their_period_with_plausible_effects():
    filed = OutcomeReport.objects.exclude(status=OutcomeStatus.DUE).select_related("factory__company")
    sme_users = defaultdict(set)
    for org, user in Membership.objects.filter(role=Role.SME).values_list("organisation_id", "user_id"):
        sme_users[org].add(user)
    gains = []
    for report in filed:
        assert timezone.localtime(report.submitted_at).date() > report.period_end, report.pk
        assert report.submitted_by_id in sme_users[report.factory.company.organisation_id]
        assert report.productivity_after > report.productivity_before
        assert report.defect_rate_after < report.defect_rate_before
        assert report.cost_after < report.cost_before
        assert report.on_time_delivery_after >= report.on_time_delivery_before
        assert report.employees_after >= report.employees_before
        assert report.accidents_after <= report.accidents_before
        gains.append(report.productivity_after / report.productivity_before - 1)
        if report.status in (OutcomeStatus.ACCEPTED, OutcomeStatus.RETURNED):
            assert report.reviewed_at > report.submitted_at
            assert report.reviewed_by_id is not None
        if report.status == OutcomeStatus.RETURNED:
            assert report.review_note
    mean = sum(gains) / len(gains)
    assert 0.15 <= mean <= 0.35
    unfiled = OutcomeReport.objects.filter(status=OutcomeStatus.DUE)
    assert not unfiled.filter(Q(productivity_after__isnull=False) | Q(submitted_at__isnull=False)).exists()


def test_sme_has_a_report_to_file_and_one_accepted():
    sme = authenticate(RequestFactory().post("/accounts/login/"), username="sme", password=PASSWORD)
    assert sme is not None
    hanbit = Company.objects.get(organisation__name_ko="(주)한빛정밀")
    assert hanbit.organisation_id in user_access(sme).orgs(Role.SME)
    reports = OutcomeReport.objects.filter(factory__company=hanbit)
    assert reports.filter(status=OutcomeStatus.ACCEPTED).exists()
    today = timezone.localdate()
    assert reports.filter(status__in=OPEN, period_end__lt=today).exists()


# --- complexes ----------------------------------------------------------------------------------------


def test_leading_complexes_designated_with_their_workplaces():
    complexes = IndustrialComplex.objects.all()
    assert complexes.count() >= 12
    designated = complexes.filter(designated_on__isnull=False)
    assert designated.count() == 10
    first = designated.filter(designated_on__year=2019)
    assert set(first.values_list("name_ko", flat=True)) == {"창원국가산업단지", "반월시화국가산업단지"}
    for member in ComplexWorkplace.objects.select_related("complex", "workplace"):
        assert member.workplace.region_id == member.complex.region_id
    with_members = designated.annotate(n=Count("members")).filter(n__gt=0)
    assert with_members.count() >= 7
    inside = Factory.objects.filter(workplace__complex_membership__complex__in=designated)
    assert inside.exists()


# --- training -----------------------------------------------------------------------------------------


def test_training_providers_courses_and_cohorts():
    providers = TrainingProvider.objects.select_related("organisation")
    assert {p.kind for p in providers} == {
        ProviderKind.LEARNING_CENTER,
        ProviderKind.LEARNING_FACTORY,
        ProviderKind.SMART_LAB,
    }
    assert {p.organisation.kind for p in providers} == {OrganisationKind.TRAINING_PROVIDER}
    names = set(providers.values_list("organisation__name_ko", flat=True))
    for place in ("안산", "전주", "창원", "대구", "천안"):
        assert f"스마트공장 배움터 {place}" in names
    assert TrainingCourse.objects.count() >= 2 * providers.count()
    for provider in providers:
        member = Membership.objects.filter(
            organisation=provider.organisation, role=Role.TRAINING_PROVIDER, is_active=True
        )
        assert member.exists()
        recorders = set(member.values_list("user_id", flat=True))
        cohorts = TrainingCohort.objects.filter(course__provider=provider)
        assert cohorts.exists()
        assert set(cohorts.values_list("recorded_by_id", flat=True)) <= recorders


def test_training_totals_reach_the_target_in_scale():
    """A tenth of the national figures at small scale: about 7,100 by the end of 2021, 10,000 by 2022."""
    today = timezone.localdate()
    by_year = dict(
        TrainingCohort.objects.values("year").annotate(n=Sum("completed")).values_list("year", "n")
    )
    assert min(by_year) == 2017
    by_2021 = sum(n for year, n in by_year.items() if year <= 2021)
    by_2022 = by_2021 + by_year[2022]
    assert 6_000 <= by_2021 <= 8_200
    assert 9_000 <= by_2022 <= 11_000
    assert not TrainingCohort.objects.filter(period_start__gt=today).exists()
    running = TrainingCohort.objects.filter(period_end__gte=today)
    assert running.exists()
    assert not running.filter(completed__gt=0).exists()
    finished = TrainingCohort.objects.filter(period_end__lt=today)
    assert finished.filter(completed__gt=0).count() == finished.count()


def test_trainer_login_records_for_the_ansan_center():
    trainer = authenticate(RequestFactory().post("/accounts/login/"), username="trainer", password=PASSWORD)
    assert trainer is not None
    access = user_access(trainer)
    assert access.has(Role.TRAINING_PROVIDER)
    ansan = TrainingProvider.objects.get(organisation__name_ko="스마트공장 배움터 안산")
    assert access.orgs(Role.TRAINING_PROVIDER) == {ansan.organisation_id}
    running = TrainingCohort.objects.filter(course__provider=ansan, period_end__gte=timezone.localdate())
    assert running.exists(), "cohorts still running, whose completions the trainer enters"


# --- determinism and reset ----------------------------------------------------------------------------


def test_same_seed_gives_the_same_deployments_and_another_seed_does_not():
    before = fingerprint()
    seed(42)
    assert fingerprint() == before
    seed(7)
    assert fingerprint() != before
    seed(42)
    assert fingerprint() == before


def test_reset_empties_the_deployment_and_training_tables():
    also = reset_seeded_data()
    assert not [t for t in also if t.startswith(("factories_", "training_"))]
    for model in (
        Factory,
        LevelConfirmation,
        OutcomeSchedule,
        OutcomeReport,
        IndustrialComplex,
        ComplexWorkplace,
        HistoricalAggregate,
        TrainingProvider,
        TrainingCourse,
        TrainingCohort,
        Workplace,
    ):
        assert not model.objects.exists(), model
