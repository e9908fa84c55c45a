from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("applications/", views.application_list, name="list"),
    path("applications/new/", views.application_new, name="new"),
    path("applications/<int:application_id>/", views.application_detail, name="detail"),
    path("applications/<int:application_id>/edit/<slug:step>/", views.application_edit, name="edit"),
    path("applications/<int:application_id>/funding-check/", views.funding_check, name="funding-check"),
    path("applications/<int:application_id>/act/", views.application_act, name="act"),
    path("applications/<int:application_id>/assign/", views.evaluator_assign_view, name="assign"),
    path("duplicate-flags/<int:flag_id>/override/", views.duplicate_override_view, name="duplicate-override"),
    path("evaluations/", views.assignment_list, name="assignment-list"),
    path("evaluations/<int:assignment_id>/", views.assignment_detail, name="assignment-detail"),
    path("calls/<int:call_id>/selection/", views.selection, name="selection"),
]
