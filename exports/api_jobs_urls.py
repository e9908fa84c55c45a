"""API of raw exports (exports.api_jobs), under /api/v1/."""

from django.urls import path

from exports import api_jobs

urlpatterns = [
    path("exports/", api_jobs.ExportJobCollectionApi.as_view(), name="api-export-job-list"),
    path("exports/<str:job_id>/", api_jobs.ExportJobDetailApi.as_view(), name="api-export-job-detail"),
    path(
        "exports/<str:job_id>/download/",
        api_jobs.ExportJobDownloadApi.as_view(),
        name="api-export-job-download",
    ),
]
