from django.urls import path

from applications import api_agreements as api

urlpatterns = [
    path("agreements/", api.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<int:agreement_id>/", api.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path(
        "applications/<int:application_id>/agreement/sign/",
        api.AgreementSignApi.as_view(),
        name="api-agreement-sign",
    ),
    path(
        "applications/<int:application_id>/settle/",
        api.ApplicationSettleApi.as_view(),
        name="api-application-settle",
    ),
    path(
        "applications/<int:application_id>/terminate/",
        api.ApplicationTerminateApi.as_view(),
        name="api-application-terminate",
    ),
    path("change-requests/", api.ChangeRequestListApi.as_view(), name="api-change-request-list"),
    path(
        "agreements/<int:agreement_id>/change-requests/create/",
        api.ChangeRequestFileApi.as_view(),
        name="api-change-request-file",
    ),
    path(
        "change-requests/<int:change_id>/approve/",
        api.ChangeRequestApproveApi.as_view(),
        name="api-change-request-approve",
    ),
    path(
        "change-requests/<int:change_id>/reject/",
        api.ChangeRequestRejectApi.as_view(),
        name="api-change-request-reject",
    ),
]
