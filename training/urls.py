from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("training/", views.cohort_list, name="cohort-list"),
    path("training/cohorts/new/", views.cohort_new, name="cohort-new"),
    path("training/cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort-edit"),
    path("training/providers/", views.provider_list, name="provider-list"),
    path("training/providers/new/", views.provider_new, name="provider-new"),
    path("training/providers/<int:provider_id>/edit/", views.provider_edit, name="provider-edit"),
    path("training/providers/<int:provider_id>/courses/new/", views.course_new, name="course-new"),
    path("training/courses/<int:course_id>/edit/", views.course_edit, name="course-edit"),
]
