"""Read-only admin of the factory register: factories change only through the services (completion,
self-built confirmation, closure) and level confirmations cannot be changed at all, so the admin shows
them and nothing more."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from factories.models import Factory, LevelConfirmation


@admin.register(Factory)
class FactoryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "workplace",
        "origin",
        "program_type",
        "support_year",
        "completion_year",
        "level",
        "counted",
        "closed_on",
    )
    list_filter = ("origin", "counted", "completion_year", "program_type", "region")
    search_fields = ("company__organisation__name_ko", "company__brn", "workplace__name")
    list_select_related = ("workplace__company__organisation", "level")
    date_hierarchy = "completed_on"


@admin.register(LevelConfirmation)
class LevelConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("id", "workplace", "level", "confirmed_on", "kind", "confirming_body", "self_built")
    list_filter = ("kind", "self_built", "level")
    search_fields = ("workplace__company__organisation__name_ko", "certificate_number", "confirming_body")
    list_select_related = ("workplace__company__organisation", "level")
    date_hierarchy = "confirmed_on"
