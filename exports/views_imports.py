"""Pages of workbook imports: the upload form with the user's jobs and the templates to download, a
job's page with its progress and errors by row and column, and the annotated workbook of a refused
file. A refused upload is a 400 with the reason on the file field, and a security-log row."""

from __future__ import annotations

import io
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.access import security_record
from core.errors import ValidationFailed
from core.forms import KrdsForm
from core.models import SecurityEventKind
from core.uploads import UploadRefused, upload_check_size
from core.views import signed_in_user
from exports.imports import services
from exports.imports.base import ImportKind
from exports.imports.registry import KINDS, kind_get, kinds_for_user
from exports.imports.selectors import import_job_get_for_user, import_job_list_for_user
from exports.imports.workbooks import template_write
from exports.models import ImportJob, ImportStatus

JOBS_PER_PAGE = 20
ERRORS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(KrdsForm):
    kind = forms.ChoiceField(label=gettext_lazy("What the workbook holds"))
    file = forms.FileField(
        label=gettext_lazy("Workbook (XLSX or CSV in UTF-8)"),
        help_text=gettext_lazy(
            "Use the kind's template. At most 10 MB and 100,000 rows; macro-enabled workbooks are refused."
        ),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only: save nothing"), required=False)

    def __init__(self, kinds: list[ImportKind], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        if isinstance(kind_field, forms.ChoiceField):  # always; narrows the type
            kind_field.choices = [(kind.key, kind.label) for kind in kinds]


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form, the templates of the kinds the user may import, and their own jobs."""
    user = signed_in_user(request)
    kinds = kinds_for_user(user)
    if not kinds:
        raise DjangoPermissionDenied
    form = ImportUploadForm(kinds, request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = form.cleaned_data["kind"]
            try:
                upload_check_size(upload.size or 0, services.UPLOAD_LIMITS)
                job = services.import_job_create(
                    actor=user,
                    kind=kind,
                    filename=upload.name or "",
                    data=upload.read(services.UPLOAD_LIMITS.max_bytes + 1),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except UploadRefused as exc:
                security_record(
                    kind=SecurityEventKind.BAD_UPLOAD,
                    request=request,
                    detail={"code": exc.code, "kind": kind},
                )
                form.add_error("file", str(exc.message))
            except ValidationFailed as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The workbook was uploaded; its rows are being checked."))
                return redirect("exports:import-detail", job_id=job.pk)
        status = 400
    page = Paginator(import_job_list_for_user(user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    labels = {key: kind.label for key, kind in KINDS.items()}
    context = {"form": form, "kinds": kinds, "page_obj": page, "kind_labels": labels}
    return render(request, "exports/import_list.html", context, status=status)


def _job_context(job: ImportJob) -> dict[str, Any]:
    return {
        "job": job,
        "kind": kind_get(job.kind),
        "running": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A job: its state and progress, and its errors by row and column (a page at a time)."""
    job = import_job_get_for_user(signed_in_user(request), job_id)
    context = _job_context(job)
    context["page_obj"] = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exports/import_detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The job's state and progress alone (polled by the job page while it runs)."""
    job = import_job_get_for_user(signed_in_user(request), job_id)
    context = _job_context(job)
    response = render(request, "exports/import_progress.html", context)
    if request.headers.get("HX-Request") and not context["running"]:
        response["HX-Refresh"] = "true"  # finished: reload the job page to show its errors
    return response


@login_required
@require_GET
def import_errors_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    """The uploaded rows with an errors column and a sheet listing the errors (the requester only)."""
    job = import_job_get_for_user(signed_in_user(request), job_id)
    if not job.annotated_path:
        raise Http404
    path = services.imports_root() / job.annotated_path
    if not path.is_file():
        raise Http404
    stem = job.filename.rsplit(".", 1)[0] or "import"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{stem}-errors.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def import_template_download(request: HttpRequest, kind: str) -> HttpResponse:
    """The kind's template: the header row, drop-down lists and a guide sheet."""
    spec = kind_get(kind)
    if not spec.can_import(signed_in_user(request)):
        raise DjangoPermissionDenied
    buffer = io.BytesIO()
    template_write(spec, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{spec.key}-template.xlsx"'
    return response
