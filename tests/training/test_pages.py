"""The training pages: who sees them (403 for other roles, 404 for foreign objects, login for anonymous),
cohort entry through the form with its errors, the totals table with imported aggregate years marked,
and provider and course management for officials."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from factories.models import HistoricalAggregate
from tests.training.conftest import ago, cohort, training_state
from training.models import TrainingCohort, TrainingCourse, TrainingProvider


@pytest.fixture
def mine(course, provider_staff):
    return cohort(course, provider_staff.user, start=ago(60), end=ago(10), enrolled=20, completed=15)


@pytest.fixture
def theirs(other_course, other_provider_staff):
    return cohort(
        other_course, other_provider_staff.user, start=ago(50), end=ago(5), enrolled=30, completed=25
    )


def ko(message: str) -> str:
    """A message as the (Korean) page shows it."""
    with translation.override("ko-kr"):
        return gettext(message)


def get(persona, name, *args, status=200):
    response = persona.browser().get(reverse(name, args=args))
    assert response.status_code == status, (name, response.status_code)
    return response.content.decode()


def test_cohort_list_for_officials_auditors_and_providers(mine, theirs, official, auditor, provider_staff):
    for persona in (official, auditor):
        html = get(persona, "training:cohort-list")
        assert f'id="cohort-{mine.pk}"' in html
        assert f'id="cohort-{theirs.pk}"' in html
        assert 'id="target-workers-100000-2022"' in html
    html = get(provider_staff, "training:cohort-list")
    assert f'id="cohort-{mine.pk}"' in html
    assert f'id="cohort-{theirs.pk}"' not in html
    assert 'id="cohort-new"' in html
    assert f'href="{reverse("training:cohort-edit", args=[mine.pk])}"' in html
    assert 'id="cohort-new"' not in get(auditor, "training:cohort-list")


def test_other_roles_and_anonymous_are_refused(
    mine, sme_owner, regional_officer, anonymous, other_provider_staff
):
    for persona in (sme_owner, regional_officer):
        get(persona, "training:cohort-list", status=403)
        get(persona, "training:provider-list", status=403)
        get(persona, "training:cohort-new", status=403)
    response = anonymous.browser().get(reverse("training:cohort-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    get(other_provider_staff, "training:cohort-edit", mine.pk, status=404)
    before = training_state()
    response = other_provider_staff.browser().post(
        reverse("training:cohort-edit", args=[mine.pk]), {"completed": 1}
    )
    assert response.status_code == 404
    assert training_state() == before


def test_totals_mark_imported_aggregate_years(mine, official):
    HistoricalAggregate.objects.create(
        metric="trained_workers",
        year=2018,
        value=12_345,
        status="provisional",
        source="test",
        imported_by=official.user,
        batch=uuid.uuid4(),
    )
    html = get(official, "training:cohort-list")
    assert 'id="year-2018" data-source="aggregate"' in html
    assert ko("imported aggregate (과거 집계)") in html
    assert "12,345" in html
    assert f'id="year-{mine.year}" data-source="cohorts"' in html
    assert f'<strong id="grand-total">{12_345 + 15:,}</strong>' in html


def test_provider_records_a_cohort_through_the_form(provider_staff, course, other_course):
    html = get(provider_staff, "training:cohort-new")
    assert course.title_ko in html
    assert other_course.title_ko not in html
    form = {
        "course": course.pk,
        "period_start": ago(40).isoformat(),
        "period_end": ago(3).isoformat(),
        "enrolled": "20",
        "completed": "25",
        "note": "",
    }
    response = provider_staff.browser().post(reverse("training:cohort-new"), form)
    assert response.status_code == 200
    assert ko("More completed than enrolled.") in response.content.decode()
    assert not TrainingCohort.objects.exists()
    form["completed"] = "18"
    response = provider_staff.browser().post(reverse("training:cohort-new"), form)
    assert response.status_code == 302
    made = TrainingCohort.objects.get()
    assert (made.course, made.completed) == (course, 18)
    # A foreign course cannot be chosen.
    form |= {"course": other_course.pk, "period_start": ago(80).isoformat()}
    response = provider_staff.browser().post(reverse("training:cohort-new"), form)
    assert response.status_code == 200
    assert TrainingCohort.objects.count() == 1


def test_provider_corrects_a_cohort(provider_staff, mine):
    get(provider_staff, "training:cohort-edit", mine.pk)
    form = {
        "period_start": mine.period_start.isoformat(),
        "period_end": mine.period_end.isoformat(),
        "enrolled": "20",
        "completed": "19",
        "note": "수료 확정",
    }
    response = provider_staff.browser().post(reverse("training:cohort-edit", args=[mine.pk]), form)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.completed, mine.note, mine.course_id) == (19, "수료 확정", mine.course_id)


def test_officials_manage_providers_and_courses(official, provider, course, provider_staff):
    html = get(official, "training:provider-list")
    assert f'id="provider-{provider.pk}"' in html
    assert f'id="course-{course.pk}"' in html
    assert 'id="provider-new"' in html
    response = official.browser().post(
        reverse("training:provider-new"),
        {
            "name_ko": "스마트랩 창원",
            "name_en": "Smart Lab Changwon",
            "kind": "smart_lab",
            "region": provider.region_id,
        },
    )
    assert response.status_code == 302
    made = TrainingProvider.objects.get(organisation__name_ko="스마트랩 창원")
    response = official.browser().post(
        reverse("training:course-new", args=[made.pk]),
        {"title_ko": "디지털 트윈", "level": "expert", "hours": "100"},
    )
    assert response.status_code == 302
    new_course = TrainingCourse.objects.get(provider=made)
    response = official.browser().post(
        reverse("training:course-edit", args=[new_course.pk]),
        {"title_ko": "디지털 트윈 실무", "level": "expert", "hours": "90", "is_active": "on"},
    )
    assert response.status_code == 302
    new_course.refresh_from_db()
    assert (new_course.title_ko, new_course.hours) == ("디지털 트윈 실무", 90)
    response = official.browser().post(
        reverse("training:provider-edit", args=[made.pk]), {"kind": "other", "region": made.region_id}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.kind, made.is_active) == ("other", False)
    # A duplicate name is shown on the form.
    response = official.browser().post(
        reverse("training:provider-new"),
        {"name_ko": "스마트랩 창원", "kind": "smart_lab", "region": provider.region_id},
    )
    assert response.status_code == 200
    assert ko("A training provider of this name exists already.") in response.content.decode()
    # Providers' own staff see their provider but do not manage it.
    html = get(provider_staff, "training:provider-list")
    assert 'id="provider-new"' not in html
    for name, args in (
        ("training:provider-new", []),
        ("training:provider-edit", [provider.pk]),
        ("training:course-new", [provider.pk]),
        ("training:course-edit", [course.pk]),
    ):
        get(provider_staff, name, *args, status=403)


def test_a_training_provider_lands_on_the_cohorts(provider_staff):
    assert provider_staff.browser().get("/")["Location"] == reverse("training:cohort-list")
