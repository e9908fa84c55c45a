"""API of workbook imports: upload a workbook of a kind (multipart; 202 with the queued job) and read a
job with its errors by row and column. A refused file is a 400 whose `code` says why (file_type,
file_unsafe, file_too_complex …), and a security-log row."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import security_record
from core.api.views import acting_user, validated
from core.models import SecurityEventKind
from core.uploads import UploadRefused, upload_check_size
from exports.imports import services
from exports.imports.registry import KINDS
from exports.imports.selectors import import_job_get_for_user
from exports.models import ImportJob


class ImportJobCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    file = serializers.FileField(
        help_text="An .xlsx workbook or a UTF-8 .csv file made from the kind's template."
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check every row, save nothing."
    )


class ImportErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="Sheet row (1 is the header; 0 is the whole file).")
    column = serializers.CharField(help_text="The column's header, blank for the whole file.")
    code = serializers.CharField()
    message = serializers.CharField()


class ImportJobOutput(serializers.ModelSerializer):
    # A field named like Serializer.errors: DRF's metaclass moves declared fields off the class.
    errors = ImportErrorOutput(many=True, help_text="The first 1,000 errors, by row and column.")  # type: ignore[assignment]
    percent = serializers.IntegerField(help_text="Progress in whole percent.")
    errors_url = serializers.SerializerMethodField(help_text="The annotated workbook, when there are errors.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "dry_run",
            "filename",
            "file_size",
            "row_count",
            "created_count",
            "error_count",
            "errors",
            "percent",
            "errors_url",
            "requested_at",
            "started_at",
            "finished_at",
        ]

    def get_errors_url(self, obj: ImportJob) -> str | None:
        return reverse("exports:import-errors", args=[obj.pk]) if obj.annotated_path else None


def job_output(job: ImportJob) -> dict[str, Any]:
    return dict(ImportJobOutput(job).data)


class ImportJobCreateApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportJobCreateInput},
        responses={202: ImportJobOutput},
        summary="Upload a workbook to import (checked, then saved all or nothing)",
        description=(
            "The file is checked before it is stored (size, type against content, zip limits, macros, XML "
            "document types); a refused file is a 400 with the reason in `code`. The job then checks every "
            "row in the background: poll the job for its status and its errors by row and column."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        data = validated(ImportJobCreateInput, request.data)
        upload: UploadedFile = data["file"]
        try:
            upload_check_size(upload.size or 0, services.UPLOAD_LIMITS)
            job = services.import_job_create(
                actor=actor,
                kind=data["kind"],
                filename=upload.name or "",
                data=upload.read(services.UPLOAD_LIMITS.max_bytes + 1),
                dry_run=data["dry_run"],
            )
        except UploadRefused as exc:
            security_record(
                kind=SecurityEventKind.BAD_UPLOAD,
                request=request._request,
                actor=actor,
                detail={"code": exc.code, "kind": data["kind"]},
            )
            raise
        return Response(job_output(job), status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(APIView):
    @extend_schema(responses=ImportJobOutput, summary="An import job: its status, counts and errors")
    def get(self, request: Request, job_id: uuid.UUID) -> Response:
        return Response(job_output(import_job_get_for_user(acting_user(request), job_id)))
