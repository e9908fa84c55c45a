"""API of workbook imports under /api/v1/ (exports.api_imports)."""

from django.urls import path

from exports import api_imports as api

urlpatterns = [
    path("imports/", api.ImportJobCreateApi.as_view(), name="api-import-create"),
    # <str:…>: a malformed id reaches the view, so an anonymous caller gets 401 like everywhere in the API
    # and a signed-in one the selector's 404.
    path("imports/<str:job_id>/", api.ImportJobDetailApi.as_view(), name="api-import-detail"),
]
