"""Pages of raw exports: what will be exported and asking for it, "My downloads", a job's progress and
its download.

The export page (exports:new) is opened by a list's export buttons with that list's filters in the query
string. It shows the list, its filters in words and how many rows they give, and asks for the format
(and the reason, when the list names people). A small export (at most DIRECT_MAX_ROWS rows) is written
and sent at once; a larger one becomes a job whose page polls its progress until the file is ready.
Every download writes one access-log row with the reason given (core.access); the job pages show only
the user's own jobs (another user's job is a 404).
"""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.access import access_record_request
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from core.forms import KrdsForm
from core.models import AccessAction
from core.replica import replica_reads
from core.views import signed_in_user
from exports import services
from exports.datasets.base import REGISTRY, Dataset, dataset_get
from exports.models import ExportJob, FileFormat, JobStatus
from exports.responses import download_detail, file_response, job_download_response
from exports.selectors import (
    export_job_get_for_user,
    export_job_is_downloadable,
    export_job_is_unfinished,
    export_job_list_for_user,
)

# Exports of at most this many rows are written during the request and sent at once; larger ones are
# jobs. Small enough that writing one takes a second or two.
DIRECT_MAX_ROWS = 5_000
# Direct exports are spooled in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
PAGE_SIZE = 20
JOB_BADGES = {
    JobStatus.QUEUED: "bg-light-gray",
    JobStatus.RUNNING: "bg-light-information",
    JobStatus.DONE: "bg-light-success",
    JobStatus.FAILED: "bg-light-danger",
    JobStatus.EXPIRED: "bg-light-gray",
}


class ExportForm(KrdsForm):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=FileFormat.choices,
        widget=forms.RadioSelect,
        initial=FileFormat.XLSX,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for downloading"),
        max_length=services.MAX_REASON_LENGTH,
        help_text=gettext_lazy(
            "This list names people. The reason is kept in the access log with your download (접속기록)."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, personal_data: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not personal_data:
            del self.fields["reason"]


def _requested(query: QueryDict) -> tuple[str, QueryDict]:
    """The list asked for and the rest of the query (its filters). The export buttons name the list as
    `dataset`; a link that has none names it as the first `kind`, and any further `kind` is a filter
    (the ledger's kind of entry)."""
    params = query.copy()
    kind = params.get("dataset", "")
    if kind:
        params.pop("dataset")
        return kind, params
    kinds = params.getlist("kind")
    if kinds:
        kind = kinds[0]
        if kinds[1:]:
            params.setlist("kind", kinds[1:])
        else:
            params.pop("kind")
    params.pop("dataset", None)
    return kind, params


def _invalid(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    context = {"message": error.message, "fields": error.fields}
    return render(request, "exports/export_invalid.html", context, status=error.status_code)


def _page(
    request: HttpRequest,
    *,
    dataset: Dataset,
    params: QueryDict,
    rows: int,
    form: ExportForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "dataset": dataset,
        "criteria": dataset.criteria(params),
        "rows": rows,
        "direct": rows <= DIRECT_MAX_ROWS,
        "direct_max_rows": DIRECT_MAX_ROWS,
        "form": form,
        "action": request.get_full_path(),
    }
    return render(request, "exports/export_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest) -> HttpResponseBase:
    """What will be exported (GET) and asking for it (POST): the file at once when small, else a job."""
    user = signed_in_user(request)
    kind, params = _requested(request.GET)
    try:
        dataset = dataset_get(kind)
        with replica_reads():
            rows = dataset.queryset(user, params).count()
    except ValidationFailed as exc:
        return _invalid(request, exc)

    if request.method != "POST":
        initial = {
            "format": request.GET.get("format") if request.GET.get("format") in FileFormat.values else None
        }
        form = ExportForm(
            initial={k: v for k, v in initial.items() if v}, personal_data=dataset.personal_data
        )
        return _page(request, dataset=dataset, params=params, rows=rows, form=form)

    form = ExportForm(request.POST, personal_data=dataset.personal_data)
    if not form.is_valid():
        return _page(request, dataset=dataset, params=params, rows=rows, form=form, status=400)
    file_format = form.cleaned_data["format"]
    reason = form.cleaned_data.get("reason", "")
    try:
        if rows <= DIRECT_MAX_ROWS:
            checked = services.export_request_clean(
                actor=user, kind=dataset.kind, file_format=file_format, params=params, reason=reason
            )
            return _direct(request, checked)
        job = services.export_job_create(
            actor=user, kind=dataset.kind, file_format=file_format, params=params, reason=reason
        )
    except (NotFound, PermissionDenied):
        raise
    except (ValidationFailed, Conflict) as exc:
        for field, messages in exc.fields.items():
            form.add_error(field if field in form.fields else None, [str(m) for m in messages])
        if not exc.fields or any(f not in form.fields for f in exc.fields):
            form.add_error(None, str(exc.message))
        return _page(request, dataset=dataset, params=params, rows=rows, form=form, status=exc.status_code)
    return redirect("exports:job-detail", job_id=job.pk)


def _direct(request: HttpRequest, checked: services.ExportRequest) -> HttpResponseBase:
    """Write a small export now and send it, with its access-log row."""
    dataset = checked.dataset
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (closed by the response)
    try:
        with replica_reads():
            count = services.export_write(
                dataset=dataset, queryset=checked.queryset, file_format=checked.file_format, out=spool
            )
        spool.seek(0)
        access_record_request(
            request,
            action=AccessAction.DOWNLOAD,
            resource=dataset.kind,
            subject="list",
            personal_data=dataset.personal_data,
            reason=checked.reason,
            detail=download_detail(count, checked.filters),
        )
    except BaseException:
        spool.close()
        raise
    now = timezone.now()
    return file_response(
        spool,
        file_name=services.export_file_name(dataset=dataset, file_format=checked.file_format, at=now),
        fallback=services.export_fallback_name(kind=dataset.kind, file_format=checked.file_format, at=now),
        file_format=checked.file_format,
    )


def _job_context(job: ExportJob) -> dict[str, Any]:
    dataset = REGISTRY.get(job.kind)
    filters = services.export_job_filters(job)
    try:
        criteria = dataset.criteria(filters) if dataset is not None else []
    except ValidationFailed:
        criteria = [(key, str(value)) for key, value in filters.items()]
    return {
        "job": job,
        "badge": JOB_BADGES.get(JobStatus(job.status), ""),
        "title": dataset.title if dataset is not None else job.kind,
        "criteria": criteria,
        "unfinished": export_job_is_unfinished(job),
        "downloadable": export_job_is_downloadable(job),
    }


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """My downloads: the user's own export jobs, newest first."""
    user = signed_in_user(request)
    page_obj = Paginator(export_job_list_for_user(user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    jobs = [
        {
            "job": job,
            "title": getattr(REGISTRY.get(job.kind), "title", job.kind),
            "downloadable": export_job_is_downloadable(job, now),
            "unfinished": export_job_is_unfinished(job),
        }
        for job in page_obj
    ]
    return render(
        request, "exports/job_list.html", {"page_obj": page_obj, "jobs": jobs, "badges": JOB_BADGES}
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """One job: what was asked for, and its progress (polled while it waits or runs)."""
    job = export_job_get_for_user(signed_in_user(request), job_id)
    return render(request, "exports/job_detail.html", _job_context(job))


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress partial the job page polls (htmx); it stops polling once the job is finished."""
    job = export_job_get_for_user(signed_in_user(request), job_id)
    return render(request, "exports/_job_progress.html", _job_context(job))


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    """The job's file, to the user who asked for it while its download window is open; one access-log
    row per download."""
    user = signed_in_user(request)
    job = export_job_get_for_user(user, job_id)
    return job_download_response(request, job=job, actor=user)
