"""Pages of the ministry reports: the snapshot list, the ministry workbook, the open-data file."""

from django.urls import path

from exports import views_reports

urlpatterns = [
    path("reports/", views_reports.reports_page, name="workbook"),
    path(
        "reports/ministry-workbook/<int:snapshot_id>/",
        views_reports.ministry_workbook_download,
        name="ministry-workbook",
    ),
    path("reports/open-data/<slug:fmt>/", views_reports.open_data_download, name="open-data"),
]
