"""Idempotency keys on money-moving calls (the Stripe pattern, reliability A3 and A6 #17).

A call runs once per (user, key); a replay returns the stored response; the same key with another
request is a 409; a refusal stores nothing, so the key may be retried once the situation changed.
"""

from __future__ import annotations

import pytest
from rest_framework.response import Response

from applications.agreements import change_request_file
from applications.models import ProjectAgreement
from core.api.idempotency import MAX_KEY_LENGTH
from core.models import IdempotencyRecord
from core.roles import Role
from funding import services as fs
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body
from tests.funding.conftest import (
    G,
    M,
    approved,
    client_for,
    finance_user,
    money_state,
    new_key,
    race,
    requested,
    totals,
)


def create_url(agreement: ProjectAgreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/disbursements/create/"


def ask(client, agreement, key: str | None, amount: int = 5 * M, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        create_url(agreement),
        {"source": G, "tranche": "advance", "amount_krw": amount},
        format="json",
        **headers,
    )


# --- twenty identical calls at once (real threads) ------------------------------------------------------


class Project:
    """A signed 80-million-won project (32 million government) with an SME user and two finance officers,
    committed for real so that threads can see it."""

    def __init__(self) -> None:
        self.sme = f.UserFactory()
        workplace = f.WorkplaceFactory()
        f.member(self.sme, workplace.company.organisation, Role.SME)
        official = f.UserFactory()
        f.member(official, f.OrganisationFactory(kind="ministry"), Role.OFFICIAL)
        evaluator = f.UserFactory()
        f.member(evaluator, f.OrganisationFactory(), Role.EVALUATOR)
        self.finance = finance_user()
        self.finance2 = finance_user()
        app = f.ApplicationFactory(
            call=f.CallFactory(fiscal_year=2026), workplace=workplace, created_by=self.sme
        )
        self.agreement = flow.to_agreed(app, self.sme, official, evaluator)


def same_call(user_id: int, url: str, key: str, data: dict):
    def prepare():
        client = client_for(user_id)
        return lambda: client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key)

    return prepare


def assert_identical(results: list[object], status: int) -> dict:
    assert all(isinstance(r, Response) for r in results), results
    assert {r.status_code for r in results} == {status}  # type: ignore[union-attr]
    bodies = [r.json() for r in results]  # type: ignore[union-attr]
    assert all(body == bodies[0] for body in bodies)
    return bodies[0]


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twenty_times_at_once_to_pay_pays_once():
    p = Project()
    made = approved(p.agreement, p.sme, p.finance, 7 * M)
    url = f"/api/v1/disbursements/{made.pk}/pay/"
    key = new_key()
    results = race(*(same_call(p.finance2.pk, url, key, {"note": "1차"}) for _ in range(20)))
    body = assert_identical(results, 201)
    assert LedgerEntry.objects.count() == 1
    entry = LedgerEntry.objects.get()
    assert (body["id"], body["amount_krw"], body["disbursement_id"]) == (entry.pk, 7 * M, made.pk)
    assert totals(p.agreement) == (32 * M, 0, 7 * M, 0)
    assert IdempotencyRecord.objects.filter(user=p.finance2, key=key).count() == 1
    assert IdempotencyRecord.objects.count() == 1
    # A later replay returns the same answer, not "already paid".
    replay = client_for(p.finance2.pk).post(url, {"note": "1차"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (replay.status_code, replay.json()) == (201, body)


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twenty_times_at_once_to_request_makes_one_request():
    p = Project()
    key = new_key()
    data = {"source": G, "tranche": "advance", "amount_krw": 3 * M}
    results = race(*(same_call(p.sme.pk, create_url(p.agreement), key, data) for _ in range(20)))
    body = assert_identical(results, 201)
    assert list(DisbursementRequest.objects.values_list("id", flat=True)) == [body["id"]]
    assert totals(p.agreement) == (32 * M, 3 * M, 0, 0)
    assert IdempotencyRecord.objects.filter(user=p.sme, key=key).count() == 1


# --- one call at a time ---------------------------------------------------------------------------------


def test_a_replay_returns_the_stored_response(agreement, sme_owner):
    key = new_key()
    first = ask(sme_owner.api(), agreement, key)
    assert first.status_code == 201
    before = money_state()
    for _ in range(3):
        again = ask(sme_owner.api(), agreement, key)
        assert (again.status_code, again.json()) == (201, first.json())
    assert money_state() == before
    assert totals(agreement) == (32 * M, 5 * M, 0, 0)
    record = IdempotencyRecord.objects.get(user=sme_owner.user, key=key)
    assert (record.operation, record.response_status, record.response_body) == (
        "disbursement_request",
        201,
        first.json(),
    )


def test_a_replay_after_the_state_moved_on_still_returns_the_first_answer(
    agreement, sme_owner, finance_officer
):
    made = requested(agreement, sme_owner.user, 2 * M)
    key = new_key()
    url = f"/api/v1/disbursements/{made.pk}/approve/"
    first = finance_officer.api().post(url, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, first.json()["status"]) == (200, "approved")
    fs.disbursement_pay(request=made, actor=finance_officer.user)
    again = finance_officer.api().post(url, HTTP_IDEMPOTENCY_KEY=key)
    assert (again.status_code, again.json()) == (200, first.json())
    # A new key is a new call, refused now that the request is paid.
    assert_error_body(finance_officer.api().post(url, HTTP_IDEMPOTENCY_KEY=new_key()), 409)


@pytest.mark.parametrize(
    "change",
    [
        {"amount_krw": 5 * M + 1},
        {"source": "sme"},
        {"tranche": "interim"},
        {"note": "다른 메모"},
    ],
)
def test_the_same_key_with_another_body_is_refused(agreement, sme_owner, change):
    key = new_key()
    body = {"source": G, "tranche": "advance", "amount_krw": 5 * M}
    first = sme_owner.api().post(create_url(agreement), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    before = money_state()
    response = sme_owner.api().post(
        create_url(agreement), body | change, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert_error_body(response, 409, "idempotency_key_reused")
    assert money_state() == before


def test_the_same_key_on_another_endpoint_or_object_is_refused(agreement, sme_owner, finance_officer):
    first = requested(agreement, sme_owner.user, 1 * M)
    second = requested(agreement, sme_owner.user, 1 * M)
    key = new_key()
    fin = finance_officer.api()
    assert fin.post(f"/api/v1/disbursements/{first.pk}/approve/", HTTP_IDEMPOTENCY_KEY=key).status_code == 200
    before = money_state()
    for url, data in (
        (f"/api/v1/disbursements/{second.pk}/approve/", None),
        (f"/api/v1/disbursements/{first.pk}/pay/", {}),
        (f"/api/v1/disbursements/{second.pk}/reject/", {"reason": "중복"}),
    ):
        response = fin.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert_error_body(response, 409, "idempotency_key_reused")
    assert money_state() == before
    assert DisbursementRequest.objects.get(pk=second.pk).status == DisbursementStatus.REQUESTED


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": ""}, {"HTTP_IDEMPOTENCY_KEY": "   "}])
def test_a_missing_key_is_refused(agreement, sme_owner, headers):
    before = money_state()
    response = ask(sme_owner.api(), agreement, None, **headers)
    assert_error_body(response, 400, "idempotency_key_required")
    assert money_state() == before


@pytest.mark.parametrize(
    "key",
    ["k" * (MAX_KEY_LENGTH + 1), "결제-0001", "clé-0001", "key\x00zero", "key\x7fdel", "tab\tinside"],
)
def test_an_overlong_or_non_ascii_key_is_refused(agreement, sme_owner, key):
    before = money_state()
    response = ask(sme_owner.api(), agreement, key)
    assert_error_body(response, 400, "idempotency_key_invalid")
    assert money_state() == before


@pytest.mark.parametrize("key", ["k" * MAX_KEY_LENGTH, "a", "order-2026/11/21:0001", "  padded-key  "])
def test_printable_ascii_keys_up_to_the_limit_are_accepted(agreement, sme_owner, key):
    assert ask(sme_owner.api(), agreement, key).status_code == 201
    assert IdempotencyRecord.objects.filter(user=sme_owner.user, key=key.strip()).exists()


def test_a_refused_call_stores_nothing_and_the_key_may_be_retried(agreement, sme_owner, finance_officer):
    blocker = requested(agreement, sme_owner.user, 30 * M)
    key = new_key()
    before = money_state()
    refused = ask(sme_owner.api(), agreement, key, amount=5 * M)
    assert_error_body(refused, 409, "exceeds_agreed")
    assert money_state() == before
    assert not IdempotencyRecord.objects.filter(key=key).exists()
    # Still refused on a retry while nothing changed …
    assert_error_body(ask(sme_owner.api(), agreement, key, amount=5 * M), 409, "exceeds_agreed")
    # … and granted with the same key once room was made.
    fs.disbursement_reject(request=blocker, actor=finance_officer.user, reason="중복 신청")
    granted = ask(sme_owner.api(), agreement, key, amount=5 * M)
    assert granted.status_code == 201
    assert IdempotencyRecord.objects.filter(key=key).count() == 1


def test_a_refused_payment_may_be_retried_once_approved(agreement, sme_owner, finance_officer, other_finance):
    made = requested(agreement, sme_owner.user, 4 * M)
    key = new_key()
    url = f"/api/v1/disbursements/{made.pk}/pay/"
    assert_error_body(
        finance_officer.api().post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key), 409, "not_approved"
    )
    fs.disbursement_approve(request=made, actor=other_finance)
    paid = finance_officer.api().post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert paid.status_code == 201
    assert LedgerEntry.objects.get().pk == paid.json()["id"]


def test_keys_belong_to_their_user(agreement, sme_owner, official, regional_officer):
    key = "shared-key-0001"
    responses = [
        ask(persona.api(), agreement, key, amount=1 * M)
        for persona in (sme_owner, official, regional_officer)
    ]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.json()["id"] for r in responses}) == 3
    assert totals(agreement) == (32 * M, 3 * M, 0, 0)
    assert set(IdempotencyRecord.objects.filter(key=key).values_list("user_id", flat=True)) == {
        sme_owner.user.pk,
        official.user.pk,
        regional_officer.user.pk,
    }


def test_a_refusal_before_the_call_runs_does_not_use_up_the_key(agreement, sme_owner, other_sme):
    """Someone else's 404 with a key does not reserve that key for them."""
    key = new_key()
    assert_error_body(ask(other_sme.api(), agreement, key), 404)
    assert not IdempotencyRecord.objects.exists()
    assert ask(sme_owner.api(), agreement, key).status_code == 201


@pytest.fixture
def money_calls(agreement, sme_owner, finance_officer, other_finance):
    """Every endpoint that moves money, with a valid body, ready for a finance officer or an official."""
    waiting = requested(agreement, sme_owner.user, 1 * M)
    ready = approved(agreement, sme_owner.user, other_finance, 1 * M)
    entry = fs.disbursement_pay(
        request=approved(agreement, sme_owner.user, other_finance, 1 * M), actor=other_finance
    )
    app = agreement.application_id
    return [
        ("finance_officer", create_url(agreement), {"source": G, "tranche": "advance", "amount_krw": 1}),
        ("finance_officer", f"/api/v1/disbursements/{waiting.pk}/approve/", None),
        ("finance_officer", f"/api/v1/disbursements/{waiting.pk}/reject/", {"reason": "반려"}),
        ("finance_officer", f"/api/v1/disbursements/{ready.pk}/pay/", {}),
        ("finance_officer", f"/api/v1/ledger/{entry.pk}/reverse/", {"reason": "정정"}),
        (
            "finance_officer",
            f"/api/v1/agreements/{agreement.pk}/recoveries/create/",
            {"source": G, "amount_krw": 1, "reason": "환수"},
        ),
        ("official", f"/api/v1/applications/{app}/settle/", {"note": ""}),
        ("official", f"/api/v1/applications/{app}/terminate/", {"note": "해지"}),
    ]


def test_every_money_moving_endpoint_requires_a_key(money_calls, request):
    before = money_state()
    for persona, url, data in money_calls:
        client = request.getfixturevalue(persona).api()
        response = client.post(url, data, format="json")
        assert_error_body(response, 400, "idempotency_key_required")
    assert money_state() == before


def test_the_change_request_approval_requires_a_key(agreement, sme_owner, official):
    change = change_request_file(
        agreement=agreement,
        actor=sme_owner.user,
        cause_date=agreement.signed_on,
        reason="범위 조정",
        new_scope="범위 조정",
        today=agreement.signed_on,
    )
    before = money_state()
    response = official.api().post(f"/api/v1/change-requests/{change.pk}/approve/", {}, format="json")
    assert_error_body(response, 400, "idempotency_key_required")
    assert money_state() == before
