"""API of a partner firm's win-win portfolio and of the ministry's comparison of partner firms."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.portfolio import (
    COMPARISON_COLUMNS,
    can_view_comparison,
    can_view_portfolio,
    comparison_for,
    mentee_rows,
    parse_comparison_ordering,
    portfolio_agreements,
    portfolio_for,
)
from core.api.fields import KrwField
from core.api.views import validated
from core.errors import PermissionDenied


class PortfolioQuery(serializers.Serializer):
    agreement = serializers.IntegerField(required=False, min_value=1)
    fiscal_year = serializers.IntegerField(required=False, min_value=2014, max_value=2100)
    partner = serializers.IntegerField(required=False, min_value=1)


PORTFOLIO_PARAMETERS = [
    OpenApiParameter("agreement", int, description="One agreement."),
    OpenApiParameter(
        "fiscal_year", int, description="All agreements the user may see for a year (default: the latest)."
    ),
    OpenApiParameter("partner", int, description="Only this partner firm's agreements (with fiscal_year)."),
]


class AgreementLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    consortium_name = serializers.CharField()
    partner_id = serializers.IntegerField()
    partner_name = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    pledged_krw = KrwField()
    committed_krw = KrwField(allow_zero=True)
    remaining_krw = KrwField(allow_zero=True)
    execution_bp = serializers.IntegerField()
    mentee_quota = serializers.IntegerField()
    live_matches = serializers.IntegerField()


class StatusCountOutput(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    count = serializers.IntegerField()


class LevelLineOutput(serializers.Serializer):
    before_code = serializers.CharField(allow_null=True, help_text="Self-assessed level when applying.")
    before_name = serializers.CharField()
    after_code = serializers.CharField(
        help_text="Target: the reference level of the project's target category, not a confirmed level."
    )
    after_name = serializers.CharField()
    after_basis = serializers.SerializerMethodField()
    count = serializers.IntegerField()

    def get_after_basis(self, obj: Any) -> str:
        return "target"


class PortfolioOutput(serializers.Serializer):
    fiscal_year = serializers.IntegerField(allow_null=True)
    agreements = AgreementLineOutput(many=True)
    pledged_krw = KrwField(allow_zero=True)
    committed_krw = KrwField(allow_zero=True)
    remaining_krw = KrwField(allow_zero=True)
    execution_bp = serializers.IntegerField(help_text="Committed ÷ pledged in basis points (1 % = 100).")
    confirmed_krw = KrwField(allow_zero=True, help_text="Partner shares confirmed on applications.")
    confirmed_applications = serializers.IntegerField()
    mentee_quota = serializers.IntegerField()
    live_matches = serializers.IntegerField()
    quota_bp = serializers.IntegerField(help_text="Live matches ÷ mentee quota in basis points.")
    mentees = serializers.IntegerField(help_text="Matches in any status.")
    matches_by_status = StatusCountOutput(many=True)
    applications_by_status = StatusCountOutput(many=True)
    cofunded_applications = serializers.IntegerField(
        help_text="Applications naming the agreements, drafts excluded."
    )
    draft_applications = serializers.IntegerField()
    supported_projects = serializers.IntegerField(help_text="Selected or further.")
    completed_projects = serializers.IntegerField(help_text="Completed, settled, in follow-up or closed.")
    levels = LevelLineOutput(many=True)
    mentoring_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    mentoring_sessions = serializers.IntegerField()
    mentees_mentored = serializers.IntegerField()


def _portfolio_scope(request: Request) -> tuple[Any, int | None]:
    """One agreement the user may see (404 otherwise), or a year of them for the roles that have a
    portfolio (403 for the others)."""
    query = validated(PortfolioQuery, request.query_params)
    if query.get("agreement") is None and not can_view_portfolio(request.user):
        raise PermissionDenied()
    return portfolio_agreements(
        request.user,
        agreement_id=query.get("agreement"),
        fiscal_year=query.get("fiscal_year"),
        partner_id=query.get("partner"),
    )


class PortfolioApi(APIView):
    @extend_schema(
        parameters=PORTFOLIO_PARAMETERS,
        responses=PortfolioOutput,
        summary="Win-win portfolio: pledge use, mentees, co-funded projects, levels and mentoring hours",
    )
    def get(self, request: Request) -> Response:
        agreements, year = _portfolio_scope(request)
        return Response(PortfolioOutput(portfolio_for(agreements, year)).data)


class MenteeOutput(serializers.Serializer):
    match_id = serializers.IntegerField(source="pk")
    agreement_id = serializers.IntegerField()
    partner_name = serializers.CharField(source="agreement.consortium.partner.name")
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(source="company.name")
    company_brn = serializers.CharField(source="company.brn_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    mentoring_hours = serializers.DecimalField(source="hours", max_digits=12, decimal_places=1)
    mentoring_sessions = serializers.IntegerField(source="sessions")
    cofunded_applications = serializers.IntegerField(source="applications")
    completed_projects = serializers.IntegerField(source="completed")


class PortfolioMenteeListApi(ListAPIView):
    """The portfolio's mentees (matches) with mentoring hours and co-funded applications, by name."""

    serializer_class = MenteeOutput
    filter_backends: list[Any] = []

    @extend_schema(parameters=PORTFOLIO_PARAMETERS, summary="Mentees of a portfolio with their hours")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        agreements, _year = _portfolio_scope(self.request)
        return mentee_rows(list(agreements.values_list("pk", flat=True)))


class ComparisonQuery(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=2014, max_value=2100)
    ordering = serializers.CharField(required=False, max_length=40)


class ComparisonRowOutput(serializers.Serializer):
    partner_id = serializers.IntegerField(allow_null=True)
    partner_name = serializers.CharField()
    agreements = serializers.IntegerField()
    pledged_krw = KrwField(allow_zero=True)
    committed_krw = KrwField(allow_zero=True)
    execution_bp = serializers.IntegerField(help_text="Committed ÷ pledged in basis points (1 % = 100).")
    mentee_quota = serializers.IntegerField()
    live_matches = serializers.IntegerField()
    completed_matches = serializers.IntegerField()
    cofunded_applications = serializers.IntegerField()
    selected_projects = serializers.IntegerField()
    completed_projects = serializers.IntegerField()
    mentoring_hours = serializers.DecimalField(max_digits=12, decimal_places=1)


class ComparisonOutput(serializers.Serializer):
    fiscal_year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    ordering = serializers.CharField()
    rows = ComparisonRowOutput(many=True)
    totals = ComparisonRowOutput()


class ComparisonApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("fiscal_year", int, description="Default: the latest year with agreements."),
            OpenApiParameter(
                "ordering",
                str,
                description="A column, '-' for descending: " + ", ".join(COMPARISON_COLUMNS),
            ),
        ],
        responses=ComparisonOutput,
        summary="Partner firms compared for a fiscal year (officials and auditors)",
    )
    def get(self, request: Request) -> Response:
        if not can_view_comparison(request.user):
            raise PermissionDenied()
        query = validated(ComparisonQuery, request.query_params)
        ordering = parse_comparison_ordering(query.get("ordering"))
        return Response(ComparisonOutput(comparison_for(query.get("fiscal_year"), ordering)).data)
