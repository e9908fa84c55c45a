from django.urls import path

from partners import api

urlpatterns = [
    path("partners/consortia/", api.ConsortiumListApi.as_view(), name="api-consortium-list"),
    path("partners/consortia/create/", api.ConsortiumCreateApi.as_view(), name="api-consortium-create"),
    path(
        "partners/consortia/<int:consortium_id>/",
        api.ConsortiumDetailApi.as_view(),
        name="api-consortium-detail",
    ),
    path(
        "partners/consortia/<int:consortium_id>/agreements/create/",
        api.AgreementCreateApi.as_view(),
        name="api-agreement-create",
    ),
    path("partners/agreements/", api.AgreementListApi.as_view(), name="api-agreement-list"),
    path(
        "partners/agreements/<int:agreement_id>/",
        api.AgreementDetailApi.as_view(),
        name="api-agreement-detail",
    ),
    path(
        "partners/agreements/<int:agreement_id>/update/",
        api.AgreementUpdateApi.as_view(),
        name="api-agreement-update",
    ),
    path(
        "partners/agreements/<int:agreement_id>/propose/",
        api.MatchProposeApi.as_view(),
        name="api-match-propose",
    ),
    path("partners/ties/", api.TieListApi.as_view(), name="api-tie-list"),
    path("partners/ties/add/", api.TieAddApi.as_view(), name="api-tie-add"),
    path("partners/ties/<int:tie_id>/remove/", api.TieRemoveApi.as_view(), name="api-tie-remove"),
    path("partners/matches/", api.MatchListApi.as_view(), name="api-match-list"),
    path("partners/matches/<int:match_id>/", api.MatchDetailApi.as_view(), name="api-match-detail"),
    path(
        "partners/matches/<int:match_id>/transition/",
        api.MatchTransitionApi.as_view(),
        name="api-match-transition",
    ),
    path(
        "partners/matches/<int:match_id>/activities/create/",
        api.ActivityCreateApi.as_view(),
        name="api-activity-create",
    ),
    path("partners/mentors/", api.MentorListApi.as_view(), name="api-mentor-list"),
    path("partners/mentors/create/", api.MentorCreateApi.as_view(), name="api-mentor-create"),
    path("partners/mentors/<int:mentor_id>/update/", api.MentorUpdateApi.as_view(), name="api-mentor-update"),
    path("partners/activities/", api.ActivityListApi.as_view(), name="api-activity-list"),
]
