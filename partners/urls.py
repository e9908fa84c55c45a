from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("partners/agreements/", views.agreement_list, name="agreement-list"),
    path("partners/agreements/new/", views.agreement_new, name="agreement-new"),
    path("partners/agreements/<int:agreement_id>/", views.agreement_detail, name="agreement-detail"),
    path("partners/agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement-edit"),
    path("partners/agreements/<int:agreement_id>/propose/", views.match_propose_view, name="match-propose"),
    path("partners/consortia/", views.consortium_list, name="consortium-list"),
    path("partners/consortia/new/", views.consortium_new, name="consortium-new"),
    path("partners/ties/", views.tie_list, name="tie-list"),
    path("partners/ties/<int:tie_id>/remove/", views.tie_remove, name="tie-remove"),
    path("partners/mentors/", views.mentor_list, name="mentor-list"),
    path("partners/mentors/<int:mentor_id>/edit/", views.mentor_edit, name="mentor-edit"),
    path("matches/", views.match_list, name="match-list"),
    path("matches/<int:match_id>/", views.match_detail, name="match-detail"),
    path("matches/<int:match_id>/act/", views.match_act, name="match-act"),
]
