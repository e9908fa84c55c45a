"""API of raw exports: ask for a file of a list (202 with the job), follow one's own jobs, download the file.

POST /exports/ takes the list (`kind`), the `format`, the list's `filters` (as its list API takes them)
and the `reason` when the list names people. An optional `Idempotency-Key` header makes a retried POST
return the first job instead of making a second one. A user sees only their own jobs; another user's
job is a 404 everywhere. Every download writes one access-log row with the reason given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import exports.datasets  # noqa: F401  (registers every dataset before KIND_CHOICES is read)
from core.api.idempotency import HEADER, idempotent
from core.api.views import acting_user, validated
from core.models import User
from exports.datasets.base import REGISTRY
from exports.models import ExportJob, FileFormat
from exports.responses import job_download_response
from exports.selectors import export_job_get_for_user, export_job_is_downloadable, export_job_list_for_user
from exports.services import CONTENT_TYPES, MAX_REASON_LENGTH, export_job_create, export_job_filters

IDEMPOTENCY_OPTIONAL = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional: a unique key per request. A retry with the same key and body returns the first job; "
        "the same key with another body is a 409."
    ),
)

# Filters as the list API takes them: one value, or a list of values for a filter that takes several.
FILTERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "description": 'The list\'s filters, by the names of its list API (`{"kind": "payment"}`).',
}

# The lists that can be exported (the schema's ExportKindEnum); who may export which is the dataset's.
KIND_CHOICES = [(kind, dataset.title) for kind, dataset in REGISTRY.items()]
JOB_ID = OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The job's id.")


def idempotent_if_keyed(
    request: Request, user: User, operation: str, handler: Callable[[], Response]
) -> Response:
    """`core.api.idempotency.idempotent` when the request carries an Idempotency-Key, else `handler()`:
    asking for a file moves no money, so the key is the client's choice here."""
    if not (request.headers.get(HEADER) or "").strip():
        return handler()
    return idempotent(request, user, operation, handler)


class ExportJobOutput(serializers.ModelSerializer):
    format = serializers.ChoiceField(source="file_format", choices=FileFormat.choices, read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Progress in whole percent.")
    filters = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "row_count",
            "filters",
            "personal_data",
            "reason",
            "error",
            "file_name",
            "file_size",
            "downloads",
            "requested_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(FILTERS_SCHEMA)
    def get_filters(self, obj: ExportJob) -> dict[str, Any]:
        return export_job_filters(obj)

    def get_download_url(self, obj: ExportJob) -> str | None:
        if not export_job_is_downloadable(obj):
            return None
        return reverse("api-export-job-download", args=[obj.pk])


@extend_schema_field(FILTERS_SCHEMA)
class FiltersField(serializers.DictField):
    """An object of filters; its values are checked by the list's own FilterSet (exports.services)."""


class ExportJobInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES, help_text="The list to export, e.g. `ledger`.")
    format = serializers.ChoiceField(choices=FileFormat.choices, default=FileFormat.XLSX)
    filters = FiltersField(required=False, default=dict)
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the file is needed; required for a list that names people (접속기록).",
    )


class ExportJobListApi(ListAPIView):
    """The user's own export jobs, newest first."""

    serializer_class = ExportJobOutput

    def get_queryset(self) -> QuerySet[ExportJob]:
        return export_job_list_for_user(self.request.user)

    @extend_schema(summary="My export jobs, newest first", responses=ExportJobOutput(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ExportJobCreateApi(APIView):
    @extend_schema(
        request=ExportJobInput,
        responses={202: ExportJobOutput},
        parameters=[IDEMPOTENCY_OPTIONAL],
        summary="Ask for a file of a list with its filters (made in the background; 409 if too many wait)",
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        data = validated(ExportJobInput, request.data)

        def run() -> Response:
            job = export_job_create(
                actor=actor,
                kind=data["kind"],
                file_format=data["format"],
                params=data["filters"],
                reason=data["reason"],
            )
            return Response(ExportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)

        return idempotent_if_keyed(request, actor, "export_job_create", run)


class ExportJobCollectionApi(ExportJobCreateApi, ExportJobListApi):
    """/exports/: GET is ExportJobListApi, POST is ExportJobCreateApi (one URL, two operations)."""


class ExportJobDetailApi(APIView):
    @extend_schema(
        parameters=[JOB_ID],
        responses=ExportJobOutput,
        summary="One of my export jobs: status, progress, download link",
    )
    def get(self, request: Request, job_id: str) -> Response:
        return Response(ExportJobOutput(export_job_get_for_user(request.user, job_id)).data)


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """A file is what it is: the download answers in the file's own type whatever `Accept` says (errors
    are JSON)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class ExportJobDownloadApi(APIView):
    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(
        responses={
            (200, media_type.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for media_type in CONTENT_TYPES.values()
        },
        parameters=[JOB_ID],
        summary="Download the file of a finished job (404 once its download period is over)",
    )
    def get(self, request: Request, job_id: str) -> HttpResponseBase:
        actor = acting_user(request)
        job = export_job_get_for_user(actor, job_id)
        return job_download_response(request, job=job, actor=actor)
