"""Money in a real browser: the SME requests an advance payment on its agreement, a finance officer
approves it and pays it from the finance queue (confirming each step), and the SME sees it paid on its
payments page."""

from __future__ import annotations

import re

from applications.models import AgreementFunding, FundingSource
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry
from tests import flow
from tests.browser.conftest import login


def test_sme_requests_finance_approves_and_pays_sme_sees_it_paid(
    new_page, draft, sme_owner, official, evaluator, finance_officer
):
    agreement = flow.to_agreed(draft, sme_owner.user, official.user, evaluator.user)

    # 1. The SME asks for an advance payment of government support on its agreement's page.
    sme = new_page()
    login(sme, sme_owner.user.username)
    sme.goto("/my/payments/")
    sme.click(f"#agreement-{agreement.pk} h2 a")
    sme.wait_for_url(re.compile(rf"/agreements/{agreement.pk}/$"))
    assert "1012" in sme.inner_text("#agreement-account")
    sme.select_option("#id_source", FundingSource.GOVERNMENT)
    sme.select_option("#id_tranche", "advance")
    sme.fill("#id_amount_krw", "12,000,000")
    sme.click("#disbursement-request-form button[type=submit]")
    sme.wait_for_selector("#disbursements tr[data-status=requested]")
    request = DisbursementRequest.objects.get(agreement=agreement)
    assert (request.amount_krw, request.status) == (12_000_000, DisbursementStatus.REQUESTED)

    # 2. A finance officer approves it, then pays it, from the queue (each button asks to confirm).
    finance = new_page()
    login(finance, finance_officer.user.username)
    finance.goto("/finance/")
    row = f"#disbursement-{request.pk}"
    assert "12,000,000" in finance.inner_text(row)
    finance.click(f"{row} button[data-action=approve]")
    finance.wait_for_selector(f"{row} button[data-action=pay]")
    request.refresh_from_db()
    assert (request.status, request.approved_by_id) == (DisbursementStatus.APPROVED, finance_officer.user.pk)
    finance.click(f"{row} button[data-action=pay]")
    finance.wait_for_load_state("networkidle")
    finance.wait_for_selector(f"{row}", state="detached")  # no longer waiting in the queue
    request.refresh_from_db()
    assert request.status == DisbursementStatus.PAID
    assert LedgerEntry.objects.get(disbursement=request).amount_krw == 12_000_000

    # 3. The SME sees it paid, with what remains of the government support.
    sme.goto("/my/payments/")
    card = f"#agreement-{agreement.pk}"
    sme.wait_for_selector(f"{card} tr#disbursement-{request.pk}[data-status=paid]")
    gov = sme.inner_text(f"{card} .funding-table tr[data-source=government]")
    assert "12,000,000" in gov  # paid
    assert "20,000,000" in gov  # remaining of 32,000,000
    row_db = AgreementFunding.objects.get(agreement=agreement, source=FundingSource.GOVERNMENT)
    assert (row_db.outstanding_krw, row_db.paid_krw) == (0, 12_000_000)
