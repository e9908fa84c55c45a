"""The money pages: every page renders for the roles that use it and refuses the others (404 for what
the user may not see, 403 for roles); the finance queue approves, rejects and pays through the pages;
maker-checker holds on the page too; the account number never appears in full; change requests show the
deadline rule that refused them.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from applications.agreements import application_complete
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    ChangeRequest,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from applications.services import application_transition
from funding import services as fs
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind
from programs.models import Call
from tests import factories as f
from tests import flow

G = FundingSource.GOVERNMENT
S = ApplicationStatus
ACCOUNT = "123-456789-01-012"  # tests.flow.sign's sample account
ACCOUNT_DIGITS = "12345678901012"


@pytest.fixture
def agreement(draft, sme_owner, official, evaluator) -> ProjectAgreement:
    """SME A's agreement: 32,000,000 won government support, 48,000,000 won own contribution."""
    return flow.to_agreed(draft, sme_owner.user, official.user, evaluator.user)


@pytest.fixture
def other_finance(kosmo):
    """A second finance officer: approver ≠ requester."""
    user = f.UserFactory(username="finance2")
    f.member(user, kosmo, "finance")
    return user


def gov(agreement: ProjectAgreement) -> AgreementFunding:
    return AgreementFunding.objects.get(agreement=agreement, source=G)


def request_advance(agreement, actor, amount=10_000_000) -> DisbursementRequest:
    return fs.disbursement_request(
        agreement=agreement, actor=actor, source=G, tranche="advance", amount_krw=amount
    )


def ko(message: str, **values: object) -> str:
    with translation.override("ko-kr"):
        return gettext(message) % values if values else gettext(message)


def page(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


# --- who sees what ---------------------------------------------------------------------------------


def test_agreement_page_renders_for_the_roles_that_see_the_project(
    agreement, sme_owner, official, finance_officer, auditor, regional_officer
):
    url = reverse("funding:agreement", args=[agreement.pk])
    for persona in (sme_owner, official, finance_officer, auditor, regional_officer):
        html = page(persona.browser(), url).content.decode()
        assert 'id="funding-table"' in html
        assert agreement.account_masked in html
    html = page(sme_owner.browser(), url).content.decode()
    # The money table: one row per source and a bold total, in won.
    assert html.count('data-source="') >= 5
    assert '<tr class="total" data-source="total"><th scope="row"><strong>' in html
    assert "32,000,000" in html
    assert 'id="disbursement-request-form"' in html  # the SME may request a tranche
    assert 'id="recovery-form"' not in html  # nothing paid, and SMEs do not record recoveries
    assert 'id="change-request-new"' in html


def test_foreign_and_anonymous_visitors_are_refused(agreement, other_sme, anonymous, supplier_user):
    url = reverse("funding:agreement", args=[agreement.pk])
    assert other_sme.browser().get(url).status_code == 404
    assert (
        other_sme.browser().get(reverse("agreements:change-request-new", args=[agreement.pk])).status_code
        == 404
    )
    response = anonymous.browser().get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    before = gov(agreement).outstanding_krw
    response = other_sme.browser().post(
        reverse("funding:disbursement-request", args=[agreement.pk]),
        {"token": uuid.uuid4(), "source": G, "tranche": "advance", "amount_krw": "1000000"},
    )
    assert response.status_code == 404
    assert gov(agreement).outstanding_krw == before
    assert not DisbursementRequest.objects.exists()


def test_pages_render_for_the_roles_that_use_them(agreement, sme_owner, official, finance_officer, auditor):
    for persona, urls in (
        (
            finance_officer,
            [
                "funding:queue",
                "funding:ledger",
                "funding:execution",
                "funding:reconciliation",
                "agreements:list",
            ],
        ),
        (
            official,
            [
                "funding:ledger",
                "funding:execution",
                "funding:reconciliation",
                "agreements:list",
                "agreements:change-request-list",
            ],
        ),
        (auditor, ["funding:ledger", "funding:execution", "funding:reconciliation", "agreements:list"]),
        (sme_owner, ["funding:my-payments", "agreements:list"]),
    ):
        client = persona.browser()
        for name in urls:
            page(client, reverse(name))


def test_roles_that_may_not_use_a_page_get_403(
    agreement, sme_owner, official, finance_officer, auditor, regional_officer, partner
):
    refused = [
        (
            sme_owner,
            [
                "funding:queue",
                "funding:ledger",
                "funding:execution",
                "funding:reconciliation",
                "agreements:change-request-list",
            ],
        ),
        (official, ["funding:queue", "funding:my-payments"]),
        (auditor, ["funding:queue", "funding:my-payments"]),
        (finance_officer, ["funding:my-payments"]),
        (
            regional_officer,
            ["funding:queue", "funding:execution", "funding:reconciliation", "funding:ledger"],
        ),
        (partner, ["funding:queue", "funding:execution", "funding:reconciliation", "funding:my-payments"]),
    ]
    for persona, names in refused:
        client = persona.browser()
        for name in names:
            page(client, reverse(name), 403)
    # Signing is for officials and the regional center; the SME may not.
    page(sme_owner.browser(), reverse("agreements:sign", args=[agreement.application_id]), 403)
    # Only finance decides requests; an official posting to the queue's buttons gets 403.
    request = request_advance(agreement, sme_owner.user)
    for action in ("approve", "pay", "reject"):
        url = reverse("funding:disbursement-act", args=[request.pk, action])
        assert official.browser().post(url, {"reason": "x"}).status_code == 403
        assert sme_owner.browser().post(url, {"reason": "x"}).status_code == 403
    assert DisbursementRequest.objects.get(pk=request.pk).status == DisbursementStatus.REQUESTED
    # Recording a recovery is for officials and finance.
    recovery = reverse("funding:recovery", args=[agreement.pk])
    assert sme_owner.browser().post(recovery, {}).status_code == 403


def test_navigation_shows_the_money_pages_per_role(sme_owner, official, finance_officer, auditor):
    def nav(persona) -> str:
        html = page(persona.browser(), reverse("programs:call-list")).content.decode()
        return html[html.index('class="app-nav"') : html.index("</nav>", html.index('class="app-nav"'))]

    finance = nav(finance_officer)
    for name in ("funding:queue", "funding:execution", "funding:reconciliation"):
        assert f'href="{reverse(name)}"' in finance
    for persona in (official, auditor):
        links = nav(persona)
        assert f'href="{reverse("funding:execution")}"' in links
        assert f'href="{reverse("funding:reconciliation")}"' in links
        assert f'href="{reverse("funding:queue")}"' not in links
    sme = nav(sme_owner)
    assert f'href="{reverse("funding:my-payments")}"' in sme
    assert f'href="{reverse("funding:queue")}"' not in sme
    # Only the page itself is marked current, not /finance/ on /finance/execution/.
    html = page(finance_officer.browser(), reverse("funding:execution")).content.decode()
    assert html.count('aria-current="page"') == 1


# --- requests and the finance queue ----------------------------------------------------------------


def test_sme_requests_a_tranche_through_the_page_once_per_form(agreement, sme_owner):
    client = sme_owner.browser()
    url = reverse("funding:disbursement-request", args=[agreement.pk])
    data = {"token": uuid.uuid4(), "source": G, "tranche": "advance", "amount_krw": "10,000,000"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:agreement", args=[agreement.pk])
    assert gov(agreement).outstanding_krw == 10_000_000
    # The same form sent again (a double click, a reload) moves nothing twice.
    client.post(url, data)
    assert DisbursementRequest.objects.count() == 1
    assert gov(agreement).outstanding_krw == 10_000_000
    html = page(client, reverse("funding:agreement", args=[agreement.pk])).content.decode()
    assert 'data-status="requested"' in html


def test_request_beyond_the_agreement_shows_the_refusal(agreement, sme_owner):
    client = sme_owner.browser()
    response = client.post(
        reverse("funding:disbursement-request", args=[agreement.pk]),
        {"token": uuid.uuid4(), "source": G, "tranche": "advance", "amount_krw": "32,000,001"},
    )
    assert response.status_code == 200
    assert "32,000,000" in response.content.decode()  # "only 32,000,000 won … is left"
    assert response.context["request_form"].errors
    assert not DisbursementRequest.objects.exists()
    # An interim payment is not due before the build-out starts: that tranche is not offered.
    form = response.context["request_form"]
    assert [value for value, _label in form.fields["tranche"].choices] == ["advance"]


def test_finance_queue_approves_rejects_and_pays_through_the_pages(
    agreement, sme_owner, finance_officer, other_finance
):
    first = request_advance(agreement, sme_owner.user, 10_000_000)
    second = request_advance(agreement, sme_owner.user, 5_000_000)
    client = finance_officer.browser()
    html = page(client, reverse("funding:queue")).content.decode()
    assert f'id="disbursement-{first.pk}"' in html
    assert "10,000,000" in html
    assert str(sme_owner.user) in html  # the requester is shown
    assert "data-confirm=" in html  # approve and pay ask for confirmation first

    response = client.post(reverse("funding:disbursement-act", args=[first.pk, "approve"]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.approved_by_id) == (DisbursementStatus.APPROVED, finance_officer.user.pk)

    # Rejecting needs a reason; without one nothing changes.
    client.post(reverse("funding:disbursement-act", args=[second.pk, "reject"]), {"reason": " "})
    assert DisbursementRequest.objects.get(pk=second.pk).status == DisbursementStatus.REQUESTED
    client.post(reverse("funding:disbursement-act", args=[second.pk, "reject"]), {"reason": "증빙 미비"})
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == (DisbursementStatus.REJECTED, "증빙 미비")

    back = reverse("funding:queue") + "?status=approved"
    response = other_finance_client(other_finance).post(
        reverse("funding:disbursement-act", args=[first.pk, "pay"]), {"next": back}
    )
    assert response["Location"] == back
    first.refresh_from_db()
    assert first.status == DisbursementStatus.PAID
    row = gov(agreement)
    assert (row.outstanding_krw, row.paid_krw) == (0, 10_000_000)
    assert LedgerEntry.objects.get(disbursement=first).amount_krw == 10_000_000
    # Filters: the paid request is listed under 'paid', not in the default (open) view.
    assert f'id="disbursement-{first.pk}"' not in page(client, reverse("funding:queue")).content.decode()
    paid = page(client, reverse("funding:queue") + f"?status=paid&source={G}&tranche=advance").content
    assert f'id="disbursement-{first.pk}"'.encode() in paid
    # An unsafe `next` is ignored.
    third = request_advance(agreement, sme_owner.user, 1_000_000)
    response = client.post(
        reverse("funding:disbursement-act", args=[third.pk, "approve"]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("funding:queue")


def other_finance_client(user):
    from tests.signin import verified_client

    return verified_client(user)


def test_self_approval_through_the_page_is_refused_and_changes_nothing(agreement, finance_officer):
    request = request_advance(agreement, finance_officer.user)
    client = finance_officer.browser()
    response = client.post(reverse("funding:disbursement-act", args=[request.pk, "approve"]), follow=True)
    assert response.status_code == 200
    expected = ko("A request is approved by a finance officer other than the one who made it.")
    assert expected in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.approved_by_id) == (DisbursementStatus.REQUESTED, None)
    assert gov(agreement).outstanding_krw == 10_000_000


def test_finance_queue_queries_do_not_grow_with_requests(agreement, sme_owner, finance_officer):
    client = finance_officer.browser()
    request_advance(agreement, sme_owner.user, 1_000_000)
    client.get(reverse("funding:queue"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        page(client, reverse("funding:queue"))
    for _ in range(4):
        request_advance(agreement, sme_owner.user, 1_000_000)
    with CaptureQueriesContext(connection) as five:
        page(client, reverse("funding:queue"))
    assert len(five) == len(one)


# --- ledger, reversal and recovery -----------------------------------------------------------------


def test_recovery_on_the_agreement_page_and_reversal_on_the_ledger_page(
    agreement, sme_owner, official, finance_officer, other_finance
):
    request = request_advance(agreement, sme_owner.user)
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    payment = fs.disbursement_pay(request=request, actor=other_finance)
    client = official.browser()
    html = page(client, reverse("funding:agreement", args=[agreement.pk])).content.decode()
    assert 'id="recovery-form"' in html
    token = uuid.uuid4()
    data = {"token": token, "source": G, "amount_krw": "2,000,000", "reason": "부정수급 환수 결정"}
    response = client.post(reverse("funding:recovery", args=[agreement.pk]), data)
    assert response.status_code == 302
    client.post(reverse("funding:recovery", args=[agreement.pk]), data)  # sent twice, recorded once
    assert LedgerEntry.objects.filter(kind=LedgerKind.RECOVERY).count() == 1
    row = gov(agreement)
    assert (row.paid_krw, row.recovered_krw) == (8_000_000, 2_000_000)
    # More than was paid: refused with the service's message, nothing recorded.
    response = client.post(
        reverse("funding:recovery", args=[agreement.pk]),
        {"token": uuid.uuid4(), "source": G, "amount_krw": "9,000,000", "reason": "과다"},
    )
    assert response.status_code == 200
    assert response.context["recovery_form"].non_field_errors()
    assert LedgerEntry.objects.filter(kind=LedgerKind.RECOVERY).count() == 1

    # The ledger page: finance reverses a payment with a reason; officials only read.
    ledger = page(client, reverse("funding:ledger") + f"?agreement={agreement.pk}").content.decode()
    assert f'action="{reverse("funding:ledger-reverse", args=[payment.pk])}"' not in ledger
    assert (
        client.post(reverse("funding:ledger-reverse", args=[payment.pk]), {"reason": "x"}).status_code == 403
    )
    # A reversal of 10,000,000 would leave less paid than was recovered: refused.
    finance = finance_officer.browser()
    finance.post(reverse("funding:ledger-reverse", args=[payment.pk]), {"reason": "이중 지급"})
    assert not LedgerEntry.objects.filter(kind=LedgerKind.REVERSAL).exists()


def test_reversal_through_the_ledger_page(agreement, sme_owner, finance_officer, other_finance):
    request = request_advance(agreement, sme_owner.user)
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    payment = fs.disbursement_pay(request=request, actor=other_finance)
    client = finance_officer.browser()
    html = page(client, reverse("funding:ledger")).content.decode()
    assert f'action="{reverse("funding:ledger-reverse", args=[payment.pk])}"' in html
    client.post(reverse("funding:ledger-reverse", args=[payment.pk]), {"reason": ""})
    assert not LedgerEntry.objects.filter(kind=LedgerKind.REVERSAL).exists()
    client.post(reverse("funding:ledger-reverse", args=[payment.pk]), {"reason": "계좌 오류"})
    reversal = LedgerEntry.objects.get(kind=LedgerKind.REVERSAL)
    assert (reversal.amount_krw, reversal.reverses_id) == (-10_000_000, payment.pk)
    assert gov(agreement).paid_krw == 0
    html = page(client, reverse("funding:ledger")).content.decode()
    assert f'action="{reverse("funding:ledger-reverse", args=[payment.pk])}"' not in html


# --- the SME's payments ----------------------------------------------------------------------------


def test_my_payments_lists_the_smes_own_agreements_by_source(
    agreement, sme_owner, other_sme, official, evaluator, finance_officer, other_finance
):
    other_app = f.ApplicationFactory(
        call=agreement.application.call, workplace=other_sme.workplace, created_by=other_sme.user
    )
    other = flow.to_agreed(other_app, other_sme.user, official.user, evaluator.user)
    request = request_advance(agreement, sme_owner.user)
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    fs.disbursement_pay(request=request, actor=other_finance)
    request_advance(agreement, sme_owner.user, 3_000_000)
    client = sme_owner.browser()
    html = page(client, reverse("funding:my-payments")).content.decode()
    assert f'id="agreement-{agreement.pk}"' in html
    assert f'id="agreement-{other.pk}"' not in html
    assert 'data-status="paid"' in html
    assert 'data-status="requested"' in html
    assert "19,000,000" in html  # government remaining: 32,000,000 − 10,000,000 − 3,000,000
    assert (
        f'id="agreement-{agreement.pk}"'
        not in page(other_sme.browser(), reverse("funding:my-payments")).content.decode()
    )


# --- signing, change requests, settlement ----------------------------------------------------------


def test_official_signs_the_agreement_through_the_page(draft, sme_owner, official, evaluator, supplier_user):
    app = flow.to_selected(draft, sme_owner.user, official.user, evaluator.user)
    client = official.browser()
    detail = page(client, reverse("applications:detail", args=[app.pk])).content.decode()
    assert f'href="{reverse("agreements:sign", args=[app.pk])}"' in detail
    assert (
        'href="' + reverse("agreements:sign", args=[app.pk])
        not in page(sme_owner.browser(), reverse("applications:detail", args=[app.pk])).content.decode()
    )
    url = reverse("agreements:sign", args=[app.pk])
    form = page(client, url).context["form"]
    assert form.initial["supplier"] == app.supplier_id  # the application's supplier preselected
    start = timezone.localdate() + dt.timedelta(days=10)
    data = {
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=300)).isoformat(),
        "supplier": app.supplier_id,
        "scope": "MES 구축",
        "account_bank": "기업은행",
        "account_number": "12-34",  # too short: refused, and not echoed back
        "account_holder": "(주)에이정밀",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "12-34" not in response.content.decode()
    assert not ProjectAgreement.objects.filter(application=app).exists()
    response = client.post(url, data | {"account_number": ACCOUNT})
    agreement = ProjectAgreement.objects.get(application=app)
    assert response["Location"] == reverse("funding:agreement", args=[agreement.pk])
    assert Application.objects.get(pk=app.pk).status == S.AGREED
    assert agreement.account_number == ACCOUNT
    # Once agreed, the application links to the agreement's money page, and signing again goes there.
    detail = page(client, reverse("applications:detail", args=[app.pk])).content.decode()
    assert f'href="{reverse("funding:agreement", args=[agreement.pk])}"' in detail
    assert client.get(url)["Location"] == reverse("funding:agreement", args=[agreement.pk])


def test_change_request_form_shows_the_fifteen_day_rule(agreement, sme_owner):
    client = sme_owner.browser()
    url = reverse("agreements:change-request-new", args=[agreement.pk])
    page(client, url)
    cause = timezone.localdate() - dt.timedelta(days=20)
    response = client.post(
        url, {"cause_date": cause.isoformat(), "reason": "설비 납기 지연", "new_scope": "범위 축소"}
    )
    assert response.status_code == 200
    expected = ko(
        "A change must be filed within %(days)s days of its cause (the cause was on %(cause)s).",
        days=15,
        cause=cause.isoformat(),
    )
    assert expected in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_change_request_form_shows_the_one_month_rule(agreement, sme_owner):
    ends = timezone.localdate() + dt.timedelta(days=20)
    ProjectAgreement.objects.filter(pk=agreement.pk).update(ends_on=ends)
    response = sme_owner.browser().post(
        reverse("agreements:change-request-new", args=[agreement.pk]),
        {"cause_date": timezone.localdate().isoformat(), "reason": "기간 연장", "new_ends_on": "2030-01-31"},
    )
    expected = ko(
        "A change must be filed at least one month before the agreement ends (%(end)s).", end=ends.isoformat()
    )
    assert expected in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_change_request_amounts_come_in_fours(agreement, sme_owner):
    response = sme_owner.browser().post(
        reverse("agreements:change-request-new", args=[agreement.pk]),
        {"cause_date": timezone.localdate().isoformat(), "reason": "증액", "new_gov_krw": "30,000,000"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"new_partner_krw", "new_local_krw", "new_sme_krw"}


def test_change_request_filed_by_the_sme_and_approved_by_an_official(agreement, sme_owner, official):
    client = sme_owner.browser()
    new_end = agreement.ends_on + dt.timedelta(days=60)
    response = client.post(
        reverse("agreements:change-request-new", args=[agreement.pk]),
        {
            "cause_date": timezone.localdate().isoformat(),
            "reason": "장비 수급 지연",
            "new_ends_on": new_end.isoformat(),
            "new_gov_krw": "30,000,000",
            "new_partner_krw": "0",
            "new_local_krw": "0",
            "new_sme_krw": "45,000,000",
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.new_gov_krw, change.new_ends_on) == (30_000_000, new_end)
    # The SME sees no decision buttons; the official does.
    decide = reverse("agreements:change-request-decide", args=[change.pk])
    agreement_url = reverse("funding:agreement", args=[agreement.pk])
    assert f'action="{decide}"' not in page(client, agreement_url).content.decode()
    official_client = official.browser()
    assert f'action="{decide}"' in page(official_client, agreement_url).content.decode()
    page(official_client, reverse("agreements:change-request-list"))
    assert sme_owner.browser().post(decide, {"decision": "approved"}).status_code == 403
    response = official_client.post(decide, {"decision": "approved", "note": "승인"})
    assert response["Location"] == agreement_url
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.APPROVED
    agreement.refresh_from_db()
    assert agreement.ends_on == new_end
    assert gov(agreement).agreed_krw == 30_000_000
    assert Call.objects.get(pk=agreement.application.call_id).committed_krw == 30_000_000


def test_change_request_rejection_needs_a_note(agreement, sme_owner, official):
    from applications.agreements import change_request_file

    change = change_request_file(
        agreement=agreement,
        actor=sme_owner.user,
        cause_date=timezone.localdate(),
        reason="범위 변경",
        new_scope="MES + APS",
    )
    client = official.browser()
    decide = reverse("agreements:change-request-decide", args=[change.pk])
    client.post(decide, {"decision": "rejected", "note": ""})
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequestStatus.REQUESTED
    client.post(decide, {"decision": "rejected", "note": "사유 불충분"})
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequestStatus.REJECTED


def test_terminate_needs_a_reason_and_releases_the_budget(agreement, sme_owner, official):
    client = official.browser()
    url = reverse("agreements:close", args=[agreement.pk])
    html = page(client, reverse("funding:agreement", args=[agreement.pk])).content.decode()
    assert 'value="terminate"' in html
    assert (
        'value="terminate"'
        not in page(sme_owner.browser(), reverse("funding:agreement", args=[agreement.pk])).content.decode()
    )
    assert sme_owner.browser().post(url, {"action": "terminate", "note": "x"}).status_code == 403
    client.post(url, {"action": "terminate", "note": ""})
    assert Application.objects.get(pk=agreement.application_id).status == S.AGREED
    client.post(url, {"action": "terminate", "note": "기업 폐업"})
    assert Application.objects.get(pk=agreement.application_id).status == S.TERMINATED
    assert Call.objects.get(pk=agreement.application.call_id).committed_krw == 0


def test_settle_a_completed_project_from_the_application_page(
    agreement, sme_owner, official, finance_officer
):
    app = agreement.application
    for action in ("start_build", "start_final_inspection"):
        application_transition(application=app, actor=official.user, action=action)
    application_complete(application=app, actor=official.user)
    client = official.browser()
    detail = page(client, reverse("applications:detail", args=[app.pk])).content.decode()
    close = reverse("agreements:close", args=[agreement.pk])
    assert f'action="{close}"' in detail  # the settle button posts to the agreement's close action
    response = client.post(close, {"action": "settle", "next": reverse("applications:detail", args=[app.pk])})
    assert response["Location"] == reverse("applications:detail", args=[app.pk])
    assert Application.objects.get(pk=app.pk).status == S.SETTLED
    assert Call.objects.get(pk=app.call_id).committed_krw == 0


# --- the account number --------------------------------------------------------------------------


def test_the_account_number_never_appears_in_full(
    agreement, sme_owner, official, finance_officer, other_finance, auditor, regional_officer
):
    request = request_advance(agreement, sme_owner.user)
    fs.disbursement_approve(request=request, actor=finance_officer.user)
    fs.disbursement_pay(request=request, actor=other_finance)
    request_advance(agreement, sme_owner.user, 1_000_000)
    app_id = agreement.application_id
    pages = [
        (
            sme_owner,
            [
                reverse("funding:agreement", args=[agreement.pk]),
                reverse("funding:my-payments"),
                reverse("agreements:list"),
                reverse("agreements:change-request-new", args=[agreement.pk]),
                reverse("applications:detail", args=[app_id]),
                reverse("api-agreement-detail", args=[agreement.pk]),
                reverse("api-agreement-list"),
            ],
        ),
        (
            official,
            [
                reverse("funding:agreement", args=[agreement.pk]),
                reverse("funding:ledger"),
                reverse("funding:execution"),
                reverse("funding:reconciliation"),
                reverse("agreements:list"),
                reverse("agreements:change-request-list"),
                reverse("applications:detail", args=[app_id]),
            ],
        ),
        (
            finance_officer,
            [
                reverse("funding:agreement", args=[agreement.pk]),
                reverse("funding:queue"),
                reverse("funding:queue") + "?status=all",
                reverse("funding:ledger"),
                reverse("api-disbursement-list"),
            ],
        ),
        (auditor, [reverse("funding:agreement", args=[agreement.pk]), reverse("funding:reconciliation")]),
        (regional_officer, [reverse("funding:agreement", args=[agreement.pk])]),
    ]
    seen = 0
    for persona, urls in pages:
        client = persona.browser()
        for url in urls:
            response = (persona.api() if "/api/" in url else client).get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert ACCOUNT not in body, url
            assert ACCOUNT_DIGITS not in body, url
            seen += 1
    assert seen > 15
    html = page(sme_owner.browser(), reverse("funding:agreement", args=[agreement.pk])).content.decode()
    assert "**********1012" in html  # masked: the last four digits only


def test_my_payments_queries_do_not_grow_with_agreements(agreement, sme_owner, official, evaluator):
    client = sme_owner.browser()
    client.get(reverse("funding:my-payments"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        page(client, reverse("funding:my-payments"))
    for _ in range(2):
        # Another company's agreement, which SME A's user also acts for.
        app = f.ApplicationFactory(call=agreement.application.call)
        owner = f.UserFactory()
        f.member(owner, app.company.organisation, "sme")
        flow.to_agreed(app, owner, official.user, evaluator.user)
        f.member(sme_owner.user, app.company.organisation, "sme")
    client = sme_owner.browser()
    client.get(reverse("funding:my-payments"))
    with CaptureQueriesContext(connection) as three:
        html = page(client, reverse("funding:my-payments")).content.decode()
    assert html.count('class="tbl col data funding-table"') == 3
    assert len(three) == len(one)
