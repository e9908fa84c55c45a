"""Disbursement requests (지급 요청): the finance queue and every request of the agreements the user sees."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.models import FundingSource
from core.models import User
from exports.datasets.base import (
    AnyUser,
    ChoiceLabels,
    Column,
    Dataset,
    PageWord,
    application_number,
    person_name,
    register,
)
from funding.api import DisbursementFilter
from funding.forms import ALL, OPEN
from funding.models import DisbursementRequest, DisbursementStatus, Tranche
from funding.reconciliation import can_view_money_reports
from funding.selectors import disbursement_list_for_user


@register
class DisbursementsDataset(Dataset):
    kind = "disbursements"
    title = _("Disbursement requests")
    model = DisbursementRequest
    filterset_class = DisbursementFilter
    # The finance queue's own words (funding.views.finance_queue).
    page_words = {
        "status": {
            OPEN: PageWord(
                _("Requested or approved"), (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED)
            ),
            ALL: PageWord(_("All statuses")),
        }
    }
    columns = (
        Column(_("Request no."), "id", "int"),
        Column(_("Application no."), "export_number"),
        Column(_("Company"), "agreement__application__company__organisation__name_ko"),
        Column(_("Business registration no."), "agreement__application__company__brn"),
        Column(_("Funding source"), "source", render=ChoiceLabels(FundingSource.choices)),
        Column(_("Tranche"), "tranche", render=ChoiceLabels(Tranche.choices)),
        Column(_("Amount (KRW)"), "amount_krw", "money"),
        Column(_("Status"), "status", render=ChoiceLabels(DisbursementStatus.choices)),
        Column(_("Note"), "note"),
        Column(_("Requested"), "requested_at", "datetime"),
        Column(_("Requested by"), "export_requested_by", personal=True),
        Column(_("Approved"), "approved_at", "datetime"),
        Column(_("Approved by"), "export_approved_by", personal=True),
        Column(_("Paid"), "paid_at", "datetime"),
        Column(_("Rejected"), "rejected_at", "datetime"),
        Column(_("Reason for rejection"), "rejection_reason"),
    )

    def allows(self, user: User) -> bool:
        # Finance officers work the queue; officials and auditors follow the money on the execution,
        # reconciliation and ledger pages, as finance officers do.
        return can_view_money_reports(user)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return disbursement_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            export_number=application_number("agreement__application__"),
            export_requested_by=person_name("requested_by"),
            export_approved_by=person_name("approved_by"),
        )
