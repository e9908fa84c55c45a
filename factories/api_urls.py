from django.urls import path

from factories import api

urlpatterns = [
    path("factories/", api.FactoryListApi.as_view(), name="api-factory-list"),
    path("factories/<int:factory_id>/", api.FactoryDetailApi.as_view(), name="api-factory-detail"),
    path("factories/<int:factory_id>/close/", api.FactoryCloseApi.as_view(), name="api-factory-close"),
    path(
        "applications/<int:application_id>/complete/",
        api.FactoryRecordCompletionApi.as_view(),
        name="api-factory-record-completion",
    ),
    path(
        "workplaces/<int:workplace_id>/levels/",
        api.WorkplaceLevelHistoryApi.as_view(),
        name="api-workplace-level-history",
    ),
    path(
        "workplaces/<int:workplace_id>/levels/create/",
        api.LevelConfirmationRecordApi.as_view(),
        name="api-level-confirmation-record",
    ),
]
