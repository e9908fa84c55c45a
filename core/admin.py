from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.models import (
    ApiToken,
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    RegionCode,
    TargetLevel,
    User,
)
from core.sessions import user_deactivate

admin.site.site_header = _("Smart Factory Program administration")
admin.site.site_title = _("Smart Factory Program")


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their services (or never): the admin shows them only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "last_login")
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Also ends the sessions, so that reactivating the account later does not revive them.
            user_deactivate(user=obj)


class RegionCodeInline(admin.TabularInline):
    model = RegionCode
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "slug", "kostat_code", "iso_code", "sort_order")
    inlines = [RegionCodeInline]


@admin.register(KsicDivision)
class KsicAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en")


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("code", "rank", "stage", "name_ko", "name_en")


@admin.register(TargetLevel)
class TargetLevelAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "reference_level", "sort_order")


@admin.register(FirmSizeClass)
class FirmSizeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "is_sme", "valid_from", "valid_to")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "kind", "region", "is_active")
    list_filter = ("kind", "region")
    search_fields = ("name_ko", "name_en")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made by `create_api_token`, which shows the key once
