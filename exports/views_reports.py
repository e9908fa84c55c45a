"""Pages of the ministry reports (officials and auditors): the list of KPI snapshots with their
workbook downloads, the ministry workbook of a snapshot and the 360Giving open-data file.

Every download is one access-log row (core.access: resource "ministry_workbook" with the snapshot's
number, or "open_data" with the format), written once the file is ready to send; a refused or failed
download leaves none. Nothing is cached on the way (Cache-Control: no-store).
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import access_record_request
from core.errors import PermissionDenied
from core.models import AccessAction
from exports.ministry import (
    CONTENT_TYPE,
    can_view_ministry_reports,
    ministry_snapshot_select,
    ministry_workbook_write,
)
from exports.ministry.workbook import status_label
from exports.opendata import CONTENT_TYPES, OpenDataStream
from exports.responses import content_disposition
from kpi.models import Snapshot, SnapshotKind
from kpi.selectors import official_snapshots

MINISTRY_RESOURCE = "ministry_workbook"
OPEN_DATA_RESOURCE = "open_data"
SNAPSHOTS_LISTED = 120


def workbook_filenames(snapshot: Snapshot) -> tuple[str, str]:
    """(ASCII name, Korean name) of a snapshot's workbook."""
    day = snapshot.as_of.isoformat()
    official = snapshot.kind == SnapshotKind.OFFICIAL
    kind = "official" if official else "live"
    korean_kind = "공식" if official else "잠정"
    return (
        f"ministry-kpi-{day}-{kind}-{snapshot.pk}.xlsx",
        f"스마트공장_KPI_보고서_{day}_{korean_kind}_{snapshot.pk}.xlsx",
    )


def workbook_response(request: HttpRequest, snapshot: Snapshot) -> HttpResponse:
    """The workbook of `snapshot` as a download, with its access-log row."""
    buffer = io.BytesIO()
    ministry_workbook_write(snapshot=snapshot, out=buffer)
    ascii_name, name = workbook_filenames(snapshot)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(name, ascii_name)
    response["Cache-Control"] = "no-store"
    access_record_request(
        request,
        action=AccessAction.DOWNLOAD,
        resource=MINISTRY_RESOURCE,
        object_ref=snapshot.pk,
        subject=f"KPI 스냅숏 #{snapshot.pk} ({snapshot.as_of.isoformat()}, {status_label(snapshot)})",
        detail={"as_of": snapshot.as_of.isoformat(), "kind": snapshot.kind, "status": snapshot.status},
    )
    return response


def open_data_response(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The 360Giving file streamed as a download, with its access-log row (written before the first
    byte is sent). OpenDataFormatError (404) for an unknown format."""
    stream = OpenDataStream(fmt)
    day = timezone.localdate().isoformat()
    response = StreamingHttpResponse(iter(stream), content_type=CONTENT_TYPES[stream.fmt])
    response["Content-Disposition"] = content_disposition(
        f"스마트공장_지원사업_360Giving_{day}.{stream.fmt}",
        f"smart-factory-grants-360giving-{day}.{stream.fmt}",
    )
    response["Cache-Control"] = "no-store"
    access_record_request(
        request,
        action=AccessAction.DOWNLOAD,
        resource=OPEN_DATA_RESOURCE,
        object_ref=stream.fmt,
        subject=f"360Giving {stream.fmt.upper()}",
    )
    return response


def _require_reports(request: HttpRequest) -> None:
    if not can_view_ministry_reports(request.user):
        raise PermissionDenied()


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """The official KPI snapshots (newest first) and the current live one, each with its workbook,
    and the open-data downloads."""
    _require_reports(request)
    official = list(official_snapshots().defer("summary").select_related("taken_by")[:SNAPSHOTS_LISTED])
    live = Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).defer("summary").first()
    context = {
        "official": official,
        "latest": official[0] if official else None,
        "live": live,
        "open_data_formats": [("csv", "CSV"), ("json", "JSON")],
    }
    return render(request, "exports/reports_page.html", context)


@login_required
def ministry_workbook_download(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The ministry workbook of one snapshot (404 for an unknown one)."""
    _require_reports(request)
    return workbook_response(request, ministry_snapshot_select(snapshot_id=snapshot_id))


@login_required
def open_data_download(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The 360Giving open-data file, as JSON or CSV (404 for any other format)."""
    _require_reports(request)
    return open_data_response(request, fmt)
