from django.urls import path

from training import api

urlpatterns = [
    path("training/providers/", api.ProviderListApi.as_view(), name="api-training-provider-list"),
    path("training/providers/create/", api.ProviderCreateApi.as_view(), name="api-training-provider-create"),
    path(
        "training/providers/<int:provider_id>/",
        api.ProviderDetailApi.as_view(),
        name="api-training-provider-detail",
    ),
    path(
        "training/providers/<int:provider_id>/update/",
        api.ProviderUpdateApi.as_view(),
        name="api-training-provider-update",
    ),
    path(
        "training/providers/<int:provider_id>/courses/create/",
        api.CourseCreateApi.as_view(),
        name="api-training-course-create",
    ),
    path("training/courses/", api.CourseListApi.as_view(), name="api-training-course-list"),
    path(
        "training/courses/<int:course_id>/update/",
        api.CourseUpdateApi.as_view(),
        name="api-training-course-update",
    ),
    path(
        "training/courses/<int:course_id>/cohorts/create/",
        api.CohortRecordApi.as_view(),
        name="api-training-cohort-record",
    ),
    path("training/cohorts/", api.CohortListApi.as_view(), name="api-training-cohort-list"),
    path(
        "training/cohorts/<int:cohort_id>/", api.CohortDetailApi.as_view(), name="api-training-cohort-detail"
    ),
    path(
        "training/cohorts/<int:cohort_id>/update/",
        api.CohortUpdateApi.as_view(),
        name="api-training-cohort-update",
    ),
    path("training/trained-workers/", api.TrainedWorkersApi.as_view(), name="api-training-trained-workers"),
]
