"""Who may reach which agreement, change request, disbursement and ledger entry through the API
(reliability A6 #1, #2, #19, #32).

One shared setup (`world`) serves every case of an endpoint: SME A's objects are reached by every persona;
outsiders get 404 (never a hint that the object exists) and anonymous 401, and nothing changes in any
table (money tables included); auditors read but never write; the people who work on the project get
exactly what their role allows. Lists hold no foreign rows and cost the same number of queries whatever
the page size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from applications import agreements as ag
from applications.api_agreements_urls import urlpatterns as agreement_urls
from applications.models import Application, ApplicationStatus, ChangeRequest, ProjectAgreement
from core.models import User
from funding import services as fs
from funding.api_urls import urlpatterns as funding_urls
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry
from programs.models import Call
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body, db_state
from tests.conftest import Persona
from tests.funding.conftest import G, M, approved, money_state, new_key, paid, requested

S = ApplicationStatus
V = "/api/v1"


def everything() -> dict[str, Any]:
    return db_state() | money_state()


@dataclass
class Project:
    """A signed agreement with one request waiting, one approved, one paid, and an open change."""

    agreement: ProjectAgreement
    waiting: DisbursementRequest
    ready: DisbursementRequest
    entry: LedgerEntry
    change: ChangeRequest


def selected_application(workplace, sme: User) -> Application:
    """A selected application of a call of its own, its government support committed like a selection
    would (built directly: the selection itself is tested in tests/applications)."""
    call = f.CallFactory(fiscal_year=2026)
    app = f.ApplicationFactory(
        call=call, workplace=workplace, created_by=sme, status=S.SELECTED, submitted_at=timezone.now()
    )
    Call.objects.filter(pk=call.pk).update(
        committed_krw=F("committed_krw") + app.gov_amount_krw, selected_count=1
    )
    return app


def project(workplace, sme: User, official: User, finance: User) -> Project:
    agreement = flow.sign(selected_application(workplace, sme), official)
    return Project(
        agreement=agreement,
        waiting=requested(agreement, sme, 1 * M),
        ready=approved(agreement, sme, finance, 2 * M),
        entry=paid(agreement, sme, finance, 3 * M),
        change=ag.change_request_file(
            agreement=agreement,
            actor=sme,
            cause_date=timezone.localdate(),
            reason="공급기업 사정으로 범위 조정",
            new_scope="MES 및 설비 모니터링",
        ),
    )


@dataclass
class World:
    mine: Project  # SME A's (Gyeonggi)
    theirs: Project  # SME B's (Busan)
    selected: Application  # SME A's selected application, not yet signed


@pytest.fixture
def world(sme_owner, other_sme, official, other_finance) -> World:
    mine = project(sme_owner.workplace, sme_owner.user, official.user, other_finance)
    theirs = project(other_sme.workplace, other_sme.user, official.user, other_finance)
    return World(mine, theirs, selected_application(sme_owner.workplace, sme_owner.user))


def sign_body() -> dict[str, Any]:
    start = timezone.localdate() + dt.timedelta(days=10)
    return {
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=300)).isoformat(),
        "scope": "MES 구축",
        "account_bank": "국민은행",
        "account_number": "123456-01-234567",
        "account_holder": "(주)에이정밀",
    }


# name: (method, url, body) — every endpoint of funding/api_urls.py and applications/api_agreements_urls.py
ENDPOINTS = {
    "disbursement-list": ("get", lambda w: f"{V}/disbursements/", None),
    "disbursement-detail": ("get", lambda w: f"{V}/disbursements/{w.mine.waiting.pk}/", None),
    "disbursement-approve": (
        "post",
        lambda w: f"{V}/disbursements/{w.mine.waiting.pk}/approve/",
        lambda w: {},
    ),
    "disbursement-reject": (
        "post",
        lambda w: f"{V}/disbursements/{w.mine.waiting.pk}/reject/",
        lambda w: {"reason": "증빙 부족"},
    ),
    "disbursement-pay": (
        "post",
        lambda w: f"{V}/disbursements/{w.mine.ready.pk}/pay/",
        lambda w: {"note": ""},
    ),
    "disbursement-request": (
        "post",
        lambda w: f"{V}/agreements/{w.mine.agreement.pk}/disbursements/create/",
        lambda w: {"source": G, "tranche": "advance", "amount_krw": 1_000_000},
    ),
    "recovery": (
        "post",
        lambda w: f"{V}/agreements/{w.mine.agreement.pk}/recoveries/create/",
        lambda w: {"source": G, "amount_krw": 1_000_000, "reason": "목적 외 사용"},
    ),
    "ledger-list": ("get", lambda w: f"{V}/ledger/", None),
    "ledger-reverse": (
        "post",
        lambda w: f"{V}/ledger/{w.mine.entry.pk}/reverse/",
        lambda w: {"reason": "오지급"},
    ),
    "agreement-list": ("get", lambda w: f"{V}/agreements/", None),
    "agreement-detail": ("get", lambda w: f"{V}/agreements/{w.mine.agreement.pk}/", None),
    "agreement-sign": (
        "post",
        lambda w: f"{V}/applications/{w.selected.pk}/agreement/sign/",
        lambda w: sign_body(),
    ),
    "application-settle": (
        "post",
        lambda w: f"{V}/applications/{w.mine.agreement.application_id}/settle/",
        lambda w: {},
    ),
    "application-terminate": (
        "post",
        lambda w: f"{V}/applications/{w.mine.agreement.application_id}/terminate/",
        lambda w: {"note": "사업 포기"},
    ),
    "change-request-list": ("get", lambda w: f"{V}/change-requests/", None),
    "change-request-file": (
        "post",
        lambda w: f"{V}/agreements/{w.mine.agreement.pk}/change-requests/create/",
        lambda w: {
            "cause_date": timezone.localdate().isoformat(),
            "reason": "일정 조정",
            "new_scope": "범위",
        },
    ),
    "change-request-approve": (
        "post",
        lambda w: f"{V}/change-requests/{w.mine.change.pk}/approve/",
        lambda w: {"note": "승인"},
    ),
    "change-request-reject": (
        "post",
        lambda w: f"{V}/change-requests/{w.mine.change.pk}/reject/",
        lambda w: {"note": "근거 부족"},
    ),
}
LISTS = {"disbursement-list", "ledger-list", "agreement-list", "change-request-list"}
READS = [name for name, (method, *_rest) in ENDPOINTS.items() if method == "get"]
WRITES = [name for name in ENDPOINTS if name not in READS]
OBJECT_ENDPOINTS = [name for name in ENDPOINTS if name not in LISTS]
OUTSIDERS = ["other_sme", "partner", "evaluator", "busan_officer"]


def call(persona: Persona, name: str, w: World):
    _method, url, body = ENDPOINTS[name]
    client = persona.api()
    if body is None:
        return client.get(url(w))
    return client.post(url(w), body(w), format="json", HTTP_IDEMPOTENCY_KEY=new_key())


def test_every_endpoint_is_in_the_matrix():
    names = {p.name.removeprefix("api-") for p in [*funding_urls, *agreement_urls]}
    assert names == set(ENDPOINTS) == set(INSIDERS)


@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_outsiders_get_404_and_change_nothing(request, world, name):
    outsiders = {persona: request.getfixturevalue(persona) for persona in OUTSIDERS}
    before = everything()
    for persona, outsider in outsiders.items():
        response = call(outsider, name, world)
        assert_error_body(response, 404, "not_found")
        assert everything() == before, persona


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = everything()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert everything() == before


@pytest.mark.parametrize("name", READS)
def test_auditors_read_everything(world, auditor, name):
    response = call(auditor, name, world)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", WRITES)
def test_auditors_never_write(world, auditor, name):
    before = everything()
    assert_error_body(call(auditor, name, world), 403, "permission_denied")
    assert everything() == before


# What the people of the project get: 2xx does the thing, 403/409 changes nothing.
INSIDERS = {
    #                          finance  official  sme_owner regional_officer
    "disbursement-list": (200, 200, 200, 200),
    "disbursement-detail": (200, 200, 200, 200),
    "disbursement-approve": (200, 403, 403, 403),
    "disbursement-reject": (200, 403, 403, 403),
    "disbursement-pay": (201, 403, 403, 403),
    "disbursement-request": (201, 201, 201, 201),
    "recovery": (201, 201, 403, 403),
    "ledger-list": (200, 200, 200, 200),
    "ledger-reverse": (201, 403, 403, 403),
    "agreement-list": (200, 200, 200, 200),
    "agreement-detail": (200, 200, 200, 200),
    "agreement-sign": (403, 201, 403, 201),
    "application-settle": (403, 409, 403, 403),  # the official: not completed yet
    "application-terminate": (403, 409, 403, 403),  # the official: requests still open
    "change-request-list": (200, 200, 200, 200),
    "change-request-file": (403, 403, 409, 403),  # SME A: one change is already open
    "change-request-approve": (403, 200, 403, 403),
    "change-request-reject": (403, 200, 403, 403),
}
INSIDER_PERSONAS = ("finance_officer", "official", "sme_owner", "regional_officer")


def insider_cases():
    for name, codes in INSIDERS.items():
        for persona, code in zip(INSIDER_PERSONAS, codes, strict=True):
            yield pytest.param(name, persona, code, id=f"{name}-{persona}")


@pytest.mark.parametrize(("name", "persona", "expected"), list(insider_cases()))
def test_the_people_of_the_project(request, world, name, persona, expected):
    insider = request.getfixturevalue(persona)
    before = everything()
    response = call(insider, name, world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert_error_body(response, expected)
        assert everything() == before
    elif name in WRITES:
        assert everything() != before


def test_the_account_number_is_never_shown_in_full(world, sme_owner, official, finance_officer):
    number = world.mine.agreement.account_number
    for persona in (sme_owner, official, finance_officer):
        for url in (f"{V}/agreements/", f"{V}/agreements/{world.mine.agreement.pk}/"):
            text = persona.api().get(url).content.decode()
            assert number not in text
            assert number.replace("-", "") not in text


# --- lists: only what the user may see ------------------------------------------------------------------


def ids(persona: Persona, url: str, **filters: object) -> set[int]:
    response = persona.api().get(url, {"page_size": 500, **filters})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def visible(world: World, name: str, projects: list[Project]) -> set[int]:
    if name == "disbursement-list":
        return {r.pk for p in projects for r in DisbursementRequest.objects.filter(agreement=p.agreement)}
    if name == "ledger-list":
        return {e.pk for p in projects for e in LedgerEntry.objects.filter(agreement=p.agreement)}
    if name == "agreement-list":
        return {p.agreement.pk for p in projects}
    return {c.pk for p in projects for c in ChangeRequest.objects.filter(agreement=p.agreement)}


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("sme_owner", "mine"),
        ("other_sme", "theirs"),
        ("regional_officer", "mine"),  # Gyeonggi
        ("busan_officer", "theirs"),
        ("partner", "none"),
        ("evaluator", "none"),  # assigned to neither project
        ("official", "both"),
        ("auditor", "both"),
        ("finance_officer", "both"),
    ],
)
def test_lists_hold_no_foreign_rows(request, world, name, persona, sees):
    projects = {
        "mine": [world.mine],
        "theirs": [world.theirs],
        "none": [],
        "both": [world.mine, world.theirs],
    }[sees]
    url = ENDPOINTS[name][1](world)
    assert ids(request.getfixturevalue(persona), url) == visible(world, name, projects)


def test_lists_filter_within_what_the_user_sees(world, sme_owner, finance_officer):
    theirs = world.theirs.agreement.pk
    mine = world.mine.agreement.pk
    for url in (f"{V}/disbursements/", f"{V}/ledger/", f"{V}/change-requests/"):
        assert ids(sme_owner, url, agreement=theirs) == set()
        assert ids(sme_owner, url, agreement=mine)
    assert ids(finance_officer, f"{V}/disbursements/", status="approved") == {
        world.mine.ready.pk,
        world.theirs.ready.pk,
    }


# --- lists: the same number of queries whatever the page size -------------------------------------------

ROWS = 6


@pytest.fixture
def many(sme_owner, official, other_finance):
    for _ in range(ROWS):
        project(sme_owner.workplace, sme_owner.user, official.user, other_finance)
    # The change requests decided, so that their deciders are on the page too.
    for change in ChangeRequest.objects.all()[:3]:
        ag.change_request_reject(change=change, actor=official.user, note="반려")
    for made in DisbursementRequest.objects.filter(status=DisbursementStatus.REQUESTED)[:3]:
        fs.disbursement_approve(request=made, actor=other_finance)


def count_queries(user: User, url: str, page_size: int, rows: int) -> int:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))  # nothing cached from an earlier request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, rows)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["official", "sme_owner", "finance_officer", "regional_officer"])
@pytest.mark.parametrize(
    ("url", "rows"),
    [
        (f"{V}/agreements/", ROWS),
        (f"{V}/disbursements/", 3 * ROWS),
        (f"{V}/ledger/", ROWS),
        (f"{V}/change-requests/", ROWS),
    ],
)
def test_list_queries_do_not_grow_with_the_page(request, many, persona, url, rows):
    user = request.getfixturevalue(persona).user
    small = count_queries(user, url, 1, rows)
    large = count_queries(user, url, rows, rows)
    assert small == large
