"""Calls through the API: published calls are public to signed-in users, drafts only to officials and
auditors; every write is the officials' (403 for others on a call they can see, 404 on one they cannot)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from programs.models import CallStatus
from tests import factories as f
from tests.applications.support import assert_error_body, db_state

NOW = timezone.now()
RULE = {"target_level": "advanced1", "gov_cap_krw": 100_000_000, "gov_max_bp": 5000}
RUBRIC = {
    "criteria": [
        {"code": "need", "name_ko": "필요성", "weight": 60},
        {"code": "plan", "name_ko": "계획", "weight": 40},
    ]
}
CALL = {
    "fiscal_year": 2028,
    "round": 1,
    "program_type": "government_only",
    "title_ko": "2028년 공고",
    "budget_krw": "5,000,000,000",
    "target_count": 10,
    "opens_at": (NOW + dt.timedelta(days=1)).isoformat(),
    "closes_at": (NOW + dt.timedelta(days=30)).isoformat(),
}
TARGET = {
    "code": "sf-2027",
    "metric": "deployments",
    "label_ko": "보급",
    "label_en": "Deployments",
    "target_value": "30000",
    "unit": "count",
    "counts_from": "2023-01-01",
    "deadline": "2027-12-31",
}

# name: (method, path under the call or None for a collection endpoint, payload, official's status)
ENDPOINTS = {
    "detail": ("get", "", None, 200),
    "update": ("patch", "update/", {"title_en": "Renamed"}, 200),
    "funding rule": ("post", "funding-rules/", RULE, 200),
    "rubric": ("put", "rubric/", RUBRIC, 200),
    "cancel": ("post", "cancel/", {}, 200),
    "preview": ("post", "selection/preview/", {"top_n": 5}, 200),
    # With nothing evaluated yet there is nothing to apply; the official gets past the access checks.
    "apply": ("post", "selection/apply/", {"top_n": 5, "fingerprint": "0" * 64}, 409),
}
WRITES = [name for name, spec in ENDPOINTS.items() if spec[0] != "get"]
NON_OFFICIALS = [
    "sme_owner",
    "regional_officer",
    "evaluator",
    "supplier_user",
    "partner",
    "finance_officer",
    "auditor",
]


@pytest.fixture
def calls(open_call):
    return {"published": open_call, "draft": f.CallFactory(fiscal_year=2027, status=CallStatus.DRAFT)}


def request_call(persona, name, call):
    method, path, payload, _status = ENDPOINTS[name]
    client = persona.api()
    url = f"/api/v1/calls/{call.pk}/{path}"
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_officials_run_calls(calls, official, kind, name):
    response = request_call(official, name, calls[kind])
    expected = ENDPOINTS[name][3]
    if kind == "published" and name == "funding rule":
        expected = 409  # the rules of a call that has opened are frozen
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("persona", NON_OFFICIALS)
@pytest.mark.parametrize("name", WRITES)
def test_non_officials_cannot_write(request, calls, persona, name):
    actor = request.getfixturevalue(persona)
    before = db_state()
    assert_error_body(request_call(actor, name, calls["published"]), 403, "permission_denied")
    expected = 403 if persona == "auditor" else 404  # auditors see drafts, the others do not
    assert_error_body(request_call(actor, name, calls["draft"]), expected)
    assert db_state() == before


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_draft_calls_are_hidden_from_everyone_but_officials_and_auditors(request, calls, persona):
    client = request.getfixturevalue(persona).api()
    listed = {row["id"] for row in client.get("/api/v1/calls/").json()["results"]}
    detail = client.get(f"/api/v1/calls/{calls['draft'].pk}/")
    if persona == "auditor":
        assert listed == {calls["published"].pk, calls["draft"].pk}
        assert detail.status_code == 200
    else:
        assert listed == {calls["published"].pk}
        assert_error_body(detail, 404, "not_found")
        assert client.get(f"/api/v1/calls/{calls['published'].pk}/").status_code == 200


@pytest.mark.parametrize(
    ("url", "payload"),
    [("/api/v1/calls/create/", CALL), ("/api/v1/targets/save/", TARGET)],
)
def test_only_officials_create_calls_and_targets(sme_owner, auditor, official, url, payload):
    for persona in (sme_owner, auditor):
        before = db_state()
        assert_error_body(persona.api().post(url, payload, format="json"), 403, "permission_denied")
        assert db_state() == before
    assert official.api().post(url, payload, format="json").status_code in {200, 201}


def test_publish_through_the_api(calls, official, sme_owner):
    draft = calls["draft"]
    assert_error_body(sme_owner.api().post(f"/api/v1/calls/{draft.pk}/publish/"), 404)
    response = official.api().post(f"/api/v1/calls/{draft.pk}/publish/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert sme_owner.api().get(f"/api/v1/calls/{draft.pk}/").status_code == 200
