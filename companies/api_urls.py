from django.urls import path

from companies import api

urlpatterns = [
    path("companies/", api.CompanyListApi.as_view(), name="api-company-list"),
    path("companies/register/", api.CompanyRegisterApi.as_view(), name="api-company-register"),
    path("companies/<int:company_id>/", api.CompanyDetailApi.as_view(), name="api-company-detail"),
    path("companies/<int:company_id>/update/", api.CompanyUpdateApi.as_view(), name="api-company-update"),
    path(
        "companies/<int:company_id>/workplaces/",
        api.CompanyWorkplaceListApi.as_view(),
        name="api-workplace-list",
    ),
    path(
        "companies/<int:company_id>/workplaces/create/",
        api.WorkplaceCreateApi.as_view(),
        name="api-workplace-create",
    ),
    path("workplaces/<int:workplace_id>/", api.WorkplaceDetailApi.as_view(), name="api-workplace-detail"),
    path(
        "workplaces/<int:workplace_id>/update/", api.WorkplaceUpdateApi.as_view(), name="api-workplace-update"
    ),
    path("suppliers/", api.SupplierListApi.as_view(), name="api-supplier-list"),
    path("suppliers/register/", api.SupplierRegisterApi.as_view(), name="api-supplier-register"),
    path("suppliers/<int:supplier_id>/", api.SupplierDetailApi.as_view(), name="api-supplier-detail"),
]
