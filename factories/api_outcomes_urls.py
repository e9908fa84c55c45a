from django.urls import path

from factories import api_outcomes as api

urlpatterns = [
    path("outcome-reports/", api.OutcomeReportListApi.as_view(), name="api-outcome-report-list"),
    path(
        "outcome-reports/<int:report_id>/",
        api.OutcomeReportDetailApi.as_view(),
        name="api-outcome-report-detail",
    ),
    path(
        "outcome-reports/<int:report_id>/submit/",
        api.OutcomeReportSubmitApi.as_view(),
        name="api-outcome-report-submit",
    ),
    path(
        "outcome-reports/<int:report_id>/accept/",
        api.OutcomeReportAcceptApi.as_view(),
        name="api-outcome-report-accept",
    ),
    path(
        "outcome-reports/<int:report_id>/return/",
        api.OutcomeReportReturnApi.as_view(),
        name="api-outcome-report-return",
    ),
    path("outcome-effects/", api.OutcomeEffectsApi.as_view(), name="api-outcome-effects"),
    path(
        "calls/<int:call_id>/outcome-schedule/",
        api.OutcomeScheduleApi.as_view(),
        name="api-outcome-schedule",
    ),
]
