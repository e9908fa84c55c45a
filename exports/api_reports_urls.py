"""API of the ministry reports under /api/v1/."""

from django.urls import path

from exports import api_reports

urlpatterns = [
    path(
        "reports/ministry-workbook/",
        api_reports.MinistryWorkbookDownloadApi.as_view(),
        name="api-reports-ministry-workbook",
    ),
    path("reports/open-data/", api_reports.OpenDataDownloadApi.as_view(), name="api-reports-open-data"),
]
