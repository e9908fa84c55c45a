from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("calls/", views.call_list, name="call-list"),
    path("calls/new/", views.call_new, name="call-new"),
    path("calls/<int:call_id>/", views.call_detail, name="call-detail"),
    path("calls/<int:call_id>/edit/", views.call_edit, name="call-edit"),
    path("calls/<int:call_id>/publish/", views.call_publish_view, name="call-publish"),
    path("calls/<int:call_id>/cancel/", views.call_cancel_view, name="call-cancel"),
    path("calls/<int:call_id>/funding-rule/", views.funding_rule_edit, name="funding-rule"),
    path("calls/<int:call_id>/rubric/", views.rubric_edit, name="rubric"),
    path("targets/", views.target_list, name="target-list"),
]
