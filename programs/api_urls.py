from django.urls import path

from programs import api

urlpatterns = [
    path("calls/", api.CallListApi.as_view(), name="api-call-list"),
    path("calls/create/", api.CallCreateApi.as_view(), name="api-call-create"),
    path("calls/<int:call_id>/", api.CallDetailApi.as_view(), name="api-call-detail"),
    path("calls/<int:call_id>/update/", api.CallUpdateApi.as_view(), name="api-call-update"),
    path("calls/<int:call_id>/publish/", api.CallPublishApi.as_view(), name="api-call-publish"),
    path("calls/<int:call_id>/cancel/", api.CallCancelApi.as_view(), name="api-call-cancel"),
    path("calls/<int:call_id>/funding-rules/", api.FundingRuleSetApi.as_view(), name="api-call-funding-rule"),
    path("calls/<int:call_id>/rubric/", api.RubricSetApi.as_view(), name="api-call-rubric"),
    path("targets/", api.NationalTargetListApi.as_view(), name="api-target-list"),
    path("targets/save/", api.NationalTargetSaveApi.as_view(), name="api-target-save"),
]
