"""Training services: each one's happy path and one test per refusal; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.roles import OrganisationKind
from tests import factories as f
from tests.training.conftest import ago, cohort, training_state
from training import services as ts
from training.models import TrainingCohort, TrainingProvider


def refused(exc_type, code=None, field=None, **kwargs):
    """Call a service expecting a refusal of this kind; nothing may change."""
    service = kwargs.pop("service")
    before = training_state()
    with pytest.raises(exc_type) as info:
        service(**kwargs)
    assert training_state() == before
    if code:
        assert info.value.code == code
    if field:
        assert field in info.value.fields, info.value.fields
    return info.value


# --- providers -----------------------------------------------------------------------------------------


def test_official_registers_a_provider_with_its_organisation(official):
    made = ts.provider_create(
        actor=official.user,
        name_ko="스마트공장 배움터 창원",
        kind="learning_center",
        region=f.region("gyeongnam"),
    )
    assert made.organisation.kind == OrganisationKind.TRAINING_PROVIDER
    assert made.organisation.region == f.region("gyeongnam")
    assert made.is_active


@pytest.mark.parametrize("persona", ["auditor", "provider_staff", "sme_owner"])
def test_only_officials_register_providers(db, request, persona):
    actor = request.getfixturevalue(persona).user
    refused(
        PermissionDenied,
        service=ts.provider_create,
        actor=actor,
        name_ko="새 기관",
        kind="other",
        region=f.region("seoul"),
    )


@pytest.mark.parametrize(("changes", "field"), [({"name_ko": "  "}, "name_ko"), ({"kind": "school"}, "kind")])
def test_provider_input_is_checked(official, changes, field):
    kwargs = {"name_ko": "새 기관", "kind": "other", "region": f.region("seoul")} | changes
    refused(ValidationFailed, field=field, service=ts.provider_create, actor=official.user, **kwargs)


def test_a_second_provider_of_the_same_name_is_a_conflict(official, provider):
    refused(
        Conflict,
        code="provider_exists",
        service=ts.provider_create,
        actor=official.user,
        name_ko=provider.organisation.name_ko,
        kind="other",
        region=f.region("seoul"),
    )


def test_official_deactivates_a_provider(official, provider):
    done = ts.provider_update(provider=provider, actor=official.user, is_active=False, kind="smart_lab")
    provider.refresh_from_db()
    assert (done.is_active, provider.is_active, provider.kind) == (False, False, "smart_lab")


def test_provider_update_refusals(official, provider, provider_staff):
    refused(
        PermissionDenied,
        service=ts.provider_update,
        provider=provider,
        actor=provider_staff.user,
        kind="other",
    )
    refused(
        ValidationFailed,
        field="kind",
        service=ts.provider_update,
        provider=provider,
        actor=official.user,
        kind="x",
    )


# --- courses -------------------------------------------------------------------------------------------


def test_official_adds_and_corrects_a_course(official, provider):
    made = ts.course_create(
        actor=official.user, provider=provider, title_ko="데이터 분석", level="expert", hours=120
    )
    assert (made.provider, made.hours) == (provider, 120)
    done = ts.course_update(course=made, actor=official.user, hours=100, is_active=False)
    made.refresh_from_db()
    assert (done.hours, made.hours, made.is_active) == (100, 100, False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_ko": ""}, "title_ko"),
        ({"level": "master"}, "level"),
        ({"hours": 0}, "hours"),
        ({"hours": 2_001}, "hours"),
        ({"hours": 1.5}, "hours"),
        ({"hours": "40"}, "hours"),
        ({"hours": True}, "hours"),
    ],
)
def test_course_input_is_checked(official, provider, changes, field):
    kwargs = {"title_ko": "데이터 분석", "level": "basic", "hours": 40} | changes
    refused(
        ValidationFailed,
        field=field,
        service=ts.course_create,
        actor=official.user,
        provider=provider,
        **kwargs,
    )


def test_course_refusals(official, provider, provider_staff, course):
    base = {"provider": provider, "level": "basic", "hours": 40}
    refused(PermissionDenied, service=ts.course_create, actor=provider_staff.user, title_ko="새 과정", **base)
    refused(
        Conflict,
        code="course_exists",
        service=ts.course_create,
        actor=official.user,
        title_ko=course.title_ko,
        **base,
    )
    other = ts.course_create(actor=official.user, title_ko="다른 과정", **base)
    refused(
        Conflict,
        code="course_exists",
        service=ts.course_update,
        course=other,
        actor=official.user,
        title_ko=course.title_ko,
    )
    refused(PermissionDenied, service=ts.course_update, course=other, actor=provider_staff.user, hours=10)
    TrainingProvider.objects.filter(pk=provider.pk).update(is_active=False)
    provider.refresh_from_db()
    refused(
        Conflict,
        code="provider_inactive",
        service=ts.course_create,
        actor=official.user,
        title_ko="셋째 과정",
        **base,
    )


# --- cohorts -------------------------------------------------------------------------------------------


def test_provider_staff_record_a_cohort_of_their_course(provider_staff, course):
    made = ts.cohort_record(
        actor=provider_staff.user,
        course=course,
        period_start=ago(60),
        period_end=ago(5),
        enrolled=25,
        completed=22,
    )
    assert (made.year, made.enrolled, made.completed, made.recorded_by) == (
        ago(5).year,
        25,
        22,
        provider_staff.user,
    )


def test_officials_record_any_cohort_and_plan_ahead(official, course):
    start = timezone.localdate() + dt.timedelta(days=30)
    made = ts.cohort_record(
        actor=official.user,
        course=course,
        period_start=start,
        period_end=start + dt.timedelta(days=60),
        enrolled=30,
    )
    assert made.completed == 0


@pytest.mark.parametrize("persona", ["other_provider_staff", "auditor", "sme_owner", "regional_officer"])
def test_others_may_not_record_a_cohort(request, course, persona):
    actor = request.getfixturevalue(persona).user
    refused(
        PermissionDenied,
        service=ts.cohort_record,
        actor=actor,
        course=course,
        period_start=ago(30),
        period_end=ago(1),
        enrolled=10,
        completed=5,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"enrolled": 10, "completed": 11}, "completed"),
        ({"enrolled": 0, "completed": 0}, "enrolled"),
        ({"enrolled": 10_001}, "enrolled"),
        ({"enrolled": 10.0}, "enrolled"),
        ({"enrolled": "10"}, "enrolled"),
        ({"completed": -1}, "completed"),
        ({"completed": True}, "completed"),
        ({"period_start": ago(1), "period_end": ago(2)}, "period_end"),
        ({"period_start": dt.date(1999, 12, 31)}, "period_start"),
        ({"period_start": "2024-01-01"}, "period_start"),
        ({"period_end": timezone.localdate() + dt.timedelta(days=400)}, "period_end"),
        ({"period_end": timezone.localdate() + dt.timedelta(days=3), "completed": 1}, "completed"),
        ({"note": "x" * 5_001}, "note"),
    ],
)
def test_cohort_input_is_checked(provider_staff, course, changes, field):
    kwargs = {"period_start": ago(30), "period_end": ago(1), "enrolled": 10, "completed": 8} | changes
    refused(
        ValidationFailed,
        field=field,
        service=ts.cohort_record,
        actor=provider_staff.user,
        course=course,
        **kwargs,
    )


def test_a_second_cohort_starting_the_same_day_is_a_conflict(provider_staff, course):
    cohort(course, provider_staff.user, start=ago(30), end=ago(1))
    refused(
        Conflict,
        code="cohort_exists",
        service=ts.cohort_record,
        actor=provider_staff.user,
        course=course,
        period_start=ago(30),
        period_end=ago(2),
        enrolled=5,
        completed=5,
    )


def test_no_cohort_for_a_retired_course(provider_staff, course):
    course.is_active = False
    course.save()
    refused(
        Conflict,
        code="course_inactive",
        service=ts.cohort_record,
        actor=provider_staff.user,
        course=course,
        period_start=ago(30),
        period_end=ago(2),
        enrolled=5,
    )


def test_completions_are_entered_once_the_cohort_has_ended(provider_staff, course):
    made = cohort(course, provider_staff.user, start=ago(30), end=ago(1), enrolled=20, completed=0)
    done = ts.cohort_update(cohort=made, actor=provider_staff.user, completed=17)
    made.refresh_from_db()
    assert (done.completed, made.completed) == (17, 17)
    assert made.events.count() >= 2  # pghistory keeps every version


def test_cohort_update_refusals(provider_staff, other_provider_staff, course):
    first = cohort(course, provider_staff.user, start=ago(60), end=ago(40))
    second = cohort(course, provider_staff.user, start=ago(30), end=ago(1))
    refused(
        PermissionDenied,
        service=ts.cohort_update,
        cohort=second,
        actor=other_provider_staff.user,
        completed=1,
    )
    refused(
        Conflict,
        code="cohort_exists",
        service=ts.cohort_update,
        cohort=second,
        actor=provider_staff.user,
        period_start=first.period_start,
    )
    refused(
        ValidationFailed,
        field="completed",
        service=ts.cohort_update,
        cohort=second,
        actor=provider_staff.user,
        completed=21,
    )
    assert TrainingCohort.objects.count() == 2
