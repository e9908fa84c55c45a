"""Read-only admin of win-win partnerships: every change goes through `partners.services`, which check
permissions, keep the pledge and quota invariants and record match history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partners.models import (
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consortium)
class ConsortiumAdmin(ReadOnlyAdmin):
    list_display = ("name_ko", "partner", "institution", "established_on")
    search_fields = ("name_ko", "name_en", "partner__name_ko", "institution__name_ko")
    list_select_related = ("partner", "institution")


@admin.register(WinWinAgreement)
class WinWinAgreementAdmin(ReadOnlyAdmin):
    list_display = ("consortium", "fiscal_year", "status", "pledged_krw", "committed_krw", "mentee_quota")
    list_filter = ("fiscal_year", "status")
    search_fields = ("consortium__name_ko", "consortium__partner__name_ko")
    list_select_related = ("consortium",)


class MatchHistoryInline(ReadOnlyInline):
    model = MatchStatusChange
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "agreement", "company", "status", "score", "created_at")
    list_filter = ("status", "agreement__fiscal_year")
    search_fields = ("company__brn", "company__organisation__name_ko", "agreement__consortium__name_ko")
    list_select_related = ("agreement__consortium", "company__organisation")
    inlines = [MatchHistoryInline]


@admin.register(SupplyChainTie)
class SupplyChainTieAdmin(ReadOnlyAdmin):
    list_display = ("brn", "name", "partner", "created_at")
    search_fields = ("brn", "name", "partner__name_ko")
    list_select_related = ("partner",)


@admin.register(Mentor)
class MentorAdmin(ReadOnlyAdmin):
    list_display = ("name", "partner", "expertise", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "partner__name_ko")
    list_select_related = ("partner",)


@admin.register(MentoringActivity)
class MentoringActivityAdmin(ReadOnlyAdmin):
    list_display = ("date", "match", "mentor", "kind", "hours")
    list_filter = ("kind",)
    date_hierarchy = "date"
    list_select_related = ("match__agreement__consortium", "match__company__organisation", "mentor")
    raw_id_fields = ("match", "mentor")
