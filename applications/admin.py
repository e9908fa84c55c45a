from django.contrib import admin
from django.http import HttpRequest

from applications.models import Application, ApplicationStatusChange


class HistoryInline(admin.TabularInline):
    model = ApplicationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: applications change only through the workflow services, which record history."""

    list_display = ("number", "title", "company", "call", "status", "gov_amount_krw")
    list_filter = ("status", "call__fiscal_year", "call__program_type")
    search_fields = ("title", "company__brn", "company__organisation__name_ko")
    list_select_related = ("call", "company__organisation")
    inlines = [HistoryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
