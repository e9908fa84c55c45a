"""API of money reports: execution per call and source (집행 현황) and reconciliation (정산 대사).

Both are for officials, finance officers and auditors (403 for every other role).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import KrwField
from core.api.views import validated
from core.errors import PermissionDenied
from funding.reconciliation import can_view_money_reports, execution_for, reconcile


class FiguresOutput(serializers.Serializer):
    agreed_krw = KrwField(allow_zero=True)
    outstanding_krw = KrwField(allow_zero=True, help_text="Requested or approved, not yet paid.")
    paid_krw = KrwField(allow_zero=True, help_text="Paid, net of reversals and recoveries.")
    recovered_krw = KrwField(allow_zero=True)
    remaining_krw = serializers.IntegerField(help_text="Agreed − outstanding − paid − recovered.")
    execution_bp = serializers.IntegerField(help_text="Paid ÷ agreed in basis points (1 % = 100).")


class ExecutionLineOutput(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    source_label = serializers.CharField(source="label")
    budget_krw = KrwField(
        allow_zero=True, allow_null=True, help_text="The call's budget, on the government line only."
    )
    figures = FiguresOutput()


class ExecutionCallOutput(serializers.Serializer):
    call_id = serializers.IntegerField(source="call.pk")
    code = serializers.CharField(source="call.code")
    title = serializers.CharField(source="call.title")
    budget_krw = KrwField(source="call.budget_krw")
    committed_krw = KrwField(source="call.committed_krw", allow_zero=True)
    lines = ExecutionLineOutput(many=True)
    subtotal = FiguresOutput()


class ExecutionOutput(serializers.Serializer):
    fiscal_year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    as_of = serializers.DateField()
    budget_krw = KrwField(allow_zero=True)
    calls = ExecutionCallOutput(many=True)
    by_source = ExecutionLineOutput(many=True)
    total = FiguresOutput()


class ExecutionQuery(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=2014, max_value=2100)


class ExecutionReportApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("fiscal_year", int, description="Default: the latest year with calls.")],
        responses=ExecutionOutput,
        summary="Execution per call and source: budget, agreed, outstanding, paid, recovered, remaining",
    )
    def get(self, request: Request) -> Response:
        if not can_view_money_reports(request.user):
            raise PermissionDenied()
        query = validated(ExecutionQuery, request.query_params)
        return Response(ExecutionOutput(execution_for(query.get("fiscal_year"))).data)


class SourceTotalsOutput(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    source_label = serializers.CharField(source="label")
    funding_rows = serializers.IntegerField()
    agreed_krw = KrwField(allow_zero=True)
    requested_krw = KrwField(allow_zero=True, help_text="Open requests in status requested.")
    approved_krw = KrwField(allow_zero=True, help_text="Open requests in status approved.")
    payments_krw = KrwField(allow_zero=True, help_text="Σ payment entries.")
    reversed_krw = KrwField(allow_zero=True, help_text="Σ reversal entries (as a positive amount).")
    recovered_krw = KrwField(allow_zero=True, help_text="Σ recovery entries (as a positive amount).")
    net_paid_krw = serializers.IntegerField()
    remaining_krw = serializers.IntegerField()


class MismatchOutput(serializers.Serializer):
    check = serializers.CharField()
    description = serializers.CharField(source="label")
    object_kind = serializers.ChoiceField(choices=["agreement", "call", "winwin"])
    object_id = serializers.IntegerField()
    reference = serializers.CharField()
    source = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # a field
    expected_krw = serializers.IntegerField()
    actual_krw = serializers.IntegerField()
    difference_krw = serializers.IntegerField()


class ReconciliationOutput(serializers.Serializer):
    as_of = serializers.DateTimeField()
    call_id = serializers.IntegerField(allow_null=True)
    agreement_id = serializers.IntegerField(allow_null=True)
    clean = serializers.BooleanField()
    agreements_checked = serializers.IntegerField()
    calls_checked = serializers.IntegerField()
    winwin_checked = serializers.IntegerField()
    by_source = SourceTotalsOutput(many=True)
    total = SourceTotalsOutput()
    mismatches = MismatchOutput(many=True)


class ReconciliationQuery(serializers.Serializer):
    call = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    agreement = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ReconciliationReportApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("call", int, description="Only this call's agreements and commitment."),
            OpenApiParameter("agreement", int, description="Only this agreement (404 if unknown)."),
        ],
        responses=ReconciliationOutput,
        summary="Reconciliation: totals per source and every figure that does not reconcile",
    )
    def get(self, request: Request) -> Response:
        if not can_view_money_reports(request.user):
            raise PermissionDenied()
        query: dict[str, Any] = validated(ReconciliationQuery, request.query_params)
        result = reconcile(call_id=query.get("call"), agreement_id=query.get("agreement"))
        return Response(ReconciliationOutput(result).data)
