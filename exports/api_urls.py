"""API of exports and imports under /api/v1/: export jobs, reports, imports."""

from django.urls import include, path

urlpatterns = [
    path("", include("exports.api_jobs_urls")),
    path("", include("exports.api_reports_urls")),
    path("", include("exports.api_imports_urls")),
]
