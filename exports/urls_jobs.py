"""Pages of raw exports: the export page and "My downloads" (exports.views)."""

from django.urls import path

from exports import views

urlpatterns = [
    path("exports/new/", views.export_new, name="new"),
    path("exports/jobs/", views.job_list, name="job-list"),
    path("exports/jobs/<uuid:job_id>/", views.job_detail, name="job-detail"),
    path("exports/jobs/<uuid:job_id>/progress/", views.job_progress, name="job-progress"),
    path("exports/jobs/<uuid:job_id>/download/", views.job_download, name="job-download"),
]
