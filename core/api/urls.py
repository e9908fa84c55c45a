from django.urls import path

from core.api import endpoints as e

urlpatterns = [
    path("me/", e.MeApi.as_view(), name="api-me"),
    path("reference/regions/", e.RegionListApi.as_view(), name="api-regions"),
    path("reference/ksic/", e.KsicListApi.as_view(), name="api-ksic"),
    path("reference/levels/", e.LevelListApi.as_view(), name="api-levels"),
    path("reference/target-levels/", e.TargetLevelListApi.as_view(), name="api-target-levels"),
    path("reference/firm-sizes/", e.FirmSizeListApi.as_view(), name="api-firm-sizes"),
]
