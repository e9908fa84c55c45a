"""Change requests (사업변경): the filing deadlines, who files and who decides, and what an approval
changes — the agreement's period, supplier and scope, and its amounts with the call's budget and the
partner firm's pledge.

SME A's agreement runs from 2026-09-01 to 2027-03-31 with 32 million won of government support and 48
million won of its own; the filing date is passed as `today=` so no test depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from applications import agreements as ag
from applications.agreements import one_month_before
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    ChangeRequest,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.roles import Role
from funding import services as fs
from partners.models import WinWinAgreement
from programs.models import Call, FundingRule, ProgramType
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body, db_state

S = ApplicationStatus
M = 1_000_000
G, P = FundingSource.GOVERNMENT, FundingSource.PARTNER
START, END = dt.date(2026, 9, 1), dt.date(2027, 3, 31)
TODAY = dt.date(2026, 12, 1)


def amounts(gov: int, partner: int, local: int, sme: int) -> dict[str, int]:
    return {"new_gov_krw": gov, "new_partner_krw": partner, "new_local_krw": local, "new_sme_krw": sme}


@pytest.fixture
def agreement(draft, sme_owner, official, other_evaluator) -> ProjectAgreement:
    app = flow.to_selected(draft, sme_owner.user, official.user, other_evaluator.user)
    return flow.sign(app, official.user, starts_on=START, ends_on=END)


def file(agreement, actor, *, today=TODAY, cause=None, **values) -> ChangeRequest:
    values.setdefault("reason", "설비 납기 지연")
    if not ({"amounts", "new_starts_on", "new_ends_on", "new_supplier", "new_scope"} & set(values)):
        values["new_scope"] = "MES 및 설비 모니터링"
    return ag.change_request_file(
        agreement=agreement, actor=actor, cause_date=cause or today, today=today, **values
    )


def agreed(agreement) -> dict[str, int]:
    return dict(AgreementFunding.objects.filter(agreement=agreement).values_list("source", "agreed_krw"))


def committed(model, pk: int) -> int:
    return model.objects.values_list("committed_krw", flat=True).get(pk=pk)


# --- deadlines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (1, True), (15, True), (16, False), (400, False)])
def test_a_change_is_filed_within_fifteen_days_of_its_cause(agreement, sme_owner, days, allowed):
    cause = TODAY - dt.timedelta(days=days)
    if allowed:
        assert file(agreement, sme_owner.user, cause=cause).status == ChangeRequestStatus.REQUESTED
        return
    before = db_state()
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, cause=cause)
    assert exc.value.code == "change_filed_too_late"
    assert "cause_date" in exc.value.fields
    assert db_state() == before
    assert not ChangeRequest.objects.exists()


def test_the_cause_cannot_be_in_the_future(agreement, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, cause=TODAY + dt.timedelta(days=1))
    assert "cause_date" in exc.value.fields
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (dt.date(2027, 2, 27), True),
        (dt.date(2027, 2, 28), True),  # exactly one month before 2027-03-31
        (dt.date(2027, 3, 1), False),
        (dt.date(2027, 3, 31), False),
    ],
)
def test_a_change_is_filed_at_least_one_month_before_the_end(agreement, sme_owner, today, allowed):
    if allowed:
        assert file(agreement, sme_owner.user, today=today).pk
        return
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, today=today)
    assert exc.value.code == "change_too_close_to_end"
    assert not ChangeRequest.objects.exists()


def test_the_month_rule_on_an_ordinary_day(agreement, sme_owner):
    ProjectAgreement.objects.filter(pk=agreement.pk).update(ends_on=dt.date(2027, 3, 15))
    agreement.refresh_from_db()
    with pytest.raises(ValidationFailed):
        file(agreement, sme_owner.user, today=dt.date(2027, 2, 16))
    assert file(agreement, sme_owner.user, today=dt.date(2027, 2, 15)).pk


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2027, 3, 31), dt.date(2027, 2, 28)),
        (dt.date(2027, 3, 29), dt.date(2027, 2, 28)),
        (dt.date(2027, 3, 28), dt.date(2027, 2, 28)),
        (dt.date(2027, 3, 27), dt.date(2027, 2, 27)),
        (dt.date(2028, 3, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2028, 2, 29), dt.date(2028, 1, 29)),
        (dt.date(2027, 5, 31), dt.date(2027, 4, 30)),
        (dt.date(2027, 7, 31), dt.date(2027, 6, 30)),
        (dt.date(2027, 1, 31), dt.date(2026, 12, 31)),  # across the year
        (dt.date(2027, 1, 1), dt.date(2026, 12, 1)),
        (dt.date(2027, 12, 31), dt.date(2027, 11, 30)),
        (dt.date(2027, 6, 15), dt.date(2027, 5, 15)),
    ],
)
def test_one_month_before(day, expected):
    assert one_month_before(day) == expected


# --- what a request must say ----------------------------------------------------------------------------


def test_file_a_change(agreement, sme_owner):
    supplier = f.SupplierFactory()
    change = file(
        agreement,
        sme_owner.user,
        reason="  공급기업 부도  ",
        new_supplier=supplier,
        new_ends_on=dt.date(2027, 4, 30),
        new_scope="  새 범위  ",
        amounts=amounts(30 * M, 0, 0, 50 * M),
    )
    assert (change.status, change.filed_by, change.reason, change.new_scope) == (
        "requested",
        sme_owner.user,
        "공급기업 부도",
        "새 범위",
    )
    assert (change.new_gov_krw, change.new_sme_krw, change.new_supplier, change.new_ends_on) == (
        30 * M,
        50 * M,
        supplier,
        dt.date(2027, 4, 30),
    )
    # Nothing changes before a decision.
    assert agreed(agreement)[G] == 32 * M
    assert ProjectAgreement.objects.get(pk=agreement.pk).ends_on == END


def test_nothing_to_change_is_refused(agreement, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        ag.change_request_file(
            agreement=agreement,
            actor=sme_owner.user,
            cause_date=TODAY,
            reason="변경",
            new_scope="  ",
            today=TODAY,
        )
    assert exc.value.code == "nothing_to_change"


def test_a_reason_is_required(agreement, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, reason="   ")
    assert "reason" in exc.value.fields


@pytest.mark.parametrize(
    "values",
    [
        {"new_gov_krw": 30 * M},  # not all four
        amounts(-1, 0, 0, 80 * M),
        amounts(30 * M, 0, 0, 1.5),
        amounts(30 * M, 0, 0, "50000000"),
        amounts(True, 0, 0, 50 * M),
        amounts(0, 0, 0, 0),  # nothing left of the project
        amounts(10**13 + 1, 0, 0, 0),
    ],
)
def test_amounts_are_all_four_whole_won(agreement, sme_owner, values):
    with pytest.raises(ValidationFailed):
        file(agreement, sme_owner.user, amounts=values)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    "values",
    [{"new_ends_on": START}, {"new_ends_on": dt.date(2026, 8, 1)}, {"new_starts_on": END}],
)
def test_the_new_period_must_be_in_order(agreement, sme_owner, values):
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, **values)
    assert "new_ends_on" in exc.value.fields


def test_an_inactive_new_supplier_is_refused(agreement, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        file(agreement, sme_owner.user, new_supplier=f.SupplierFactory(is_active=False))
    assert "new_supplier" in exc.value.fields


def test_one_open_request_at_a_time(agreement, sme_owner, official):
    first = file(agreement, sme_owner.user)
    before = db_state()
    with pytest.raises(Conflict) as exc:
        file(agreement, sme_owner.user, new_scope="다른 범위")
    assert exc.value.code == "change_request_open"
    assert db_state() == before
    ag.change_request_reject(change=first, actor=official.user, note="근거 부족")
    assert file(agreement, sme_owner.user, new_scope="다른 범위").pk


@pytest.mark.parametrize(
    "persona", ["official", "regional_officer", "finance_officer", "other_sme", "auditor"]
)
def test_only_the_applicant_files(request, agreement, persona):
    with pytest.raises(PermissionDenied):
        file(agreement, request.getfixturevalue(persona).user)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("status", [S.COMPLETED, S.SETTLED, S.TERMINATED, S.FOLLOW_UP])
def test_only_an_agreement_in_progress_changes(agreement, sme_owner, status):
    Application.objects.filter(pk=agreement.application_id).update(status=status)
    with pytest.raises(IllegalTransition) as exc:
        file(agreement, sme_owner.user)
    assert exc.value.code == "agreement_not_changeable"


@pytest.mark.parametrize("status", [S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION])
def test_a_change_during_the_build_out(agreement, sme_owner, official, status):
    Application.objects.filter(pk=agreement.application_id).update(status=status)
    change = file(agreement, sme_owner.user, new_scope="범위 조정")
    assert ag.change_request_approve(change=change, actor=official.user).status == "approved"


# --- who decides ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["regional_officer", "finance_officer", "sme_owner", "auditor"])
def test_only_officials_decide(request, agreement, sme_owner, persona):
    change = file(agreement, sme_owner.user)
    actor = request.getfixturevalue(persona).user
    before = db_state()
    with pytest.raises(PermissionDenied):
        ag.change_request_approve(change=change, actor=actor)
    with pytest.raises(PermissionDenied):
        ag.change_request_reject(change=change, actor=actor, note="반려")
    assert db_state() == before
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequestStatus.REQUESTED


def test_an_official_never_decides_a_change_they_filed(agreement, sme_owner, official):
    """An official who also acts for the SME files a change: another official must decide it."""
    f.member(official.user, sme_owner.organisation, Role.SME)
    official.user.__dict__.pop("_access_cache", None)
    change = file(agreement, official.user)
    for decide in (
        lambda: ag.change_request_approve(change=change, actor=official.user),
        lambda: ag.change_request_reject(change=change, actor=official.user, note="반려"),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    other = f.UserFactory()
    f.member(other, official.organisation, Role.OFFICIAL)
    assert ag.change_request_approve(change=change, actor=other).decided_by == other


@pytest.mark.parametrize("note", ["", "  "])
def test_a_rejection_needs_a_reason(agreement, sme_owner, official, note):
    change = file(agreement, sme_owner.user)
    with pytest.raises(ValidationFailed) as exc:
        ag.change_request_reject(change=change, actor=official.user, note=note)
    assert "note" in exc.value.fields
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequestStatus.REQUESTED


def test_reject(agreement, sme_owner, official):
    change = file(agreement, sme_owner.user, amounts=amounts(20 * M, 0, 0, 60 * M))
    rejected = ag.change_request_reject(change=change, actor=official.user, note="  근거 부족  ")
    assert (rejected.status, rejected.decided_by, rejected.decision_note) == (
        "rejected",
        official.user,
        "근거 부족",
    )
    assert rejected.decided_at is not None
    assert agreed(agreement)[G] == 32 * M


def test_a_decided_change_is_not_decided_again(agreement, sme_owner, official):
    change = file(agreement, sme_owner.user)
    ag.change_request_approve(change=change, actor=official.user)
    for decide in (
        lambda: ag.change_request_approve(change=change, actor=official.user),
        lambda: ag.change_request_reject(change=change, actor=official.user, note="반려"),
    ):
        with pytest.raises(IllegalTransition) as exc:
            decide()
        assert exc.value.code == "already_decided"


def test_a_change_is_not_approved_once_the_project_is_past_changing(agreement, sme_owner, official):
    change = file(agreement, sme_owner.user)
    Application.objects.filter(pk=agreement.application_id).update(status=S.COMPLETED)
    with pytest.raises(IllegalTransition) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "agreement_not_changeable"


# --- what an approval changes ---------------------------------------------------------------------------


def test_approval_changes_period_supplier_and_scope(agreement, sme_owner, official):
    supplier = f.SupplierFactory()
    change = file(
        agreement,
        sme_owner.user,
        new_starts_on=dt.date(2026, 10, 1),
        new_ends_on=dt.date(2027, 6, 30),
        new_supplier=supplier,
        new_scope="MES·ERP 연동",
    )
    approved = ag.change_request_approve(change=change, actor=official.user, note=" 승인 ")
    assert (approved.status, approved.decided_by, approved.decision_note) == (
        "approved",
        official.user,
        "승인",
    )
    agreement.refresh_from_db()
    assert (agreement.starts_on, agreement.ends_on, agreement.supplier, agreement.scope) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 6, 30),
        supplier,
        "MES·ERP 연동",
    )
    assert agreed(agreement)[G] == 32 * M  # amounts untouched


def test_approval_keeps_what_a_change_does_not_name(agreement, sme_owner, official):
    change = file(agreement, sme_owner.user, new_ends_on=dt.date(2027, 5, 31))
    ag.change_request_approve(change=change, actor=official.user)
    agreement.refresh_from_db()
    assert (agreement.starts_on, agreement.ends_on, agreement.scope) == (
        START,
        dt.date(2027, 5, 31),
        "MES 구축 및 설비 데이터 수집",
    )


def test_approval_changes_the_amounts_and_the_calls_commitment(agreement, sme_owner, official):
    call = agreement.application.call_id
    call_before = committed(Call, call)
    change = file(agreement, sme_owner.user, amounts=amounts(40 * M, 0, 0, 48 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert agreed(agreement) == {G: 40 * M, P: 0, "local": 0, "sme": 48 * M}
    app = Application.objects.get(pk=agreement.application_id)
    assert (app.gov_amount_krw, app.sme_amount_krw, app.total_cost_krw) == (40 * M, 48 * M, 88 * M)
    assert committed(Call, call) == call_before + 8 * M
    # And down again: the call gets the difference back.
    change = file(agreement, sme_owner.user, amounts=amounts(25 * M, 0, 0, 50 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert committed(Call, call) == call_before - 7 * M
    assert Application.objects.get(pk=agreement.application_id).total_cost_krw == 75 * M


@pytest.mark.parametrize("held", ["requested", "approved", "paid", "recovered"])
def test_amounts_never_drop_below_what_is_spoken_for(agreement, sme_owner, official, finance_officer, held):
    made = fs.disbursement_request(
        agreement=agreement, actor=sme_owner.user, source=G, tranche="advance", amount_krw=20 * M
    )
    if held in ("approved", "paid", "recovered"):
        fs.disbursement_approve(request=made, actor=finance_officer.user)
    if held in ("paid", "recovered"):
        fs.disbursement_pay(request=made, actor=finance_officer.user)
    if held == "recovered":  # 15 paid + 5 recovered: still 20 spoken for
        fs.recovery_record(
            agreement=agreement, actor=finance_officer.user, source=G, amount_krw=5 * M, reason="환수"
        )
    change = file(agreement, sme_owner.user, amounts=amounts(20 * M - 1, 0, 0, 60 * M))
    before = db_state() | {"funding": agreed(agreement)}
    with pytest.raises(Conflict) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "below_paid"
    assert db_state() | {"funding": agreed(agreement)} == before
    ag.change_request_reject(change=change, actor=official.user, note="반려")
    change = file(agreement, sme_owner.user, amounts=amounts(20 * M, 0, 0, 60 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert agreed(agreement)[G] == 20 * M


def test_an_increase_beyond_the_calls_budget_is_refused(agreement, sme_owner, official):
    call = Call.objects.get(pk=agreement.application.call_id)
    Call.objects.filter(pk=call.pk).update(budget_krw=call.committed_krw + 10 * M)
    change = file(agreement, sme_owner.user, amounts=amounts(43 * M, 0, 0, 48 * M))  # 11 more
    before = db_state() | {"funding": agreed(agreement)}
    with pytest.raises(Conflict) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "call_budget_exceeded"
    assert db_state() | {"funding": agreed(agreement)} == before
    ag.change_request_reject(change=change, actor=official.user, note="예산 부족")
    change = file(agreement, sme_owner.user, amounts=amounts(42 * M, 0, 0, 48 * M))  # exactly 10 more
    ag.change_request_approve(change=change, actor=official.user)
    call.refresh_from_db()
    assert call.committed_krw == call.budget_krw


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (amounts(45 * M, 0, 0, 40 * M), "gov_share_exceeded"),  # 53 % government
        (amounts(51 * M, 0, 0, 60 * M), "gov_cap_exceeded"),  # over 50 million won
        (amounts(30 * M, 0, 5 * M, 45 * M), "local_top_up_not_allowed"),
    ],
)
def test_new_amounts_follow_the_calls_funding_rule(agreement, sme_owner, official, values, code):
    change = file(agreement, sme_owner.user, amounts=values)
    before = db_state()
    with pytest.raises(ValidationFailed) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == code
    assert db_state() == before


def test_a_partner_share_needs_a_partner(agreement, sme_owner, official):
    FundingRule.objects.filter(call_id=agreement.application.call_id).delete()  # no rule to break
    change = file(agreement, sme_owner.user, amounts=amounts(32 * M, 10 * M, 0, 38 * M))
    with pytest.raises(Conflict) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "partner_not_in_program"


@pytest.fixture
def winwin(sme_owner, official, other_evaluator) -> ProjectAgreement:
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
    app = flow.to_selected(app, sme_owner.user, official.user, other_evaluator.user)
    return flow.sign(app, official.user, starts_on=START, ends_on=END)


def test_approval_moves_the_partners_commitment(winwin, sme_owner, official):
    pledge = winwin.application.partner_agreement_id
    assert committed(WinWinAgreement, pledge) == 30 * M
    change = file(winwin, sme_owner.user, amounts=amounts(30 * M, 35 * M, 0, 40 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert committed(WinWinAgreement, pledge) == 35 * M
    app = Application.objects.get(pk=winwin.application_id)
    assert (app.partner_amount_krw, app.partner_confirmed_krw) == (35 * M, 35 * M)
    assert agreed(winwin)[P] == 35 * M
    change = file(winwin, sme_owner.user, amounts=amounts(29 * M, 33 * M, 0, 38 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert committed(WinWinAgreement, pledge) == 33 * M
    assert committed(Call, winwin.application.call_id) == 29 * M


def test_an_increase_beyond_the_partners_pledge_is_refused(winwin, sme_owner, official):
    pledge = winwin.application.partner_agreement_id
    WinWinAgreement.objects.filter(pk=pledge).update(pledged_krw=35 * M)
    change = file(winwin, sme_owner.user, amounts=amounts(30 * M, 36 * M, 0, 40 * M))
    before = db_state() | {"funding": agreed(winwin), "pledge": committed(WinWinAgreement, pledge)}
    with pytest.raises(Conflict) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "pledge_exceeded"
    after = db_state() | {"funding": agreed(winwin), "pledge": committed(WinWinAgreement, pledge)}
    assert after == before
    ag.change_request_reject(change=change, actor=official.user, note="약정 한도 초과")
    change = file(winwin, sme_owner.user, amounts=amounts(30 * M, 35 * M, 0, 40 * M))
    ag.change_request_approve(change=change, actor=official.user)
    assert committed(WinWinAgreement, pledge) == 35 * M


def test_a_winwin_change_still_follows_its_rule(winwin, sme_owner, official):
    change = file(winwin, sme_owner.user, amounts=amounts(30 * M, 20 * M, 0, 50 * M))
    with pytest.raises(ValidationFailed) as exc:
        ag.change_request_approve(change=change, actor=official.user)
    assert exc.value.code == "submission_checks_failed"  # partner too low and own share too high
    assert {"partner_amount_krw", "sme_amount_krw"} <= set(exc.value.fields)


# --- the audit trail ------------------------------------------------------------------------------------


def test_the_history_shows_the_change_and_the_approving_official(agreement, sme_owner, official):
    change = file(
        agreement, sme_owner.user, new_ends_on=dt.date(2027, 6, 30), amounts=amounts(30 * M, 0, 0, 50 * M)
    )
    ag.change_request_approve(change=change, actor=official.user)
    events = list(
        agreement.events.order_by("pgh_id").values_list("pgh_label", "ends_on", "pgh_context__metadata__user")
    )
    assert events[0] == ("insert", END, official.user.pk)  # signed
    assert events[-1] == ("update", dt.date(2027, 6, 30), official.user.pk)
    funding_events = AgreementFunding.objects.get(agreement=agreement, source=G).events.order_by("pgh_id")
    assert list(funding_events.values_list("agreed_krw", "pgh_context__metadata__service")) == [
        (32 * M, "agreement_sign"),
        (30 * M, "change_request_approve"),
    ]
    change_events = list(
        change.events.order_by("pgh_id").values_list("status", "pgh_context__metadata__user")
    )
    assert change_events == [("requested", sme_owner.user.pk), ("approved", official.user.pk)]


# --- the API --------------------------------------------------------------------------------------------


def test_api_file_and_approve(agreement, sme_owner, official, other_sme):
    today = timezone.localdate()
    ProjectAgreement.objects.filter(pk=agreement.pk).update(ends_on=today + dt.timedelta(days=200))
    url = f"/api/v1/agreements/{agreement.pk}/change-requests/create/"
    body = {
        "cause_date": today.isoformat(),
        "reason": "단가 변경",
        "new_gov_krw": "30,000,000",
        "new_partner_krw": 0,
        "new_local_krw": 0,
        "new_sme_krw": 50_000_000,
    }
    assert_error_body(other_sme.api().post(url, body, format="json"), 404)
    partial = {k: v for k, v in body.items() if k != "new_sme_krw"}
    assert "amounts" in assert_error_body(sme_owner.api().post(url, partial, format="json"), 400)["fields"]
    bad = body | {"new_gov_krw": 1.5}
    assert "new_gov_krw" in assert_error_body(sme_owner.api().post(url, bad, format="json"), 400)["fields"]
    late = body | {"cause_date": (today - dt.timedelta(days=16)).isoformat()}
    assert_error_body(sme_owner.api().post(url, late, format="json"), 400, "change_filed_too_late")
    response = sme_owner.api().post(url, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["new_gov_krw"], created["new_sme_krw"]) == (
        "requested",
        30 * M,
        50 * M,
    )
    approve = f"/api/v1/change-requests/{created['id']}/approve/"
    assert_error_body(sme_owner.api().post(approve, {}, format="json", HTTP_IDEMPOTENCY_KEY="k1"), 403)
    key = uuid.uuid4().hex
    first = official.api().post(approve, {"note": "승인"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "approved"
    again = official.api().post(approve, {"note": "승인"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.json() == first.json()
    assert agreed(agreement)[G] == 30 * M


def test_api_reject(agreement, sme_owner, official):
    change = ag.change_request_file(
        agreement=agreement,
        actor=sme_owner.user,
        cause_date=TODAY,
        reason="범위",
        new_scope="범위",
        today=TODAY,
    )
    url = f"/api/v1/change-requests/{change.pk}/reject/"
    assert "note" in assert_error_body(official.api().post(url, {"note": ""}, format="json"), 400)["fields"]
    response = official.api().post(url, {"note": "근거 부족"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_note"]) == ("rejected", "근거 부족")
