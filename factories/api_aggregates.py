"""API of historical aggregates (과거 집계): the imported figures, their totals per year, and the import
(multipart upload of a CSV or XLSX file; all rows or none, errors by row and column)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import acting_user, validated
from factories.aggregates import (
    MAX_FILE_BYTES,
    ImportResult,
    aggregate_import,
    aggregate_list_for_user,
    aggregate_year_figures,
    can_view_aggregates,
    check_file_size,
)
from factories.models import AggregateMetric, AggregateStatus, HistoricalAggregate
from factories.permissions import can_import_aggregates


class AggregateOutput(serializers.ModelSerializer):
    region = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    imported_by = serializers.CharField(source="imported_by.__str__")
    kind = serializers.SerializerMethodField()

    class Meta:
        model = HistoricalAggregate
        fields = [
            "id",
            "kind",
            "metric",
            "year",
            "region",
            "program_type",
            "origin",
            "level",
            "value",
            "status",
            "source",
            "batch",
            "imported_by",
            "imported_at",
        ]

    def get_region(self, obj: HistoricalAggregate) -> str | None:
        return obj.region.slug if obj.region else None

    def get_level(self, obj: HistoricalAggregate) -> str | None:
        return obj.level.code if obj.level else None

    def get_kind(self, obj: HistoricalAggregate) -> str:
        """Always `imported_aggregate`: these figures are not built from the system's own records."""
        return "imported_aggregate"


class AggregateFilter(django_filters.FilterSet):
    metric = django_filters.ChoiceFilter(choices=AggregateMetric.choices)
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=AggregateStatus.choices)
    batch = django_filters.UUIDFilter()

    class Meta:
        model = HistoricalAggregate
        fields = ["metric", "year", "status", "batch"]


class AggregateListApi(ListAPIView):
    """Imported historical aggregates (officials and auditors)."""

    serializer_class = AggregateOutput
    filterset_class = AggregateFilter

    queryset = HistoricalAggregate.objects.none()  # for the schema; requests use the scoped selector

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return aggregate_list_for_user(self.request.user)


class YearTotalOutput(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.IntegerField()
    provisional = serializers.BooleanField()
    cells = serializers.IntegerField()
    sources = serializers.ListField(child=serializers.CharField())


class TotalsOutput(serializers.Serializer):
    metric = serializers.CharField()
    kind = serializers.CharField()
    years = YearTotalOutput(many=True)


class TotalsQuery(serializers.Serializer):
    metric = serializers.ChoiceField(choices=AggregateMetric.choices, default=AggregateMetric.DEPLOYMENTS)


class AggregateTotalsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("metric", str, enum=AggregateMetric.values, required=False)],
        responses=TotalsOutput,
        summary="Imported aggregates per year: the year's total cell, or the sum of its cells",
    )
    def get(self, request: Request) -> Response:
        if not can_view_aggregates(request.user):
            raise DrfPermissionDenied()
        metric = validated(TotalsQuery, request.query_params)["metric"]
        figures = sorted(aggregate_year_figures(metric).values(), key=lambda f: f.year)
        data = {"metric": metric, "kind": "imported_aggregate", "years": figures}
        return Response(TotalsOutput(data).data)


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    replace = serializers.BooleanField(required=False, default=False)
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportedRowOutput(serializers.Serializer):
    row = serializers.IntegerField()
    metric = serializers.CharField()
    year = serializers.IntegerField()
    region = serializers.SerializerMethodField()
    program_type = serializers.CharField()
    origin = serializers.CharField()
    level = serializers.SerializerMethodField()
    value = serializers.IntegerField()
    status = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source

    def get_region(self, obj: Any) -> str | None:
        return obj.region.slug if obj.region else None

    def get_level(self, obj: Any) -> str | None:
        return obj.level.code if obj.level else None


class ImportOutput(serializers.Serializer):
    batch = serializers.UUIDField(allow_null=True)
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    rows = ImportedRowOutput(many=True, source="cells")


def import_output(result: ImportResult) -> dict[str, Any]:
    data = dict(ImportOutput(result).data)
    if result.dry_run:
        data["batch"] = None
    return data


class AggregateImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={201: ImportOutput, 200: ImportOutput},
        summary="Import historical aggregates from a CSV or XLSX file (all rows or none)",
        description=(
            "Columns: metric, year, region (MOIS code or region key; blank = national), program_type, "
            "origin, level (L1–L5), value, status (actual|provisional), source. Errors come back by row "
            "and column in `fields` (`row 3: year`). A figure already loaded is a 409 unless `replace`. "
            "With `dry_run` nothing is written (200)."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        if not can_import_aggregates(actor):
            raise DrfPermissionDenied()
        data = validated(ImportInput, request.data)
        upload: UploadedFile = data["file"]
        check_file_size(upload.size or 0)
        content = upload.read(MAX_FILE_BYTES + 1)
        result = aggregate_import(
            actor=actor,
            data=content,
            filename=upload.name or "",
            replace=data["replace"],
            dry_run=data["dry_run"],
        )
        code = status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED
        return Response(import_output(result), status=code)
