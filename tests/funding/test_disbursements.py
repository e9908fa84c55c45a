"""Each money service: its happy path and one test per refusal (STYLE.md §22).

SME A's agreement holds 32 million won of government support and 48 million won of its own money.
Every refusal leaves every money table as it was.
"""

from __future__ import annotations

import pytest

from applications.agreements import application_settle, application_terminate
from applications.models import (
    AGREEMENT_STATES,
    Application,
    ApplicationStatus,
    FundingSource,
    ProjectAgreement,
)
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.money import MAX_KRW
from funding import services as fs
from funding.models import DisbursementStatus, LedgerEntry, LedgerKind, Tranche
from funding.reconciliation import reconcile
from funding.services import TRANCHE_STATES
from programs.models import Call
from tests.applications.support import assert_error_body
from tests.funding.conftest import (
    SME,
    G,
    M,
    approved,
    funding,
    money_state,
    new_key,
    paid,
    requested,
    totals,
)

S = ApplicationStatus


def set_status(agreement, status: str) -> None:
    """Put the project in a status directly (the workflow itself is tested in tests/applications)."""
    Application.objects.filter(pk=agreement.application_id).update(status=status)
    agreement.application.status = status


# --- request -------------------------------------------------------------------------------------------


def test_request_holds_the_amount_against_its_source(agreement, sme_owner):
    made = fs.disbursement_request(
        agreement=agreement,
        actor=sme_owner.user,
        source=G,
        tranche="advance",
        amount_krw=10 * M,
        note="  선급금 신청  ",
    )
    assert (made.status, made.amount_krw, made.source, made.tranche) == ("requested", 10 * M, G, "advance")
    assert (made.requested_by, made.note, made.approved_by) == (sme_owner.user, "선급금 신청", None)
    assert totals(agreement) == (32 * M, 10 * M, 0, 0)
    assert totals(agreement, SME) == (48 * M, 0, 0, 0)
    assert funding(agreement).remaining_krw == 22 * M


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "official", "finance_officer"])
def test_who_may_request(agreement, persona, request_persona):
    made = requested(agreement, request_persona(persona).user, 1 * M)
    assert made.requested_by == request_persona(persona).user


@pytest.fixture
def request_persona(request):
    return lambda name: request.getfixturevalue(name)


@pytest.mark.parametrize("persona", ["other_sme", "auditor", "partner", "evaluator", "supplier_user"])
def test_others_may_not_request(agreement, persona, request_persona):
    before = money_state()
    with pytest.raises(PermissionDenied):
        requested(agreement, request_persona(persona).user, 1 * M)
    assert money_state() == before


@pytest.mark.parametrize(
    ("tranche", "status"),
    [(tranche, status) for tranche in Tranche.values for status in sorted(AGREEMENT_STATES)],
)
def test_each_tranche_is_due_only_in_its_statuses(agreement, sme_owner, tranche, status):
    set_status(agreement, status)
    before = money_state()
    if status in TRANCHE_STATES[Tranche(tranche)]:
        requested(agreement, sme_owner.user, 1 * M, tranche=tranche)
        assert funding(agreement).outstanding_krw == 1 * M
    else:
        with pytest.raises(Conflict) as exc:
            requested(agreement, sme_owner.user, 1 * M, tranche=tranche)
        assert exc.value.code == "tranche_not_due"
        assert money_state() == before


def test_the_status_is_read_from_the_database_not_from_a_stale_object(agreement, sme_owner, official):
    """A request prepared while the project was completed, arriving after it was settled, is refused:
    nothing may be requested on a settled project (its unpaid support has gone back to the budget)."""
    set_status(agreement, S.COMPLETED)
    stale = ProjectAgreement.objects.select_related("application").get(pk=agreement.pk)
    application_settle(application=Application.objects.get(pk=agreement.application_id), actor=official.user)
    assert stale.application.status == S.COMPLETED
    before = money_state()
    with pytest.raises(Conflict) as exc:
        requested(stale, sme_owner.user, 1 * M, tranche="final")
    assert exc.value.code == "tranche_not_due"
    assert money_state() == before


@pytest.mark.parametrize("amount", [0, -1, -10 * M, 1.5, 1e3, "1000", None, True, MAX_KRW + 1])
def test_amount_must_be_whole_positive_won(agreement, sme_owner, amount):
    before = money_state()
    with pytest.raises(ValidationFailed) as exc:
        requested(agreement, sme_owner.user, amount)
    assert "amount_krw" in exc.value.fields
    assert money_state() == before


def test_the_largest_amount_passes_parsing_but_not_the_agreement(agreement, sme_owner):
    with pytest.raises(Conflict) as exc:
        requested(agreement, sme_owner.user, MAX_KRW)
    assert exc.value.code == "exceeds_agreed"


@pytest.mark.parametrize(("field", "values"), [("source", {"source": "bank"}), ("tranche", {"tranche": "x"})])
def test_unknown_source_or_tranche(agreement, sme_owner, field, values):
    before = money_state()
    args = {"source": G, "tranche": "advance"} | values
    with pytest.raises(ValidationFailed) as exc:
        fs.disbursement_request(agreement=agreement, actor=sme_owner.user, amount_krw=M, **args)
    assert field in exc.value.fields
    assert money_state() == before


def test_request_up_to_exactly_what_was_agreed(agreement, sme_owner):
    requested(agreement, sme_owner.user, 20 * M)
    requested(agreement, sme_owner.user, 12 * M)
    before = money_state()
    with pytest.raises(Conflict) as exc:
        requested(agreement, sme_owner.user, 1)
    assert exc.value.code == "exceeds_agreed"
    assert money_state() == before
    assert totals(agreement) == (32 * M, 32 * M, 0, 0)


def test_a_source_that_agreed_nothing_refuses_every_request(agreement, sme_owner):
    assert totals(agreement, FundingSource.PARTNER) == (0, 0, 0, 0)
    with pytest.raises(Conflict) as exc:
        requested(agreement, sme_owner.user, 1, source=FundingSource.PARTNER)
    assert exc.value.code == "exceeds_agreed"


def test_what_is_requested_approved_paid_and_recovered_all_count(
    agreement, sme_owner, finance_officer, other_finance
):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 10 * M)  # paid 10
    fs.recovery_record(agreement=agreement, actor=other_finance, source=G, amount_krw=2 * M, reason="환수")
    approved(agreement, sme_owner.user, finance_officer.user, 5 * M)  # approved 5
    requested(agreement, sme_owner.user, 7 * M)  # requested 7
    assert totals(agreement) == (32 * M, 12 * M, 8 * M, 2 * M)
    assert entry.amount_krw == 10 * M
    with pytest.raises(Conflict):
        requested(agreement, sme_owner.user, 10 * M + 1)
    requested(agreement, sme_owner.user, 10 * M)
    assert funding(agreement).remaining_krw == 0


def test_other_sources_do_not_share_the_limit(agreement, sme_owner):
    requested(agreement, sme_owner.user, 32 * M)
    requested(agreement, sme_owner.user, 48 * M, source=SME)
    assert totals(agreement, SME) == (48 * M, 48 * M, 0, 0)


# --- approve -------------------------------------------------------------------------------------------


def test_approve(agreement, sme_owner, finance_officer):
    made = requested(agreement, sme_owner.user, 4 * M)
    result = fs.disbursement_approve(request=made, actor=finance_officer.user)
    assert (result.status, result.approved_by) == ("approved", finance_officer.user)
    assert result.approved_at is not None
    assert totals(agreement) == (32 * M, 4 * M, 0, 0)  # still held, not yet paid


@pytest.mark.parametrize("persona", ["official", "sme_owner", "auditor", "regional_officer"])
def test_only_finance_approves(agreement, other_finance, persona, request_persona):
    made = requested(agreement, other_finance, 4 * M)
    before = money_state()
    with pytest.raises(PermissionDenied) as exc:
        fs.disbursement_approve(request=made, actor=request_persona(persona).user)
    assert exc.value.code == "permission_denied"
    assert money_state() == before


def test_nobody_approves_their_own_request(agreement, finance_officer):
    made = requested(agreement, finance_officer.user, 4 * M)
    before = money_state()
    with pytest.raises(PermissionDenied) as exc:
        fs.disbursement_approve(request=made, actor=finance_officer.user)
    assert exc.value.code == "self_approval"
    assert money_state() == before


def test_another_finance_officer_approves_a_finance_officers_request(
    agreement, finance_officer, other_finance
):
    made = requested(agreement, finance_officer.user, 4 * M)
    assert fs.disbursement_approve(request=made, actor=other_finance).approved_by == other_finance


def test_approve_twice_is_refused(agreement, sme_owner, finance_officer, other_finance):
    made = approved(agreement, sme_owner.user, finance_officer.user, 4 * M)
    before = money_state()
    with pytest.raises(IllegalTransition):
        fs.disbursement_approve(request=made, actor=other_finance)
    assert money_state() == before


def test_approve_a_rejected_or_paid_request_is_refused(agreement, sme_owner, finance_officer):
    rejected = requested(agreement, sme_owner.user, 1 * M)
    fs.disbursement_reject(request=rejected, actor=finance_officer.user, reason="서류 미비")
    entry = paid(agreement, sme_owner.user, finance_officer.user, 1 * M)
    for made in (rejected, entry.disbursement):
        with pytest.raises(IllegalTransition):
            fs.disbursement_approve(request=made, actor=finance_officer.user)


# --- reject --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("approve_first", [False, True])
def test_reject_releases_the_amount(agreement, sme_owner, finance_officer, approve_first):
    made = requested(agreement, sme_owner.user, 4 * M)
    if approve_first:
        made = fs.disbursement_approve(request=made, actor=finance_officer.user)
    result = fs.disbursement_reject(request=made, actor=finance_officer.user, reason="  증빙 부족  ")
    assert (result.status, result.rejected_by, result.rejection_reason) == (
        "rejected",
        finance_officer.user,
        "증빙 부족",
    )
    assert totals(agreement) == (32 * M, 0, 0, 0)
    requested(agreement, sme_owner.user, 32 * M)  # the whole amount is available again


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(agreement, sme_owner, finance_officer, reason):
    made = requested(agreement, sme_owner.user, 4 * M)
    before = money_state()
    with pytest.raises(ValidationFailed) as exc:
        fs.disbursement_reject(request=made, actor=finance_officer.user, reason=reason)
    assert "reason" in exc.value.fields
    assert money_state() == before


@pytest.mark.parametrize("persona", ["official", "sme_owner", "auditor"])
def test_only_finance_rejects(agreement, sme_owner, persona, request_persona):
    made = requested(agreement, sme_owner.user, 4 * M)
    before = money_state()
    with pytest.raises(PermissionDenied):
        fs.disbursement_reject(request=made, actor=request_persona(persona).user, reason="x")
    assert money_state() == before


def test_reject_a_paid_or_rejected_request_is_refused(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 4 * M)
    rejected = requested(agreement, sme_owner.user, 1 * M)
    fs.disbursement_reject(request=rejected, actor=finance_officer.user, reason="중복")
    before = money_state()
    for made in (entry.disbursement, rejected):
        with pytest.raises(IllegalTransition):
            fs.disbursement_reject(request=made, actor=finance_officer.user, reason="again")
    assert money_state() == before
    assert totals(agreement) == (32 * M, 0, 4 * M, 0)


# --- pay -----------------------------------------------------------------------------------------------


def test_pay_writes_a_ledger_entry_that_moves_the_paid_total(agreement, sme_owner, finance_officer):
    made = approved(agreement, sme_owner.user, finance_officer.user, 6 * M)
    entry = fs.disbursement_pay(request=made, actor=finance_officer.user, note=" 1차 지급 ")
    assert (entry.kind, entry.amount_krw, entry.source, entry.disbursement_id, entry.reverses_id) == (
        LedgerKind.PAYMENT,
        6 * M,
        G,
        made.pk,
        None,
    )
    assert (entry.note, entry.created_by) == ("1차 지급", finance_officer.user)
    made.refresh_from_db()
    assert (made.status, made.paid_by) == (DisbursementStatus.PAID, finance_officer.user)
    assert made.paid_at == entry.created_at
    assert totals(agreement) == (32 * M, 0, 6 * M, 0)


def test_pay_only_approved_requests(agreement, sme_owner, finance_officer):
    waiting = requested(agreement, sme_owner.user, 1 * M)
    rejected = requested(agreement, sme_owner.user, 1 * M)
    fs.disbursement_reject(request=rejected, actor=finance_officer.user, reason="반려")
    before = money_state()
    for made in (waiting, rejected):
        with pytest.raises(IllegalTransition) as exc:
            fs.disbursement_pay(request=made, actor=finance_officer.user)
        assert exc.value.code == "not_approved"
    assert money_state() == before


def test_pay_twice_is_refused(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 3 * M)
    before = money_state()
    with pytest.raises(IllegalTransition):
        fs.disbursement_pay(request=entry.disbursement, actor=finance_officer.user)
    assert money_state() == before
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("persona", ["official", "sme_owner", "auditor"])
def test_only_finance_pays(agreement, sme_owner, finance_officer, persona, request_persona):
    made = approved(agreement, sme_owner.user, finance_officer.user, 3 * M)
    before = money_state()
    with pytest.raises(PermissionDenied):
        fs.disbursement_pay(request=made, actor=request_persona(persona).user)
    assert money_state() == before


# --- reverse -------------------------------------------------------------------------------------------


def test_reverse_a_payment(agreement, sme_owner, finance_officer, other_finance):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    reversal = fs.payment_reverse(entry=entry, actor=other_finance, reason=" 계좌 오류 ")
    assert (reversal.kind, reversal.amount_krw, reversal.reverses_id, reversal.disbursement_id) == (
        LedgerKind.REVERSAL,
        -5 * M,
        entry.pk,
        None,
    )
    assert (reversal.note, reversal.created_by) == ("계좌 오류", other_finance)
    assert totals(agreement) == (32 * M, 0, 0, 0)
    # The payment itself is untouched: a correction is a new entry, never an edit.
    assert LedgerEntry.objects.get(pk=entry.pk).amount_krw == 5 * M
    requested(agreement, sme_owner.user, 32 * M)


def test_reverse_twice_is_refused(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    fs.payment_reverse(entry=entry, actor=finance_officer.user, reason="오류")
    before = money_state()
    with pytest.raises(Conflict) as exc:
        fs.payment_reverse(entry=entry, actor=finance_officer.user, reason="오류")
    assert exc.value.code == "already_reversed"
    assert money_state() == before


def test_only_payments_are_reversed(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    reversal = fs.payment_reverse(entry=entry, actor=finance_officer.user, reason="오류")
    paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    recovery = fs.recovery_record(
        agreement=agreement, actor=finance_officer.user, source=G, amount_krw=1 * M, reason="환수"
    )
    before = money_state()
    for other in (reversal, recovery):
        with pytest.raises(ValidationFailed) as exc:
            fs.payment_reverse(entry=other, actor=finance_officer.user, reason="오류")
        assert exc.value.code == "not_a_payment"
    assert money_state() == before


def test_reverse_needs_a_reason(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    before = money_state()
    with pytest.raises(ValidationFailed) as exc:
        fs.payment_reverse(entry=entry, actor=finance_officer.user, reason=" ")
    assert "reason" in exc.value.fields
    assert money_state() == before


def test_reverse_after_a_recovery_that_leaves_less_paid(agreement, sme_owner, finance_officer):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    fs.recovery_record(agreement=agreement, actor=finance_officer.user, source=G, amount_krw=1, reason="환수")
    before = money_state()
    with pytest.raises(Conflict) as exc:
        fs.payment_reverse(entry=entry, actor=finance_officer.user, reason="오류")
    assert exc.value.code == "reversal_exceeds_paid"
    assert money_state() == before
    assert totals(agreement) == (32 * M, 0, 5 * M - 1, 1)


def test_reverse_after_a_recovery_of_other_money_still_fits(agreement, sme_owner, finance_officer):
    first = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    fs.recovery_record(
        agreement=agreement, actor=finance_officer.user, source=G, amount_krw=5 * M, reason="환수"
    )
    fs.payment_reverse(entry=first, actor=finance_officer.user, reason="오류")
    assert totals(agreement) == (32 * M, 0, 0, 5 * M)


@pytest.mark.parametrize("persona", ["official", "sme_owner", "auditor"])
def test_only_finance_reverses(agreement, sme_owner, finance_officer, persona, request_persona):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 5 * M)
    before = money_state()
    with pytest.raises(PermissionDenied):
        fs.payment_reverse(entry=entry, actor=request_persona(persona).user, reason="오류")
    assert money_state() == before


# --- recovery (환수) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["finance_officer", "official"])
def test_record_a_recovery(agreement, sme_owner, finance_officer, persona, request_persona):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M)
    actor = request_persona(persona).user
    entry = fs.recovery_record(
        agreement=agreement, actor=actor, source=G, amount_krw=3 * M, reason=" 목적 외 사용 "
    )
    assert (entry.kind, entry.amount_krw, entry.disbursement_id, entry.reverses_id) == (
        LedgerKind.RECOVERY,
        -3 * M,
        None,
        None,
    )
    assert (entry.note, entry.created_by) == ("목적 외 사용", actor)
    assert totals(agreement) == (32 * M, 0, 7 * M, 3 * M)


def test_recover_everything_paid_but_not_more(agreement, sme_owner, finance_officer):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M)
    before = money_state()
    with pytest.raises(Conflict) as exc:
        fs.recovery_record(
            agreement=agreement, actor=finance_officer.user, source=G, amount_krw=10 * M + 1, reason="x"
        )
    assert exc.value.code == "recovery_exceeds_paid"
    assert money_state() == before
    fs.recovery_record(
        agreement=agreement, actor=finance_officer.user, source=G, amount_krw=10 * M, reason="전액 환수"
    )
    assert totals(agreement) == (32 * M, 0, 0, 10 * M)


def test_nothing_paid_nothing_to_recover(agreement, finance_officer):
    with pytest.raises(Conflict) as exc:
        fs.recovery_record(
            agreement=agreement, actor=finance_officer.user, source=SME, amount_krw=1, reason="x"
        )
    assert exc.value.code == "recovery_exceeds_paid"


def test_recovered_money_cannot_be_requested_again(agreement, sme_owner, finance_officer):
    paid(agreement, sme_owner.user, finance_officer.user, 32 * M)
    fs.recovery_record(
        agreement=agreement, actor=finance_officer.user, source=G, amount_krw=12 * M, reason="환수"
    )
    assert funding(agreement).remaining_krw == 0
    before = money_state()
    with pytest.raises(Conflict) as exc:
        requested(agreement, sme_owner.user, 1, tranche="advance")
    assert exc.value.code == "exceeds_agreed"
    assert money_state() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount_krw": 0}, "amount_krw"),
        ({"amount_krw": -1}, "amount_krw"),
        ({"amount_krw": 1.0}, "amount_krw"),
        ({"source": "bank"}, "source"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_recovery_input_is_checked(agreement, sme_owner, finance_officer, values, field):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M)
    before = money_state()
    args = {"source": G, "amount_krw": 1 * M, "reason": "환수"} | values
    with pytest.raises(ValidationFailed) as exc:
        fs.recovery_record(agreement=agreement, actor=finance_officer.user, **args)
    assert field in exc.value.fields
    assert money_state() == before


def _settled_with_paid(agreement, sme_owner, finance_officer, official, amount):
    """Pay `amount` of government support, then complete and settle the project."""
    entry = paid(agreement, sme_owner.user, finance_officer.user, amount)
    set_status(agreement, S.COMPLETED)
    application_settle(application=Application.objects.get(pk=agreement.application_id), actor=official.user)
    return entry


def call_committed(agreement) -> int:
    return Call.objects.get(pk=agreement.application.call_id).committed_krw


def test_a_recovery_after_settlement_goes_back_to_the_calls_budget(
    agreement, sme_owner, finance_officer, official
):
    _settled_with_paid(agreement, sme_owner, finance_officer, official, 20 * M)
    committed = call_committed(agreement)
    fs.recovery_record(
        agreement=agreement, actor=official.user, source=G, amount_krw=3 * M, reason="부정수급 환수"
    )
    assert call_committed(agreement) == committed - 3 * M
    assert totals(agreement) == (32 * M, 0, 17 * M, 3 * M)
    assert reconcile(agreement_id=agreement.pk).mismatches == []


def test_a_reversal_after_termination_goes_back_to_the_calls_budget(
    agreement, sme_owner, finance_officer, other_finance, official
):
    entry = paid(agreement, sme_owner.user, finance_officer.user, 8 * M)
    set_status(agreement, S.BUILDING)
    application_terminate(
        application=Application.objects.get(pk=agreement.application_id), actor=official.user, note="폐업"
    )
    committed = call_committed(agreement)
    fs.payment_reverse(entry=entry, actor=other_finance, reason="이중 지급 정정")
    assert call_committed(agreement) == committed - 8 * M
    assert reconcile(agreement_id=agreement.pk).mismatches == []


def test_money_of_other_sources_coming_back_leaves_the_calls_budget_alone(
    agreement, sme_owner, finance_officer, official
):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M, source=SME)
    _settled_with_paid(agreement, sme_owner, finance_officer, official, 1 * M)
    committed = call_committed(agreement)
    fs.recovery_record(agreement=agreement, actor=official.user, source=SME, amount_krw=4 * M, reason="환수")
    assert call_committed(agreement) == committed
    assert reconcile(agreement_id=agreement.pk).mismatches == []


def test_a_recovery_before_closing_keeps_the_commitment_until_settlement(
    agreement, sme_owner, finance_officer, official
):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M)
    committed = call_committed(agreement)
    fs.recovery_record(agreement=agreement, actor=official.user, source=G, amount_krw=2 * M, reason="환수")
    assert call_committed(agreement) == committed
    set_status(agreement, S.COMPLETED)
    application_settle(application=Application.objects.get(pk=agreement.application_id), actor=official.user)
    # Only the 8 million won still paid stays committed.
    assert call_committed(agreement) == committed - 32 * M + 8 * M
    assert reconcile(agreement_id=agreement.pk).mismatches == []


@pytest.mark.parametrize("persona", ["sme_owner", "auditor", "regional_officer"])
def test_only_finance_or_officials_record_recoveries(
    agreement, sme_owner, finance_officer, persona, request_persona
):
    paid(agreement, sme_owner.user, finance_officer.user, 10 * M)
    before = money_state()
    with pytest.raises(PermissionDenied):
        fs.recovery_record(
            agreement=agreement, actor=request_persona(persona).user, source=G, amount_krw=1, reason="x"
        )
    assert money_state() == before


# --- the same through the API: amounts as JSON and the error bodies -------------------------------------


def create_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/disbursements/create/"


@pytest.mark.parametrize(
    "amount",
    [
        1.5,
        1000.0,
        "1e3",
        "1E6",
        1e6,
        0,
        "0",
        -1,
        "-1",
        "1.000",
        "１０００",
        "",
        None,
        True,
        10**13 + 1,
        "1" * 40,
    ],
)
def test_api_refuses_amounts_that_are_not_whole_positive_won(agreement, sme_owner, amount):
    before = money_state()
    response = sme_owner.api().post(
        create_url(agreement),
        {"source": G, "tranche": "advance", "amount_krw": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    body = assert_error_body(response, 400, "invalid")
    assert "amount_krw" in body["fields"]
    assert money_state() == before


@pytest.mark.parametrize(
    ("amount", "won"), [(1_500_000, 1_500_000), ("1500000", 1_500_000), ("1,500,000", 1_500_000)]
)
def test_api_accepts_whole_won(agreement, sme_owner, amount, won):
    response = sme_owner.api().post(
        create_url(agreement),
        {"source": G, "tranche": "advance", "amount_krw": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount_krw"] == won
    assert totals(agreement) == (32 * M, won, 0, 0)


def test_api_exceeds_agreed_is_a_409(agreement, sme_owner):
    response = sme_owner.api().post(
        create_url(agreement),
        {"source": G, "tranche": "advance", "amount_krw": 32 * M + 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert_error_body(response, 409, "exceeds_agreed")


def test_api_self_approval_is_a_403(agreement, finance_officer):
    made = requested(agreement, finance_officer.user, 1 * M)
    before = money_state()
    response = finance_officer.api().post(
        f"/api/v1/disbursements/{made.pk}/approve/", HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert_error_body(response, 403, "self_approval")
    assert money_state() == before


def test_api_full_path(agreement, sme_owner, finance_officer, other_finance):
    sme, fin, fin2 = sme_owner.api(), finance_officer.api(), other_finance
    made = sme.post(
        create_url(agreement),
        {"source": G, "tranche": "advance", "amount_krw": 8 * M},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert made.status_code == 201
    request_id = made.json()["id"]
    approved_ = fin.post(f"/api/v1/disbursements/{request_id}/approve/", HTTP_IDEMPOTENCY_KEY=new_key())
    assert approved_.status_code == 200
    assert approved_.json()["status"] == "approved"
    payment = fin.post(
        f"/api/v1/disbursements/{request_id}/pay/", {}, format="json", HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert payment.status_code == 201
    assert payment.json()["amount_krw"] == 8 * M
    client2 = finance_officer.api()
    client2.force_authenticate(fin2)
    reversal = client2.post(
        f"/api/v1/ledger/{payment.json()['id']}/reverse/",
        {"reason": "오지급"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert reversal.status_code == 201
    assert (reversal.json()["kind"], reversal.json()["amount_krw"]) == ("reversal", -8 * M)
    assert totals(agreement) == (32 * M, 0, 0, 0)
    detail = sme.get(f"/api/v1/agreements/{agreement.pk}/").json()
    gov = next(row for row in detail["funding"] if row["source"] == G)
    assert gov == {
        "source": G,
        "agreed_krw": 32 * M,
        "outstanding_krw": 0,
        "paid_krw": 0,
        "recovered_krw": 0,
        "remaining_krw": 32 * M,
    }
