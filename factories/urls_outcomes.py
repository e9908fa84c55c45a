from django.urls import path

from factories import views_outcomes as views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.outcome_list, name="list"),
    path("outcomes/<int:report_id>/", views.outcome_detail, name="detail"),
    path("outcomes/<int:report_id>/submit/", views.outcome_submit, name="submit"),
    path("outcomes/<int:report_id>/review/<slug:action>/", views.outcome_review, name="review"),
    path("outcomes/schedules/<int:call_id>/", views.outcome_schedule, name="schedule"),
]
