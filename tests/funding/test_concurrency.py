"""Double spending under real concurrency (reliability A6 #16): real threads, real commits
(transactional_db), one database connection and one API client per thread, released by a Barrier.

The project: a government-only advanced-level application of 200 million won, 100 million won of it
government support, signed through the real workflow.
"""

from __future__ import annotations

import pytest
from rest_framework.response import Response

from applications.models import AgreementFunding, Application, ApplicationStatus, ProjectAgreement
from core.errors import ApplicationError
from core.models import IdempotencyRecord, User
from core.roles import Role
from funding import services as fs
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind
from programs.models import Call
from tests import factories as f
from tests import flow
from tests.funding.conftest import G, M, client_for, finance_user, new_key, race

# Real commits: tests/conftest.py reloads the reference data that the closing flush removes.
pytestmark = pytest.mark.usefixtures("transactional_db")

OPEN = (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED)


class People:
    def __init__(self) -> None:
        self.sme = f.UserFactory()
        self.workplace = f.WorkplaceFactory()
        f.member(self.sme, self.workplace.company.organisation, Role.SME)
        self.official = f.UserFactory()
        f.member(self.official, f.OrganisationFactory(kind="ministry"), Role.OFFICIAL)
        self.evaluator = f.UserFactory()
        f.member(self.evaluator, f.OrganisationFactory(), Role.EVALUATOR)
        self.finance = finance_user()
        self.finance2 = finance_user()


@pytest.fixture
def people() -> People:
    return People()


@pytest.fixture
def agreement(people) -> ProjectAgreement:
    """Government support of exactly 100 million won, nothing requested yet."""
    app = f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2026),
        workplace=people.workplace,
        created_by=people.sme,
        target_level=f.target_level("advanced1"),
        total_cost_krw=200 * M,
        gov_amount_krw=100 * M,
        sme_amount_krw=100 * M,
    )
    agreement = flow.to_agreed(app, people.sme, people.official, people.evaluator)
    assert AgreementFunding.objects.get(agreement=agreement, source=G).remaining_krw == 100 * M
    return agreement


def assert_books_balance(agreement: ProjectAgreement) -> AgreementFunding:
    """The invariants of every source after any race."""
    for row in AgreementFunding.objects.filter(agreement=agreement):
        assert min(row.outstanding_krw, row.paid_krw, row.recovered_krw) >= 0
        assert row.outstanding_krw + row.paid_krw + row.recovered_krw <= row.agreed_krw
        ledger = LedgerEntry.objects.filter(agreement=agreement, source=row.source)
        assert row.paid_krw == sum(ledger.values_list("amount_krw", flat=True))
        assert row.recovered_krw == -sum(
            ledger.filter(kind=LedgerKind.RECOVERY).values_list("amount_krw", flat=True)
        )
        requests = DisbursementRequest.objects.filter(agreement=agreement, source=row.source, status__in=OPEN)
        assert row.outstanding_krw == sum(requests.values_list("amount_krw", flat=True))
    return AgreementFunding.objects.get(agreement=agreement, source=G)


def post(user_id: int, url: str, data: dict | None = None):
    """A job for race(): prepare a client, then post with a key of its own."""

    def prepare():
        client = client_for(user_id)
        key = new_key()
        return lambda: client.post(url, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    return prepare


def statuses(results: list[object]) -> list[int]:
    assert all(isinstance(r, Response) for r in results), [r for r in results if not isinstance(r, Response)]
    return [r.status_code for r in results]  # type: ignore[union-attr]


def test_fifty_concurrent_requests_of_three_million_against_one_hundred_million(agreement, people):
    url = f"/api/v1/agreements/{agreement.pk}/disbursements/create/"
    body = {"source": G, "tranche": "advance", "amount_krw": 3 * M}
    results = race(*(post(people.sme.pk, url, body) for _ in range(50)))
    codes = statuses(results)
    assert not [c for c in codes if c >= 500]
    assert codes.count(201) == 33
    assert codes.count(409) == 17
    refusals = [r.json() for r in results if r.status_code == 409]  # type: ignore[union-attr]
    assert {r["code"] for r in refusals} == {"exceeds_agreed"}
    assert all(set(r) == {"code", "message", "fields"} for r in refusals)

    gov = assert_books_balance(agreement)
    assert (gov.agreed_krw, gov.outstanding_krw, gov.paid_krw, gov.recovered_krw) == (100 * M, 99 * M, 0, 0)
    assert gov.outstanding_krw + gov.paid_krw == 99 * M
    made = DisbursementRequest.objects.filter(agreement=agreement)
    assert made.count() == 33
    assert sorted(r.json()["id"] for r in results if r.status_code == 201) == sorted(
        made.values_list("id", flat=True)
    )  # type: ignore[union-attr]
    # Only the calls that moved money stored a response under their key.
    assert IdempotencyRecord.objects.filter(user=people.sme).count() == 33


def test_twenty_concurrent_approvals_and_payments_against_one_source(agreement, people):
    """Ten approved requests are paid while ten others are approved and five new ones try to squeeze in:
    the source is spoken for to the last won, so every newcomer is refused and nothing exceeds it."""
    to_pay = []
    to_approve = []
    for i in range(20):
        made = fs.disbursement_request(
            agreement=agreement, actor=people.sme, source=G, tranche="advance", amount_krw=5 * M
        )
        if i % 2:
            to_approve.append(made)
        else:
            to_pay.append(fs.disbursement_approve(request=made, actor=people.finance))
    assert AgreementFunding.objects.get(agreement=agreement, source=G).remaining_krw == 0

    jobs = [post(people.finance.pk, f"/api/v1/disbursements/{r.pk}/pay/") for r in to_pay]
    jobs += [post(people.finance2.pk, f"/api/v1/disbursements/{r.pk}/approve/") for r in to_approve]
    newcomer = {"source": G, "tranche": "advance", "amount_krw": 1}
    jobs += [post(people.sme.pk, f"/api/v1/agreements/{agreement.pk}/disbursements/create/", newcomer)] * 5
    results = race(*jobs)
    codes = statuses(results)
    assert codes == [201] * 10 + [200] * 10 + [409] * 5
    assert {r.json()["code"] for r in results[20:]} == {"exceeds_agreed"}  # type: ignore[union-attr]

    gov = assert_books_balance(agreement)
    assert (gov.outstanding_krw, gov.paid_krw) == (50 * M, 50 * M)
    assert LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT).count() == 10
    assert DisbursementRequest.objects.filter(status=DisbursementStatus.APPROVED).count() == 10

    # The second round: the ten just approved are paid by two officers at once.
    jobs = [
        post((people.finance, people.finance2)[i % 2].pk, f"/api/v1/disbursements/{r.pk}/pay/")
        for i, r in enumerate(to_approve)
    ]
    assert statuses(race(*jobs)) == [201] * 10
    gov = assert_books_balance(agreement)
    assert (gov.outstanding_krw, gov.paid_krw) == (0, 100 * M)


def test_reversals_recoveries_and_requests_racing_keep_the_books(agreement, people):
    """Everything is paid; five payments are reversed and five recoveries recorded while ten new
    requests compete for the room the reversals free. Whatever the order, the books balance."""
    entries = []
    for _ in range(20):
        made = fs.disbursement_request(
            agreement=agreement, actor=people.sme, source=G, tranche="advance", amount_krw=5 * M
        )
        fs.disbursement_approve(request=made, actor=people.finance)
        entries.append(fs.disbursement_pay(request=made, actor=people.finance2))

    def reverse(entry_id: int, actor_id: int):
        def prepare():
            actor = User.objects.get(pk=actor_id)
            entry = LedgerEntry.objects.get(pk=entry_id)
            return lambda: fs.payment_reverse(entry=entry, actor=actor, reason="오지급 정정")

        return prepare

    def recover(actor_id: int):
        def prepare():
            actor = User.objects.get(pk=actor_id)
            found = ProjectAgreement.objects.get(pk=agreement.pk)
            return lambda: fs.recovery_record(
                agreement=found, actor=actor, source=G, amount_krw=5 * M, reason="목적 외 사용"
            )

        return prepare

    def ask():
        def prepare():
            actor = User.objects.get(pk=people.sme.pk)
            found = ProjectAgreement.objects.select_related("application").get(pk=agreement.pk)
            return lambda: fs.disbursement_request(
                agreement=found, actor=actor, source=G, tranche="advance", amount_krw=5 * M
            )

        return prepare

    jobs = [reverse(e.pk, people.finance.pk) for e in entries[:5]]
    jobs += [recover(people.finance2.pk) for _ in range(5)]
    jobs += [ask() for _ in range(10)]
    results = race(*jobs)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)]
    assert not unexpected
    assert all(not isinstance(r, Exception) for r in results[:10])  # reversals and recoveries all fit
    refused = [r for r in results[10:] if isinstance(r, Exception)]
    assert {r.code for r in refused} <= {"exceeds_agreed"}  # type: ignore[attr-defined]
    granted = 10 - len(refused)
    assert granted <= 5  # only the room the five reversals freed

    gov = assert_books_balance(agreement)
    assert (gov.paid_krw, gov.recovered_krw, gov.outstanding_krw) == (50 * M, 25 * M, granted * 5 * M)
    assert LedgerEntry.objects.filter(kind=LedgerKind.REVERSAL).count() == 5


def test_one_payment_reversed_twice_at_once(agreement, people):
    made = fs.disbursement_request(
        agreement=agreement, actor=people.sme, source=G, tranche="advance", amount_krw=M
    )
    fs.disbursement_approve(request=made, actor=people.finance)
    entry = fs.disbursement_pay(request=made, actor=people.finance)
    url = f"/api/v1/ledger/{entry.pk}/reverse/"
    results = race(
        *(post(user.pk, url, {"reason": "중복 정정"}) for user in (people.finance, people.finance2) * 3)
    )
    codes = statuses(results)
    assert codes.count(201) == 1
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"already_reversed"}  # type: ignore[union-attr]
    assert LedgerEntry.objects.filter(kind=LedgerKind.REVERSAL).count() == 1
    assert_books_balance(agreement)


def test_one_request_approved_and_rejected_at_once(agreement, people):
    """Approval then rejection is allowed (an approved request may still be rejected); rejection then
    approval is not. Either way the request ends rejected and its amount is released exactly once."""
    made = fs.disbursement_request(
        agreement=agreement, actor=people.sme, source=G, tranche="advance", amount_krw=M
    )
    results = race(
        post(people.finance.pk, f"/api/v1/disbursements/{made.pk}/approve/"),
        post(people.finance2.pk, f"/api/v1/disbursements/{made.pk}/reject/", {"reason": "서류 미비"}),
    )
    approve, reject = statuses(results)
    assert (approve, reject) in ((200, 200), (409, 200))
    made.refresh_from_db()
    assert made.status == DisbursementStatus.REJECTED
    assert assert_books_balance(agreement).outstanding_krw == 0


def test_settlement_racing_a_final_tranche_request(agreement, people):
    """Settlement gives the unpaid support back to the call; a request arriving at the same moment must
    not slip in afterwards. Either the request is held first and settlement is refused
    (open_disbursements), or settlement finishes first and the request is refused (tranche_not_due)."""
    Application.objects.filter(pk=agreement.application_id).update(status=ApplicationStatus.COMPLETED)
    call = Call.objects.get(pk=agreement.application.call_id)
    results = race(
        post(people.official.pk, f"/api/v1/applications/{agreement.application_id}/settle/"),
        post(
            people.sme.pk,
            f"/api/v1/agreements/{agreement.pk}/disbursements/create/",
            {"source": G, "tranche": "final", "amount_krw": 10 * M},
        ),
    )
    settle, ask = results
    assert statuses(results) in ([200, 409], [409, 201])
    app = Application.objects.get(pk=agreement.application_id)
    gov = assert_books_balance(agreement)
    if settle.status_code == 200:  # type: ignore[union-attr]
        assert ask.json()["code"] == "tranche_not_due"  # type: ignore[union-attr]
        assert (app.status, gov.outstanding_krw) == (ApplicationStatus.SETTLED, 0)
        assert Call.objects.get(pk=call.pk).committed_krw == call.committed_krw - 100 * M
    else:
        assert settle.json()["code"] == "open_disbursements"  # type: ignore[union-attr]
        assert (app.status, gov.outstanding_krw) == (ApplicationStatus.COMPLETED, 10 * M)
        assert Call.objects.get(pk=call.pk).committed_krw == call.committed_krw
