"""Services of grant agreements (협약): signing, settlement (정산), termination (협약해지) and change
requests (사업변경).

The government support an application commits against its call's budget is its agreed government
amount until settlement or termination, when only what was actually paid stays committed; the partner
firm's share is committed against its pledge the same way; money that comes back after closing (a
reversed payment, a recovery) is released with it (`release_returned_money`). Locks follow the fixed
order: call, win-win agreement, application, agreement funding rows, change request.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import (
    SETTLED_OR_ENDED_STATES,
    SOURCE_AMOUNT_FIELDS,
    AgreementFunding,
    Application,
    ApplicationStatus,
    ChangeRequest,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from applications.permissions import can_decide_application, is_applicant
from applications.services import _apply_transition, _check_transition, _lock, _lock_call
from companies.models import Supplier
from core.audit import audited
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import User
from core.money import MAX_KRW, format_krw
from partners.models import WinWinAgreement
from programs.models import Call
from programs.rules import FundingSplit, check_split
from programs.selectors import funding_rule_for

S = ApplicationStatus
CHANGE_FILING_DAYS = 15  # a change is filed within 15 days of its cause (사업변경 신청 기한)
ACCOUNT_NUMBER = re.compile(r"^[0-9-]{6,30}$")
# Statuses in which an agreement can still be changed.
CHANGEABLE_STATES = frozenset({S.AGREED, S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION})


def one_month_before(day: dt.date) -> dt.date:
    """The same day a month earlier (the last day of that month when it is shorter)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def lock_project(application: Application) -> tuple[Any, WinWinAgreement | None, Application]:
    """Lock call, win-win agreement (if any) and application, in that order."""
    row = Application.objects.filter(pk=application.pk).values("call_id", "partner_agreement_id").get()
    call = _lock_call(row["call_id"])
    winwin = (
        WinWinAgreement.objects.select_for_update().get(pk=row["partner_agreement_id"])
        if row["partner_agreement_id"]
        else None
    )
    app = _lock(application)
    if app.partner_agreement_id != row["partner_agreement_id"]:
        raise Conflict(_("The application changed meanwhile; please try again."), code="concurrent_change")
    return call, winwin, app


def _lock_funding(agreement: ProjectAgreement) -> dict[str, AgreementFunding]:
    rows = AgreementFunding.objects.select_for_update().filter(agreement=agreement).order_by("source")
    return {row.source: row for row in rows}


def _check_account(number: str) -> None:
    if not ACCOUNT_NUMBER.match(number) or sum(c.isdigit() for c in number) < 6:
        raise ValidationFailed(
            fields={"account_number": [_("Enter the account number with digits and hyphens only.")]}
        )


@audited
@transaction.atomic
def agreement_sign(
    *,
    application: Application,
    actor: User,
    starts_on: dt.date,
    ends_on: dt.date,
    scope: str,
    account_bank: str,
    account_number: str,
    account_holder: str,
    supplier: Supplier | None = None,
    signed_on: dt.date | None = None,
) -> ProjectAgreement:
    """Sign the agreement of a selected application (selected → agreed) with the amounts it was selected
    with, one funding row per source. Officials or the workplace's regional center."""
    _call, _winwin, app = lock_project(application)
    _check_transition(app, action="agree", actor=actor)
    supplier = supplier or app.supplier
    if supplier is None or not supplier.is_active:
        raise ValidationFailed(fields={"supplier": [_("Choose an active supplier.")]})
    errors: dict[str, list[Any]] = {}
    if ends_on <= starts_on:
        errors["ends_on"] = [_("The agreement must end after it starts.")]
    if not scope.strip():
        errors["scope"] = [_("Describe the scope of the project.")]
    if not account_bank.strip() or not account_holder.strip():
        errors["account_bank"] = [_("Enter the bank and the account holder.")]
    if errors:
        raise ValidationFailed(fields=errors)
    _check_account(account_number)
    agreement = ProjectAgreement.objects.create(
        application=app,
        starts_on=starts_on,
        ends_on=ends_on,
        supplier=supplier,
        scope=scope.strip(),
        account_bank=account_bank.strip(),
        account_number=account_number.strip(),
        account_holder=account_holder.strip(),
        signed_on=signed_on or timezone.localdate(),
        signed_by=actor,
    )
    AgreementFunding.objects.bulk_create(
        [
            AgreementFunding(agreement=agreement, source=source, agreed_krw=getattr(app, field))
            for source, field in SOURCE_AMOUNT_FIELDS.items()
        ]
    )
    _apply_transition(app, action="agree", actor=actor)
    return agreement


def _release_unspent(call: Any, winwin: WinWinAgreement | None, funding: dict[str, AgreementFunding]) -> None:
    """Keep only what was paid committed against the call's budget and the partner's pledge."""
    open_money = sum(row.outstanding_krw for row in funding.values())
    if open_money:
        raise Conflict(
            _("%(amount)s won is still requested or approved; pay or reject those requests first.")
            % {"amount": format_krw(open_money)},
            code="open_disbursements",
        )
    gov = funding[FundingSource.GOVERNMENT]
    call.committed_krw -= gov.agreed_krw - gov.paid_krw
    call.save(update_fields=["committed_krw", "updated_at"])
    partner = funding[FundingSource.PARTNER]
    if winwin is not None and partner.agreed_krw:
        WinWinAgreement.objects.filter(pk=winwin.pk).update(
            committed_krw=F("committed_krw") - (partner.agreed_krw - partner.paid_krw)
        )


def release_returned_money(
    call: Any, winwin: WinWinAgreement | None, app: Application, *, source: str, amount_krw: int
) -> None:
    """Money that comes back after a project was settled or terminated (a reversed payment, a
    recovery) leaves its commitment too: only what was paid (net) stays committed once a project is
    closed. The caller holds the locks of `lock_project` (call, win-win agreement, application)."""
    if app.status not in SETTLED_OR_ENDED_STATES or amount_krw <= 0:
        return
    if source == FundingSource.GOVERNMENT:
        Call.objects.filter(pk=call.pk).update(committed_krw=F("committed_krw") - amount_krw)
    elif source == FundingSource.PARTNER and winwin is not None:
        WinWinAgreement.objects.filter(pk=winwin.pk).update(committed_krw=F("committed_krw") - amount_krw)


def _close_agreement(application: Application, *, actor: User, action: str, note: str) -> Application:
    call, winwin, app = lock_project(application)
    _check_transition(app, action=action, actor=actor, note=note)
    agreement = ProjectAgreement.objects.get(application=app)
    _release_unspent(call, winwin, _lock_funding(agreement))
    app.decided_at = app.decided_at or timezone.now()
    _apply_transition(app, action=action, actor=actor, note=note)
    return app


@audited
@transaction.atomic
def application_settle(*, application: Application, actor: User, note: str = "") -> Application:
    """Settle a completed project (정산): nothing may be left requested or approved; what was agreed
    but not paid goes back to the call's budget and the partner's pledge."""
    return _close_agreement(application, actor=actor, action="settle", note=note)


@audited
@transaction.atomic
def application_complete(*, application: Application, actor: User, note: str = "") -> Application:
    """Pass a project's final inspection (final_inspection → completed) under the application's row
    lock, with its history row. Refusals: 403 (not the project's officials), 409 (not in final
    inspection).

    Pages and the API complete a project only through `factories.services.factory_record_completion`,
    which calls this in the same transaction and records the deployed factory with it; call this
    directly only where no factory record is wanted (tests of the money layer).
    """
    app = _lock(application)
    _apply_transition(app, action="complete", actor=actor, note=note)
    return app


@audited
@transaction.atomic
def application_terminate(*, application: Application, actor: User, note: str) -> Application:
    """Terminate an agreement (협약해지) with its reason; unpaid support goes back as on settlement."""
    return _close_agreement(application, actor=actor, action="terminate", note=note)


AMOUNT_CHANGE_FIELDS = {
    FundingSource.GOVERNMENT: "new_gov_krw",
    FundingSource.PARTNER: "new_partner_krw",
    FundingSource.LOCAL: "new_local_krw",
    FundingSource.SME: "new_sme_krw",
}


def _check_amounts(amounts: dict[str, Any]) -> None:
    bad = [
        key
        for key, value in amounts.items()
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KRW
    ]
    if bad:
        raise ValidationFailed(
            fields={key: [_("Enter the amount as whole won, zero or more.")] for key in bad}
        )
    if sum(amounts.values()) <= 0:
        raise ValidationFailed(
            fields={"new_gov_krw": [_("The total project cost must be greater than zero.")]}
        )


@audited
@transaction.atomic
def change_request_file(
    *,
    agreement: ProjectAgreement,
    actor: User,
    cause_date: dt.date,
    reason: str,
    amounts: dict[str, int] | None = None,
    new_starts_on: dt.date | None = None,
    new_ends_on: dt.date | None = None,
    new_supplier: Supplier | None = None,
    new_scope: str = "",
    today: dt.date | None = None,
) -> ChangeRequest:
    """The applicant asks to change the agreement. The rules of 사업변경: filed within 15 days of the
    cause, and at least one month before the agreement ends; one open request at a time.

    `amounts` maps new_gov_krw, new_partner_krw, new_local_krw and new_sme_krw (all four or none).
    """
    app = _lock(agreement.application)
    if not is_applicant(actor, app):
        raise PermissionDenied()
    if app.status not in CHANGEABLE_STATES:
        raise IllegalTransition(
            _("The agreement can be changed only between signing and the final inspection."),
            code="agreement_not_changeable",
        )
    today = today or timezone.localdate()
    if cause_date > today:
        raise ValidationFailed(fields={"cause_date": [_("The cause cannot be in the future.")]})
    if (today - cause_date).days > CHANGE_FILING_DAYS:
        raise ValidationFailed(
            _("A change must be filed within %(days)s days of its cause (the cause was on %(cause)s).")
            % {"days": CHANGE_FILING_DAYS, "cause": cause_date.isoformat()},
            code="change_filed_too_late",
            fields={"cause_date": [_("More than %(days)s days ago.") % {"days": CHANGE_FILING_DAYS}]},
        )
    locked = ProjectAgreement.objects.select_for_update().get(pk=agreement.pk)
    if today > one_month_before(locked.ends_on):
        raise ValidationFailed(
            _("A change must be filed at least one month before the agreement ends (%(end)s).")
            % {"end": locked.ends_on.isoformat()},
            code="change_too_close_to_end",
        )
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Explain the reason for the change.")]})
    amounts = dict(amounts or {})
    if amounts:
        if set(amounts) != set(AMOUNT_CHANGE_FIELDS.values()):
            raise ValidationFailed(fields={"amounts": [_("Give all four amounts when the amounts change.")]})
        _check_amounts(amounts)
    starts = new_starts_on or locked.starts_on
    ends = new_ends_on or locked.ends_on
    if ends <= starts:
        raise ValidationFailed(fields={"new_ends_on": [_("The agreement must end after it starts.")]})
    if new_supplier is not None and not new_supplier.is_active:
        raise ValidationFailed(fields={"new_supplier": [_("Choose an active supplier.")]})
    if not (amounts or new_starts_on or new_ends_on or new_supplier or new_scope.strip()):
        raise ValidationFailed(_("Say what should change."), code="nothing_to_change")
    if locked.change_requests.filter(status=ChangeRequestStatus.REQUESTED).exists():
        raise Conflict(
            _("A change request of this agreement is already waiting for a decision."),
            code="change_request_open",
        )
    return ChangeRequest.objects.create(
        agreement=locked,
        cause_date=cause_date,
        reason=reason.strip(),
        new_starts_on=new_starts_on,
        new_ends_on=new_ends_on,
        new_supplier=new_supplier,
        new_scope=new_scope.strip(),
        filed_by=actor,
        filed_at=timezone.now(),
        **amounts,
    )


def _apply_amounts(
    change: ChangeRequest, call: Any, winwin: WinWinAgreement | None, app: Application
) -> None:
    funding = _lock_funding(change.agreement)
    new = {source: getattr(change, field) for source, field in AMOUNT_CHANGE_FIELDS.items()}
    for source, amount in new.items():
        row = funding[source]
        spoken_for = row.outstanding_krw + row.paid_krw + row.recovered_krw
        if amount < spoken_for:
            raise Conflict(
                _("%(source)s cannot drop below the %(amount)s won already requested, paid or recovered.")
                % {"source": FundingSource(source).label, "amount": format_krw(spoken_for)},
                code="below_paid",
            )
    rule = funding_rule_for(app.call, app.target_level_id, (app.size_class or app.company.size_class).code)
    split = FundingSplit(
        total=sum(new.values()),
        gov=new[FundingSource.GOVERNMENT],
        partner=new[FundingSource.PARTNER],
        sme=new[FundingSource.SME],
        local=new[FundingSource.LOCAL],
    )
    failures = check_split(rule, split) if rule is not None else []
    if failures:
        raise ValidationFailed(
            " ".join(str(f.message) for f in failures),
            code=failures[0].code if len(failures) == 1 else "submission_checks_failed",
            fields={f.field: [f.message] for f in failures},
        )
    gov_delta = new[FundingSource.GOVERNMENT] - funding[FundingSource.GOVERNMENT].agreed_krw
    if gov_delta > call.remaining_krw:
        raise Conflict(
            _("The call has %(remaining)s won of budget left; the change needs %(delta)s won more.")
            % {"remaining": format_krw(call.remaining_krw), "delta": format_krw(gov_delta)},
            code="call_budget_exceeded",
        )
    call.committed_krw += gov_delta
    call.save(update_fields=["committed_krw", "updated_at"])
    partner_delta = new[FundingSource.PARTNER] - funding[FundingSource.PARTNER].agreed_krw
    if partner_delta and winwin is None:
        raise Conflict(_("This project has no partner firm to contribute."), code="partner_not_in_program")
    if winwin is not None and partner_delta:
        moved = WinWinAgreement.objects.filter(
            pk=winwin.pk, committed_krw__lte=F("pledged_krw") - partner_delta
        ).update(committed_krw=F("committed_krw") + partner_delta)
        if not moved:
            raise Conflict(
                _("The partner firm's pledge cannot cover the new contribution."), code="pledge_exceeded"
            )
    for source, amount in new.items():
        AgreementFunding.objects.filter(pk=funding[source].pk).update(agreed_krw=amount)
        setattr(app, SOURCE_AMOUNT_FIELDS[source], amount)
    app.total_cost_krw = sum(new.values())
    fields = ["total_cost_krw", *SOURCE_AMOUNT_FIELDS.values(), "updated_at"]
    if app.partner_confirmed_krw is not None:
        app.partner_confirmed_krw = new[FundingSource.PARTNER] or None
        if app.partner_confirmed_krw is None:
            app.partner_confirmed_at = None
            app.partner_confirmed_by = None
        fields += ["partner_confirmed_krw", "partner_confirmed_at", "partner_confirmed_by"]
    app.save(update_fields=fields)


def _lock_change(change: ChangeRequest) -> tuple[Any, WinWinAgreement | None, Application, ChangeRequest]:
    call, winwin, app = lock_project(change.agreement.application)
    locked = ChangeRequest.objects.select_for_update().select_related("agreement").get(pk=change.pk)
    return call, winwin, app, locked


@audited
@transaction.atomic
def change_request_approve(*, change: ChangeRequest, actor: User, note: str = "") -> ChangeRequest:
    """An official approves a change; the agreement (and the application's amounts) change with it.

    Refusals: PermissionDenied, IllegalTransition (already decided), Conflict when an amount would drop
    below what was already requested, paid or recovered (below_paid), the call's budget or the partner's
    pledge cannot cover an increase, ValidationFailed when the new split breaks the call's rule.
    """
    call, winwin, app, locked = _lock_change(change)
    if not can_decide_application(actor, app) or locked.filed_by_id == actor.pk:
        raise PermissionDenied()
    if locked.status != ChangeRequestStatus.REQUESTED:
        raise IllegalTransition(_("This change request has already been decided."), code="already_decided")
    if app.status not in CHANGEABLE_STATES:
        raise IllegalTransition(
            _("The agreement can be changed only between signing and the final inspection."),
            code="agreement_not_changeable",
        )
    if locked.changes_amounts:
        _apply_amounts(locked, call, winwin, app)
    agreement = locked.agreement
    for field, new_field in (
        ("starts_on", "new_starts_on"),
        ("ends_on", "new_ends_on"),
        ("supplier", "new_supplier"),
    ):
        if getattr(locked, new_field) is not None:
            setattr(agreement, field, getattr(locked, new_field))
    if locked.new_scope:
        agreement.scope = locked.new_scope
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"new_ends_on": [_("The agreement must end after it starts.")]}
        ) from exc
    locked.status = ChangeRequestStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


@audited
@transaction.atomic
def change_request_reject(*, change: ChangeRequest, actor: User, note: str) -> ChangeRequest:
    """An official rejects a change request, giving the reason."""
    _call, _winwin, app, locked = _lock_change(change)
    if not can_decide_application(actor, app) or locked.filed_by_id == actor.pk:
        raise PermissionDenied()
    if locked.status != ChangeRequestStatus.REQUESTED:
        raise IllegalTransition(_("This change request has already been decided."), code="already_decided")
    if not note.strip():
        raise ValidationFailed(fields={"note": [_("Give the reason for rejecting the change.")]})
    locked.status = ChangeRequestStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked
