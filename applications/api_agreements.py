"""API of grant agreements (협약): signing, the agreement with its money per source, settlement,
termination and change requests (사업변경). Calls that move money take an `Idempotency-Key` header."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.agreements import (
    agreement_sign,
    application_settle,
    application_terminate,
    change_request_approve,
    change_request_file,
    change_request_reject,
)
from applications.api import NoteInput
from applications.models import AgreementFunding, ChangeRequest, ChangeRequestStatus, ProjectAgreement
from applications.selectors import (
    agreement_get_for_user,
    agreement_list_for_user,
    application_get_for_user,
    change_request_get_for_user,
    change_request_list_for_user,
)
from companies.selectors import supplier_get_for_user
from core.api.fields import KrwField, StrictIntegerField
from core.api.idempotency import HEADER, idempotent
from core.api.views import acting_user, validated
from core.errors import NotFound, ValidationFailed

IDEMPOTENCY = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=True, description="A unique key per money-moving call."
)


class FundingOutput(serializers.ModelSerializer):
    agreed_krw = KrwField(allow_zero=True)
    outstanding_krw = KrwField(allow_zero=True)
    paid_krw = KrwField(allow_zero=True)
    recovered_krw = KrwField(allow_zero=True)
    remaining_krw = KrwField(allow_zero=True)

    class Meta:
        model = AgreementFunding
        fields = ["source", "agreed_krw", "outstanding_krw", "paid_krw", "recovered_krw", "remaining_krw"]


class AgreementOutput(serializers.ModelSerializer):
    application_id = serializers.IntegerField()
    application_number = serializers.CharField(source="application.number")
    application_status = serializers.CharField(source="application.status")
    company_name = serializers.CharField(source="application.company.name")
    call_title = serializers.CharField(source="application.call.title")
    supplier_name = serializers.CharField(source="supplier.name")
    account = serializers.CharField(source="account_masked")
    funding = FundingOutput(many=True)

    class Meta:
        model = ProjectAgreement
        fields = [
            "id",
            "application_id",
            "application_number",
            "application_status",
            "company_name",
            "call_title",
            "starts_on",
            "ends_on",
            "supplier_name",
            "scope",
            "account_bank",
            "account",
            "account_holder",
            "signed_on",
            "funding",
        ]


class AgreementFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="application__call_id")
    status = django_filters.CharFilter(field_name="application__status")
    company = django_filters.NumberFilter(field_name="application__company_id")

    class Meta:
        model = ProjectAgreement
        fields = ["call", "status", "company"]


class AgreementListApi(ListAPIView):
    """Agreements of the projects the user may see, with their money per source."""

    serializer_class = AgreementOutput
    filterset_class = AgreementFilter

    def get_queryset(self) -> QuerySet[Any]:
        return agreement_list_for_user(self.request.user).prefetch_related("funding")


class AgreementDetailApi(APIView):
    @extend_schema(responses=AgreementOutput, summary="An agreement with its money per source")
    def get(self, request: Request, agreement_id: int) -> Response:
        return Response(AgreementOutput(agreement_get_for_user(request.user, agreement_id)).data)


class AgreementSignInput(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    scope = serializers.CharField(max_length=20_000)
    account_bank = serializers.CharField(max_length=50)
    account_number = serializers.CharField(max_length=30)
    account_holder = serializers.CharField(max_length=100)
    supplier = StrictIntegerField(required=False, allow_null=True)
    signed_on = serializers.DateField(required=False)


class AgreementSignApi(APIView):
    @extend_schema(request=AgreementSignInput, responses={201: AgreementOutput}, summary="Sign the agreement")
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(AgreementSignInput, request.data)
        if data.get("supplier") is not None:
            try:
                data["supplier"] = supplier_get_for_user(request.user, data["supplier"])
            except NotFound as exc:
                raise ValidationFailed(
                    fields={"supplier": [_("Not found or not available to you.")]}
                ) from exc
        agreement = agreement_sign(application=app, actor=acting_user(request), **data)
        return Response(AgreementOutput(agreement).data, status=status.HTTP_201_CREATED)


def _agreement_response(request: Request, application_id: int) -> Response:
    app = application_get_for_user(request.user, application_id)
    return Response(AgreementOutput(agreement_get_for_user(request.user, app.agreement.pk)).data)


class ApplicationSettleApi(APIView):
    @extend_schema(
        request=NoteInput,
        responses=AgreementOutput,
        parameters=[IDEMPOTENCY],
        summary="Settle a completed project (unpaid support goes back to the budget and the pledge)",
    )
    def post(self, request: Request, application_id: int) -> Response:
        actor = acting_user(request)
        app = application_get_for_user(request.user, application_id)
        data = validated(NoteInput, request.data)

        def run() -> Response:
            application_settle(application=app, actor=actor, **data)
            return _agreement_response(request, application_id)

        return idempotent(request, actor, "application_settle", run)


class ApplicationTerminateApi(APIView):
    @extend_schema(
        request=NoteInput,
        responses=AgreementOutput,
        parameters=[IDEMPOTENCY],
        summary="Terminate an agreement (협약해지) with its reason",
    )
    def post(self, request: Request, application_id: int) -> Response:
        actor = acting_user(request)
        app = application_get_for_user(request.user, application_id)
        data = validated(NoteInput, request.data)

        def run() -> Response:
            application_terminate(application=app, actor=actor, **data)
            return _agreement_response(request, application_id)

        return idempotent(request, actor, "application_terminate", run)


class ChangeRequestOutput(serializers.ModelSerializer):
    agreement_id = serializers.IntegerField()
    application_number = serializers.CharField(source="agreement.application.number")
    new_gov_krw = KrwField(allow_zero=True, allow_null=True)
    new_partner_krw = KrwField(allow_zero=True, allow_null=True)
    new_local_krw = KrwField(allow_zero=True, allow_null=True)
    new_sme_krw = KrwField(allow_zero=True, allow_null=True)
    new_supplier_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "agreement_id",
            "application_number",
            "status",
            "cause_date",
            "reason",
            "new_gov_krw",
            "new_partner_krw",
            "new_local_krw",
            "new_sme_krw",
            "new_starts_on",
            "new_ends_on",
            "new_supplier_id",
            "new_scope",
            "filed_at",
            "decided_at",
            "decision_note",
        ]


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChangeRequestStatus.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")

    class Meta:
        model = ChangeRequest
        fields = ["status", "agreement"]


class ChangeRequestListApi(ListAPIView):
    """Change requests of the agreements the user may see."""

    serializer_class = ChangeRequestOutput
    filterset_class = ChangeRequestFilter

    def get_queryset(self) -> QuerySet[Any]:
        return change_request_list_for_user(self.request.user)


class ChangeRequestInput(serializers.Serializer):
    cause_date = serializers.DateField()
    reason = serializers.CharField(max_length=10_000)
    new_gov_krw = KrwField(allow_zero=True, required=False)
    new_partner_krw = KrwField(allow_zero=True, required=False)
    new_local_krw = KrwField(allow_zero=True, required=False)
    new_sme_krw = KrwField(allow_zero=True, required=False)
    new_starts_on = serializers.DateField(required=False)
    new_ends_on = serializers.DateField(required=False)
    new_supplier = StrictIntegerField(required=False)
    new_scope = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class ChangeRequestFileApi(APIView):
    @extend_schema(
        request=ChangeRequestInput, responses={201: ChangeRequestOutput}, summary="File a change request"
    )
    def post(self, request: Request, agreement_id: int) -> Response:
        agreement = agreement_get_for_user(request.user, agreement_id)
        data = validated(ChangeRequestInput, request.data)
        amount_fields = ("new_gov_krw", "new_partner_krw", "new_local_krw", "new_sme_krw")
        amounts: dict[str, int] = {k: data.pop(k) for k in amount_fields if k in data}
        if data.get("new_supplier") is not None:
            try:
                data["new_supplier"] = supplier_get_for_user(request.user, data["new_supplier"])
            except NotFound as exc:
                raise ValidationFailed(
                    fields={"new_supplier": [_("Not found or not available to you.")]}
                ) from exc
        change = change_request_file(agreement=agreement, actor=acting_user(request), amounts=amounts, **data)
        return Response(ChangeRequestOutput(change).data, status=status.HTTP_201_CREATED)


class ChangeRequestApproveApi(APIView):
    @extend_schema(
        request=NoteInput,
        responses=ChangeRequestOutput,
        parameters=[IDEMPOTENCY],
        summary="Approve a change request",
    )
    def post(self, request: Request, change_id: int) -> Response:
        actor = acting_user(request)
        change = change_request_get_for_user(request.user, change_id)
        data = validated(NoteInput, request.data)

        def run() -> Response:
            return Response(
                ChangeRequestOutput(change_request_approve(change=change, actor=actor, **data)).data
            )

        return idempotent(request, actor, "change_request_approve", run)


class RejectInput(serializers.Serializer):
    note = serializers.CharField(max_length=5_000)


class ChangeRequestRejectApi(APIView):
    @extend_schema(request=RejectInput, responses=ChangeRequestOutput, summary="Reject a change request")
    def post(self, request: Request, change_id: int) -> Response:
        change = change_request_get_for_user(request.user, change_id)
        data = validated(RejectInput, request.data)
        return Response(
            ChangeRequestOutput(change_request_reject(change=change, actor=acting_user(request), **data)).data
        )
