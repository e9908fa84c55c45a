"""Pages of workbook imports (exports.views_imports)."""

from django.urls import path

from exports import views_imports as views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/templates/<slug:kind>.xlsx", views.import_template_download, name="import-template"),
    path("imports/<uuid:job_id>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:job_id>/progress/", views.import_progress, name="import-progress"),
    path("imports/<uuid:job_id>/errors.xlsx", views.import_errors_download, name="import-errors"),
]
