"""Grant agreements (협약): signing, the build-out steps, settlement (정산) and termination (협약해지).

Signing fixes one funding row per source at the amounts the application was selected with. Settlement
and termination need nothing left requested or approved, and give what was agreed but not paid back:
government support to the call's budget, the partner's share to its win-win pledge.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from applications import agreements as ag
from applications import services as s
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    FundingSource,
    ProjectAgreement,
)
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from funding import services as fs
from partners.models import WinWinAgreement
from programs.models import Call, ProgramType
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body, db_state

S = ApplicationStatus
M = 1_000_000
G, P, L, OWN = (FundingSource.GOVERNMENT, FundingSource.PARTNER, FundingSource.LOCAL, FundingSource.SME)
ACCOUNT = "123-456789-01-012"


def key() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}


def committed(call_id: int) -> int:
    return Call.objects.values_list("committed_krw", flat=True).get(pk=call_id)


def pledge_committed(agreement_id: int) -> int:
    return WinWinAgreement.objects.values_list("committed_krw", flat=True).get(pk=agreement_id)


def sign_values(**values) -> dict:
    start = timezone.localdate() + dt.timedelta(days=7)
    return {
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=365),
        "scope": "MES 구축 및 설비 데이터 수집",
        "account_bank": "기업은행",
        "account_number": ACCOUNT,
        "account_holder": "(주)에이정밀",
    } | values


@pytest.fixture
def selected(draft, sme_owner, official, other_evaluator) -> Application:
    """SME A's application selected with 32 million won of government support and 48 of its own."""
    return flow.to_selected(draft, sme_owner.user, official.user, other_evaluator.user)


@pytest.fixture
def agreement(selected, official) -> ProjectAgreement:
    return flow.sign(selected, official.user)


def pay(agreement, requester, finance, amount: int, source=G, tranche="advance"):
    made = fs.disbursement_request(
        agreement=agreement, actor=requester, source=source, tranche=tranche, amount_krw=amount
    )
    fs.disbursement_approve(request=made, actor=finance)
    return fs.disbursement_pay(request=made, actor=finance)


def move(app: Application, actor, *actions: str) -> Application:
    for action in actions:
        s.application_transition(application=app, actor=actor, action=action)
    return Application.objects.get(pk=app.pk)


def to_completed(app: Application, actor) -> Application:
    """Completed without a factory record (that is factories' part, tested in tests/factory_records)."""
    move(app, actor, "start_build", "start_final_inspection")
    return ag.application_complete(application=app, actor=actor)


# --- signing --------------------------------------------------------------------------------------------


def test_sign_fixes_the_selected_amounts_per_source(selected, official):
    call_before = committed(selected.call_id)
    agreement = ag.agreement_sign(
        application=selected,
        actor=official.user,
        **sign_values(scope="  MES 구축  ", account_holder=" (주)에이 "),
    )
    assert (agreement.scope, agreement.account_holder, agreement.account_number) == (
        "MES 구축",
        "(주)에이",
        ACCOUNT,
    )
    assert (agreement.signed_by, agreement.signed_on) == (official.user, timezone.localdate())
    assert agreement.supplier_id == selected.supplier_id
    rows = {
        r.source: (r.agreed_krw, r.outstanding_krw, r.paid_krw, r.recovered_krw)
        for r in AgreementFunding.objects.filter(agreement=agreement)
    }
    assert rows == {G: (32 * M, 0, 0, 0), P: (0, 0, 0, 0), L: (0, 0, 0, 0), OWN: (48 * M, 0, 0, 0)}
    app = Application.objects.get(pk=selected.pk)
    assert app.status == S.AGREED
    change = app.history.order_by("at", "id").last()
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "agree",
        S.SELECTED,
        S.AGREED,
        official.user,
    )
    # The government support was committed at selection; signing does not commit it twice.
    assert committed(selected.call_id) == call_before


def test_the_regional_center_of_the_region_signs_too(selected, regional_officer):
    agreement = ag.agreement_sign(application=selected, actor=regional_officer.user, **sign_values())
    assert agreement.application.status == S.AGREED


def test_sign_with_another_active_supplier_and_a_date(selected, official):
    supplier = f.SupplierFactory()
    agreement = ag.agreement_sign(
        application=selected,
        actor=official.user,
        supplier=supplier,
        **sign_values(signed_on=dt.date(2026, 3, 2)),
    )
    assert (agreement.supplier, agreement.signed_on) == (supplier, dt.date(2026, 3, 2))


@pytest.mark.parametrize("status", [S.EVALUATION, S.WAITLISTED, S.AGREED, S.REJECTED, S.WITHDRAWN])
def test_only_a_selected_application_is_signed(make_app, official, status):
    app = make_app(status)
    before = db_state()
    with pytest.raises(IllegalTransition):
        ag.agreement_sign(application=app, actor=official.user, **sign_values())
    assert db_state() == before
    assert not ProjectAgreement.objects.exists()


def test_signing_twice_is_refused(agreement, official):
    with pytest.raises(IllegalTransition):
        ag.agreement_sign(application=agreement.application, actor=official.user, **sign_values())
    assert ProjectAgreement.objects.count() == 1


@pytest.mark.parametrize("persona", ["sme_owner", "finance_officer", "auditor", "busan_officer", "partner"])
def test_only_officials_and_the_regional_center_sign(request, selected, persona):
    actor = request.getfixturevalue(persona).user
    before = db_state()
    with pytest.raises(PermissionDenied):
        ag.agreement_sign(application=selected, actor=actor, **sign_values())
    assert db_state() == before
    assert not ProjectAgreement.objects.exists()


@pytest.mark.parametrize(
    "number", ["12-34", "123 456 789", "12345a678", "------", "--12345", "１２３４５６７８", "1" * 31, ""]
)
def test_a_bad_account_number_is_refused(selected, official, number):
    before = db_state()
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(application=selected, actor=official.user, **sign_values(account_number=number))
    assert "account_number" in exc.value.fields
    assert db_state() == before
    assert not ProjectAgreement.objects.exists()


@pytest.mark.parametrize("days", [0, -1, -365])
def test_the_agreement_ends_after_it_starts(selected, official, days):
    start = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(
            application=selected,
            actor=official.user,
            **sign_values(starts_on=start, ends_on=start + dt.timedelta(days=days)),
        )
    assert "ends_on" in exc.value.fields
    assert not ProjectAgreement.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"scope": "  "}, "scope"),
        ({"account_bank": " "}, "account_bank"),
        ({"account_holder": ""}, "account_bank"),
    ],
)
def test_scope_bank_and_holder_are_required(selected, official, values, field):
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(application=selected, actor=official.user, **sign_values(**values))
    assert field in exc.value.fields


def test_an_inactive_supplier_is_refused(selected, official):
    selected.supplier.is_active = False
    selected.supplier.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(application=selected, actor=official.user, **sign_values())
    assert "supplier" in exc.value.fields
    inactive = f.SupplierFactory(is_active=False)
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(application=selected, actor=official.user, supplier=inactive, **sign_values())
    assert "supplier" in exc.value.fields
    assert not ProjectAgreement.objects.exists()


def test_an_application_without_a_supplier_needs_one(selected, official):
    Application.objects.filter(pk=selected.pk).update(supplier=None)
    with pytest.raises(ValidationFailed) as exc:
        ag.agreement_sign(
            application=Application.objects.get(pk=selected.pk), actor=official.user, **sign_values()
        )
    assert "supplier" in exc.value.fields


# --- the API: signing and what it shows -----------------------------------------------------------------


def api_sign_body(**values) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in sign_values(**values).items()}


def test_api_sign_shows_the_account_masked(selected, official):
    response = official.api().post(
        f"/api/v1/applications/{selected.pk}/agreement/sign/", api_sign_body(), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account"] == "**********1012"
    assert ACCOUNT not in response.content.decode()
    assert "12345678901012" not in response.content.decode()
    assert "account_number" not in body
    assert {row["source"]: row["agreed_krw"] for row in body["funding"]} == {
        G: 32 * M,
        P: 0,
        L: 0,
        OWN: 48 * M,
    }
    assert (body["application_status"], body["supplier_name"]) == ("agreed", selected.supplier.name)


def test_api_never_shows_the_full_account_number(agreement, sme_owner, official, finance_officer, auditor):
    for persona in (sme_owner, official, finance_officer, auditor):
        for url in ("/api/v1/agreements/", f"/api/v1/agreements/{agreement.pk}/"):
            text = persona.api().get(url).content.decode()
            assert "1012" in text
            assert ACCOUNT not in text
            assert "12345678901012" not in text


def test_api_sign_refusals(selected, official, sme_owner, other_sme):
    url = f"/api/v1/applications/{selected.pk}/agreement/sign/"
    before = db_state()
    assert_error_body(sme_owner.api().post(url, api_sign_body(), format="json"), 403, "permission_denied")
    assert_error_body(other_sme.api().post(url, api_sign_body(), format="json"), 404, "not_found")
    body = assert_error_body(
        official.api().post(url, api_sign_body(account_number="12ab"), format="json"), 400, "invalid"
    )
    assert "account_number" in body["fields"]
    body = assert_error_body(
        official.api().post(url, api_sign_body() | {"supplier": 999_999}, format="json"), 400
    )
    assert "supplier" in body["fields"]
    body = assert_error_body(
        official.api().post(url, api_sign_body() | {"supplier": "1"}, format="json"), 400
    )
    assert "supplier" in body["fields"]
    assert db_state() == before


# --- build-out ------------------------------------------------------------------------------------------


def test_build_out_steps_through_the_transition_service(agreement, official):
    app = agreement.application
    path = []
    for action in ("start_build", "start_interim_check", "start_final_inspection"):
        app = move(app, official.user, action)
        path.append(app.status)
    app = ag.application_complete(application=app, actor=official.user)
    path.append(app.status)
    assert path == [S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION, S.COMPLETED]
    actions = list(app.history.order_by("at", "id").values_list("action", flat=True))
    assert actions[-5:] == [
        "agree",
        "start_build",
        "start_interim_check",
        "start_final_inspection",
        "complete",
    ]


def test_the_interim_check_may_be_skipped(agreement, official):
    app = move(agreement.application, official.user, "start_build", "start_final_inspection")
    assert app.status == S.FINAL_INSPECTION


def test_build_out_steps_through_the_api(agreement, regional_officer, sme_owner):
    url = f"/api/v1/applications/{agreement.application_id}/transition/"
    before = db_state()
    assert_error_body(sme_owner.api().post(url, {"action": "start_build"}, format="json"), 403)
    assert db_state() == before
    for action, status in (
        ("start_build", S.BUILDING),
        ("start_interim_check", S.INTERIM_CHECK),
        ("start_final_inspection", S.FINAL_INSPECTION),
    ):
        response = regional_officer.api().post(url, {"action": action}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    assert_error_body(
        regional_officer.api().post(url, {"action": "start_final_inspection"}, format="json"), 409
    )


@pytest.mark.parametrize("action", ["agree", "complete", "settle", "terminate"])
def test_agreement_actions_are_not_generic(agreement, official, action):
    with pytest.raises(ValidationFailed) as exc:
        s.application_transition(application=agreement.application, actor=official.user, action=action)
    assert exc.value.code == "unknown_action"
    response = official.api().post(
        f"/api/v1/applications/{agreement.application_id}/transition/", {"action": action}, format="json"
    )
    assert_error_body(response, 400)


def test_out_of_order_steps_are_refused(agreement, official):
    for action in ("start_interim_check", "start_final_inspection"):
        with pytest.raises(IllegalTransition):
            s.application_transition(application=agreement.application, actor=official.user, action=action)
    with pytest.raises(IllegalTransition):
        ag.application_complete(application=agreement.application, actor=official.user)
    assert Application.objects.get(pk=agreement.application_id).status == S.AGREED


# --- settlement -----------------------------------------------------------------------------------------


def test_settle_keeps_only_what_was_paid_committed(agreement, sme_owner, official, finance_officer):
    call_before = committed(agreement.application.call_id)
    pay(agreement, sme_owner.user, finance_officer.user, 12 * M)
    pay(agreement, sme_owner.user, finance_officer.user, 20 * M, source=OWN)
    app = to_completed(agreement.application, official.user)
    settled = ag.application_settle(application=app, actor=official.user, note="정산 완료")
    assert settled.status == S.SETTLED
    assert settled.decided_at is not None
    # 32 agreed, 12 paid: 20 million won goes back to the call's budget.
    assert committed(app.call_id) == call_before - 20 * M
    assert app.history.order_by("at", "id").last().action == "settle"
    rows = {
        r.source: (r.agreed_krw, r.paid_krw) for r in AgreementFunding.objects.filter(agreement=agreement)
    }
    assert rows[G] == (32 * M, 12 * M)  # the agreement itself is not rewritten


def test_settle_counts_recoveries_as_unpaid(agreement, sme_owner, official, finance_officer):
    call_before = committed(agreement.application.call_id)
    pay(agreement, sme_owner.user, finance_officer.user, 10 * M)
    fs.recovery_record(
        agreement=agreement, actor=official.user, source=G, amount_krw=4 * M, reason="목적 외 사용"
    )
    app = to_completed(agreement.application, official.user)
    ag.application_settle(application=app, actor=official.user)
    assert committed(app.call_id) == call_before - 26 * M  # 6 million won stays paid


@pytest.mark.parametrize("then", ["requested", "approved"])
def test_settle_is_refused_while_money_is_open(agreement, sme_owner, official, finance_officer, then):
    app = to_completed(agreement.application, official.user)
    made = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="final", amount_krw=M
    )
    if then == "approved":
        fs.disbursement_approve(request=made, actor=finance_officer.user)
    before = db_state()
    call_before = committed(app.call_id)
    with pytest.raises(Conflict) as exc:
        ag.application_settle(application=app, actor=official.user)
    assert exc.value.code == "open_disbursements"
    assert db_state() == before
    assert committed(app.call_id) == call_before
    if then == "approved":
        fs.disbursement_pay(request=made, actor=finance_officer.user)
    else:
        fs.disbursement_reject(request=made, actor=finance_officer.user, reason="철회")
    assert ag.application_settle(application=app, actor=official.user).status == S.SETTLED


def test_settle_only_a_completed_project(agreement, official):
    with pytest.raises(IllegalTransition):
        ag.application_settle(application=agreement.application, actor=official.user)


@pytest.mark.parametrize("persona", ["regional_officer", "finance_officer", "sme_owner", "auditor"])
def test_only_officials_settle(request, agreement, official, persona):
    app = to_completed(agreement.application, official.user)
    with pytest.raises(PermissionDenied):
        ag.application_settle(application=app, actor=request.getfixturevalue(persona).user)
    assert Application.objects.get(pk=app.pk).status == S.COMPLETED


def winwin_agreement(sme_owner, official, evaluator) -> ProjectAgreement:
    """A win-win type-1 project of 100 million won: 30 government, 30 partner (confirmed), 40 own."""
    app = f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2026, program_type=ProgramType.WINWIN_TYPE1),
        workplace=sme_owner.workplace,
        created_by=sme_owner.user,
        total_cost_krw=100 * M,
        gov_amount_krw=30 * M,
        partner_amount_krw=30 * M,
        sme_amount_krw=40 * M,
    )
    flow.cofund(app)
    return flow.to_agreed(app, sme_owner.user, official.user, evaluator)


def test_settle_gives_the_unpaid_partner_share_back_to_the_pledge(
    sme_owner, official, other_evaluator, finance_officer
):
    agreement = winwin_agreement(sme_owner, official, other_evaluator.user)
    app = agreement.application
    pledge = app.partner_agreement_id
    assert (committed(app.call_id), pledge_committed(pledge)) == (30 * M, 30 * M)
    pay(agreement, sme_owner.user, finance_officer.user, 9 * M)
    pay(agreement, sme_owner.user, finance_officer.user, 10 * M, source=P)
    ag.application_settle(application=to_completed(app, official.user), actor=official.user)
    assert (committed(app.call_id), pledge_committed(pledge)) == (9 * M, 10 * M)


def test_settle_of_a_project_that_paid_nothing_releases_everything(sme_owner, official, other_evaluator):
    agreement = winwin_agreement(sme_owner, official, other_evaluator.user)
    app = agreement.application
    ag.application_settle(application=to_completed(app, official.user), actor=official.user)
    assert (committed(app.call_id), pledge_committed(app.partner_agreement_id)) == (0, 0)


def test_api_settle(agreement, sme_owner, official, finance_officer):
    pay(agreement, sme_owner.user, finance_officer.user, 2 * M)
    app = to_completed(agreement.application, official.user)
    url = f"/api/v1/applications/{app.pk}/settle/"
    assert_error_body(official.api().post(url, {}, format="json"), 400, "idempotency_key_required")
    assert_error_body(sme_owner.api().post(url, {}, format="json", **key()), 403)
    response = official.api().post(url, {"note": "정산"}, format="json", **key())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["application_status"] == "settled"
    assert next(r for r in body["funding"] if r["source"] == G)["paid_krw"] == 2 * M


# --- termination ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_terminate_needs_a_reason(agreement, official, note):
    before = db_state()
    with pytest.raises(ValidationFailed) as exc:
        ag.application_terminate(application=agreement.application, actor=official.user, note=note)
    assert exc.value.code == "note_required"
    assert db_state() == before


@pytest.mark.parametrize("steps", [(), ("start_build",), ("start_build", "start_final_inspection")])
def test_terminate_releases_what_was_not_paid(agreement, sme_owner, official, finance_officer, steps):
    call_before = committed(agreement.application.call_id)
    pay(agreement, sme_owner.user, finance_officer.user, 5 * M)
    app = move(agreement.application, official.user, *steps)
    ended = ag.application_terminate(application=app, actor=official.user, note="기업 폐업")
    assert ended.status == S.TERMINATED
    assert committed(app.call_id) == call_before - 27 * M
    change = ApplicationStatusChange.objects.filter(application=app).order_by("at", "id").last()
    assert (change.action, change.note, change.actor) == ("terminate", "기업 폐업", official.user)


def test_terminate_releases_the_partner_share(sme_owner, official, other_evaluator, finance_officer):
    agreement = winwin_agreement(sme_owner, official, other_evaluator.user)
    app = agreement.application
    pay(agreement, sme_owner.user, finance_officer.user, 5 * M, source=P)
    ag.application_terminate(application=app, actor=official.user, note="사업 포기")
    assert (committed(app.call_id), pledge_committed(app.partner_agreement_id)) == (0, 5 * M)


def test_terminate_is_refused_while_money_is_open(agreement, sme_owner, official):
    fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=M
    )
    before = db_state()
    with pytest.raises(Conflict) as exc:
        ag.application_terminate(application=agreement.application, actor=official.user, note="해지")
    assert exc.value.code == "open_disbursements"
    assert db_state() == before


def test_a_completed_or_terminated_project_is_not_terminated(agreement, official):
    app = to_completed(agreement.application, official.user)
    with pytest.raises(IllegalTransition):
        ag.application_terminate(application=app, actor=official.user, note="해지")
    other = Application.objects.get(pk=app.pk)
    Application.objects.filter(pk=app.pk).update(status=S.TERMINATED)
    with pytest.raises(IllegalTransition):
        ag.application_terminate(application=other, actor=official.user, note="해지")


@pytest.mark.parametrize("persona", ["regional_officer", "finance_officer", "sme_owner"])
def test_only_officials_terminate(request, agreement, persona):
    with pytest.raises(PermissionDenied):
        ag.application_terminate(
            application=agreement.application, actor=request.getfixturevalue(persona).user, note="해지"
        )


def test_api_terminate(agreement, official):
    url = f"/api/v1/applications/{agreement.application_id}/terminate/"
    assert_error_body(official.api().post(url, {"note": ""}, format="json", **key()), 400, "note_required")
    response = official.api().post(url, {"note": "협약 위반"}, format="json", **key())
    assert response.status_code == 200, response.content
    assert response.json()["application_status"] == "terminated"
    assert committed(agreement.application.call_id) == 0
