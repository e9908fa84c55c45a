"""Disbursement requests by tranche and source, with maker-checker approval, and the append-only ledger.

The database holds the money invariants:
- a request's approver is never its requester (CHECK);
- ledger rows are never updated or deleted (trigger);
- every ledger row moves its agreement source's paid and recovered totals (trigger), which are held
  within the agreed amount by the CHECK on `applications.AgreementFunding` — so no payment can exceed
  the agreement, even written with raw SQL.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models import FundingSource, ProjectAgreement


class Tranche(models.TextChoices):
    ADVANCE = "advance", _("Advance payment (선급금)")
    INTERIM = "interim", _("Interim payment (중도금)")
    FINAL = "final", _("Final payment (잔금)")


class DisbursementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested (요청)")
    APPROVED = "approved", _("Approved (승인)")
    PAID = "paid", _("Paid (지급)")
    REJECTED = "rejected", _("Rejected (반려)")


@pghistory.track()
class DisbursementRequest(models.Model):
    """A request to pay (or record the deposit of) one tranche of one source of an agreement."""

    agreement = models.ForeignKey(ProjectAgreement, on_delete=models.PROTECT, related_name="disbursements")
    source = models.CharField(_("source"), max_length=12, choices=FundingSource.choices)
    tranche = models.CharField(_("tranche"), max_length=10, choices=Tranche.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.REQUESTED
    )
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("disbursement request")
        verbose_name_plural = _("disbursement requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="disbursement_amount_positive"),
            # Maker-checker: nobody approves their own request, whatever writes the row.
            models.CheckConstraint(
                condition=~Q(approved_by=F("requested_by")), name="disbursement_not_self_approved"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[DisbursementStatus.APPROVED, DisbursementStatus.PAID])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="disbursement_approval_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=DisbursementStatus.PAID)
                | Q(paid_by__isnull=False, paid_at__isnull=False),
                name="disbursement_payment_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=DisbursementStatus.REJECTED)
                | (Q(rejected_by__isnull=False, rejected_at__isnull=False) & ~Q(rejection_reason="")),
                name="disbursement_rejection_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["agreement", "source", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.source} {self.tranche} {self.amount_krw}"


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("Payment (지급)")
    REVERSAL = "reversal", _("Reversal of a payment (지급 취소)")
    RECOVERY = "recovery", _("Recovery (환수)")


LEDGER_BALANCE_SQL = """
    UPDATE applications_agreementfunding
       SET paid_krw = paid_krw + NEW.amount_krw,
           recovered_krw = recovered_krw + CASE WHEN NEW.kind = 'recovery' THEN -NEW.amount_krw ELSE 0 END
     WHERE agreement_id = NEW.agreement_id AND source = NEW.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no funding source % on agreement %', NEW.source, NEW.agreement_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
"""


class LedgerEntry(models.Model):
    """One movement of money on an agreement's source. Append-only: a correction is a new (negative)
    reversal entry, money returned by the SME a negative recovery entry."""

    agreement = models.ForeignKey(ProjectAgreement, on_delete=models.PROTECT, related_name="ledger")
    source = models.CharField(_("source"), max_length=12, choices=FundingSource.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    disbursement = models.OneToOneField(
        DisbursementRequest, on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="reversed_by", null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["agreement", "source"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=LedgerKind.PAYMENT,
                        amount_krw__gt=0,
                        disbursement__isnull=False,
                        reverses__isnull=True,
                    )
                )
                | (
                    Q(
                        kind=LedgerKind.REVERSAL,
                        amount_krw__lt=0,
                        reverses__isnull=False,
                        disbursement__isnull=True,
                    )
                )
                | (
                    Q(
                        kind=LedgerKind.RECOVERY,
                        amount_krw__lt=0,
                        reverses__isnull=True,
                        disbursement__isnull=True,
                    )
                ),
                name="ledger_kind_shape",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="ledger_moves_balance",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                func=LEDGER_BALANCE_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_krw}"
