"""The factory register's API: every endpoint in the access matrix (anonymous 401, outsiders 404 and
nothing changes, auditors read but never write, the project's people get what their role allows), the
list's filters and scope, and a constant query count whatever the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application
from core.models import User
from factories.api_urls import urlpatterns
from factories.models import Factory
from factories.services import level_confirmation_record
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body
from tests.conftest import Persona
from tests.factory_records.conftest import in_final_inspection, register_state

V = "/api/v1"
TODAY = timezone.localdate


@dataclass
class World:
    factory: Factory  # SME A's (Gyeonggi), completed today
    inspected: Application  # SME A's second project, in final inspection
    theirs: Factory  # SME B's (Busan)


@pytest.fixture
def world(factory, sme_owner, other_sme, official) -> World:
    return World(
        factory=factory,
        inspected=in_final_inspection(sme_owner.workplace, official.user),
        theirs=flow.to_completed(in_final_inspection(other_sme.workplace, official.user), official.user),
    )


ENDPOINTS = {
    "factory-list": ("get", lambda w: f"{V}/factories/", None),
    "factory-detail": ("get", lambda w: f"{V}/factories/{w.factory.pk}/", None),
    "factory-close": (
        "post",
        lambda w: f"{V}/factories/{w.factory.pk}/close/",
        {"closed_on": TODAY().isoformat(), "reason": "business_closed", "note": "폐업"},
    ),
    "factory-record-completion": (
        "post",
        lambda w: f"{V}/applications/{w.inspected.pk}/complete/",
        {"completed_on": TODAY().isoformat(), "level": "L3", "confirming_body": "경기센터"},
    ),
    "workplace-level-history": ("get", lambda w: f"{V}/workplaces/{w.factory.workplace_id}/levels/", None),
    "level-confirmation-record": (
        "post",
        lambda w: f"{V}/workplaces/{w.factory.workplace_id}/levels/create/",
        {"level": "L4", "confirmed_on": TODAY().isoformat(), "confirming_body": "한국생산성본부"},
    ),
}
LISTS = {"factory-list"}
READS = [name for name, (method, *_rest) in ENDPOINTS.items() if method == "get"]
WRITES = [name for name in ENDPOINTS if name not in READS]
OBJECT_ENDPOINTS = [name for name in ENDPOINTS if name not in LISTS]
OUTSIDERS = ["other_sme", "partner", "evaluator", "busan_officer"]
#                                   official regional sme_owner finance
INSIDERS = {
    "factory-list": (200, 200, 200, 200),
    "factory-detail": (200, 200, 200, 200),
    "factory-close": (200, 200, 403, 403),
    "factory-record-completion": (201, 201, 403, 403),
    "workplace-level-history": (200, 200, 200, 200),
    "level-confirmation-record": (201, 201, 403, 403),
}
INSIDER_PERSONAS = ("official", "regional_officer", "sme_owner", "finance_officer")


def call(persona: Persona, name: str, w: World):
    method, url, body = ENDPOINTS[name]
    client = persona.api()
    return client.get(url(w)) if method == "get" else client.post(url(w), body, format="json")


def test_every_endpoint_is_in_the_matrix():
    assert {p.name.removeprefix("api-") for p in urlpatterns} == set(ENDPOINTS) == set(INSIDERS)


@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_outsiders_get_404_and_change_nothing(request, world, name):
    before = register_state()
    for persona in OUTSIDERS:
        response = call(request.getfixturevalue(persona), name, world)
        assert_error_body(response, 404, "not_found")
        assert register_state() == before, persona


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = register_state()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert register_state() == before


@pytest.mark.parametrize("name", READS)
def test_auditors_read_everything(world, auditor, name):
    assert call(auditor, name, world).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_auditors_never_write(world, auditor, name):
    before = register_state()
    assert_error_body(call(auditor, name, world), 403, "permission_denied")
    assert register_state() == before


def insider_cases():
    for name, codes in INSIDERS.items():
        for persona, code in zip(INSIDER_PERSONAS, codes, strict=True):
            yield pytest.param(name, persona, code, id=f"{name}-{persona}")


@pytest.mark.parametrize(("name", "persona", "expected"), list(insider_cases()))
def test_the_people_of_the_project(request, world, name, persona, expected):
    before = register_state()
    response = call(request.getfixturevalue(persona), name, world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert_error_body(response, expected)
        assert register_state() == before
    elif name in WRITES:
        assert register_state() != before


def test_a_partner_firm_sees_the_factories_it_cofunded(world, partner):
    Factory.objects.filter(pk=world.factory.pk).update(partner=partner.organisation)
    assert ids(partner, world) == {world.factory.pk}
    assert call(partner, "workplace-level-history", world).status_code == 200
    assert_error_body(call(partner, "level-confirmation-record", world), 403)


# --- the list: scope, filters, query count ---------------------------------------------------------


def ids(persona: Persona, world: World, **filters: object) -> set[int]:
    response = persona.api().get(f"{V}/factories/", {"page_size": 500, **filters})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("sme_owner", "mine"),
        ("other_sme", "theirs"),
        ("regional_officer", "mine"),
        ("busan_officer", "theirs"),
        ("partner", "none"),
        ("evaluator", "none"),
        ("official", "both"),
        ("auditor", "both"),
        ("finance_officer", "both"),
    ],
)
def test_the_list_holds_no_foreign_rows(request, world, persona, sees):
    expected = {
        "mine": {world.factory.pk},
        "theirs": {world.theirs.pk},
        "none": set(),
        "both": {world.factory.pk, world.theirs.pk},
    }[sees]
    assert ids(request.getfixturevalue(persona), world) == expected


def test_the_list_filters(world, official, regional_officer, sme_owner, other_sme):
    a, b = world.factory, world.theirs
    self_built = level_confirmation_record(
        workplace=f.WorkplaceFactory(region=f.region("gyeonggi")),
        actor=official.user,
        level="L2",
        confirmed_on=dt.date(2024, 5, 1),
        confirming_body="한국생산성본부",
        self_built=True,
    ).factory
    official.api().post(
        f"{V}/factories/{b.pk}/close/",
        {"closed_on": TODAY().isoformat(), "reason": "left_program"},
        format="json",
    )
    year = TODAY().year
    assert ids(official, world, completion_year=year) == {a.pk, b.pk}
    assert ids(official, world, completion_year=2024) == {self_built.pk}
    assert ids(official, world, support_year=2026) == {a.pk, b.pk}
    assert ids(official, world, region="busan") == {b.pk}
    assert ids(official, world, origin="self_built") == {self_built.pk}
    assert ids(official, world, program_type="government_only") == {a.pk, b.pk}
    assert ids(official, world, level="L2") == {self_built.pk}
    assert ids(official, world, counted="true") == {a.pk, b.pk, self_built.pk}
    assert ids(official, world, counted="false") == set()
    assert ids(official, world, closed="true") == {b.pk}
    assert ids(official, world, closed="false") == {a.pk, self_built.pk}
    assert ids(official, world, q="에이정밀") == {a.pk}
    assert ids(official, world, q=sme_owner.company.brn[:5]) == {a.pk}
    assert ids(official, world, q=other_sme.company.brn_display) == {b.pk}
    assert ids(official, world, q="없는회사") == set()
    response = official.api().get(f"{V}/factories/", {"region": "atlantis"})
    assert_error_body(response, 400)


def test_the_detail_shows_level_history_and_sunk_support(world, official):
    level_confirmation_record(
        workplace=world.factory.workplace,
        actor=official.user,
        level="L4",
        confirmed_on=TODAY(),
        confirming_body="한국생산성본부",
    )
    body = official.api().get(f"{V}/factories/{world.factory.pk}/").json()
    assert [c["level"] for c in body["level_history"]] == ["L3", "L4"]
    assert (body["level"], body["current_level"], body["sunk_support_krw"]) == ("L3", "L4", 0)
    history = official.api().get(f"{V}/workplaces/{world.factory.workplace_id}/levels/").json()
    assert history["current_level"] == "L4"
    closed = official.api().post(
        f"{V}/factories/{world.factory.pk}/close/",
        {"closed_on": TODAY().isoformat(), "reason": "relocated"},
        format="json",
    )
    assert closed.status_code == 200
    assert closed.json()["closed_on"] == TODAY().isoformat()
    again = official.api().post(
        f"{V}/factories/{world.factory.pk}/close/",
        {"closed_on": TODAY().isoformat(), "reason": "relocated"},
        format="json",
    )
    assert_error_body(again, 409, "already_closed")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"completed_on": "2099-01-01", "level": "L3", "confirming_body": "x"}, 400),
        ({"completed_on": TODAY().isoformat(), "level": "L0", "confirming_body": "x"}, 400),
        ({"completed_on": "어제", "level": "L3", "confirming_body": "x"}, 400),
        ({"level": "L3", "confirming_body": "x"}, 400),
    ],
)
def test_completion_input_is_validated(world, official, body, status):
    before = register_state()
    response = official.api().post(f"{V}/applications/{world.inspected.pk}/complete/", body, format="json")
    assert_error_body(response, status)
    assert register_state() == before


ROWS = 5


def count_queries(user: User, page_size: int) -> int:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{V}/factories/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, ROWS)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["official", "regional_officer", "sme_owner"])
def test_the_list_costs_the_same_whatever_the_page_size(request, sme_owner, official, persona):
    for i in range(ROWS):
        workplace = sme_owner.workplace if i == 0 else f.WorkplaceFactory(company=sme_owner.company)
        flow.to_completed(in_final_inspection(workplace, official.user), official.user)
    user = request.getfixturevalue(persona).user
    assert count_queries(user, 1) == count_queries(user, ROWS)
