from django.urls import path

from applications import api

urlpatterns = [
    path("applications/", api.ApplicationListApi.as_view(), name="api-application-list"),
    path("applications/create/", api.ApplicationCreateApi.as_view(), name="api-application-create"),
    path(
        "applications/<int:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:application_id>/update/",
        api.ApplicationUpdateApi.as_view(),
        name="api-application-update",
    ),
    path(
        "applications/<int:application_id>/submit/",
        api.ApplicationSubmitApi.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<int:application_id>/transition/",
        api.ApplicationTransitionApi.as_view(),
        name="api-application-transition",
    ),
    path(
        "applications/<int:application_id>/pass-screening/",
        api.ApplicationPassScreeningApi.as_view(),
        name="api-application-pass-screening",
    ),
    path(
        "applications/<int:application_id>/select/",
        api.ApplicationSelectApi.as_view(),
        name="api-application-select",
    ),
    path(
        "applications/<int:application_id>/partner-confirm/",
        api.ApplicationPartnerConfirmApi.as_view(),
        name="api-application-partner-confirm",
    ),
    path(
        "applications/<int:application_id>/partner-unconfirm/",
        api.ApplicationPartnerUnconfirmApi.as_view(),
        name="api-application-partner-unconfirm",
    ),
    path(
        "applications/<int:application_id>/history/",
        api.ApplicationHistoryApi.as_view(),
        name="api-application-history",
    ),
    path(
        "applications/<int:application_id>/duplicate-flags/",
        api.DuplicateFlagListApi.as_view(),
        name="api-application-duplicate-flags",
    ),
    path(
        "duplicate-flags/<int:flag_id>/override/",
        api.DuplicateFlagOverrideApi.as_view(),
        name="api-duplicate-flag-override",
    ),
    path(
        "applications/<int:application_id>/assignments/",
        api.ApplicationAssignmentListApi.as_view(),
        name="api-application-assignments",
    ),
    path(
        "applications/<int:application_id>/assignments/create/",
        api.EvaluatorAssignApi.as_view(),
        name="api-evaluator-assign",
    ),
    path("assignments/", api.AssignmentListApi.as_view(), name="api-assignment-list"),
    path("assignments/<int:assignment_id>/", api.AssignmentDetailApi.as_view(), name="api-assignment-detail"),
    path(
        "assignments/<int:assignment_id>/declaration/",
        api.AssignmentDeclareApi.as_view(),
        name="api-assignment-declare",
    ),
    path(
        "assignments/<int:assignment_id>/scores/",
        api.AssignmentScoreApi.as_view(),
        name="api-assignment-scores",
    ),
    path(
        "calls/<int:call_id>/selection/preview/",
        api.SelectionPreviewApi.as_view(),
        name="api-selection-preview",
    ),
    path("calls/<int:call_id>/selection/apply/", api.SelectionApplyApi.as_view(), name="api-selection-apply"),
]
