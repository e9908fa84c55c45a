"""HTTP responses of export files, shared by the pages and the API.

A file goes out as an attachment that no cache keeps (`Cache-Control: no-store`), under a name built by
the server: an ASCII `filename="..."` for old clients and the real (Korean) name as
`filename*=UTF-8''...` (RFC 6266 / RFC 5987). Neither can carry a quote, a backslash or a line break, so
no header can be split or forged through a file name.
"""

from __future__ import annotations

import re
from typing import IO, Any
from urllib.parse import quote

from django.db import transaction
from django.http import FileResponse, HttpRequest

from core.access import access_record_request
from core.errors import NotFound
from core.models import AccessAction, User
from exports.models import ExportJob, FileFormat
from exports.services import (
    CONTENT_TYPES,
    export_fallback_name,
    export_job_download,
    export_job_filters,
)

_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\;]')


def content_disposition(file_name: str, fallback: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name; control characters are dropped."""
    name = "".join(ch for ch in file_name if ch.isprintable()) or fallback
    ascii_name = _UNSAFE_ASCII.sub("_", fallback) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(handle: IO[bytes], *, file_name: str, fallback: str, file_format: str) -> FileResponse:
    """Stream an open export file as a download that is never cached."""
    response = FileResponse(handle, content_type=CONTENT_TYPES[FileFormat(file_format)])
    response["Content-Disposition"] = content_disposition(file_name, fallback)
    response["Cache-Control"] = "no-store"
    return response


def download_detail(rows: int | None, filters: dict[str, Any]) -> dict[str, Any]:
    """The access-log detail of an export download: how many rows, with which filters."""
    return {"rows": rows, "filters": filters}


def job_download_response(request: HttpRequest | Any, *, job: ExportJob, actor: User) -> FileResponse:
    """The file of the actor's finished job, counted as one download with one access-log row (with the
    reason given when the job was asked for). NotFound when it is not downloadable."""
    with transaction.atomic():
        path = export_job_download(job=job, actor=actor)
        try:
            handle = path.open("rb")
        except FileNotFoundError:  # expired between the check and the open
            raise NotFound() from None
        try:
            access_record_request(
                request,
                action=AccessAction.DOWNLOAD,
                resource=job.kind,
                object_ref=str(job.pk),
                subject="list",
                personal_data=job.personal_data,
                reason=job.reason,
                detail=download_detail(job.row_count, export_job_filters(job)),
            )
        except BaseException:
            handle.close()
            raise
    at = job.finished_at or job.requested_at
    return file_response(
        handle,
        file_name=job.file_name or export_fallback_name(kind=job.kind, file_format=job.file_format, at=at),
        fallback=export_fallback_name(kind=job.kind, file_format=job.file_format, at=at),
        file_format=job.file_format,
    )
