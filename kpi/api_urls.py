from django.urls import path

from kpi import api

urlpatterns = [
    path("kpi/dashboard/", api.KpiDashboardApi.as_view(), name="api-kpi-dashboard"),
    path("kpi/metrics/", api.MetricListApi.as_view(), name="api-kpi-metrics"),
    path("kpi/metrics/<str:code>/", api.MetricValuesApi.as_view(), name="api-kpi-metric"),
    path("kpi/snapshots/", api.SnapshotListApi.as_view(), name="api-kpi-snapshots"),
    path("kpi/snapshots/freeze/", api.SnapshotFreezeApi.as_view(), name="api-kpi-snapshot-freeze"),
    path("kpi/snapshots/refresh/", api.SnapshotRefreshApi.as_view(), name="api-kpi-snapshot-refresh"),
]
