"""API of money: disbursement requests (the finance queue), approval, payment, rejection, and the
ledger with reversals and recoveries. Every call that moves money takes an `Idempotency-Key` header."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.api_agreements import IDEMPOTENCY
from applications.models import FundingSource
from applications.selectors import agreement_get_for_user
from core.api.fields import KrwField
from core.api.idempotency import idempotent
from core.api.views import acting_user, validated
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind, Tranche
from funding.selectors import (
    disbursement_get_for_user,
    disbursement_list_for_user,
    ledger_entry_get_for_user,
    ledger_list_for_user,
)
from funding.services import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    payment_reverse,
    recovery_record,
)


class DisbursementOutput(serializers.ModelSerializer):
    agreement_id = serializers.IntegerField()
    application_number = serializers.CharField(source="agreement.application.number")
    company_name = serializers.CharField(source="agreement.application.company.name")
    amount_krw = KrwField()
    requested_by = serializers.CharField(source="requested_by.__str__")
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = DisbursementRequest
        fields = [
            "id",
            "agreement_id",
            "application_number",
            "company_name",
            "source",
            "tranche",
            "amount_krw",
            "status",
            "note",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "paid_at",
            "rejected_at",
            "rejection_reason",
        ]

    def get_approved_by(self, obj: DisbursementRequest) -> str | None:
        return str(obj.approved_by) if obj.approved_by_id else None


class DisbursementFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DisbursementStatus.choices)
    source = django_filters.ChoiceFilter(choices=FundingSource.choices)
    tranche = django_filters.ChoiceFilter(choices=Tranche.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")
    call = django_filters.NumberFilter(field_name="agreement__application__call_id")

    class Meta:
        model = DisbursementRequest
        fields = ["status", "source", "tranche", "agreement", "call"]


class DisbursementListApi(ListAPIView):
    """Disbursement requests the user may see (the finance queue with ?status=requested)."""

    serializer_class = DisbursementOutput
    filterset_class = DisbursementFilter

    def get_queryset(self) -> QuerySet[Any]:
        return disbursement_list_for_user(self.request.user)


class DisbursementDetailApi(APIView):
    @extend_schema(responses=DisbursementOutput, summary="A disbursement request")
    def get(self, request: Request, request_id: int) -> Response:
        return Response(DisbursementOutput(disbursement_get_for_user(request.user, request_id)).data)


class DisbursementInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]  # a field
    tranche = serializers.ChoiceField(choices=Tranche.choices)
    amount_krw = KrwField()
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


def _disbursement(request: Request, request_id: int) -> Response:
    return Response(DisbursementOutput(disbursement_get_for_user(request.user, request_id)).data)


class DisbursementRequestApi(APIView):
    @extend_schema(
        request=DisbursementInput,
        responses={201: DisbursementOutput},
        parameters=[IDEMPOTENCY],
        summary="Request a tranche of one source (409 beyond what was agreed)",
    )
    def post(self, request: Request, agreement_id: int) -> Response:
        actor = acting_user(request)
        agreement = agreement_get_for_user(request.user, agreement_id)
        data = validated(DisbursementInput, request.data)

        def run() -> Response:
            made = disbursement_request(agreement=agreement, actor=actor, **data)
            return Response(DisbursementOutput(made).data, status=status.HTTP_201_CREATED)

        return idempotent(request, actor, "disbursement_request", run)


class DisbursementApproveApi(APIView):
    @extend_schema(
        request=None,
        responses=DisbursementOutput,
        parameters=[IDEMPOTENCY],
        summary="Approve a request (a finance officer other than the requester)",
    )
    def post(self, request: Request, request_id: int) -> Response:
        actor = acting_user(request)
        found = disbursement_get_for_user(request.user, request_id)

        def run() -> Response:
            disbursement_approve(request=found, actor=actor)
            return _disbursement(request, request_id)

        return idempotent(request, actor, "disbursement_approve", run)


class MoneyReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5_000)


class DisbursementRejectApi(APIView):
    @extend_schema(
        request=MoneyReasonInput,
        responses=DisbursementOutput,
        parameters=[IDEMPOTENCY],
        summary="Reject a request",
    )
    def post(self, request: Request, request_id: int) -> Response:
        actor = acting_user(request)
        found = disbursement_get_for_user(request.user, request_id)
        data = validated(MoneyReasonInput, request.data)

        def run() -> Response:
            disbursement_reject(request=found, actor=actor, **data)
            return _disbursement(request, request_id)

        return idempotent(request, actor, "disbursement_reject", run)


class LedgerOutput(serializers.ModelSerializer):
    agreement_id = serializers.IntegerField()
    amount_krw = serializers.IntegerField()
    disbursement_id = serializers.IntegerField(allow_null=True)
    reverses_id = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(source="created_by.__str__")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "agreement_id",
            "source",
            "kind",
            "amount_krw",
            "disbursement_id",
            "reverses_id",
            "note",
            "created_by",
            "created_at",
        ]


class PayInput(serializers.Serializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class DisbursementPayApi(APIView):
    @extend_schema(
        request=PayInput,
        responses={201: LedgerOutput},
        parameters=[IDEMPOTENCY],
        summary="Pay an approved request (a payment entry in the ledger)",
    )
    def post(self, request: Request, request_id: int) -> Response:
        actor = acting_user(request)
        found = disbursement_get_for_user(request.user, request_id)
        data = validated(PayInput, request.data)

        def run() -> Response:
            entry = disbursement_pay(request=found, actor=actor, **data)
            return Response(LedgerOutput(entry).data, status=status.HTTP_201_CREATED)

        return idempotent(request, actor, "disbursement_pay", run)


class LedgerFilter(django_filters.FilterSet):
    agreement = django_filters.NumberFilter(field_name="agreement_id")
    source = django_filters.ChoiceFilter(choices=FundingSource.choices)
    kind = django_filters.ChoiceFilter(choices=LedgerKind.choices)
    call = django_filters.NumberFilter(field_name="agreement__application__call_id")

    class Meta:
        model = LedgerEntry
        fields = ["agreement", "source", "kind", "call"]


class LedgerListApi(ListAPIView):
    """Ledger entries (payments, reversals, recoveries) of the agreements the user may see."""

    serializer_class = LedgerOutput
    filterset_class = LedgerFilter

    def get_queryset(self) -> QuerySet[Any]:
        return ledger_list_for_user(self.request.user)


class PaymentReverseApi(APIView):
    @extend_schema(
        request=MoneyReasonInput,
        responses={201: LedgerOutput},
        parameters=[IDEMPOTENCY],
        summary="Reverse an erroneous payment with a negative entry",
    )
    def post(self, request: Request, entry_id: int) -> Response:
        actor = acting_user(request)
        entry = ledger_entry_get_for_user(request.user, entry_id)
        data = validated(MoneyReasonInput, request.data)

        def run() -> Response:
            return Response(LedgerOutput(payment_reverse(entry=entry, actor=actor, **data)).data, status=201)

        return idempotent(request, actor, "payment_reverse", run)


class RecoveryInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]  # a field
    amount_krw = KrwField()
    reason = serializers.CharField(max_length=5_000)


class RecoveryRecordApi(APIView):
    @extend_schema(
        request=RecoveryInput,
        responses={201: LedgerOutput},
        parameters=[IDEMPOTENCY],
        summary="Record money recovered from the SME (환수)",
    )
    def post(self, request: Request, agreement_id: int) -> Response:
        actor = acting_user(request)
        agreement = agreement_get_for_user(request.user, agreement_id)
        data = validated(RecoveryInput, request.data)

        def run() -> Response:
            entry = recovery_record(agreement=agreement, actor=actor, **data)
            return Response(LedgerOutput(entry).data, status=status.HTTP_201_CREATED)

        return idempotent(request, actor, "recovery_record", run)
