"""Who may reach which training endpoint: anonymous 401, outsiders 404 (and nothing changes), auditors
read but never write, officials manage, a provider's members record their own cohorts. Lists hold no
foreign rows and cost the same queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import User
from tests.applications.support import assert_error_body
from tests.conftest import Persona
from tests.training.conftest import ago, cohort, training_state
from training.api_urls import urlpatterns
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

V = "/api/v1/training"


@dataclass
class World:
    provider: TrainingProvider
    course: TrainingCourse
    cohort: TrainingCohort
    theirs: TrainingCohort


@pytest.fixture
def world(provider, course, other_course, provider_staff, other_provider_staff) -> World:
    mine = cohort(course, provider_staff.user, start=ago(60), end=ago(10), enrolled=20, completed=15)
    theirs = cohort(other_course, other_provider_staff.user, start=ago(50), end=ago(5))
    return World(provider, course, mine, theirs)


ENDPOINTS = {
    "training-provider-list": ("get", lambda w: f"{V}/providers/", None),
    "training-provider-create": (
        "post",
        lambda w: f"{V}/providers/create/",
        {"name_ko": "스마트랩 창원", "kind": "smart_lab", "region": "gyeongnam"},
    ),
    "training-provider-detail": ("get", lambda w: f"{V}/providers/{w.provider.pk}/", None),
    "training-provider-update": (
        "post",
        lambda w: f"{V}/providers/{w.provider.pk}/update/",
        {"is_active": False},
    ),
    "training-course-create": (
        "post",
        lambda w: f"{V}/providers/{w.provider.pk}/courses/create/",
        {"title_ko": "AI 품질검사", "level": "advanced", "hours": 60},
    ),
    "training-course-list": ("get", lambda w: f"{V}/courses/", None),
    "training-course-update": ("post", lambda w: f"{V}/courses/{w.course.pk}/update/", {"hours": 48}),
    "training-cohort-record": (
        "post",
        lambda w: f"{V}/courses/{w.course.pk}/cohorts/create/",
        {
            "period_start": ago(20).isoformat(),
            "period_end": ago(2).isoformat(),
            "enrolled": 12,
            "completed": 11,
        },
    ),
    "training-cohort-list": ("get", lambda w: f"{V}/cohorts/", None),
    "training-cohort-detail": ("get", lambda w: f"{V}/cohorts/{w.cohort.pk}/", None),
    "training-cohort-update": ("post", lambda w: f"{V}/cohorts/{w.cohort.pk}/update/", {"completed": 19}),
    "training-trained-workers": ("get", lambda w: f"{V}/trained-workers/?by=kind", None),
}
LISTS = {"training-provider-list", "training-course-list", "training-cohort-list"}
READS = [n for n, (m, *_r) in ENDPOINTS.items() if m == "get"]
WRITES = [n for n in ENDPOINTS if n not in READS]
OBJECT_ENDPOINTS = [
    n
    for n in ENDPOINTS
    if n not in LISTS and n not in {"training-provider-create", "training-trained-workers"}
]
OUTSIDERS = ["other_provider_staff", "sme_owner", "partner", "regional_officer"]


def call(persona: Persona, name: str, w: World):
    method, url, body = ENDPOINTS[name]
    client = persona.api()
    return client.get(url(w)) if method == "get" else client.post(url(w), body, format="json")


def test_every_endpoint_is_in_the_matrix():
    assert {p.name.removeprefix("api-") for p in urlpatterns} == set(ENDPOINTS) == set(INSIDERS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = training_state()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert training_state() == before


@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_outsiders_get_404_and_change_nothing(request, world, name):
    before = training_state()
    for persona in OUTSIDERS:
        response = call(request.getfixturevalue(persona), name, world)
        assert_error_body(response, 404, "not_found")
        assert training_state() == before, persona


@pytest.mark.parametrize("name", ["training-provider-create", "training-trained-workers"])
def test_other_roles_get_403(sme_owner, world, name):
    before = training_state()
    assert_error_body(call(sme_owner, name, world), 403, "permission_denied")
    assert training_state() == before


@pytest.mark.parametrize("name", READS)
def test_auditors_read_everything(world, auditor, name):
    assert call(auditor, name, world).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_auditors_never_write(world, auditor, name):
    before = training_state()
    assert_error_body(call(auditor, name, world), 403, "permission_denied")
    assert training_state() == before


INSIDERS = {
    #                              official  provider_staff
    "training-provider-list": (200, 200),
    "training-provider-create": (201, 403),
    "training-provider-detail": (200, 200),
    "training-provider-update": (200, 403),
    "training-course-create": (201, 403),
    "training-course-list": (200, 200),
    "training-course-update": (200, 403),
    "training-cohort-record": (201, 201),
    "training-cohort-list": (200, 200),
    "training-cohort-detail": (200, 200),
    "training-cohort-update": (200, 200),
    "training-trained-workers": (200, 200),
}


@pytest.mark.parametrize(
    ("name", "persona", "expected"),
    [
        pytest.param(n, p, c, id=f"{n}-{p}")
        for n, codes in INSIDERS.items()
        for p, c in zip(("official", "provider_staff"), codes, strict=True)
    ],
)
def test_the_people_of_training(request, world, name, persona, expected):
    before = training_state()
    response = call(request.getfixturevalue(persona), name, world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert_error_body(response, expected)
        assert training_state() == before
    elif name in WRITES:
        assert training_state() != before


def test_bad_input_is_a_400_with_fields(world, provider_staff):
    response = provider_staff.api().post(
        f"{V}/courses/{world.course.pk}/cohorts/create/",
        {
            "period_start": ago(20).isoformat(),
            "period_end": ago(2).isoformat(),
            "enrolled": 10,
            "completed": 11,
        },
        format="json",
    )
    body = assert_error_body(response, 400, "invalid")
    assert "completed" in body["fields"]
    response = provider_staff.api().post(
        f"{V}/courses/{world.course.pk}/cohorts/create/",
        {"period_start": ago(60).isoformat(), "period_end": ago(2).isoformat(), "enrolled": 10},
        format="json",
    )
    assert_error_body(response, 409, "cohort_exists")


def test_totals_api_shape(world, official):
    body = official.api().get(f"{V}/trained-workers/").json()
    assert body["total"] == 15 + 18
    assert body["targets"][0]["code"] == "workers-100000-2022"
    assert_error_body(official.api().get(f"{V}/trained-workers/?by=shoe"), 400, "invalid")


def ids(persona: Persona, url: str) -> set[int]:
    response = persona.api().get(url, {"page_size": 500})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_lists_hold_no_foreign_rows(world, official, provider_staff, other_provider_staff, sme_owner):
    assert ids(provider_staff, f"{V}/cohorts/") == {world.cohort.pk}
    assert ids(other_provider_staff, f"{V}/cohorts/") == {world.theirs.pk}
    assert ids(official, f"{V}/cohorts/") == {world.cohort.pk, world.theirs.pk}
    assert ids(sme_owner, f"{V}/cohorts/") == set()
    assert ids(provider_staff, f"{V}/providers/") == {world.provider.pk}
    assert ids(provider_staff, f"{V}/courses/") == {world.course.pk}
    assert ids(sme_owner, f"{V}/courses/") == set()


ROWS = 5


def count_queries(user: User, url: str, page_size: int) -> int:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, response.json()["count"])
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["official", "provider_staff"])
@pytest.mark.parametrize("url", [f"{V}/cohorts/", f"{V}/courses/", f"{V}/providers/"])
def test_list_queries_do_not_grow_with_the_page(request, world, persona, url, official):
    for n in range(ROWS):
        extra = TrainingCourse.objects.create(
            provider=world.provider, title_ko=f"과정 {n}", level="basic", hours=8
        )
        cohort(extra, official.user, start=ago(90 + n), end=ago(30))
    user = request.getfixturevalue(persona).user
    assert count_queries(user, url, 1) == count_queries(user, url, 50)
