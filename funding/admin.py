"""Read-only admin of money: requests and ledger entries change only through the services (the ledger
cannot be changed at all), so the admin shows them and nothing more."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from funding.models import DisbursementRequest, LedgerEntry


@admin.register(DisbursementRequest)
class DisbursementRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "agreement",
        "source",
        "tranche",
        "amount_krw",
        "status",
        "requested_by",
        "requested_at",
    )
    list_filter = ("status", "source", "tranche")
    search_fields = ("agreement__application__title", "agreement__application__company__brn")
    list_select_related = ("agreement__application__call", "requested_by")
    date_hierarchy = "requested_at"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "agreement", "source", "kind", "amount_krw", "created_by", "created_at")
    list_filter = ("kind", "source")
    search_fields = ("agreement__application__title", "note")
    list_select_related = ("agreement__application__call", "created_by")
    date_hierarchy = "created_at"
