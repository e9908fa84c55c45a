"""Read-only admin of money: requests and ledger entries change only through the services (the ledger
cannot be changed at all), so the admin shows them and nothing more."""

from django.contrib import admin
from django.http import HttpRequest

from funding.models import DisbursementRequest, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
