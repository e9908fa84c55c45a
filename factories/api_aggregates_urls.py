from django.urls import path

from factories import api_aggregates as api

urlpatterns = [
    path("historical-aggregates/", api.AggregateListApi.as_view(), name="api-aggregate-list"),
    path("historical-aggregates/totals/", api.AggregateTotalsApi.as_view(), name="api-aggregate-totals"),
    path("historical-aggregates/import/", api.AggregateImportApi.as_view(), name="api-aggregate-import"),
]
