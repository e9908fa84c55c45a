"""Raw exports: asking for a file of a list, making it once in the background, downloading and expiring it.

A request is checked whole before anything is saved (`export_request_clean`): the list exists and the
user may export it, the format is known, every filter is one of the list's and valid, and a list with
personal data comes with the reason for downloading it (접속기록). A job is then saved and its task
queued after the commit (`export_job_create`).

The task (`export_job_execute`) claims the job with one conditional UPDATE (queued → running, or a
running job whose run started more than STALE_AFTER ago: its worker died), so a task delivered twice
makes one file. The claim is the `started_at` it set: every progress report and the final save are
conditional on it, and a run that finds its claim taken over stops and deletes its partial file. The
file is written under a server-chosen name in EXPORTS_ROOT, first as `<name>.part`, renamed when
complete; a failure deletes it and leaves a readable message on the job, never the exception's text.

The rows are read outside any transaction, inside `replica_reads()`, so a long export streams from the
read replica when one is configured and never holds a transaction open on the primary.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from core.models import User
from core.replica import replica_reads
from exports.datasets.base import REGISTRY, Dataset, dataset_get, with_language
from exports.models import ExportJob, FileFormat, JobStatus
from exports.sqlcsv import copy_csv, copy_supported
from exports.writers import write_csv, write_json, write_xlsx

logger = logging.getLogger(__name__)

# A user may have this many jobs waiting or running at once; more is a 409 `too_many_exports`.
MAX_UNFINISHED_JOBS = 3
MAX_REASON_LENGTH = 500
# The export task's limits (exports.tasks). A run cannot outlive EXPORT_TIME_LIMIT, so a job still
# running STALE_AFTER after its start lost its worker and may be claimed again. The broker's visibility
# timeout (4 × CELERY_TASK_TIME_LIMIT, 24 minutes by default) redelivers such a task after that.
EXPORT_SOFT_TIME_LIMIT = 19 * 60
EXPORT_TIME_LIMIT = 20 * 60
STALE_AFTER = dt.timedelta(
    seconds=getattr(settings, "EXPORT_STALE_AFTER_SECONDS", None) or EXPORT_TIME_LIMIT + 60
)
# A job is claimed at most this many times (a file that kills its worker every time is not retried
# for ever); the beat task then fails it.
MAX_ATTEMPTS = 3
# A job still waiting this long was never delivered to a worker (a lost message): the beat task fails it
# so that it stops counting against its user's limit.
ABANDON_AFTER = dt.timedelta(hours=6)
TEMP_SUFFIX = ".part"

CONTENT_TYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.JSON: "application/json",
}

Filters = dict[str, str | list[str]]


class ClaimLost(Exception):
    """The job was claimed by another run (this one was presumed dead): stop without saving anything."""


# --- checking a request -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    """A checked request for a file: what to write, the filters as saved, and the reason given."""

    dataset: Dataset
    file_format: str
    filters: Filters
    reason: str
    queryset: QuerySet[Any]


def _compact(cleaned: Mapping[str, list[str]]) -> Filters:
    """Filters as they read: one value as itself, several as a list."""
    return {key: values[0] if len(values) == 1 else list(values) for key, values in cleaned.items()}


def export_request_clean(
    *,
    actor: User,
    kind: object,
    file_format: object,
    params: Mapping[str, Any] | QueryDict | None,
    reason: object = "",
) -> ExportRequest:
    """Check a request for a file of list `kind` without saving anything.

    ValidationFailed naming the field: `kind` for an unknown list or one the actor may not export,
    `format` for an unknown format, the filter's own name for an unknown or invalid filter (or a
    nested value), `reason` when the list has personal data and no reason is given (or it is too long).
    The queryset is the actor's list with the filters applied, not yet evaluated."""
    dataset = dataset_get(kind)
    if file_format not in FileFormat.values:
        raise ValidationFailed(
            gettext_lazy("Choose Excel, CSV or JSON."),
            code="unknown_format",
            fields={"format": [gettext_lazy("Choose Excel, CSV or JSON.")]},
        )
    queryset = dataset.queryset(actor, params)  # refuses who may not export it and bad filters
    filters = _compact(dataset.clean_params(params))
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) > MAX_REASON_LENGTH:
        message = gettext_lazy("Keep the reason to %(n)s characters.") % {"n": MAX_REASON_LENGTH}
        raise ValidationFailed(message, code="reason_too_long", fields={"reason": [message]})
    if dataset.personal_data and not text:
        raise ValidationFailed(
            gettext_lazy("This list names people: say why you are downloading it."),
            code="reason_required",
            fields={"reason": [gettext_lazy("Give the reason for downloading personal data.")]},
        )
    return ExportRequest(
        dataset=dataset, file_format=str(file_format), filters=filters, reason=text, queryset=queryset
    )


# --- writing ------------------------------------------------------------------------------------------


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:31] or "data"


def export_write(
    *,
    dataset: Dataset,
    queryset: QuerySet[Any],
    file_format: str,
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Stream the rows of `queryset` as `file_format` into the binary file `out`; returns the number of
    rows written. Labels and headers are in the active language. `progress(n)` is called every few
    thousand rows and once at the end; an exception it raises stops the writing."""
    if file_format == FileFormat.XLSX:
        return write_xlsx(
            out,
            dataset.columns,
            dataset.rows(queryset),
            sheet_name=_sheet_name(str(dataset.title)),
            progress=progress,
        )
    if file_format == FileFormat.CSV:
        if copy_supported(dataset):
            # PostgreSQL writes the CSV itself, several times faster (exports.sqlcsv); the same bytes.
            return copy_csv(dataset=dataset, queryset=queryset, out=out, progress=progress)
        return write_csv(out, dataset.columns, dataset.rows(queryset), progress=progress)
    if file_format == FileFormat.JSON:
        return write_json(out, dataset.columns, dataset.rows(queryset), progress=progress)
    raise ValueError(f"unknown export format {file_format!r}")


def export_file_name(*, dataset: Dataset, file_format: str, at: dt.datetime) -> str:
    """The name a downloaded file is offered under: the list's title (active language) and the local
    time it was made, "원장_20260315-1430.xlsx". Never a path on disk."""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', " ", str(dataset.title)).strip() or dataset.kind
    return f"{title}_{timezone.localtime(at):%Y%m%d-%H%M}.{file_format}"


def export_fallback_name(*, kind: str, file_format: str, at: dt.datetime) -> str:
    """An ASCII name for clients that ignore `filename*` (the list's kind and the time it was made)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", kind).strip("-") or "export"
    return f"{safe}_{timezone.localtime(at):%Y%m%d-%H%M}.{file_format}"


def exports_root() -> Path:
    return Path(settings.EXPORTS_ROOT)


def export_file_path(name: str) -> Path | None:
    """The file of a job, from its stored server-chosen name; None for a name that is not one of ours."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or name.endswith(TEMP_SUFFIX):
        return None
    return exports_root() / name


# --- creating and running jobs ------------------------------------------------------------------------


def _queue(job_id: uuid.UUID) -> None:
    from exports.tasks import export_job_run  # the task module imports this one

    export_job_run.delay(str(job_id))


@transaction.atomic
def export_job_create(
    *,
    actor: User,
    kind: object,
    file_format: object,
    params: Mapping[str, Any] | QueryDict | None,
    reason: object = "",
) -> ExportJob:
    """Save a job for a file of list `kind` with `params` as its filters and queue its task after the
    commit. The filters are saved as checked (page aliases applied); the labels of the file will be in
    the language active now.

    ValidationFailed as `export_request_clean`; Conflict `too_many_exports` when the actor already has
    MAX_UNFINISHED_JOBS jobs waiting or running. Nothing is saved on a refusal."""
    checked = export_request_clean(
        actor=actor, kind=kind, file_format=file_format, params=params, reason=reason
    )
    # One user's requests are counted one at a time, so two at once cannot both take the last place.
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
    unfinished = ExportJob.objects.filter(
        requested_by=actor, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).count()
    if unfinished >= MAX_UNFINISHED_JOBS:
        raise Conflict(
            gettext_lazy("You already have %(n)s files being made. Wait until one is ready, then ask again.")
            % {"n": unfinished},
            code="too_many_exports",
        )
    job = ExportJob.objects.create(
        kind=checked.dataset.kind,
        requested_by=actor,
        file_format=checked.file_format,
        params={"filters": checked.filters, "language": get_language() or settings.LANGUAGE_CODE},
        personal_data=checked.dataset.personal_data,
        reason=checked.reason,
    )
    # robust: a broker that is down must not turn the saved request into an error page; the job waits
    # and the beat task fails it after ABANDON_AFTER.
    transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


def export_job_filters(job: ExportJob) -> Filters:
    """The filters a job was asked with."""
    params = job.params if isinstance(job.params, dict) else {}
    filters = params.get("filters")
    return dict(filters) if isinstance(filters, dict) else {}


def _owned(job_id: uuid.UUID, claim: dt.datetime) -> QuerySet[ExportJob]:
    """The job while this run still holds it."""
    return ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, started_at=claim)


def _claim(job_id: uuid.UUID) -> ExportJob | None:
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, started_at__lt=now - STALE_AFTER, attempts__lt=MAX_ATTEMPTS
    )
    claimed = ExportJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        progress_done=0,
        progress_total=None,
        error="",
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("requested_by").get(pk=job_id)


def _as_uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def export_job_execute(*, job_id: object) -> ExportJob | None:
    """Make the file of job `job_id` if this run can claim it; the finished job (done or failed), or
    None when there was nothing to do: an unknown or malformed id, a job finished or running elsewhere,
    or a run that lost its claim on the way (it then leaves no file and changes nothing).

    Must not run inside a transaction: the claim has to be visible to other workers at once, and the
    rows are read in chunks over a long time."""
    pk = _as_uuid(job_id)
    if pk is None:
        return None
    job = _claim(pk)
    if job is None:
        return None
    language = export_job_language(job)
    result: ExportJob | None = with_language(language, lambda: _run(job))
    return result


def export_job_language(job: ExportJob) -> str | None:
    params = job.params if isinstance(job.params, dict) else {}
    language = params.get("language")
    return language if isinstance(language, str) and language else None


def _run(job: ExportJob) -> ExportJob | None:
    claim = job.started_at
    if claim is None:  # set by the claim; a job without it was not claimed by this run
        return None
    root = exports_root()
    name = f"{uuid.uuid4().hex}.{job.file_format}"
    final = root / name
    # The partial file is named after the job and the attempt, so that a run taking over from a dead one
    # removes the dead run's partial file (a live run whose claim was taken stops at its next report).
    temp = root / f"{job.pk.hex}.{job.attempts}{TEMP_SUFFIX}"
    for left in root.glob(f"{job.pk.hex}.*{TEMP_SUFFIX}") if root.is_dir() else ():
        left.unlink(missing_ok=True)

    def progress(done: int) -> None:
        if not _owned(job.pk, claim).update(progress_done=done):
            raise ClaimLost()

    try:
        dataset = REGISTRY.get(job.kind)
        if dataset is None:
            raise ValidationFailed(_("This list can no longer be exported."), code="unknown_export")
        with replica_reads():
            queryset = dataset.queryset(job.requested_by, export_job_filters(job))
            total = queryset.count()
            if not _owned(job.pk, claim).update(progress_total=total):
                raise ClaimLost()
            root.mkdir(parents=True, exist_ok=True)
            with temp.open("xb") as out:
                count = export_write(
                    dataset=dataset,
                    queryset=queryset,
                    file_format=job.file_format,
                    out=out,
                    progress=progress,
                )
                out.flush()
                os.fsync(out.fileno())
        size = temp.stat().st_size
        os.replace(temp, final)
    except ClaimLost:
        temp.unlink(missing_ok=True)
        return None
    except (OperationalError, InterfaceError):
        # The database went away (a restart, a failover): not the job's fault. The task retries; the job
        # keeps this run's claim until it is stale and is then taken over.
        temp.unlink(missing_ok=True)
        raise
    except ApplicationError as exc:
        # Our own refusals (the user lost the role, a filter no longer valid) say what is wrong.
        temp.unlink(missing_ok=True)
        return _fail(job, claim, str(exc.message))
    except SoftTimeLimitExceeded:
        temp.unlink(missing_ok=True)
        return _fail(job, claim, _("The file took too long to make. Narrow the filters and ask again."))
    except OverflowError:
        temp.unlink(missing_ok=True)
        return _fail(
            job,
            claim,
            _("The list has more rows than an Excel sheet holds. Ask for CSV, or narrow the filters."),
        )
    except Exception:
        temp.unlink(missing_ok=True)
        logger.exception("Export job %s failed", job.pk)
        return _fail(
            job, claim, _("The file could not be made. Please ask again; if it fails again, contact us.")
        )

    now = timezone.now()
    finished = _owned(job.pk, claim).update(
        status=JobStatus.DONE,
        row_count=count,
        progress_done=count,
        progress_total=count,
        file_path=name,
        file_name=export_file_name(dataset=dataset, file_format=job.file_format, at=now),
        file_size=size,
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_TTL_HOURS),
        error="",
    )
    if not finished:
        final.unlink(missing_ok=True)
        return None
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, claim: dt.datetime, message: str) -> ExportJob | None:
    if not _owned(job.pk, claim).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now()):
        return None
    job.refresh_from_db()
    return job


def export_job_stale_in(*, job_id: object) -> float | None:
    """Seconds until job `job_id`, running under another run's claim, may be taken over (0 when it may be
    now); None when it is not running (finished, unknown): its task should then look again that much
    later, or not at all."""
    pk = _as_uuid(job_id)
    started = (
        ExportJob.objects.filter(pk=pk, status=JobStatus.RUNNING, attempts__lt=MAX_ATTEMPTS)
        .values_list("started_at", flat=True)
        .first()
        if pk is not None
        else None
    )
    if started is None:
        return None
    return max(0.0, (started + STALE_AFTER - timezone.now()).total_seconds())


# --- downloading and expiring ---------------------------------------------------------------------------


@transaction.atomic
def export_job_download(*, job: ExportJob, actor: User, now: dt.datetime | None = None) -> Path:
    """Count one download of the actor's finished job and return its file.

    NotFound when the job is not the actor's, not finished, past its download window, or its file is
    gone. The caller writes the access-log row of the download in the same transaction."""
    now = now or timezone.now()
    path = export_file_path(job.file_path)
    if job.requested_by_id != actor.pk or path is None or not path.is_file():
        raise NotFound(_("This file is not available: it is not ready yet, or its download period is over."))
    counted = ExportJob.objects.filter(
        pk=job.pk, requested_by=actor, status=JobStatus.DONE, expires_at__gt=now
    ).update(downloads=F("downloads") + 1)
    if not counted:
        raise NotFound(_("This file is not available: it is not ready yet, or its download period is over."))
    job.refresh_from_db(fields=["downloads"])
    return path


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Run by beat every 15 minutes. Returns how many jobs it closed:

    - finished jobs whose download window has closed (`expires_at` at or before `now`): their file is
      deleted and they become expired;
    - jobs that will not finish: waiting longer than ABANDON_AFTER (their task was lost), or running
      past STALE_AFTER with no attempts left: they fail with a message, and stop counting against their
      user's limit.

    Temporary files of runs that died are deleted too. Each job is changed by a conditional UPDATE, so
    two runs at once close it once."""
    now = now or timezone.now()
    closed = 0
    due = ExportJob.objects.filter(status=JobStatus.DONE, expires_at__lte=now).values_list("pk", "file_path")
    for pk, file_path in list(due[:5_000]):
        if ExportJob.objects.filter(pk=pk, status=JobStatus.DONE).update(
            status=JobStatus.EXPIRED, file_path=""
        ):
            closed += 1
            path = export_file_path(file_path)
            if path is not None:
                path.unlink(missing_ok=True)

    lost = Q(status=JobStatus.QUEUED, requested_at__lt=now - ABANDON_AFTER) | Q(
        status=JobStatus.RUNNING, started_at__lt=now - STALE_AFTER, attempts__gte=MAX_ATTEMPTS
    )
    for job in ExportJob.objects.filter(lost)[:1_000]:
        message = with_language(
            export_job_language(job), lambda: _("The file could not be made. Please ask again.")
        )
        closed += ExportJob.objects.filter(lost, pk=job.pk).update(
            status=JobStatus.FAILED, error=message, finished_at=now
        )

    root = exports_root()
    if root.is_dir():
        cutoff = (now - STALE_AFTER).timestamp()
        for temp in root.glob(f"*{TEMP_SUFFIX}"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink(missing_ok=True)
            except FileNotFoundError:
                continue
    return closed
