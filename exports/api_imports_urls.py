"""API of workbook imports under /api/v1/ (exports.api_imports)."""

from django.urls import path

from exports import api_imports as api

urlpatterns = [
    path("imports/", api.ImportJobCreateApi.as_view(), name="api-import-create"),
    path("imports/<uuid:job_id>/", api.ImportJobDetailApi.as_view(), name="api-import-detail"),
]
