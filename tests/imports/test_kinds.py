"""The other kinds: center-entered applications (drafts), training cohorts through the training
service, outcome report values under the outcome rules, and historical aggregates through
factories.aggregates — each with a round trip and its refusals leaving nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from exports.imports.registry import KINDS
from exports.models import ImportStatus
from factories.models import HistoricalAggregate, OutcomeReport, OutcomeStatus
from tests import factories as f
from tests.imports.conftest import headers, run, xlsx
from tests.outcomes.conftest import scheduled
from tests.training.conftest import make_provider, staff_of
from training.models import TrainingCohort, TrainingCourse


def col(kind: str, key: str) -> str:
    return KINDS[kind].column(key).header


def row(kind: str, **values) -> list:
    return [values.get(c.key) for c in KINDS[kind].columns]


def codes(job) -> set[tuple[int, str, str]]:
    return {(e["row"], e["column"], e["code"]) for e in job.errors}


# --- applications ---------------------------------------------------------------------------------------


def app_row(persona, call, **overrides):
    values = {
        "brn": persona.company.brn,
        "workplace_name": persona.workplace.name,
        "call": call.pk,
        "target_level": "기초",
        "title": "MES 구축",
        "total_cost_krw": 80_000_000,
        "gov_amount_krw": 32_000_000,
        "partner_amount_krw": 0,
        "sme_amount_krw": 48_000_000,
        "local_amount_krw": 0,
    }
    values.update(overrides)
    return row("applications", **values)


def test_a_regional_officer_enters_applications_of_their_region_as_drafts(
    regional_officer, sme_owner, open_call
):
    second = f.WorkplaceFactory(region=f.region("gyeonggi"))
    data = xlsx(
        [
            headers("applications"),
            app_row(sme_owner, open_call),
            row(
                "applications",
                brn=second.company.brn,
                call=open_call.pk,
                target_level="basic",
                planned_start="2026-12-01",
                planned_end="2027-05-31",
            ),
        ]
    )
    job = run(regional_officer.user, "applications", data)
    assert job.status == ImportStatus.COMMITTED, job.errors
    assert job.created_count == 2
    first = Application.objects.get(workplace=sme_owner.workplace)
    assert first.status == ApplicationStatus.DRAFT
    assert first.created_by == regional_officer.user
    assert (first.call, first.company, first.region.slug) == (open_call, sme_owner.company, "gyeonggi")
    assert (first.total_cost_krw, first.gov_amount_krw, first.sme_amount_krw) == (
        80_000_000,
        32_000_000,
        48_000_000,
    )
    assert first.target_level.code == "basic"
    assert first.title == "MES 구축"
    other = Application.objects.get(workplace=second)
    assert (other.planned_start, other.planned_end) == (dt.date(2026, 12, 1), dt.date(2027, 5, 31))
    assert other.total_cost_krw == 0


def test_applications_of_another_region_are_refused(regional_officer, sme_owner, other_sme, open_call):
    data = xlsx([headers("applications"), app_row(sme_owner, open_call), app_row(other_sme, open_call)])
    job = run(regional_officer.user, "applications", data)
    assert job.status == ImportStatus.INVALID
    assert codes(job) == {(3, col("applications", "workplace_name"), "region_not_yours")}
    assert not Application.objects.exists()


def test_application_refusals(official, sme_owner, other_sme, open_call):
    closed = f.CallFactory(closes_at=timezone.now() - dt.timedelta(days=1))
    f.ApplicationFactory(call=open_call, workplace=other_sme.workplace, created_by=other_sme.user)
    before = Application.objects.count()
    data = xlsx(
        [
            headers("applications"),
            app_row(sme_owner, open_call),
            app_row(sme_owner, open_call),  # the same workplace and call twice
            app_row(sme_owner, closed),  # the call has closed
            app_row(sme_owner, open_call, brn="220-81-62517"),  # not registered
            app_row(sme_owner, open_call, gov_amount_krw=60_000_000, sme_amount_krw=20_000_000),  # over 50 %
            app_row(sme_owner, open_call, total_cost_krw=1.5),
        ]
    )
    job = run(official.user, "applications", data)
    assert job.status == ImportStatus.INVALID
    found = codes(job)
    assert (3, col("applications", "workplace_name"), "duplicate_in_file") in found
    assert (4, col("applications", "call"), "call_closed") in found
    assert (5, col("applications", "brn"), "unknown_company") in found
    assert any(r == 6 and c.startswith("정부지원금") for r, c, _code in found)
    assert (7, col("applications", "total_cost_krw"), "not_whole") in found
    assert Application.objects.count() == before
    # Against the database: SME B's workplace already applied to the open call.
    job = run(official.user, "applications", xlsx([headers("applications"), app_row(other_sme, open_call)]))
    assert codes(job) == {(2, col("applications", "workplace_name"), "already_applied")}


def test_an_sme_cannot_import_applications(sme_owner, open_call):
    from core.errors import PermissionDenied
    from exports.imports.services import import_job_create

    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=sme_owner.user,
            kind="applications",
            filename="a.xlsx",
            data=xlsx([headers("applications"), app_row(sme_owner, open_call)]),
        )


# --- training cohorts -----------------------------------------------------------------------------------


@pytest.fixture
def training(db):
    provider = make_provider("스마트공장 배움터 안산")
    other = make_provider("한국폴리텍대학 러닝팩토리", kind="learning_factory", region="busan")
    course = TrainingCourse.objects.create(
        provider=provider, title_ko="MES 운영 실무", level="basic", hours=40
    )
    TrainingCourse.objects.create(provider=other, title_ko="스마트 공정 설계", level="advanced", hours=80)
    return provider, other, course, staff_of(provider, "trainer_a")


def test_a_provider_imports_its_cohorts_through_the_training_service(training):
    _provider, _other, course, staff = training
    rows = [
        row(
            "training_cohorts",
            course="MES 운영 실무",
            period_start=f"2025-{m:02d}-01",
            period_end=f"2025-{m:02d}-20",
            enrolled=20 + m,
            completed=18,
        )
        for m in range(1, 11)
    ]
    job = run(staff.user, "training_cohorts", xlsx([headers("training_cohorts"), *rows]))
    assert job.status == ImportStatus.COMMITTED, job.errors
    cohorts = list(TrainingCohort.objects.filter(course=course).order_by("period_start"))
    assert len(cohorts) == 10
    assert (cohorts[0].enrolled, cohorts[0].completed, cohorts[0].year) == (21, 18, 2025)
    assert cohorts[9].period_end == dt.date(2025, 10, 20)
    assert all(c.recorded_by == staff.user for c in cohorts)


def test_cohort_refusals_commit_nothing(training):
    _provider, _other, _course, staff = training
    rows = [
        row(
            "training_cohorts",
            course="MES 운영 실무",
            period_start="2025-01-01",
            period_end="2025-01-20",
            enrolled=20,
            completed=18,
        ),
        row(
            "training_cohorts",
            course="MES 운영 실무",
            period_start="2025-02-01",
            period_end="2025-02-20",
            enrolled=20,
            completed=25,
        ),
        row(
            "training_cohorts",
            provider="한국폴리텍대학 러닝팩토리",
            course="스마트 공정 설계",
            period_start="2025-03-01",
            period_end="2025-03-20",
            enrolled=10,
        ),
        row(
            "training_cohorts",
            course="MES 운영 실무",
            period_start="2025-01-01",
            period_end="2025-01-25",
            enrolled=5,
        ),
    ]
    job = run(staff.user, "training_cohorts", xlsx([headers("training_cohorts"), *rows]))
    assert job.status == ImportStatus.INVALID
    assert codes(job) == {
        (3, col("training_cohorts", "completed"), "invalid"),  # the service: more completed than enrolled
        (4, col("training_cohorts", "provider"), "unknown_provider"),  # not the trainer's provider
        (5, col("training_cohorts", "period_start"), "duplicate_in_file"),
    }
    assert not TrainingCohort.objects.exists()


def test_a_cohort_dry_run_meets_the_service_rules_and_saves_nothing(training, official):
    rows = [
        row(
            "training_cohorts",
            provider="스마트공장 배움터 안산",
            course="MES 운영 실무",
            period_start="2025-01-01",
            period_end="2025-01-20",
            enrolled=20,
            completed=18,
        )
    ]
    job = run(official.user, "training_cohorts", xlsx([headers("training_cohorts"), *rows]), dry_run=True)
    assert job.status == ImportStatus.CHECKED, job.errors
    assert not TrainingCohort.objects.exists()


# --- outcome reports --------------------------------------------------------------------------------


def outcome_row(report, **values):
    number = report.factory.application.number
    base = {
        "agreement": number,
        "sequence": report.sequence,
        "productivity_before": "100",
        "productivity_after": 125.5,
        "defect_rate_before": "4.2",
        "defect_rate_after": "2.1",
        "sales_before": 8_500_000_000,
        "sales_after": 9_100_000_000,
    }
    base.update(values)
    return row("outcome_reports", **base)


def test_a_regional_officer_fills_in_due_reports_of_their_region(regional_officer, sme_owner, other_sme):
    mine = scheduled(sme_owner)
    theirs = scheduled(other_sme)
    job = run(
        regional_officer.user,
        "outcome_reports",
        xlsx([headers("outcome_reports"), outcome_row(mine.overdue)]),
    )
    assert job.status == ImportStatus.COMMITTED, job.errors
    report = OutcomeReport.objects.get(pk=mine.overdue.pk)
    assert report.status == OutcomeStatus.SUBMITTED
    assert report.submitted_by == regional_officer.user
    assert (report.productivity_before, report.productivity_after) == (Decimal("100.00"), Decimal("125.50"))
    assert report.sales_after == 9_100_000_000
    job = run(
        regional_officer.user,
        "outcome_reports",
        xlsx(
            [
                headers("outcome_reports"),
                outcome_row(theirs.overdue),
                outcome_row(mine.running),
                outcome_row(mine.future, defect_rate_after="120"),
            ]
        ),
    )
    assert job.status == ImportStatus.INVALID
    assert codes(job) == {
        (2, col("outcome_reports", "agreement"), "region_not_yours"),
        (3, col("outcome_reports", "sequence"), "period_not_ended"),
        (4, col("outcome_reports", "sequence"), "period_not_ended"),
    }
    assert OutcomeReport.objects.get(pk=theirs.overdue.pk).status == OutcomeStatus.DUE


def test_outcome_values_follow_the_outcome_rules(official, sme_owner):
    mine = scheduled(sme_owner)
    data = xlsx(
        [
            headers("outcome_reports"),
            outcome_row(mine.overdue, defect_rate_after="101", sales_after=-5, accidents_before=3),
        ]
    )
    job = run(official.user, "outcome_reports", data)
    assert job.status == ImportStatus.INVALID
    found = codes(job)
    assert (2, col("outcome_reports", "sales_after"), "negative") in found
    job = run(
        official.user,
        "outcome_reports",
        xlsx([headers("outcome_reports"), outcome_row(mine.overdue, defect_rate_after="101")]),
    )
    assert codes(job) == {(2, col("outcome_reports", "defect_rate_after"), "invalid")}
    job = run(
        official.user,
        "outcome_reports",
        xlsx([headers("outcome_reports"), outcome_row(mine.overdue, accidents_before=3)]),
    )
    assert codes(job) == {
        (2, col("outcome_reports", "accidents_after"), "invalid")
    }  # the after value is missing
    assert OutcomeReport.objects.get(pk=mine.overdue.pk).status == OutcomeStatus.DUE


# --- historical aggregates ------------------------------------------------------------------------


def test_aggregates_go_through_the_aggregate_import(official, regional_officer):
    rows = [
        row("aggregates", metric="deployments", year=2016, value=1_200, status="확정", source="보도자료"),
        row(
            "aggregates",
            metric="deployments",
            year=2017,
            region="41",
            value=300,
            status="actual",
            source="보도자료",
        ),
    ]
    job = run(official.user, "aggregates", xlsx([headers("aggregates"), *rows]))
    assert job.status == ImportStatus.COMMITTED, job.errors
    assert job.created_count == 2
    assert HistoricalAggregate.objects.get(year=2017).region.slug == "gyeonggi"
    again = run(official.user, "aggregates", xlsx([headers("aggregates"), rows[0]]))
    assert again.status == ImportStatus.INVALID
    assert codes(again) == {(2, col("aggregates", "value"), "aggregate_exists")}
    bad = run(
        official.user,
        "aggregates",
        xlsx(
            [
                headers("aggregates"),
                row("aggregates", metric="deployments", year=1990, value=1, status="actual", source="s"),
            ]
        ),
    )
    assert codes(bad) == {(2, col("aggregates", "year"), "invalid")}
    assert HistoricalAggregate.objects.count() == 2
    assert not KINDS["aggregates"].can_import(regional_officer.user)
