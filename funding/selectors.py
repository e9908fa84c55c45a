"""Reads of money: disbursement requests, the ledger and agreement funding, scoped to the user."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from applications.models import AgreementFunding, ProjectAgreement
from applications.selectors import agreement_scope
from core.errors import NotFound
from core.models import User
from funding.models import DisbursementRequest, LedgerEntry

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def funding_of(agreement: ProjectAgreement) -> dict[str, AgreementFunding]:
    return {row.source: row for row in agreement.funding.all()}


def disbursement_list_for_user(user: AnyUser) -> QuerySet[DisbursementRequest]:
    qs = DisbursementRequest.objects.select_related(
        "agreement__application__call",
        "agreement__application__company__organisation",
        "requested_by",
        "approved_by",
    )
    scope = agreement_scope(user)
    if scope is not None:
        qs = qs.filter(agreement__in=ProjectAgreement.objects.filter(scope))
    return qs.order_by("-requested_at", "-id")


def disbursement_get_for_user(user: AnyUser, request_id: object) -> DisbursementRequest:
    request = disbursement_list_for_user(user).filter(pk=_pk(request_id)).first()
    if request is None:
        raise NotFound()
    return request


def ledger_list_for_user(user: AnyUser) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related("agreement__application__call", "created_by")
    scope = agreement_scope(user)
    if scope is not None:
        qs = qs.filter(agreement__in=ProjectAgreement.objects.filter(scope))
    return qs.order_by("-created_at", "-id")


def ledger_entry_get_for_user(user: AnyUser, entry_id: object) -> LedgerEntry:
    entry = ledger_list_for_user(user).filter(pk=_pk(entry_id)).first()
    if entry is None:
        raise NotFound()
    return entry
