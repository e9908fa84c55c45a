"""API routes of SME ↔ partner-firm matching, included under /api/v1/."""

from django.urls import path

from applications import api_matching as api

urlpatterns = [
    path(
        "calls/<int:call_id>/matching/suggestions/",
        api.MatchingSuggestionsApi.as_view(),
        name="api-matching-suggestions",
    ),
    path(
        "calls/<int:call_id>/matching/preview/", api.MatchingPreviewApi.as_view(), name="api-matching-preview"
    ),
    path("calls/<int:call_id>/matching/apply/", api.MatchingApplyApi.as_view(), name="api-matching-apply"),
]
