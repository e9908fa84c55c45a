from django.urls import path

from funding import api

urlpatterns = [
    path("disbursements/", api.DisbursementListApi.as_view(), name="api-disbursement-list"),
    path(
        "disbursements/<int:request_id>/", api.DisbursementDetailApi.as_view(), name="api-disbursement-detail"
    ),
    path(
        "disbursements/<int:request_id>/approve/",
        api.DisbursementApproveApi.as_view(),
        name="api-disbursement-approve",
    ),
    path(
        "disbursements/<int:request_id>/reject/",
        api.DisbursementRejectApi.as_view(),
        name="api-disbursement-reject",
    ),
    path(
        "disbursements/<int:request_id>/pay/", api.DisbursementPayApi.as_view(), name="api-disbursement-pay"
    ),
    path(
        "agreements/<int:agreement_id>/disbursements/create/",
        api.DisbursementRequestApi.as_view(),
        name="api-disbursement-request",
    ),
    path(
        "agreements/<int:agreement_id>/recoveries/create/",
        api.RecoveryRecordApi.as_view(),
        name="api-recovery",
    ),
    path("ledger/", api.LedgerListApi.as_view(), name="api-ledger-list"),
    path("ledger/<int:entry_id>/reverse/", api.PaymentReverseApi.as_view(), name="api-ledger-reverse"),
]
