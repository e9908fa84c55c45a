"""Reconciliation (정산 대사) and execution (집행 현황): a clean state reconciles; every kind of mismatch,
written directly where no service would write it, is reported and makes the command exit 1; the execution
figures equal a direct recomputation; neither grows its query count with the number of agreements."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services as s
from applications.agreements import application_complete, application_settle
from applications.models import AgreementFunding, ApplicationStatus, FundingSource, ProjectAgreement
from funding import services as fs
from funding.models import DisbursementRequest
from funding.reconciliation import Check, execution_for, reconcile
from partners.models import WinWinAgreement
from programs.models import Call, ProgramType
from tests import factories as f
from tests import flow

G = FundingSource.GOVERNMENT
P = FundingSource.PARTNER
S = ApplicationStatus
M = 1_000_000


@pytest.fixture
def other_finance(kosmo):
    user = f.UserFactory(username="finance2")
    f.member(user, kosmo, "finance")
    return user


@pytest.fixture
def agreement(draft, sme_owner, official, evaluator) -> ProjectAgreement:
    return flow.to_agreed(draft, sme_owner.user, official.user, evaluator.user)


def pay(agreement, sme, approver, payer, amount, source=G):
    request = fs.disbursement_request(
        agreement=agreement, actor=sme, source=source, tranche="advance", amount_krw=amount
    )
    fs.disbursement_approve(request=request, actor=approver)
    return fs.disbursement_pay(request=request, actor=payer)


def run_command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("reconcile", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def checks(result) -> set[tuple[str, int, str | None]]:
    return {(m.check, m.object_id, m.source) for m in result.mismatches}


@pytest.fixture
def busy(agreement, sme_owner, finance_officer, other_finance):
    """Every movement the services make: a payment, a reversed payment, a recovery, a rejected request,
    an approved and a requested one."""
    fin, fin2 = finance_officer.user, other_finance
    pay(agreement, sme_owner.user, fin, fin2, 10 * M)
    wrong = pay(agreement, sme_owner.user, fin, fin2, 3 * M)
    fs.payment_reverse(entry=wrong, actor=fin, reason="이중 지급")
    fs.recovery_record(agreement=agreement, actor=fin, source=G, amount_krw=1 * M, reason="환수 결정")
    rejected = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=2 * M
    )
    fs.disbursement_reject(request=rejected, actor=fin, reason="증빙 미비")
    approved = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=4 * M
    )
    fs.disbursement_approve(request=approved, actor=fin)
    fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=5 * M
    )
    return agreement


# --- clean states ----------------------------------------------------------------------------------


def test_a_clean_state_has_no_mismatch(busy):
    result = reconcile()
    assert result.clean, result.mismatches
    gov = next(t for t in result.by_source if t.source == G)
    assert (gov.agreed_krw, gov.requested_krw, gov.approved_krw) == (32 * M, 5 * M, 4 * M)
    assert (gov.payments_krw, gov.reversed_krw, gov.recovered_krw) == (13 * M, 3 * M, 1 * M)
    assert gov.net_paid_krw == 9 * M == AgreementFunding.objects.get(agreement=busy, source=G).paid_krw
    assert gov.remaining_krw == 32 * M - 5 * M - 4 * M - 9 * M - 1 * M
    assert (result.agreements_checked, result.calls_checked) == (1, 1)
    code, out = run_command()
    assert code == 0
    assert "불일치 없음 / no mismatch" in out
    assert "정부지원금 Government" in out
    assert "13,000,000" in out


def test_selected_settled_and_cofunded_projects_reconcile(
    agreement, sme_owner, official, evaluator, finance_officer, other_finance
):
    # A settled project keeps only what was paid committed.
    pay(agreement, sme_owner.user, finance_officer.user, other_finance, 12 * M)
    app = agreement.application
    for action in ("start_build", "start_final_inspection"):
        s.application_transition(application=app, actor=official.user, action=action)
    application_complete(application=app, actor=official.user)
    application_settle(application=app, actor=official.user)
    # A selected application not yet agreed holds its government support.
    selected = f.ApplicationFactory(call=app.call)
    flow.to_selected(selected, sme_of(selected), official.user, evaluator.user)
    # A win-win project: a confirmed draft, and an agreed one with a partner payment.
    winwin = winwin_agreed(official.user, evaluator.user)
    pay(winwin, sme_of(winwin.application), finance_officer.user, other_finance, 5 * M, source=P)
    pending = winwin_app(winwin.application.call)
    flow.cofund(pending, winwin.application.partner_agreement)
    call = Call.objects.get(pk=app.call_id)
    assert call.committed_krw == 12 * M + 32 * M
    result = reconcile()
    assert result.clean, result.mismatches
    assert result.winwin_checked == 1


def winwin_app(call=None):
    call = call or f.CallFactory(fiscal_year=2026, program_type=ProgramType.WINWIN_TYPE1)
    return f.ApplicationFactory(
        call=call,
        total_cost_krw=100 * M,
        gov_amount_krw=30 * M,
        partner_amount_krw=30 * M,
        sme_amount_krw=40 * M,
    )


def sme_of(app):
    """A user acting for the application's company."""
    sme = f.UserFactory()
    f.member(sme, app.company.organisation, "sme")
    return sme


def winwin_agreed(official, evaluator) -> ProjectAgreement:
    app = winwin_app()
    flow.cofund(app)
    return flow.to_agreed(app, sme_of(app), official, evaluator)


# --- each kind of mismatch -------------------------------------------------------------------------


def test_paid_that_differs_from_the_ledger_is_reported(busy):
    AgreementFunding.objects.filter(agreement=busy, source=G).update(paid_krw=F("paid_krw") + 1)
    result = reconcile()
    assert checks(result) == {(Check.PAID, busy.pk, G)}
    mismatch = result.mismatches[0]
    assert (mismatch.expected_krw, mismatch.actual_krw, mismatch.difference_krw) == (9 * M, 9 * M + 1, 1)
    assert mismatch.reference == busy.application.number
    code, out = run_command()
    assert code == 1
    assert busy.application.number in out
    assert "paid ≠ ledger" in out


def test_recovered_that_differs_from_the_ledger_is_reported(busy):
    AgreementFunding.objects.filter(agreement=busy, source=G).update(recovered_krw=0)
    assert checks(reconcile()) == {(Check.RECOVERED, busy.pk, G)}
    assert run_command()[0] == 1


def test_outstanding_that_differs_from_the_open_requests_is_reported(busy):
    DisbursementRequest.objects.filter(status="requested").update(amount_krw=F("amount_krw") - 1)
    assert checks(reconcile()) == {(Check.OUTSTANDING, busy.pk, G)}
    AgreementFunding.objects.filter(agreement=busy, source=FundingSource.SME).update(outstanding_krw=7)
    assert checks(reconcile()) == {(Check.OUTSTANDING, busy.pk, G), (Check.OUTSTANDING, busy.pk, "sme")}
    assert run_command()[0] == 1


def test_a_calls_commitment_that_differs_is_reported(busy):
    call = busy.application.call
    Call.objects.filter(pk=call.pk).update(committed_krw=F("committed_krw") + 5)
    result = reconcile()
    assert checks(result) == {(Check.CALL_COMMITTED, call.pk, G)}
    assert (result.mismatches[0].expected_krw, result.mismatches[0].actual_krw) == (32 * M, 32 * M + 5)
    # The agreed amount moved without the call's budget following (what a bad change approval would do).
    Call.objects.filter(pk=call.pk).update(committed_krw=32 * M)
    AgreementFunding.objects.filter(agreement=busy, source=G).update(agreed_krw=40 * M)
    assert checks(reconcile()) == {(Check.CALL_COMMITTED, call.pk, G)}
    assert run_command("--call", str(call.pk))[0] == 1


def test_a_partner_commitment_that_differs_is_reported(official, evaluator):
    agreement = winwin_agreed(official.user, evaluator.user)
    winwin = agreement.application.partner_agreement
    assert reconcile().clean
    WinWinAgreement.objects.filter(pk=winwin.pk).update(committed_krw=F("committed_krw") - 1)
    result = reconcile()
    assert checks(result) == {(Check.WINWIN_COMMITTED, winwin.pk, P)}
    assert (result.mismatches[0].expected_krw, result.mismatches[0].actual_krw) == (30 * M, 30 * M - 1)
    code, out = run_command("--agreement", str(agreement.pk))
    assert code == 1
    assert "win-win committed" in out


def test_scope_narrows_to_a_call_or_an_agreement(busy, official, evaluator):
    other = winwin_agreed(official.user, evaluator.user)
    AgreementFunding.objects.filter(agreement=other, source=G).update(outstanding_krw=1)
    assert checks(reconcile()) == {(Check.OUTSTANDING, other.pk, G)}
    assert reconcile(agreement_id=busy.pk).clean
    assert reconcile(call_id=busy.application.call_id).clean
    assert not reconcile(call_id=other.application.call_id).clean
    assert run_command("--agreement", str(busy.pk))[0] == 0
    assert run_command("--agreement", "999999")[0] == 2


# --- the page and the API --------------------------------------------------------------------------


def test_reconciliation_page_shows_totals_and_mismatches(busy, finance_officer, auditor, sme_owner):
    client = finance_officer.browser()
    html = client.get(reverse("funding:reconciliation")).content.decode()
    assert 'id="no-mismatch"' in html
    assert "13,000,000" in html  # payments of the government source
    Call.objects.filter(pk=busy.application.call_id).update(committed_krw=F("committed_krw") - 7)
    html = auditor.browser().get(reverse("funding:reconciliation")).content.decode()
    assert 'id="no-mismatch"' not in html
    assert f'data-object="call-{busy.application.call_id}"' in html
    html = client.get(reverse("funding:reconciliation") + f"?agreement={busy.pk}").content.decode()
    assert 'id="mismatch-table"' in html  # the call's commitment is part of the agreement's scope
    html = client.get(reverse("funding:reconciliation") + "?agreement=999999").content.decode()
    assert 'id="reconciliation-totals"' not in html
    assert sme_owner.browser().get(reverse("funding:reconciliation")).status_code == 403


def test_report_apis_are_scoped(busy, official, finance_officer, auditor, sme_owner, partner):
    url = reverse("api-finance-reconciliation")
    for persona in (official, finance_officer, auditor):
        body = persona.api().get(url).json()
        assert body["clean"] is True
        assert {line["source"] for line in body["by_source"]} == set(FundingSource.values)
    for persona in (sme_owner, partner):
        assert persona.api().get(url).status_code == 403
        assert persona.api().get(reverse("api-finance-execution")).status_code == 403
    assert official.api().get(url, {"agreement": 999999}).status_code == 404
    assert official.api().get(url, {"call": "x"}).status_code == 400
    AgreementFunding.objects.filter(agreement=busy, source=G).update(paid_krw=F("paid_krw") - 1)
    body = finance_officer.api().get(url, {"agreement": busy.pk}).json()
    assert body["clean"] is False
    assert body["mismatches"][0]["check"] == Check.PAID
    assert body["mismatches"][0]["difference_krw"] == -1
    body = auditor.api().get(reverse("api-finance-execution"), {"fiscal_year": 2026}).json()
    assert body["fiscal_year"] == 2026
    call = next(c for c in body["calls"] if c["call_id"] == busy.application.call_id)
    gov_line = next(line for line in call["lines"] if line["source"] == G)
    assert gov_line["budget_krw"] == busy.application.call.budget_krw
    assert gov_line["figures"]["agreed_krw"] == 32 * M
    assert gov_line["figures"]["paid_krw"] == 9 * M - 1


# --- execution -------------------------------------------------------------------------------------


def test_execution_equals_a_direct_recomputation(
    busy, sme_owner, other_sme, official, evaluator, finance_officer, other_finance
):
    second_call = f.CallFactory(fiscal_year=2026, round=2)
    app = f.ApplicationFactory(call=second_call, workplace=other_sme.workplace, created_by=other_sme.user)
    second = flow.to_agreed(app, other_sme.user, official.user, evaluator.user)
    pay(second, other_sme.user, finance_officer.user, other_finance, 7 * M)
    f.CallFactory(fiscal_year=2025)  # another year: not in the 2026 report
    report = execution_for(2026)
    assert report.fiscal_year == 2026
    assert {c.call.pk for c in report.calls} == set(
        Call.objects.filter(fiscal_year=2026).values_list("pk", flat=True)
    )
    for line in report.calls:
        for item in line.lines:
            rows = AgreementFunding.objects.filter(agreement__application__call=line.call, source=item.source)
            assert item.figures.agreed_krw == sum(r.agreed_krw for r in rows)
            assert item.figures.outstanding_krw == sum(r.outstanding_krw for r in rows)
            assert item.figures.paid_krw == sum(r.paid_krw for r in rows)
            assert item.figures.recovered_krw == sum(r.recovered_krw for r in rows)
            assert item.figures.remaining_krw == sum(r.remaining_krw for r in rows)
            assert item.budget_krw == (line.call.budget_krw if item.source == G else None)
    every = AgreementFunding.objects.filter(agreement__application__call__fiscal_year=2026)
    assert report.total.agreed_krw == sum(r.agreed_krw for r in every)
    assert report.total.paid_krw == sum(r.paid_krw for r in every) == 9 * M + 7 * M
    gov = next(line for line in report.by_source if line.source == G)
    assert gov.figures.execution_bp == round((9 + 7) * 10_000 / (32 + 32))  # 25 %
    assert gov.budget_krw == sum(Call.objects.filter(fiscal_year=2026).values_list("budget_krw", flat=True))
    html = official.browser().get(reverse("funding:execution") + "?fiscal_year=2026").content.decode()
    assert 'id="execution-total"' in html
    assert "(단위: 백만원)" in html or "(Unit: KRW million)" in html
    assert "16.0" in html  # 16,000,000 won paid in 백만원
    assert "25%" in html


def test_query_counts_do_not_grow_with_agreements(agreement, other_sme, official, evaluator):
    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx)

    one = (count(lambda: execution_for(2026)), count(reconcile))
    for _ in range(3):
        app = f.ApplicationFactory(call=agreement.application.call)
        flow.to_agreed(app, sme_of(app), official.user, evaluator.user)
    winwin_agreed(official.user, evaluator.user)
    assert ProjectAgreement.objects.count() == 5
    assert (count(lambda: execution_for(2026)), count(reconcile)) == one
