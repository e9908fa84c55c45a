"""Who may reach which complex endpoint: anonymous 401; roles that do not see complexes get 404 on a
complex (403 on the summary, an empty list); auditors, regional officers and finance read but never
write; officials manage. Lists cost the same queries whatever the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import User
from factories import complexes as cx
from factories.api_complexes_urls import urlpatterns
from factories.models import Factory, IndustrialComplex
from tests import factories as f
from tests.applications.support import assert_error_body
from tests.complexes.conftest import complex_state, factory_of
from tests.conftest import Persona

V = "/api/v1/complexes"


@dataclass
class World:
    complex: IndustrialComplex
    member_workplace_id: int
    free_workplace_id: int
    factory: Factory


@pytest.fixture
def world(official, banwol, changwon, sme_owner, other_sme) -> World:
    cx.complex_workplace_add(complex=banwol, actor=official.user, workplace=sme_owner.workplace)
    free = f.WorkplaceFactory(company=sme_owner.company, name="제2공장", region=f.region("gyeonggi"))
    made = factory_of(sme_owner.workplace, official.user)
    return World(banwol, sme_owner.workplace.pk, free.pk, made)


ENDPOINTS = {
    "complex-list": ("get", lambda w: f"{V}/", None),
    "complex-create": (
        "post",
        lambda w: f"{V}/create/",
        lambda w: {"name_ko": "구미 국가산업단지", "name_en": "Gumi", "region": "gyeongbuk"},
    ),
    "complex-summary": ("get", lambda w: f"{V}/summary/?as_of=2022-12-31", None),
    "complex-detail": ("get", lambda w: f"{V}/{w.complex.pk}/", None),
    "complex-update": (
        "post",
        lambda w: f"{V}/{w.complex.pk}/update/",
        lambda w: {"operator": "한국산업단지공단"},
    ),
    "complex-designate": (
        "post",
        lambda w: f"{V}/{w.complex.pk}/designate/",
        lambda w: {"designated_on": "2020-04-01"},
    ),
    "complex-end-designation": (
        "post",
        lambda w: f"{V}/{IndustrialComplex.objects.get(name_ko='창원 국가산업단지').pk}/end-designation/",
        lambda w: {"ended_on": "2023-01-01"},
    ),
    "complex-workplace-list": ("get", lambda w: f"{V}/{w.complex.pk}/workplaces/", None),
    "complex-workplace-add": (
        "post",
        lambda w: f"{V}/{w.complex.pk}/workplaces/add/",
        lambda w: {"workplace_id": w.free_workplace_id},
    ),
    "complex-workplace-remove": (
        "post",
        lambda w: f"{V}/{w.complex.pk}/workplaces/{w.member_workplace_id}/remove/",
        lambda w: {},
    ),
    "complex-factory-list": ("get", lambda w: f"{V}/{w.complex.pk}/factories/", None),
}
READS = [n for n, (m, *_r) in ENDPOINTS.items() if m == "get"]
WRITES = [n for n in ENDPOINTS if n not in READS]
OBJECT_ENDPOINTS = [n for n in ENDPOINTS if n not in {"complex-list", "complex-create", "complex-summary"}]
OUTSIDERS = ["sme_owner", "partner", "evaluator"]
READERS = ["auditor", "regional_officer", "finance_officer"]


def call(persona: Persona, name: str, w: World):
    method, url, body = ENDPOINTS[name]
    client = persona.api()
    return client.get(url(w)) if method == "get" else client.post(url(w), body(w), format="json")


def test_every_endpoint_is_in_the_matrix():
    assert {p.name.removeprefix("api-") for p in urlpatterns} == set(ENDPOINTS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = complex_state()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert complex_state() == before


@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_outsiders_get_404_and_change_nothing(request, world, name):
    before = complex_state()
    for persona in OUTSIDERS:
        assert_error_body(call(request.getfixturevalue(persona), name, world), 404, "not_found")
        assert complex_state() == before, persona


def test_outsiders_see_no_complexes(world, sme_owner):
    assert sme_owner.api().get(f"{V}/").json()["results"] == []
    assert_error_body(call(sme_owner, "complex-summary", world), 403, "permission_denied")
    assert_error_body(call(sme_owner, "complex-create", world), 403, "permission_denied")


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("name", READS)
def test_readers_read(request, world, persona, name):
    assert call(request.getfixturevalue(persona), name, world).status_code == 200


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("name", WRITES)
def test_readers_never_write(request, world, persona, name):
    before = complex_state()
    assert_error_body(call(request.getfixturevalue(persona), name, world), 403, "permission_denied")
    assert complex_state() == before


OFFICIAL = {
    "complex-list": 200,
    "complex-create": 201,
    "complex-summary": 200,
    "complex-detail": 200,
    "complex-update": 200,
    "complex-designate": 200,
    "complex-end-designation": 200,
    "complex-workplace-list": 200,
    "complex-workplace-add": 201,
    "complex-workplace-remove": 204,
    "complex-factory-list": 200,
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_officials_manage(world, official, name):
    before = complex_state()
    response = call(official, name, world)
    assert response.status_code == OFFICIAL[name], response.content
    if name in WRITES:
        assert complex_state() != before


def test_refusals_come_back_as_error_bodies(world, official):
    response = official.api().post(
        f"{V}/{world.complex.pk}/workplaces/add/", {"workplace_id": world.member_workplace_id}, format="json"
    )
    assert_error_body(response, 409, "workplace_in_complex")
    changwon = IndustrialComplex.objects.get(name_ko="창원 국가산업단지")
    response = official.api().post(
        f"{V}/{changwon.pk}/designate/", {"designated_on": "2020-01-01"}, format="json"
    )
    assert_error_body(response, 409, "already_designated")
    response = official.api().post(
        f"{V}/{world.complex.pk}/designate/", {"designated_on": "soon"}, format="json"
    )
    assert "designated_on" in assert_error_body(response, 400, "invalid")["fields"]


def test_summary_counts_designated_complexes(world, official):
    body = official.api().get(f"{V}/summary/?as_of=2022-12-31").json()
    assert body["designated"] == 1
    assert body["targets"][0]["achieved"] == 1
    assert body["targets"][0]["target_value"] == 10
    factories = official.api().get(f"{V}/{world.complex.pk}/factories/").json()["results"]
    assert [row["id"] for row in factories] == [world.factory.pk]


def count_queries(user: User, url: str, page_size: int) -> int:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["official", "regional_officer"])
def test_list_queries_do_not_grow_with_the_page(request, world, official, sme_owner, persona):
    for n in range(4):
        IndustrialComplex.objects.create(
            name_ko=f"단지 {n}", name_en=f"Complex {n}", region=f.region("seoul")
        )
        workplace = f.WorkplaceFactory(
            company=sme_owner.company, name=f"공장 {n}", region=f.region("gyeonggi")
        )
        cx.complex_workplace_add(complex=world.complex, actor=official.user, workplace=workplace)
        factory_of(workplace, official.user, completed_on=dt.date(2021, 1, 1 + n))
    user = request.getfixturevalue(persona).user
    for url in (f"{V}/", f"{V}/{world.complex.pk}/workplaces/", f"{V}/{world.complex.pk}/factories/"):
        assert count_queries(user, url, 1) == count_queries(user, url, 50), url
