"""Who may reach which company and workplace through the API (shared setup for success and denial)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.applications.support import assert_error_body, busan_officer_persona, db_state
from tests.conftest import Persona

# name: (method, url, payload, owner's status)
ENDPOINTS = {
    "company": ("get", lambda a: f"/api/v1/companies/{a.company.pk}/", None, 200),
    "company update": (
        "patch",
        lambda a: f"/api/v1/companies/{a.company.pk}/update/",
        {"representative": "이대표", "employees": 41},
        200,
    ),
    "workplaces": ("get", lambda a: f"/api/v1/companies/{a.company.pk}/workplaces/", None, 200),
    "workplace create": (
        "post",
        lambda a: f"/api/v1/companies/{a.company.pk}/workplaces/create/",
        {
            "name": "제2공장",
            "postal_code": "46729",
            "address": "부산 강서구",
            "region": "busan",
            "ksic": "29",
        },
        201,
    ),
    "workplace": ("get", lambda a: f"/api/v1/workplaces/{a.workplace.pk}/", None, 200),
    "workplace update": (
        "patch",
        lambda a: f"/api/v1/workplaces/{a.workplace.pk}/update/",
        {"address": "경기도 시흥시 공단1대로 1"},
        200,
    ),
}
READS = [name for name, spec in ENDPOINTS.items() if spec[0] == "get"]
WRITES = [name for name in ENDPOINTS if name not in READS]
OUTSIDERS = ["other_sme", "evaluator", "partner", "supplier_user", "busan_officer", "finance_officer"]


@pytest.fixture
def busan_officer(db) -> Persona:
    return busan_officer_persona()


def call(persona: Persona, name: str, owner: Persona):
    method, url, payload, _status = ENDPOINTS[name]
    client = persona.api()
    if payload is None:
        return getattr(client, method)(url(owner))
    return getattr(client, method)(url(owner), payload, format="json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_owner_succeeds(sme_owner, name):
    response = call(sme_owner, name, sme_owner)
    assert response.status_code == ENDPOINTS[name][3], response.content


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_other_parties_get_404_and_change_nothing(request, sme_owner, persona, name):
    outsider = request.getfixturevalue(persona)
    before = db_state()
    assert_error_body(call(outsider, name, sme_owner), 404, "not_found")
    assert db_state() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401(sme_owner, anonymous, name):
    before = db_state()
    assert_error_body(call(anonymous, name, sme_owner), 401, "not_authenticated")
    assert db_state() == before


@pytest.mark.parametrize("persona", ["official", "auditor", "regional_officer"])
@pytest.mark.parametrize("name", READS)
def test_officials_auditors_and_the_regions_officer_read(request, sme_owner, persona, name):
    assert call(request.getfixturevalue(persona), name, sme_owner).status_code == 200


@pytest.mark.parametrize("persona", ["auditor", "regional_officer"])
@pytest.mark.parametrize("name", WRITES)
def test_readers_cannot_write(request, sme_owner, persona, name):
    reader = request.getfixturevalue(persona)
    before = db_state()
    assert_error_body(call(reader, name, sme_owner), 403, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize("name", WRITES)
def test_officials_write(sme_owner, official, name):
    assert call(official, name, sme_owner).status_code == ENDPOINTS[name][3]


def test_sme_cannot_change_its_brn_through_the_api(sme_owner):
    before = db_state()
    response = sme_owner.api().patch(
        f"/api/v1/companies/{sme_owner.company.pk}/update/", {"brn": "220-81-62517"}, format="json"
    )
    assert_error_body(response, 403, "permission_denied")
    assert db_state() == before


# --- scoped lists ---------------------------------------------------------------------------------


def ids(persona, url):
    response = persona.api().get(url, {"page_size": 500})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_company_list_is_scoped(
    sme_owner, other_sme, regional_officer, busan_officer, official, auditor, evaluator
):
    url = "/api/v1/companies/"
    stranger = f.WorkplaceFactory().company  # in Gyeonggi
    everyone = {sme_owner.company.pk, other_sme.company.pk, stranger.pk}
    assert ids(sme_owner, url) == {sme_owner.company.pk}
    assert ids(other_sme, url) == {other_sme.company.pk}
    assert ids(official, url) == ids(auditor, url) == everyone
    assert ids(evaluator, url) == set()
    # Regional officers see companies with a workplace in their region (the stranger's is in Gyeonggi).
    assert ids(regional_officer, url) == {sme_owner.company.pk, stranger.pk}
    assert ids(busan_officer, url) == {other_sme.company.pk}


def test_a_company_in_two_regions_is_listed_once_and_its_workplaces_by_region(
    sme_owner, regional_officer, busan_officer
):
    busan_workplace = f.WorkplaceFactory(company=sme_owner.company, region=f.region("busan"))
    f.WorkplaceFactory(company=sme_owner.company, region=f.region("busan"))
    rows = busan_officer.api().get("/api/v1/companies/").json()["results"]
    assert [row["id"] for row in rows] == [sme_owner.company.pk]
    url = f"/api/v1/companies/{sme_owner.company.pk}/workplaces/"
    assert busan_workplace.pk in ids(busan_officer, url)
    assert sme_owner.workplace.pk not in ids(busan_officer, url)
    assert ids(regional_officer, url) == {sme_owner.workplace.pk}
    assert len(ids(sme_owner, url)) == 3


def test_active_suppliers_are_visible_to_every_signed_in_user(sme_owner, official, anonymous):
    active, inactive = f.SupplierFactory(), f.SupplierFactory(is_active=False)
    assert ids(sme_owner, "/api/v1/suppliers/") == {active.pk}
    assert ids(official, "/api/v1/suppliers/") == {active.pk, inactive.pk}
    assert sme_owner.api().get(f"/api/v1/suppliers/{inactive.pk}/").status_code == 404
    assert anonymous.api().get("/api/v1/suppliers/").status_code == 401


def test_a_new_user_registers_a_company_and_then_sees_it(db):
    newcomer = Persona(f.UserFactory(username="newcomer"))
    payload = {
        "brn": "220-81-62517",
        "name_ko": "(주)새한정밀",
        "representative": "김대표",
        "size_class": "small",
        "ksic": "25",
        "founded_on": "2010-05-01",
        "employees": 12,
        "revenue_krw": "3,500,000,000",
    }
    response = newcomer.api().post("/api/v1/companies/register/", payload, format="json")
    assert response.status_code == 201, response.content
    company_id = response.json()["id"]
    assert response.json()["brn"] == "220-81-62517"
    assert newcomer.api().get(f"/api/v1/companies/{company_id}/").status_code == 200
    again = newcomer.api().post(
        "/api/v1/companies/register/", payload | {"brn": "124-81-00998"}, format="json"
    )
    assert_error_body(again, 403, "permission_denied")  # now an SME user: one company per self-registration
