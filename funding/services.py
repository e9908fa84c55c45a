"""Money services: disbursement requests by tranche and source, maker-checker approval, payment,
rejection, reversal and recovery (환수).

Requested and approved amounts are held against the agreed amount of their source by a conditional
UPDATE (and the CHECK on `AgreementFunding`), so concurrent requests can never ask for more than was
agreed. Payments, reversals and recoveries are ledger entries; the database moves the paid and
recovered totals with them. Locks: the application (a new request reads its status), the
agreement's funding row, then the request; a reversal or recovery first locks the call and the win-win
agreement (in that order, as settlement does), since after closing it releases their commitment.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import agreements
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    FundingSource,
    ProjectAgreement,
)
from core.audit import audited
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import User
from core.money import MAX_KRW, format_krw
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind, Tranche
from funding.permissions import (
    can_decide_disbursement,
    can_pay,
    can_record_recovery,
    can_request_disbursement,
)

S = ApplicationStatus
# When each tranche may be requested: advance after signing, interim during build-out, final once the
# final inspection has passed.
TRANCHE_STATES = {
    Tranche.ADVANCE: frozenset({S.AGREED, S.BUILDING}),
    Tranche.INTERIM: frozenset({S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION}),
    Tranche.FINAL: frozenset({S.COMPLETED}),
}


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_KRW:
        raise ValidationFailed(
            fields={"amount_krw": [_("Enter the amount as whole won, greater than zero.")]}
        )
    return amount


def _funding_row(agreement: ProjectAgreement, source: str) -> AgreementFunding:
    return AgreementFunding.objects.select_for_update().get(agreement=agreement, source=source)


@audited
@transaction.atomic
def disbursement_request(
    *, agreement: ProjectAgreement, actor: User, source: str, tranche: str, amount_krw: int, note: str = ""
) -> DisbursementRequest:
    """Ask for one tranche of one source. Refused with 409 when it would take the source beyond what
    was agreed (counting what is already requested, approved, paid or recovered)."""
    if not can_request_disbursement(actor, agreement):
        raise PermissionDenied()
    if source not in FundingSource.values:
        raise ValidationFailed(fields={"source": [_("Unknown source.")]})
    if tranche not in Tranche.values:
        raise ValidationFailed(fields={"tranche": [_("Unknown tranche.")]})
    amount = _check_amount(amount_krw)
    # The status is read under the application's row lock, not from the (possibly stale) object passed
    # in: a settlement or termination locks the application before the funding rows, so it either
    # finishes first and the tranche is refused here, or waits and then finds this request open.
    status = (
        Application.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=agreement.application_id)
    )
    if status not in TRANCHE_STATES[Tranche(tranche)]:
        raise Conflict(
            _("%(tranche)s cannot be requested while the project is '%(status)s'.")
            % {"tranche": Tranche(tranche).label, "status": S(status).label},
            code="tranche_not_due",
        )
    held = AgreementFunding.objects.filter(
        agreement=agreement,
        source=source,
        agreed_krw__gte=F("outstanding_krw") + F("paid_krw") + F("recovered_krw") + amount,
    ).update(outstanding_krw=F("outstanding_krw") + amount)
    if not held:
        row = AgreementFunding.objects.get(agreement=agreement, source=source)
        raise Conflict(
            _("Only %(remaining)s won of %(source)s is left to request; %(amount)s won was asked.")
            % {
                "remaining": format_krw(row.remaining_krw),
                "source": FundingSource(source).label,
                "amount": format_krw(amount),
            },
            code="exceeds_agreed",
        )
    return DisbursementRequest.objects.create(
        agreement=agreement,
        source=source,
        tranche=tranche,
        amount_krw=amount,
        note=note.strip(),
        requested_by=actor,
        requested_at=timezone.now(),
    )


def _lock_request(request: DisbursementRequest) -> tuple[AgreementFunding, DisbursementRequest]:
    row = _funding_row(request.agreement, request.source)
    return row, DisbursementRequest.objects.select_for_update().get(pk=request.pk)


@audited
@transaction.atomic
def disbursement_approve(*, request: DisbursementRequest, actor: User) -> DisbursementRequest:
    """A finance officer who did not make the request approves it."""
    _row, locked = _lock_request(request)
    if not can_decide_disbursement(actor, locked):
        code = "self_approval" if locked.requested_by_id == actor.pk else "permission_denied"
        raise PermissionDenied(
            _("A request is approved by a finance officer other than the one who made it."), code=code
        )
    if locked.status != DisbursementStatus.REQUESTED:
        raise IllegalTransition(_("Only a requested disbursement can be approved."))
    locked.status = DisbursementStatus.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


@audited
@transaction.atomic
def disbursement_reject(*, request: DisbursementRequest, actor: User, reason: str) -> DisbursementRequest:
    """A finance officer rejects a requested or approved disbursement with a reason; the amount is
    released back to the source."""
    row, locked = _lock_request(request)
    if not can_decide_disbursement(actor, locked):
        raise PermissionDenied(_("A request is decided by a finance officer other than the one who made it."))
    if locked.status not in (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED):
        raise IllegalTransition(_("Only a requested or approved disbursement can be rejected."))
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for rejecting the request.")]})
    AgreementFunding.objects.filter(pk=row.pk).update(
        outstanding_krw=F("outstanding_krw") - locked.amount_krw
    )
    locked.status = DisbursementStatus.REJECTED
    locked.rejected_by = actor
    locked.rejected_at = timezone.now()
    locked.rejection_reason = reason.strip()
    locked.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
    return locked


@audited
@transaction.atomic
def disbursement_pay(*, request: DisbursementRequest, actor: User, note: str = "") -> LedgerEntry:
    """Pay an approved request: a payment entry in the ledger (which moves the paid total)."""
    row, locked = _lock_request(request)
    if not can_pay(actor):
        raise PermissionDenied()
    if locked.status != DisbursementStatus.APPROVED:
        raise IllegalTransition(_("Only an approved disbursement can be paid."), code="not_approved")
    now = timezone.now()
    AgreementFunding.objects.filter(pk=row.pk).update(
        outstanding_krw=F("outstanding_krw") - locked.amount_krw
    )
    entry = LedgerEntry.objects.create(
        agreement_id=locked.agreement_id,
        source=locked.source,
        kind=LedgerKind.PAYMENT,
        amount_krw=locked.amount_krw,
        disbursement=locked,
        note=note.strip(),
        created_by=actor,
        created_at=now,
    )
    locked.status = DisbursementStatus.PAID
    locked.paid_by = actor
    locked.paid_at = now
    locked.save(update_fields=["status", "paid_by", "paid_at"])
    return entry


@audited
@transaction.atomic
def payment_reverse(*, entry: LedgerEntry, actor: User, reason: str) -> LedgerEntry:
    """Correct an erroneous payment with a reversing entry of the same amount (never an edit). After
    settlement or termination the reversed amount also leaves the call's or the partner's commitment."""
    if not can_pay(actor):
        raise PermissionDenied()
    call, winwin, app = agreements.lock_project(entry.agreement.application)
    _funding_row(entry.agreement, entry.source)
    if entry.kind != LedgerKind.PAYMENT:
        raise ValidationFailed(_("Only a payment can be reversed."), code="not_a_payment")
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for the reversal.")]})
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("This payment has already been reversed."), code="already_reversed")
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                agreement_id=entry.agreement_id,
                source=entry.source,
                kind=LedgerKind.REVERSAL,
                amount_krw=-entry.amount_krw,
                reverses=entry,
                note=reason.strip(),
                created_by=actor,
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        # A recovery since the payment leaves less paid than the payment; or a concurrent reversal.
        raise Conflict(
            _("The payment cannot be reversed: less than its amount remains paid."),
            code="reversal_exceeds_paid",
        ) from exc
    agreements.release_returned_money(call, winwin, app, source=entry.source, amount_krw=entry.amount_krw)
    return reversal


@audited
@transaction.atomic
def recovery_record(
    *, agreement: ProjectAgreement, actor: User, source: str, amount_krw: int, reason: str
) -> LedgerEntry:
    """Record money recovered from the SME (환수) as a negative entry. It cannot exceed what was paid,
    and recovered money cannot be requested again; after settlement or termination it also leaves the
    call's or the partner's commitment."""
    if not can_record_recovery(actor):
        raise PermissionDenied()
    if source not in FundingSource.values:
        raise ValidationFailed(fields={"source": [_("Unknown source.")]})
    amount = _check_amount(amount_krw)
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the legal ground and reason for the recovery.")]})
    call, winwin, app = agreements.lock_project(agreement.application)
    row = _funding_row(agreement, source)
    if amount > row.paid_krw:
        raise Conflict(
            _("Only %(paid)s won of %(source)s has been paid; %(amount)s won cannot be recovered.")
            % {
                "paid": format_krw(row.paid_krw),
                "source": FundingSource(source).label,
                "amount": format_krw(amount),
            },
            code="recovery_exceeds_paid",
        )
    recovery = LedgerEntry.objects.create(
        agreement=agreement,
        source=source,
        kind=LedgerKind.RECOVERY,
        amount_krw=-amount,
        note=reason.strip(),
        created_by=actor,
        created_at=timezone.now(),
    )
    agreements.release_returned_money(call, winwin, app, source=source, amount_krw=amount)
    return recovery
