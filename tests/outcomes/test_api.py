"""The outcome API: an access matrix over every endpoint (anonymous 401, outsiders 404, wrong role 403,
right role 2xx; nothing changes on a refusal), list scoping and filters, error bodies, and a constant
query count across page sizes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import User
from factories.api_outcomes_urls import urlpatterns
from factories.models import OutcomeReport, OutcomeSchedule, OutcomeStatus
from tests import factories as f
from tests.applications.support import assert_error_body, busan_officer_persona
from tests.conftest import Persona
from tests.outcomes.conftest import GOOD_JSON, Reports, accepted, report_state, scheduled, set_status

pytestmark = pytest.mark.django_db
V = "/api/v1"


@dataclass
class World:
    mine: Reports  # SME A's factory (Gyeonggi): report 1 overdue and due
    review: Reports  # SME A's second factory: report 1 submitted
    theirs: Reports  # SME B's (Busan)


@pytest.fixture
def world(sme_owner, other_sme) -> World:
    mine = scheduled(sme_owner)
    review = scheduled(sme_owner, workplace=f.WorkplaceFactory(company=sme_owner.company))
    set_status(review.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    return World(mine, review, scheduled(other_sme))


def state() -> Any:
    return report_state(), list(OutcomeSchedule.objects.values())


ENDPOINTS: dict[str, tuple[str, Any, Any]] = {
    "list": ("get", lambda w: f"{V}/outcome-reports/", None),
    "detail": ("get", lambda w: f"{V}/outcome-reports/{w.mine.overdue.pk}/", None),
    "submit": ("put", lambda w: f"{V}/outcome-reports/{w.mine.overdue.pk}/submit/", GOOD_JSON),
    "submit-post": ("post", lambda w: f"{V}/outcome-reports/{w.mine.overdue.pk}/submit/", GOOD_JSON),
    "accept": ("post", lambda w: f"{V}/outcome-reports/{w.review.overdue.pk}/accept/", {}),
    "return": ("post", lambda w: f"{V}/outcome-reports/{w.review.overdue.pk}/return/", {"note": "보완"}),
    "schedule-get": ("get", lambda w: f"{V}/calls/{w.mine.factory.call_id}/outcome-schedule/", None),
    "schedule-set": (
        "put",
        lambda w: f"{V}/calls/{w.mine.factory.call_id}/outcome-schedule/",
        {"reports": 2, "interval_months": 6, "due_days": 15},
    ),
    "effects": ("get", lambda w: f"{V}/outcome-effects/", None),
}

OK, UNAUTH, DENIED, HIDDEN = 200, 401, 403, 404
MATRIX: dict[str, dict[str, int]] = {
    "list": {"anonymous": UNAUTH, "evaluator": OK, "sme_owner": OK, "official": OK},
    "detail": {
        "anonymous": UNAUTH,
        "other_sme": HIDDEN,
        "partner": HIDDEN,
        "evaluator": HIDDEN,
        "busan_officer": HIDDEN,
        "sme_owner": OK,
        "regional_officer": OK,
        "official": OK,
        "auditor": OK,
        "finance_officer": OK,
    },
    "submit": {
        "anonymous": UNAUTH,
        "other_sme": HIDDEN,
        "busan_officer": HIDDEN,
        "official": DENIED,
        "regional_officer": DENIED,
        "auditor": DENIED,
        "sme_owner": OK,
    },
    "submit-post": {"anonymous": UNAUTH, "other_sme": HIDDEN, "auditor": DENIED, "sme_owner": OK},
    "accept": {
        "anonymous": UNAUTH,
        "other_sme": HIDDEN,
        "busan_officer": HIDDEN,
        "sme_owner": DENIED,
        "auditor": DENIED,
        "finance_officer": DENIED,
        "regional_officer": OK,
        "official": OK,
    },
    "return": {
        "anonymous": UNAUTH,
        "other_sme": HIDDEN,
        "busan_officer": HIDDEN,
        "sme_owner": DENIED,
        "auditor": DENIED,
        "regional_officer": OK,
        "official": OK,
    },
    "schedule-get": {"anonymous": UNAUTH, "sme_owner": OK, "official": OK},
    "schedule-set": {
        "anonymous": UNAUTH,
        "sme_owner": DENIED,
        "regional_officer": DENIED,
        "auditor": DENIED,
        "official": OK,
    },
    "effects": {
        "anonymous": UNAUTH,
        "sme_owner": DENIED,
        "regional_officer": DENIED,
        "official": OK,
        "auditor": OK,
    },
}
CASES = [(name, who, status) for name, row in MATRIX.items() for who, status in row.items()]


def test_every_endpoint_is_in_the_matrix():
    assert {p.name.removeprefix("api-outcome-").removeprefix("report-") for p in urlpatterns} == {
        "list",
        "detail",
        "submit",
        "accept",
        "return",
        "effects",
        "schedule",
    }
    assert set(MATRIX) == set(ENDPOINTS)


def persona(request, who: str) -> Persona:
    if who == "busan_officer":
        return busan_officer_persona()
    return request.getfixturevalue(who)


@pytest.mark.parametrize(("name", "who", "expected"), CASES)
def test_access(request, world, name, who, expected):
    method, url, body = ENDPOINTS[name]
    client = persona(request, who).api()
    before = state()
    kwargs = {"format": "json"} if body is not None else {}
    response = (
        getattr(client, method)(url(world), body, **kwargs)
        if body is not None
        else getattr(client, method)(url(world))
    )
    if expected == OK:
        assert response.status_code == OK, response.content
    else:
        assert_error_body(response, expected)
    if expected != OK or method == "get":
        assert state() == before


def test_submit_stores_the_values(world, sme_owner):
    response = sme_owner.api().put(
        f"{V}/outcome-reports/{world.mine.overdue.pk}/submit/", GOOD_JSON, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == OutcomeStatus.SUBMITTED
    assert body["productivity_after"] == "125.50"
    assert body["cost_after"] == 900_000_000
    assert body["is_overdue"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"defect_rate_after": "100.5"}, "defect_rate_after"),
        ({"defect_rate_after": "1.234"}, "defect_rate_after"),
        ({"cost_after": -5}, "cost_after"),
        ({"cost_after": 1.5}, "cost_after"),
        ({"employees_after": "3"}, "employees_after"),
        ({"sales_after": None}, "sales_after"),
    ],
)
def test_bad_values_are_400_and_change_nothing(world, sme_owner, change, field):
    before = state()
    response = sme_owner.api().put(
        f"{V}/outcome-reports/{world.mine.overdue.pk}/submit/", {**GOOD_JSON, **change}, format="json"
    )
    body = assert_error_body(response, 400)
    assert field in body["fields"]
    assert state() == before


def test_period_not_ended_and_accepted_are_409(world, sme_owner, official):
    response = sme_owner.api().put(
        f"{V}/outcome-reports/{world.mine.running.pk}/submit/", GOOD_JSON, format="json"
    )
    assert_error_body(response, 409, "period_not_ended")
    accepted(world.mine.overdue, sme_owner.user, official.user)
    before = state()
    response = sme_owner.api().put(
        f"{V}/outcome-reports/{world.mine.overdue.pk}/submit/", GOOD_JSON, format="json"
    )
    assert_error_body(response, 409, "outcome_accepted")
    response = official.api().post(
        f"{V}/outcome-reports/{world.mine.overdue.pk}/return/", {"note": "x"}, format="json"
    )
    assert_error_body(response, 409, "outcome_accepted")
    assert state() == before


def test_return_needs_a_note(world, official):
    before = state()
    response = official.api().post(
        f"{V}/outcome-reports/{world.review.overdue.pk}/return/", {}, format="json"
    )
    body = assert_error_body(response, 400)
    assert "note" in body["fields"]
    assert state() == before


def test_schedule_is_set_and_read(world, official, sme_owner):
    url = f"{V}/calls/{world.mine.factory.call_id}/outcome-schedule/"
    assert sme_owner.api().get(url).json() == {
        "call_id": world.mine.factory.call_id,
        "reports": 3,
        "interval_months": 12,
        "due_days": 30,
        "is_default": True,
    }
    official.api().put(url, {"reports": 2, "interval_months": 6, "due_days": 15}, format="json")
    assert sme_owner.api().get(url).json()["is_default"] is False
    response = official.api().put(url, {"reports": 0, "interval_months": 6, "due_days": 15}, format="json")
    assert "reports" in assert_error_body(response, 400)["fields"]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_lists_are_scoped(world, sme_owner, other_sme, regional_officer, official, auditor, evaluator):
    mine = {r.pk for r in OutcomeReport.objects.filter(factory__company=sme_owner.company)}
    theirs = {r.pk for r in OutcomeReport.objects.filter(factory__company=other_sme.company)}
    url = f"{V}/outcome-reports/"
    assert ids(sme_owner.api().get(url)) == mine
    assert ids(other_sme.api().get(url)) == theirs
    assert ids(regional_officer.api().get(url)) == mine  # Gyeonggi only
    assert ids(official.api().get(url)) == mine | theirs
    assert ids(auditor.api().get(url)) == mine | theirs
    assert ids(evaluator.api().get(url)) == set()


def test_list_filters(world, official):
    url = f"{V}/outcome-reports/"
    api = official.api()
    overdue = {world.mine.overdue.pk, world.theirs.overdue.pk}
    assert ids(api.get(url, {"overdue": "true"})) == overdue
    assert ids(api.get(url, {"status": "submitted"})) == {world.review.overdue.pk}
    assert ids(api.get(url, {"call": world.theirs.factory.call_id})) == {
        world.theirs.overdue.pk,
        world.theirs.running.pk,
        world.theirs.future.pk,
    }
    year = world.mine.future.due_on.year
    assert ids(api.get(url, {"year": year})) == set(
        OutcomeReport.objects.filter(due_on__year=year).values_list("pk", flat=True)
    )
    rows = api.get(url).json()["results"]
    assert [r["is_overdue"] for r in rows[:2]] == [True, True]  # overdue first


@pytest.mark.parametrize("who", ["official", "sme_owner", "regional_officer"])
def test_list_query_count_is_constant(request, world, sme_owner, who):
    for _ in range(3):
        scheduled(sme_owner, workplace=f.WorkplaceFactory(company=sme_owner.company))
    user = persona(request, who).user

    def count(page_size: int) -> int:
        client = persona(request, who).api()
        client.force_authenticate(User.objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{V}/outcome-reports/", {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, response.json()["count"])
        return len(ctx.captured_queries)

    assert count(1) == count(12)
