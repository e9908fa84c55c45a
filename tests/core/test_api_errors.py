"""One error body for every API response, in the request's language; malformed input is a 400 that
changes nothing; token authentication; and no endpoint under /api/ answers an anonymous caller."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application, ApplicationStatus
from core.errors import Conflict, ValidationFailed
from core.models import ApiToken
from core.services import api_token_create, api_token_revoke
from programs.models import Call
from tests import factories as f
from tests.applications.support import assert_error_body, db_state

HANGUL = re.compile(r"[가-힣]")
A = "/api/v1/applications"


# --- every /api/ endpoint refuses anonymous callers -----------------------------------------------


def api_routes():
    """(route, view class) for every URL pattern under api/, found by walking the resolver."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver().url_patterns, "")
    return [(route, callback.view_class) for route, callback in found if route.startswith("api/")]


def anonymous_requests():
    cases = []
    for route, view in api_routes():
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                cases.append(pytest.param(method, url, id=f"{method.upper()} {url}"))
    return cases


def test_the_walk_finds_the_endpoints():
    routes = {route for route, _view in api_routes()}
    assert len(routes) >= 40
    assert {"api/v1/applications/", "api/v1/me/", "api/schema/", "api/docs/"} <= routes


@pytest.mark.parametrize(("method", "url"), anonymous_requests())
def test_anonymous_gets_401_everywhere(db, method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code == 401, (url, response.content[:200])
    assert response["WWW-Authenticate"] == "Token"
    if url.startswith("/api/v1/"):
        assert_error_body(response, 401, "not_authenticated")


# --- the error body and its language --------------------------------------------------------------


@pytest.fixture
def error_requests(sme_owner, official, draft, make_incomplete):
    """Requests that fail in different ways, each with the English message it must carry."""
    sme, off = sme_owner.api, official.api
    submitted = f.ApplicationFactory(status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now())
    return {
        "401": (lambda c: c.get(f"{A}/"), None, 401, "not_authenticated", "Sign in to continue."),
        "403": (
            lambda c: c.post(f"{A}/{draft.pk}/submit/"),
            off,
            403,
            "permission_denied",
            "You do not have permission to do this.",
        ),
        "404": (lambda c: c.get(f"{A}/999999/"), sme, 404, "not_found", "Not found."),
        "405": (
            lambda c: c.delete(f"{A}/"),
            sme,
            405,
            "method_not_allowed",
            "This method is not allowed here.",
        ),
        "parse": (
            lambda c: c.post("/api/v1/companies/register/", "{not json", content_type="application/json"),
            sme,
            400,
            "parse_error",
            "The request body is not valid JSON.",
        ),
        "media": (
            lambda c: c.post("/api/v1/companies/register/", "brn=1", content_type="text/plain"),
            sme,
            415,
            "unsupported_media_type",
            "Send the request body as application/json.",
        ),
        "serializer": (
            lambda c: c.patch(f"{A}/{draft.pk}/update/", {"gov_amount_krw": 1.5}, format="json"),
            sme,
            400,
            "invalid",
            "Some of the information is not valid.",
        ),
        "service": (
            lambda c: c.post(f"{A}/{make_incomplete.pk}/submit/"),
            sme,
            400,
            "title_missing",
            "The application cannot be submitted yet: Enter the project title.",
        ),
        "409": (
            lambda c: c.post(f"{A}/{submitted.pk}/transition/", {"action": "waitlist"}, format="json"),
            off,
            409,
            "illegal_transition",
            "'Waitlist' is not possible for an application that is 'Submitted (접수)'.",
        ),
    }


@pytest.fixture
def make_incomplete(draft):
    Application.objects.filter(pk=draft.pk).update(title="")
    draft.refresh_from_db()
    return draft


KINDS = ["401", "403", "404", "405", "parse", "media", "serializer", "service", "409"]


def _client(persona_api, language):
    client = persona_api() if persona_api else APIClient()
    if language:
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.mark.parametrize("kind", KINDS)
def test_english_on_request(error_requests, kind):
    send, persona_api, status, code, english = error_requests[kind]
    body = assert_error_body(send(_client(persona_api, "en")), status, code)
    assert body["message"] == english


@pytest.mark.parametrize("kind", KINDS)
def test_korean_by_default(error_requests, kind):
    send, persona_api, status, code, english = error_requests[kind]
    body = assert_error_body(send(_client(persona_api, None)), status, code)
    assert body["message"] != english
    assert HANGUL.search(body["message"]), f"no Korean translation for {english!r}: {body['message']!r}"


def test_field_messages_are_translated_too(sme_owner, draft):
    response = sme_owner.api().patch(f"{A}/{draft.pk}/update/", {"gov_amount_krw": 1.5}, format="json")
    ko = assert_error_body(response, 400)["fields"]["gov_amount_krw"]
    client = sme_owner.api()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    en = client.patch(f"{A}/{draft.pk}/update/", {"gov_amount_krw": 1.5}, format="json").json()["fields"]
    assert en["gov_amount_krw"] == ["Enter the amount as whole won using digits only, for example 150000000."]
    assert HANGUL.search(ko[0])


# --- malformed input is a 400 and changes nothing -------------------------------------------------


@pytest.fixture
def foreign(other_sme):
    return other_sme


MALFORMED_UPDATES = [
    ({"gov_amount_krw": 32000000.0}, "gov_amount_krw"),
    ({"gov_amount_krw": "3.2e7"}, "gov_amount_krw"),
    ({"gov_amount_krw": -1}, "gov_amount_krw"),
    ({"gov_amount_krw": True}, "gov_amount_krw"),
    ({"gov_amount_krw": 10**20}, "gov_amount_krw"),
    ({"gov_amount_krw": "9" * 5000}, "gov_amount_krw"),
    ({"total_cost_krw": [1]}, "total_cost_krw"),
    ({"supplier": "1"}, "supplier"),
    ({"supplier": 999_999}, "supplier"),
    ({"current_level": "L9"}, "current_level"),
    ({"target_level": "expert"}, "target_level"),
    ({"target_level": None}, "target_level"),
    ({"planned_start": "2026-13-45"}, "planned_start"),
    ({"title": "x" * 201}, "title"),
    ({"title": {"ko": "제목"}}, "title"),
]


@pytest.mark.parametrize(
    ("payload", "field"), MALFORMED_UPDATES, ids=[repr(p)[:40] for p, _f in MALFORMED_UPDATES]
)
def test_malformed_draft_updates(sme_owner, draft, payload, field):
    before = db_state()
    body = assert_error_body(sme_owner.api().patch(f"{A}/{draft.pk}/update/", payload, format="json"), 400)
    assert field in body["fields"]
    assert db_state() == before


def test_an_inactive_supplier_is_refused_as_a_field_error(sme_owner, draft):
    supplier = f.SupplierFactory(is_active=False)
    before = db_state()
    body = assert_error_body(
        sme_owner.api().patch(f"{A}/{draft.pk}/update/", {"supplier": supplier.pk}, format="json"), 400
    )
    assert "supplier" in body["fields"]
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        '{"title": "a",}',
        '{"gov_amount_krw": ' + "9" * 5000 + "}",
        "[1, 2",
    ],
)
def test_unparseable_bodies(sme_owner, draft, body):
    before = db_state()
    response = sme_owner.api().patch(f"{A}/{draft.pk}/update/", body, content_type="application/json")
    assert_error_body(response, 400, "parse_error")
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a\\u0000b"}',
        '{"ti\\u0000tle": "a"}',
        '{"title": ["x", {"deep": "\\u0000"}]}',
    ],
)
def test_a_nul_character_anywhere_in_the_body_is_a_parse_error(sme_owner, draft, body):
    """PostgreSQL text cannot hold U+0000: refused as malformed input before any lookup (it was a 500)."""
    before = db_state()
    response = sme_owner.api().patch(f"{A}/{draft.pk}/update/", body, content_type="application/json")
    assert_error_body(response, 400, "parse_error")
    assert db_state() == before


def test_a_nul_in_a_slug_field_is_a_400_not_a_500(official):
    body = '{"brn": "1", "name_ko": "x", "ksic": "2\\u00009", "size_class": "small"}'
    response = official.api().post("/api/v1/companies/register/", body, content_type="application/json")
    assert_error_body(response, 400, "parse_error")


@pytest.mark.parametrize("year", ["99999999999999999999", "-5", "0", "10000"])
def test_an_impossible_year_filter_is_a_400(official, year):
    response = official.api().get("/api/v1/outcome-reports/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


def test_a_json_array_body_is_refused(sme_owner, draft):
    response = sme_owner.api().patch(f"{A}/{draft.pk}/update/", [1, 2], format="json")
    assert_error_body(response, 400, "invalid")


@pytest.mark.parametrize(
    "payload_of",
    [
        lambda w: {"call": 999_999, "workplace": w.workplace.pk, "target_level": "basic"},
        lambda w: {"call": "1", "workplace": w.workplace.pk, "target_level": "basic"},
        lambda w: {"call": 1.0, "workplace": w.workplace.pk, "target_level": "basic"},
        lambda w: {"call": w.call.pk, "workplace": 999_999, "target_level": "basic"},
        lambda w: {"call": w.call.pk, "workplace": w.foreign_workplace.pk, "target_level": "basic"},
        lambda w: {"call": w.call.pk, "workplace": w.workplace.pk, "target_level": "nope"},
        lambda w: {"call": w.draft_call.pk, "workplace": w.workplace.pk, "target_level": "basic"},
        lambda w: {"workplace": w.workplace.pk, "target_level": "basic"},
    ],
    ids=[
        "unknown call",
        "string id",
        "float id",
        "unknown workplace",
        "foreign workplace",
        "bad level",
        "unpublished call",
        "missing call",
    ],
)
def test_application_create_refuses_unknown_and_foreign_ids(sme_owner, other_sme, open_call, payload_of):
    class W:
        call = open_call
        workplace = sme_owner.workplace
        foreign_workplace = other_sme.workplace
        draft_call = f.CallFactory(fiscal_year=2026, status="draft")

    before = db_state()
    body = assert_error_body(sme_owner.api().post(f"{A}/create/", payload_of(W), format="json"), 400)
    assert body["fields"]
    assert db_state() == before


def test_application_create_succeeds_with_valid_ids(sme_owner, open_call):
    response = sme_owner.api().post(
        f"{A}/create/",
        {"call": open_call.pk, "workplace": sme_owner.workplace.pk, "target_level": "basic"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Application.objects.get(pk=response.json()["id"]).company == sme_owner.company


@pytest.mark.parametrize(
    "payload",
    [{"evaluator": 999_999}, {"evaluator": "1"}, {"evaluator": None}, {}],
)
def test_evaluator_assign_refuses_unknown_users(official, make_app_in_evaluation, payload):
    before = db_state()
    body = assert_error_body(
        official.api().post(f"{A}/{make_app_in_evaluation.pk}/assignments/create/", payload, format="json"),
        400,
    )
    assert "evaluator" in body["fields"]
    assert db_state() == before


@pytest.fixture
def make_app_in_evaluation(sme_owner, open_call):
    return f.ApplicationFactory(
        call=open_call,
        workplace=sme_owner.workplace,
        status=ApplicationStatus.EVALUATION,
        submitted_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"budget_krw": 1.5e9},
        {"budget_krw": "1e9"},
        {"budget_krw": 10**14},
        {"target_count": "many"},
        {"opens_at": "tomorrow"},
        {"eligible_ksic": ["99"]},
        {"eligible_regions": ["atlantis"]},
        {"pass_score": "101"},
    ],
)
def test_call_update_refuses_malformed_values(official, open_call, payload):
    before = db_state()
    response = official.api().patch(f"/api/v1/calls/{open_call.pk}/update/", payload, format="json")
    assert assert_error_body(response, 400)["fields"]
    assert db_state() == before


def test_budget_below_committed_is_409_through_the_api(official, open_call):
    Call.objects.filter(pk=open_call.pk).update(committed_krw=500_000_000)
    before = db_state()
    response = official.api().patch(
        f"/api/v1/calls/{open_call.pk}/update/", {"budget_krw": "499,999,999"}, format="json"
    )
    assert_error_body(response, 409, "budget_below_committed")
    assert db_state() == before


@pytest.mark.parametrize("q", ["²", "٣", "9" * 5000, "2026-0000001", "에이정밀", "'; drop table x; --"])
def test_application_search_never_fails(sme_owner, draft, q):
    response = sme_owner.api().get(f"{A}/", {"q": q})
    assert response.status_code == 200


def test_application_search_by_number(sme_owner, draft):
    rows = sme_owner.api().get(f"{A}/", {"q": draft.number}).json()["results"]
    assert [row["id"] for row in rows] == [draft.pk]


@pytest.mark.parametrize("page", ["0", "abc", "999"])
def test_bad_pages_are_404_with_the_error_body(sme_owner, page):
    assert_error_body(sme_owner.api().get(f"{A}/", {"page": page}), 404, "not_found")


# --- token authentication -------------------------------------------------------------------------


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_authenticates_its_user(sme_owner):
    token, key = api_token_create(user=sme_owner.user, name="ERP 연동")
    assert ApiToken.objects.get(pk=token.pk).key_hash != key  # only a hash is stored
    response = token_client(key).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == sme_owner.user.username
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    # What the token's user may see, and no more.
    assert token_client(key).get(f"/api/v1/companies/{sme_owner.company.pk}/").status_code == 200


def test_a_revoked_token_is_refused(sme_owner):
    token, key = api_token_create(user=sme_owner.user, name="x")
    api_token_revoke(token=token)
    assert_error_body(token_client(key).get("/api/v1/me/"), 401, "authentication_failed")


def test_an_expired_token_is_refused(sme_owner):
    token, key = api_token_create(
        user=sme_owner.user, name="x", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert token_client(key).get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error_body(token_client(key).get("/api/v1/me/"), 401, "authentication_failed")


def test_a_disabled_users_token_is_refused(sme_owner):
    _token, key = api_token_create(user=sme_owner.user, name="x")
    type(sme_owner.user).objects.filter(pk=sme_owner.user.pk).update(is_active=False)
    assert_error_body(token_client(key).get("/api/v1/me/"), 401)


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token not-a-real-key", "Token 토큰"])
def test_malformed_or_unknown_tokens_are_refused(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert_error_body(client.get("/api/v1/me/"), 401)


def test_token_creation_refusals(sme_owner):
    with pytest.raises(ValidationFailed):
        api_token_create(user=sme_owner.user, name="x", expires_at=timezone.now() - dt.timedelta(seconds=1))
    sme_owner.user.is_active = False
    with pytest.raises(Conflict):
        api_token_create(user=sme_owner.user, name="x")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("closes_at", ["0471-06-12T07:40:04+09:00", "2999-01-01T00:00:00+09:00"])
def test_a_call_date_centuries_away_is_refused(official, closes_at):
    """Found by schemathesis: a year-471 moment came back with a seconds offset RFC 3339 cannot write."""
    body = {
        "fiscal_year": 2027,
        "round": 1,
        "program_type": "government_only",
        "title_ko": "시험 공고",
        "budget_krw": 1_000_000_000,
        "target_count": 10,
        "opens_at": "2027-01-01T09:00:00+09:00",
        "closes_at": closes_at,
    }
    response = official.api().post("/api/v1/calls/create/", body, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.json()["fields"]
