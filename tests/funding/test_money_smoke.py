"""The money path end to end, and the database refusing what no service may do."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from applications.models import AgreementFunding, ApplicationStatus, FundingSource
from core.errors import Conflict, PermissionDenied
from funding import services as fs
from funding.models import DisbursementRequest, LedgerEntry
from tests import factories as f
from tests import flow

G = FundingSource.GOVERNMENT


@pytest.fixture
def agreement(draft, sme_owner, official, evaluator):
    return flow.to_agreed(draft, sme_owner.user, official.user, evaluator.user)


@pytest.fixture
def other_finance(kosmo):
    user = f.UserFactory(username="finance2")
    f.member(user, kosmo, "finance")
    return user


def gov(agreement) -> AgreementFunding:
    return AgreementFunding.objects.get(agreement=agreement, source=G)


def test_request_approve_pay(agreement, sme_owner, finance_officer):
    assert agreement.application.status == ApplicationStatus.AGREED
    assert gov(agreement).agreed_krw == 32_000_000
    request = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=10_000_000
    )
    assert gov(agreement).outstanding_krw == 10_000_000
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    entry = fs.disbursement_pay(request=request, actor=finance_officer.user)
    row = gov(agreement)
    assert (row.outstanding_krw, row.paid_krw, entry.amount_krw) == (0, 10_000_000, 10_000_000)
    with pytest.raises(Conflict) as exc:
        fs.disbursement_request(
            agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=22_000_001
        )
    assert exc.value.code == "exceeds_agreed"


def test_self_approval_refused_by_service_and_database(agreement, finance_officer):
    request = fs.disbursement_request(
        agreement=agreement, actor=finance_officer.user, source=G, tranche="advance", amount_krw=1_000_000
    )
    with pytest.raises(PermissionDenied):
        fs.disbursement_approve(request=request, actor=finance_officer.user)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE funding_disbursementrequest SET status='approved', approved_by_id=requested_by_id, "
            "approved_at=now() WHERE id=%s",
            [request.pk],
        )
    assert DisbursementRequest.objects.get(pk=request.pk).status == "requested"


def test_ledger_is_append_only_and_cannot_overpay_even_with_raw_sql(
    agreement, sme_owner, finance_officer, other_finance
):
    request = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=5_000_000
    )
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    entry = fs.disbursement_pay(request=request, actor=other_finance)
    for sql in (
        "UPDATE funding_ledgerentry SET amount_krw = 1 WHERE id = %s",
        "DELETE FROM funding_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
        assert "ledger_append_only" in str(exc.value) or "Cannot" in str(exc.value)
    # A payment row written by hand beyond the agreed amount fails the balance's CHECK.
    other = f.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO funding_ledgerentry (agreement_id, source, kind, amount_krw, disbursement_id, note, "
            "created_by_id, created_at) SELECT %s, 'government', 'payment', 999999999, id, '', %s, now() "
            "FROM funding_disbursementrequest WHERE id = %s",
            [agreement.pk, other.pk, request.pk],
        )
    assert LedgerEntry.objects.count() == 1
    assert gov(agreement).paid_krw == 5_000_000


def test_audit_events_carry_the_acting_user(agreement, sme_owner, finance_officer):
    request = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=2_000_000
    )
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    events = list(request.events.order_by("pgh_id").values_list("status", "pgh_context__metadata"))
    assert [status for status, _meta in events] == ["requested", "approved"]
    assert events[0][1]["user"] == sme_owner.user.pk
    assert events[1][1]["user"] == finance_officer.user.pk
    assert events[1][1]["service"] == "disbursement_approve"
