"""Pages of exports and imports: the export jobs (urls_jobs), the ministry workbook and open data
(urls_reports) and workbook imports (urls_imports)."""

from django.urls import include, path

app_name = "exports"

urlpatterns = [
    path("", include("exports.urls_jobs")),
    path("", include("exports.urls_reports")),
    path("", include("exports.urls_imports")),
]
