"""API of the ministry reports (officials and auditors; 403 for everyone else):

- GET /reports/ministry-workbook/   the ministry KPI workbook (.xlsx) of a snapshot: `snapshot` (its
  number) or `as_of` (YYYY-MM-DD: the latest official snapshot of that date); by default the latest
  official snapshot. 400 for a malformed number or date, 404 `not_found` for an unknown snapshot,
  404 `no_snapshot` when no official snapshot matches.
- GET /reports/open-data/           the 360Giving open-data file, `format` json (default) or csv,
  streamed; 404 for any other format.

Each download is one access-log row (exports.views_reports); nothing is cached (no-store).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api.views import validated
from core.errors import PermissionDenied
from exports.ministry import CONTENT_TYPE, can_view_ministry_reports, ministry_snapshot_select
from exports.views_reports import open_data_response, workbook_response


class FileNegotiation(DefaultContentNegotiation):
    """These views answer with a file whatever the Accept header says, and their `format` parameter
    names the file's format, not a DRF renderer (errors are rendered as JSON)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class WorkbookQuery(serializers.Serializer):
    snapshot = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    as_of = serializers.DateField(required=False)


def _require_reports(request: Request) -> None:
    if not can_view_ministry_reports(request.user):
        raise PermissionDenied()


class MinistryWorkbookDownloadApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("snapshot", int, description="A KPI snapshot's number (live or official)."),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="The latest official snapshot as of this date."
            ),
        ],
        responses={
            (200, CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook."),
        },
        summary="The ministry KPI workbook of a snapshot (default: the latest official one)",
        description=(
            "Officials and auditors. 400 for a malformed snapshot number or date; 404 `not_found` for an "
            "unknown snapshot, `no_snapshot` when no official snapshot matches. Logged as a download."
        ),
    )
    def get(self, request: Request) -> Any:
        _require_reports(request)
        query = validated(WorkbookQuery, request.query_params)
        snapshot = ministry_snapshot_select(snapshot_id=query.get("snapshot"), as_of=query.get("as_of"))
        return workbook_response(request._request, snapshot)


class OpenDataDownloadApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv"], description="json (default) or csv."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description='360Giving JSON: {"grants": [...]}.'
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="360Giving flattened CSV."),
        },
        summary="Awards as 360Giving open data (one grant per signed agreement), streamed",
        description=(
            "Officials and auditors. 404 `unknown_format` for a format other than json or csv. "
            "Logged as a download."
        ),
    )
    def get(self, request: Request) -> Any:
        _require_reports(request)
        fmt = str(request.query_params.get("format") or "json").strip().lower()
        return open_data_response(request._request, fmt)
