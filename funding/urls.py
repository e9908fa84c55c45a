from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path(
        "agreements/<int:agreement_id>/disbursements/new/",
        views.disbursement_request_view,
        name="disbursement-request",
    ),
    path("agreements/<int:agreement_id>/recoveries/new/", views.recovery_view, name="recovery"),
    path("finance/", views.finance_queue, name="queue"),
    path(
        "finance/disbursements/<int:request_id>/<slug:action>/",
        views.disbursement_act,
        name="disbursement-act",
    ),
    path("finance/ledger/", views.ledger, name="ledger"),
    path("finance/ledger/<int:entry_id>/reverse/", views.ledger_reverse, name="ledger-reverse"),
    path("finance/execution/", views.execution, name="execution"),
    path("finance/reconciliation/", views.reconciliation, name="reconciliation"),
    path("my/payments/", views.my_payments, name="my-payments"),
]
