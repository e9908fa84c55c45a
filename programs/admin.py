from django.contrib import admin

from programs.models import Call, FundingRule, NationalTarget, RubricCriterion


class FundingRuleInline(admin.TabularInline):
    model = FundingRule
    extra = 0


class RubricInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "fiscal_year",
        "round",
        "program_type",
        "status",
        "budget_krw",
        "committed_krw",
    )
    list_filter = ("fiscal_year", "program_type", "status")
    search_fields = ("title_ko", "title_en")
    # Committed money and selections are written only by the selection services.
    readonly_fields = ("committed_krw", "selected_count", "created_by", "created_at", "updated_at")
    filter_horizontal = ("eligible_ksic", "eligible_regions")
    inlines = [FundingRuleInline, RubricInline]


@admin.register(NationalTarget)
class NationalTargetAdmin(admin.ModelAdmin):
    list_display = ("code", "label_ko", "metric", "target_value", "unit", "deadline", "is_active")
