"""Writes of workbook imports: the upload (`import_job_create`) and the job's run (`import_job_execute`).

An upload is checked by `core.uploads.upload_check` before anything is stored; the file is then kept
under a server-chosen name in IMPORTS_ROOT and an ImportJob is queued. The run reads the rows, maps the
header to the kind's columns, parses every cell, lets the kind validate every row, and commits all rows
in one transaction only when every row is valid (COMMITTED); a valid dry run is CHECKED and saves
nothing; otherwise the job is INVALID with its errors by row and column and an annotated workbook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pghistory
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.errors import PermissionDenied, ValidationFailed
from core.models import User
from core.selectors import user_access
from core.uploads import UploadLimits, upload_check
from exports.imports.base import (
    CellError,
    ImportKind,
    Row,
    RowError,
    RunContext,
    header_key,
    is_blank,
    parse_cell,
)
from exports.imports.registry import KINDS
from exports.imports.workbooks import ERRORS_HEADER, ReadRefused, annotated_write, read_rows
from exports.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Read at call time, so a benchmark may raise them for one run.
UPLOAD_LIMITS = UploadLimits()
MAX_ROWS = 100_000
# Errors kept on the job (all of them are in the annotated workbook).
MAX_ERRORS = 1_000
# A job still RUNNING this long after its start was left by a worker that died: it may be claimed again
# (its transaction was rolled back with the worker, so nothing of it was saved).
STALE_AFTER = dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) * 3)


class _Rollback(Exception):
    """Leave the import's transaction without saving (errors found, or a dry run)."""


def imports_root() -> Path:
    return Path(settings.IMPORTS_ROOT)


def _display_name(filename: str) -> str:
    """The uploaded name as shown to its owner: its last path part, without control characters."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-200:] or "upload"


def _enqueue(job_id: str) -> None:
    from exports.imports.tasks import import_job_run

    import_job_run.delay(job_id)


def import_job_create(
    *,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    dry_run: bool = False,
    enqueue: bool = True,
) -> ImportJob:
    """Accept an uploaded workbook of a kind and queue its import (after commit, when `enqueue`).

    Refusals, with nothing stored: ValidationFailed `unknown_kind`; PermissionDenied when the user may
    not import this kind; UploadRefused (core.uploads) for a file that is too large, empty, of the wrong
    type, corrupt, macro-enabled, a zip bomb or declares a DTD. The file is kept under a server-chosen
    name below IMPORTS_ROOT.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationFailed(
            _("Unknown kind of import."),
            code="unknown_kind",
            fields={"kind": [_("Choose a kind of import.")]},
        )
    if not spec.can_import(actor):
        raise PermissionDenied(_("You cannot import this kind of workbook."))
    checked = upload_check(data, filename, limits=UPLOAD_LIMITS)
    job_id = uuid.uuid4()
    stored = f"{job_id.hex}.{checked.file_format}"
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f"{stored}.part"
    partial.write_bytes(data)
    partial.replace(root / stored)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                id=job_id,
                kind=kind,
                requested_by=actor,
                dry_run=dry_run,
                filename=_display_name(filename),
                file_path=stored,
                file_size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            if enqueue:
                transaction.on_commit(lambda: _enqueue(str(job_id)))
    except BaseException:
        (root / stored).unlink(missing_ok=True)
        raise
    return job


# --- the run ---------------------------------------------------------------------------------------------


def _map_header(spec: ImportKind, cells: list[Any]) -> tuple[dict[str, int], RowError | None]:
    """Column positions by key. The header must name each required column once and nothing else (an
    annotated workbook's error column is ignored); otherwise one `header_mismatch` error of row 1."""
    names = {name: column.key for column in spec.columns for name in column.names()}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for position, cell in enumerate(cells):
        text = header_key(cell)
        if not text or text == header_key(ERRORS_HEADER):
            continue
        key = names.get(text)
        if key is None:
            unknown.append(str(cell).strip())
        elif key in positions:
            twice.append(key)
        else:
            positions[key] = position
    missing = [c.key for c in spec.columns if c.required and c.key not in positions]
    if not (unknown or twice or missing):
        return positions, None
    parts = []
    if missing:
        parts.append(_("missing: %(names)s") % {"names": ", ".join(spec.header_of(k) for k in missing)})
    if unknown:
        parts.append(_("not in the template: %(names)s") % {"names": ", ".join(unknown)})
    if twice:
        parts.append(_("given twice: %(names)s") % {"names": ", ".join(spec.header_of(k) for k in twice)})
    message = _("The header row does not match the template (%(problems)s). Use the kind's template.") % {
        "problems": "; ".join(str(p) for p in parts)
    }
    column = (unknown or twice or missing)[0]
    return positions, RowError(1, column, "header_mismatch", message)


def _parse_rows(
    spec: ImportKind, raw: list[list[Any]], positions: dict[str, int], ctx: RunContext
) -> list[Row]:
    """Every non-blank row after the header, each cell parsed by its column's type (errors to ctx)."""
    columns = [(spec.column(key), position) for key, position in positions.items()]
    absent = {c.key: None for c in spec.columns if c.key not in positions}
    rows: list[Row] = []
    for index in range(1, len(raw)):
        cells = raw[index]
        if all(is_blank(cell) for cell in cells):
            continue
        number = index + 1
        row = Row(number, dict(absent))
        width = len(cells)
        for column, position in columns:
            value = cells[position] if position < width else None
            try:
                row.values[column.key] = parse_cell(column, value, ctx.today)
            except CellError as exc:
                row.values[column.key] = None
                ctx.error(row, column.key, exc.code, exc.message)
        rows.append(row)
    return rows


def _progress(job_id: Any) -> Callable[[int], None]:
    def report(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress_done=done)

    return report


def _run(job: ImportJob, spec: ImportKind, ctx: RunContext) -> None:
    """Read, validate and, when every row is valid and this is not a dry run, commit the rows together
    with the job's COMMITTED state in one transaction; otherwise finish the job as CHECKED or INVALID."""
    data = (imports_root() / job.file_path).read_bytes()
    checked = upload_check(data, job.file_path, limits=UPLOAD_LIMITS)  # the stored name is ours
    raw: list[list[Any]] = []
    positions: dict[str, int] = {}
    rows: list[Row] = []
    try:
        raw = read_rows(data, checked, max_rows=MAX_ROWS)
    except ReadRefused as exc:
        ctx.error(0, "", exc.code, exc.message)
    if ctx.errors:
        pass
    elif not raw or all(is_blank(cell) for cell in raw[0]):
        ctx.error(0, "", "file_empty", _("The file is empty: the first row must be the template's header."))
    else:
        positions, header_error = _map_header(spec, raw[0])
        if header_error is not None:
            ctx.errors.append(header_error)
        else:
            rows = _parse_rows(spec, raw, positions, ctx)
            if not rows:
                ctx.error(0, "", "file_empty", _("The file has a header but no rows."))
    if rows:
        ImportJob.objects.filter(pk=job.pk).update(progress_total=len(rows), progress_done=0)
        try:
            _validate_and_commit(job, spec, ctx, raw, positions, rows)
            return
        except _Rollback:
            pass
        except IntegrityError:
            # The registry changed between the checks and the insert (another upload of the same records).
            logger.warning("import %s: integrity error at commit", job.pk, exc_info=True)
            ctx.error(
                0,
                "",
                "conflict",
                _("Some records were saved by someone else while the file was checked; upload it again."),
            )
    _finish(job, spec, ctx, raw, positions, 0)


def _validate_and_commit(
    job: ImportJob,
    spec: ImportKind,
    ctx: RunContext,
    raw: list[list[Any]],
    positions: dict[str, int],
    rows: list[Row],
) -> None:
    """Validate every row, then commit them with the job's COMMITTED state in one transaction; raises
    _Rollback when a row has an error or this is a dry run.

    A kind whose validation only reads is validated outside the transaction, so that its progress is
    seen while it runs (its commit re-checks what may have changed meanwhile, or the database's
    constraints refuse it). A kind validated through services that write is validated inside it, and
    everything is rolled back unless it is committed.
    """
    audit = {"user": ctx.actor.pk, "service": f"import_{spec.key}"}
    outer = transaction.atomic() if spec.validation_writes else contextlib.nullcontext()
    with outer, pghistory.context(**audit):
        prepared = spec.validate(rows, ctx)
        ctx.progress(len(rows))
        if ctx.errors or ctx.dry_run:
            raise _Rollback
        with transaction.atomic():
            created = spec.commit(prepared, ctx)
            if ctx.errors:
                raise _Rollback
            # The job's state is saved with the rows: a worker dying after the commit leaves no job that
            # would be run (and refused) again.
            _finish(job, spec, ctx, raw, positions, created)


def _claim(job_id: str) -> bool:
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    return bool(
        ImportJob.objects.filter(claimable, pk=job_id).update(
            status=ImportStatus.RUNNING,
            started_at=now,
            finished_at=None,
            attempts=F("attempts") + 1,
            progress_done=0,
            error="",
        )
    )


def import_job_execute(*, job_id: str) -> bool:
    """Run a queued import job (the task's work); True when this call ran it, False when the job was not
    queued (already run, or running elsewhere). Idempotent: the job is claimed with a conditional UPDATE.

    Every row is validated; all rows are saved in one transaction only when none has an error and the
    job is not a dry run (COMMITTED), a valid dry run is CHECKED, any error makes it INVALID with the
    errors by row and column and an annotated workbook beside the upload. An unexpected failure marks
    the job FAILED (nothing saved) and is logged.
    """
    if not _claim(job_id):
        return False
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    spec = KINDS[job.kind]
    actor = job.requested_by
    ctx = RunContext(actor=actor, access=user_access(actor), dry_run=job.dry_run, progress=_progress(job.pk))
    try:
        with translation.override(settings.LANGUAGE_CODE):
            if spec.can_import(actor):
                _run(job, spec, ctx)
            else:
                ctx.error(0, "", "permission_denied", _("You can no longer import this kind of workbook."))
                _finish(job, spec, ctx, [], {}, 0)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2_000],
            finished_at=timezone.now(),
        )
    return True


def _finish(
    job: ImportJob,
    spec: ImportKind,
    ctx: RunContext,
    raw: list[list[Any]],
    positions: dict[str, int],
    created: int,
) -> None:
    order = {c.key: i for i, c in enumerate(spec.columns)}
    errors = sorted(ctx.errors, key=lambda e: (e.row, positions.get(e.key, order.get(e.key, -1))))
    listed = [
        (e.row, positions.get(e.key), spec.header_of(e.key) or e.key, e.code, str(e.message)) for e in errors
    ]
    annotated = ""
    if errors:
        annotated = f"{job.pk.hex}-errors.xlsx"
        annotated_write(imports_root() / annotated, rows=raw, errors=listed)
    if errors:
        status = ImportStatus.INVALID
    elif job.dry_run:
        status = ImportStatus.CHECKED
    else:
        status = ImportStatus.COMMITTED
    data_rows = sum(1 for cells in raw[1:] if not all(is_blank(c) for c in cells))
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        row_count=data_rows,
        created_count=created if status == ImportStatus.COMMITTED else 0,
        error_count=len(errors),
        errors=[
            {"row": row, "column": column, "code": code, "message": message}
            for row, _position, column, code, message in listed[:MAX_ERRORS]
        ],
        annotated_path=annotated,
        progress_total=data_rows,
        progress_done=data_rows,
        finished_at=timezone.now(),
    )


# --- retention -----------------------------------------------------------------------------------------

# Uploaded workbooks hold firms' records and representatives' names: kept only while the owner may want
# the annotated copy.
FILE_TTL = dt.timedelta(days=30)


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the stored upload and the annotated workbook of every job finished more than FILE_TTL ago;
    the jobs and their error lists stay (the pages answer 404 for the workbook). Returns the number of
    files deleted; running it again deletes nothing more."""
    cutoff = (now or timezone.now()) - FILE_TTL
    root = imports_root()
    deleted = 0
    finished = ImportJob.objects.filter(finished_at__lt=cutoff).values_list("file_path", "annotated_path")
    for names in finished.iterator(chunk_size=2_000):
        for name in names:
            path = root / name if name else None
            if path is not None and path.is_file():
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
