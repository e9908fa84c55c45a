"""The ledger (원장): every payment, reversal and recovery of the agreements the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.models import FundingSource
from core.models import User
from core.roles import Role
from core.selectors import user_access
from exports.datasets.base import (
    AnyUser,
    ChoiceLabels,
    Column,
    Dataset,
    application_number,
    person_name,
    register,
)
from funding.api import LedgerFilter
from funding.models import LedgerEntry, LedgerKind, Tranche
from funding.selectors import ledger_list_for_user


@register
class LedgerDataset(Dataset):
    kind = "ledger"
    title = _("Ledger")
    model = LedgerEntry
    filterset_class = LedgerFilter
    ordering = ("created_at", "id")
    columns = (
        Column(_("Entry no."), "id", "int"),
        Column(_("Recorded at"), "created_at", "datetime"),
        Column(_("Entry kind"), "kind", render=ChoiceLabels(LedgerKind.choices)),
        Column(_("Application no."), "export_number"),
        Column(_("Call"), "agreement__application__call__title_ko"),
        Column(_("Company"), "agreement__application__company__organisation__name_ko"),
        Column(_("Business registration no."), "agreement__application__company__brn"),
        Column(_("Funding source"), "source", render=ChoiceLabels(FundingSource.choices)),
        Column(_("Amount (KRW)"), "amount_krw", "money"),
        Column(_("Tranche"), "disbursement__tranche", render=ChoiceLabels(Tranche.choices)),
        Column(_("Reverses entry no."), "reverses_id", "int"),
        Column(_("Recorded by"), "export_recorded_by", personal=True),
        Column(_("Note"), "note"),
    )

    def allows(self, user: User) -> bool:
        # The ledger page is the finance officers', officials' and auditors' (funding.views).
        return user_access(user).has(Role.FINANCE, Role.OFFICIAL, Role.AUDITOR)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return ledger_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            export_number=application_number("agreement__application__"),
            export_recorded_by=person_name("created_by"),
        )
