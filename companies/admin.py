from django.contrib import admin

from companies.models import Company, Supplier, Workplace


class WorkplaceInline(admin.TabularInline):
    model = Workplace
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "brn", "size_class", "ksic", "business_status")
    list_filter = ("size_class", "business_status")
    search_fields = ("brn", "organisation__name_ko")
    list_select_related = ("organisation", "size_class", "ksic")
    raw_id_fields = ("organisation",)
    inlines = [WorkplaceInline]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("__str__", "brn", "region", "is_active")
    search_fields = ("brn", "organisation__name_ko")
    list_select_related = ("organisation", "region")
    raw_id_fields = ("organisation",)
