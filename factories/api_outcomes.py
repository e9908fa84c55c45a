"""API of outcome reports (성과 보고): the scoped list with an overdue flag, a report, submission by the
factory's SME, acceptance or return by officials, a call's reporting schedule, and the effects summary."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import KrwField, StrictIntegerField
from core.api.views import acting_user, validated
from core.errors import PermissionDenied
from core.roles import Role
from core.selectors import user_access
from factories.models import OUTCOME_MEASURES, OutcomeReport, OutcomeStatus
from factories.outcomes_selectors import (
    GROUPINGS,
    outcome_effects_summary,
    outcome_report_get_for_user,
    outcome_report_list_for_user,
)
from factories.outcomes_services import (
    VALUE_FIELDS,
    outcome_report_accept,
    outcome_report_return,
    outcome_report_submit,
    outcome_schedule_set,
    schedule_for_call,
)
from programs.models import Call, ProgramType
from programs.selectors import call_get_for_user


class OutcomeReportOutput(serializers.ModelSerializer):
    factory_id = serializers.IntegerField()
    workplace_name = serializers.CharField(source="factory.workplace.name")
    company_name = serializers.CharField(source="factory.company.name")
    region = serializers.CharField(source="factory.region.slug")
    call_id = serializers.IntegerField(source="factory.call_id", allow_null=True)
    is_overdue = serializers.BooleanField()
    submitted_by = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    cost_before = KrwField(allow_null=True)
    cost_after = KrwField(allow_null=True)
    sales_before = KrwField(allow_null=True)
    sales_after = KrwField(allow_null=True)

    class Meta:
        model = OutcomeReport
        fields = [
            "id",
            "factory_id",
            "workplace_name",
            "company_name",
            "region",
            "call_id",
            "sequence",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "is_overdue",
            *VALUE_FIELDS,
            "note",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "reminded_at",
        ]

    def get_submitted_by(self, obj: OutcomeReport) -> str | None:
        return str(obj.submitted_by) if obj.submitted_by_id else None

    def get_reviewed_by(self, obj: OutcomeReport) -> str | None:
        return str(obj.reviewed_by) if obj.reviewed_by_id else None


class OutcomeReportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OutcomeStatus.choices)
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    call = django_filters.NumberFilter(field_name="factory__call_id")
    # Bounded: a year outside the calendar cannot be turned into a date range (it was a 500).
    year = django_filters.NumberFilter(
        field_name="due_on__year", label="Year the report is due", min_value=1900, max_value=2200
    )
    factory = django_filters.NumberFilter(field_name="factory_id")

    class Meta:
        model = OutcomeReport
        fields = ["status", "overdue", "call", "year", "factory"]


class OutcomeReportListApi(ListAPIView):
    """Outcome reports the user may see (SMEs their own, regional officers their region's, officials
    and auditors all), overdue and open ones first; `?overdue=true` lists the overdue ones."""

    serializer_class = OutcomeReportOutput
    filterset_class = OutcomeReportFilter

    def get_queryset(self) -> QuerySet[Any]:
        return outcome_report_list_for_user(self.request.user)


def _report(request: Request, report_id: int) -> Response:
    return Response(OutcomeReportOutput(outcome_report_get_for_user(request.user, report_id)).data)


class OutcomeReportDetailApi(APIView):
    @extend_schema(responses=OutcomeReportOutput, summary="An outcome report")
    def get(self, request: Request, report_id: int) -> Response:
        return _report(request, report_id)


def _value_field(kind: str) -> serializers.Field:
    common: dict[str, Any] = {"required": False, "allow_null": True}
    if kind == "percent":
        return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **common)
    if kind == "decimal":
        return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, **common)
    if kind == "krw":
        return KrwField(allow_zero=True, **common)
    return StrictIntegerField(min_value=0, **common)


OutcomeSubmitInput = type(
    "OutcomeSubmitInput",
    (serializers.Serializer,),
    {
        **{
            f"{stem}_{side}": _value_field(kind)
            for stem, _l, kind in OUTCOME_MEASURES
            for side in ("before", "after")
        },
        "note": serializers.CharField(max_length=5_000, required=False, allow_blank=True, default=""),
        "__doc__": "Before and after values of each measure; productivity or the defect rate is required.",
    },
)


class OutcomeReportSubmitApi(APIView):
    def _submit(self, request: Request, report_id: int) -> Response:
        actor = acting_user(request)
        report = outcome_report_get_for_user(request.user, report_id)
        data = validated(OutcomeSubmitInput, request.data)
        note = data.pop("note", "")
        outcome_report_submit(report=report, actor=actor, values=data, note=note)
        return _report(request, report_id)

    @extend_schema(
        request=OutcomeSubmitInput,
        responses=OutcomeReportOutput,
        summary="Submit (or resubmit after a return) the report's values (the factory's SME)",
    )
    def put(self, request: Request, report_id: int) -> Response:
        return self._submit(request, report_id)

    @extend_schema(
        request=OutcomeSubmitInput,
        responses=OutcomeReportOutput,
        summary="Submit (or resubmit after a return) the report's values (the factory's SME)",
    )
    def post(self, request: Request, report_id: int) -> Response:
        return self._submit(request, report_id)


class AcceptInput(serializers.Serializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class OutcomeReportAcceptApi(APIView):
    @extend_schema(
        request=AcceptInput,
        responses=OutcomeReportOutput,
        summary="Accept a submitted report (officials, the region's officers); final",
    )
    def post(self, request: Request, report_id: int) -> Response:
        actor = acting_user(request)
        report = outcome_report_get_for_user(request.user, report_id)
        data = validated(AcceptInput, request.data)
        outcome_report_accept(report=report, actor=actor, note=data["note"])
        return _report(request, report_id)


class ReturnInput(serializers.Serializer):
    note = serializers.CharField(max_length=5_000)


class OutcomeReportReturnApi(APIView):
    @extend_schema(
        request=ReturnInput,
        responses=OutcomeReportOutput,
        summary="Return a submitted report for correction, saying what to correct",
    )
    def post(self, request: Request, report_id: int) -> Response:
        actor = acting_user(request)
        report = outcome_report_get_for_user(request.user, report_id)
        data = validated(ReturnInput, request.data)
        outcome_report_return(report=report, actor=actor, note=data["note"])
        return _report(request, report_id)


class OutcomeScheduleOutput(serializers.Serializer):
    call_id = serializers.IntegerField()
    reports = serializers.IntegerField()
    interval_months = serializers.IntegerField()
    due_days = serializers.IntegerField()
    is_default = serializers.BooleanField()


class OutcomeScheduleInput(serializers.Serializer):
    reports = StrictIntegerField(min_value=1, max_value=10)
    interval_months = StrictIntegerField(min_value=1, max_value=36)
    due_days = StrictIntegerField(min_value=0, max_value=365)


def _schedule_data(call: Call) -> dict[str, Any]:
    schedule = schedule_for_call(call)
    return {"call_id": call.pk, **asdict(schedule)}


class OutcomeScheduleApi(APIView):
    """A call's outcome reporting schedule: read it (anyone who sees the call), set it (officials)."""

    @extend_schema(responses=OutcomeScheduleOutput, summary="A call's outcome reporting schedule")
    def get(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        return Response(OutcomeScheduleOutput(_schedule_data(call)).data)

    @extend_schema(
        request=OutcomeScheduleInput,
        responses=OutcomeScheduleOutput,
        summary="Set a call's outcome reporting schedule (officials)",
    )
    def put(self, request: Request, call_id: int) -> Response:
        actor = acting_user(request)
        call = call_get_for_user(request.user, call_id)
        data = validated(OutcomeScheduleInput, request.data)
        outcome_schedule_set(call=call, actor=actor, **data)
        return Response(OutcomeScheduleOutput(_schedule_data(call)).data)


class MeasureEffectOutput(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    kind = serializers.CharField()
    unit = serializers.CharField()
    mean_change = serializers.FloatField(allow_null=True)
    reports = serializers.IntegerField()


class EffectGroupOutput(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    reports = serializers.IntegerField()
    measures = MeasureEffectOutput(many=True)


class EffectsQuery(serializers.Serializer):
    call = serializers.IntegerField(required=False, min_value=1)
    program_type = serializers.ChoiceField(choices=ProgramType.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    by = serializers.ChoiceField(choices=sorted(GROUPINGS), required=False)


class OutcomeEffectsApi(APIView):
    @extend_schema(
        parameters=[EffectsQuery],
        responses=EffectGroupOutput(many=True),
        summary="Mean change of each measure over accepted reports (officials and auditors)",
    )
    def get(self, request: Request) -> Response:
        if not user_access(request.user).has(Role.OFFICIAL, Role.AUDITOR):
            raise PermissionDenied()
        query = validated(EffectsQuery, request.query_params)
        groups = outcome_effects_summary(
            call_id=query.get("call"),
            program_type=query.get("program_type"),
            year=query.get("year"),
            by=query.get("by"),
        )
        return Response(EffectGroupOutput(groups, many=True).data)
