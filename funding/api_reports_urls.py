from django.urls import path

from funding import api_reports as api

urlpatterns = [
    path("finance/execution/", api.ExecutionReportApi.as_view(), name="api-finance-execution"),
    path("finance/reconciliation/", api.ReconciliationReportApi.as_view(), name="api-finance-reconciliation"),
]
