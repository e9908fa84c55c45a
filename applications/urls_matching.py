"""Page routes of SME ↔ partner-firm matching, included at the site root."""

from django.urls import path

from applications import views_matching as views

app_name = "matching"

urlpatterns = [
    path("calls/<int:call_id>/matching/", views.matching_page, name="page"),
]
