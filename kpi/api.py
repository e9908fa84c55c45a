"""API of the KPI dashboards, scoped like the pages (kpi.permissions):

- GET  /kpi/dashboard/                the user's dashboard (national unfiltered: the stored summary)
- GET  /kpi/metrics/                  the metric registry (the metrics the user's scope can show)
- GET  /kpi/metrics/<code>/           one metric by any breakdown it supports, within the scope
- GET  /kpi/snapshots/                official snapshots (and the current live one)
- POST /kpi/snapshots/freeze/         freeze an official snapshot (officials; 409 on a double submit)
- POST /kpi/snapshots/refresh/        compute a live snapshot now (officials)

`?snapshot=<id>` reads that snapshot (an official one is reproduced exactly); without it the current
live snapshot is read.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import acting_user, validated
from core.errors import NotFound, PermissionDenied
from kpi.dashboards import dashboard_for_user, jsonable
from kpi.forms import filters_from, group_by_from
from kpi.models import Snapshot, ValueStatus
from kpi.permissions import can_view_dashboard, can_view_metrics, dashboard_scope, scoped_filters
from kpi.registry import BREAKDOWNS, Metric, is_registered, metric, metrics
from kpi.selectors import breakdown, current_snapshot, official_snapshots, snapshot_get
from kpi.services import live_snapshot_compute, official_snapshot_freeze

SNAPSHOT_PARAM = OpenApiParameter(
    "snapshot",
    int,
    description="A snapshot id (official snapshots are reproduced exactly); default: current.",
)
FILTER_PARAMS = [
    OpenApiParameter(dim, str, description=f"Filter: {words}") for dim, words in BREAKDOWNS.items()
]


class SnapshotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    as_of = serializers.DateField()
    status = serializers.CharField()
    taken_at = serializers.DateTimeField()
    note = serializers.CharField()
    is_current = serializers.BooleanField()
    duration_ms = serializers.IntegerField()


class KpiDashboardApi(APIView):
    @extend_schema(
        parameters=[SNAPSHOT_PARAM, *FILTER_PARAMS],
        responses=OpenApiTypes.OBJECT,
        summary="The user's KPI dashboard: headline cards, targets and chart series with their tables",
        description=(
            "Ministry roles: national (unfiltered: the summary stored with the snapshot). Regional "
            "officers: their region (forced). Partner firms: their firm (forced). SMEs: their own projects. "
            "404 (code no_snapshot) before the first snapshot."
        ),
    )
    def get(self, request: Request) -> Response:
        board = dashboard_for_user(request.user, request.query_params)
        if board.payload is None:
            raise NotFound(code="no_snapshot")
        return Response(board.payload)


def _metric_output(m: Metric, language: str | None) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name(language),
        "name_ko": m.name_ko,
        "name_en": m.name_en,
        "unit": m.unit,
        "definition": m.definition(language),
        "definition_ko": m.definition_ko,
        "definition_en": m.definition_en,
        "breakdowns": list(m.breakdowns),
        "aggregation": m.aggregation,
        "exact_breakdowns": [list(b) for b in m.exact_breakdowns],
        "ratio_of": list(m.ratio_of) if m.ratio_of else None,
        "target_metric": m.target_metric,
        "group": m.group,
    }


class MetricOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    definition_ko = serializers.CharField()
    definition_en = serializers.CharField()
    breakdowns = serializers.ListField(child=serializers.CharField())
    aggregation = serializers.CharField()
    exact_breakdowns = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    ratio_of = serializers.ListField(child=serializers.CharField(), allow_null=True)
    target_metric = serializers.CharField(allow_null=True)
    group = serializers.CharField()


def _metric_scope(request: Request) -> Any:
    if not can_view_metrics(request.user):
        raise PermissionDenied()
    return dashboard_scope(request.user)


class MetricListApi(APIView):
    @extend_schema(
        responses=MetricOutput(many=True), summary="The KPI registry: every metric the user may read"
    )
    def get(self, request: Request) -> Response:
        scope = _metric_scope(request)
        language = get_language()
        return Response([_metric_output(m, language) for m in metrics() if scope.allows(m)])


class MetricRowOutput(serializers.Serializer):
    dims = serializers.DictField()
    value = serializers.DecimalField(max_digits=22, decimal_places=4, allow_null=True)
    provisional = serializers.BooleanField()


class MetricValuesOutput(serializers.Serializer):
    metric = MetricOutput()
    snapshot = SnapshotOutput()
    group_by = serializers.ListField(child=serializers.CharField())
    filters = serializers.DictField()
    rows = MetricRowOutput(many=True)


def _snapshot_output(snapshot: Snapshot) -> dict[str, Any]:
    return dict(SnapshotOutput(snapshot).data)


class MetricValuesApi(APIView):
    @extend_schema(
        parameters=[
            SNAPSHOT_PARAM,
            OpenApiParameter("group_by", str, description="Comma-separated breakdowns, e.g. region,year."),
            *FILTER_PARAMS,
        ],
        responses=MetricValuesOutput,
        summary="One metric by any breakdown it supports, within the user's scope",
    )
    def get(self, request: Request, code: str) -> Response:
        scope = _metric_scope(request)
        if not is_registered(code):
            raise NotFound()
        m = metric(code)
        if not scope.allows(m):
            raise NotFound()
        params = request.query_params
        group_by = group_by_from(params)
        filters = scoped_filters(scope, filters_from(params))
        requested = params.get("snapshot")
        snapshot = snapshot_get(requested) if requested not in (None, "") else current_snapshot()
        if snapshot is None:
            raise NotFound(code="no_snapshot")
        rows = breakdown(snapshot, code, group_by=group_by, filters=filters)
        return Response(
            {
                "metric": _metric_output(m, get_language()),
                "snapshot": _snapshot_output(snapshot),
                "group_by": list(group_by),
                "filters": jsonable(filters),
                "rows": [
                    {
                        "dims": jsonable(r.dims),
                        "value": None if r.value is None else str(r.value),
                        "provisional": r.provisional,
                    }
                    for r in rows
                ],
            }
        )


class SnapshotListApi(APIView):
    @extend_schema(
        responses=SnapshotOutput(many=True),
        summary="Official KPI snapshots, newest first, and the current live snapshot first of all",
    )
    def get(self, request: Request) -> Response:
        if not can_view_dashboard(request.user):
            raise PermissionDenied()
        out = []
        current = current_snapshot()
        if current is not None:
            out.append(current)
        out += list(official_snapshots().defer("summary")[:500])
        return Response(SnapshotOutput(out, many=True).data)


class FreezeInput(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[ValueStatus.ACTUAL, ValueStatus.PROVISIONAL], required=False, default=ValueStatus.ACTUAL
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class SnapshotFreezeApi(APIView):
    @extend_schema(
        request=FreezeInput,
        responses={201: SnapshotOutput},
        summary="Freeze an official snapshot (officials; 409 if one of that date was taken a minute ago)",
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        data = validated(FreezeInput, request.data)
        snapshot = official_snapshot_freeze(
            actor=actor, as_of=data.get("as_of"), status=data["status"], note=data["note"]
        )
        return Response(_snapshot_output(snapshot), status=201)


class SnapshotRefreshApi(APIView):
    @extend_schema(
        request=None, responses={201: SnapshotOutput}, summary="Compute a live snapshot now (officials)"
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        snapshot = live_snapshot_compute(actor=actor)
        return Response(_snapshot_output(snapshot), status=201)
