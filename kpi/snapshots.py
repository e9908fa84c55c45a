"""Taking KPI snapshots: compute every registered metric from raw rows and store its cells.

- `snapshot_refresh` makes a new *live* snapshot, marks it current (unsetting the previous one in the
  same transaction) and prunes the live snapshots older than the last `LIVE_KEPT`.
- `snapshot_freeze` makes an *official* snapshot: its cells are frozen and a trigger refuses any later
  UPDATE or DELETE of it, so a report of that date is reproduced exactly whatever happens to the raw
  data afterwards.

Both run under one PostgreSQL advisory lock: two refreshes (or a refresh and a freeze) never
interleave — a second one waits for the first to commit and then computes its own snapshot from the
data as it is then (so a refresh run twice is harmless: it just makes a fresher current snapshot).
Outside a test's transaction the metrics are read in one REPEATABLE READ transaction, so every metric
of a snapshot sees the same state of the raw data.

A snapshot is computed in a few GROUP BY queries per metric, never a query per row; `duration_ms`
records how long it took.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audited
from core.errors import ValidationFailed
from core.models import User
from kpi.dashboards import national_summary, num
from kpi.models import Snapshot, SnapshotKind, Value, ValueStatus
from kpi.registry import metrics

logger = logging.getLogger(__name__)

LIVE_KEPT = 3  # live snapshots kept (the current one and the two before it)
MONTHLY_NOTE = "monthly"  # the note of the official snapshot the monthly beat task freezes
BATCH_SIZE = 5_000
# pg_advisory_lock key of snapshot taking (an arbitrary constant: "KPI" in ASCII).
LOCK_KEY = 0x4B5049

AnyUser = User | AnonymousUser

# A dict metrics may use to share one query between them while one snapshot is computed (e.g. the
# median and the mean of the outcome changes); None outside write_values.
_RUN_CACHE: ContextVar[dict[Any, Any] | None] = ContextVar("kpi_run_cache", default=None)


def run_cache() -> dict[Any, Any] | None:
    """The cache of the snapshot being computed (None when no snapshot is being computed)."""
    return _RUN_CACHE.get()


@contextmanager
def snapshot_lock() -> Iterator[None]:
    """Hold the snapshot advisory lock (session level, so it covers the whole transaction and is
    released even when the transaction rolls back). A second holder waits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _repeatable_read_if_outermost(outermost: bool) -> None:
    """One consistent view of the raw data for every metric (only possible as the first statement of
    a transaction), and room for the sorts of the medians (for this transaction only)."""
    with connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL work_mem = '128MB'")


def write_values(
    snapshot: Snapshot, as_of: dt.date, *, frozen: bool, codes: Collection[str] | None = None
) -> int:
    """Compute every stored metric (or those named in `codes`) as of `as_of` and insert its cells into
    the snapshot; returns how many."""
    token = _RUN_CACHE.set({})
    try:
        return _write_all(snapshot, as_of, frozen=frozen, codes=codes)
    finally:
        _RUN_CACHE.reset(token)


def _write_all(snapshot: Snapshot, as_of: dt.date, *, frozen: bool, codes: Collection[str] | None) -> int:
    written = 0
    batch: list[Value] = []
    for m in metrics():
        if m.aggregation == "ratio" or m.compute is None or (codes is not None and m.code not in codes):
            continue
        started = time.monotonic()
        for cell in m.compute(as_of):
            batch.append(
                Value(
                    snapshot=snapshot,
                    metric=m.code,
                    dims={k: num(v) for k, v in cell.dims.items()},
                    value=Decimal(cell.value),
                    status=cell.status,
                    frozen=frozen,
                )
            )
            if len(batch) >= BATCH_SIZE:
                Value.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                written += len(batch)
                batch = []
        logger.debug("KPI %s computed in %.0f ms", m.code, (time.monotonic() - started) * 1000)
    if batch:
        Value.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        written += len(batch)
    return written


def _actor(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) and actor.pk else None


def _take(
    *, kind: str, as_of: dt.date, actor: AnyUser | None, status: str, note: str, started: float
) -> Snapshot:
    """Create the snapshot (as live, not current), write its cells and summary; the caller turns it
    into what it should be. Runs inside the caller's transaction and lock."""
    official = kind == SnapshotKind.OFFICIAL
    snapshot = Snapshot.objects.create(
        kind=SnapshotKind.LIVE,
        as_of=as_of,
        taken_at=timezone.now(),
        status=status,
        is_current=False,
        note=note,
        taken_by=_actor(actor),
    )
    write_values(snapshot, as_of, frozen=official)
    snapshot.summary = national_summary(snapshot)
    snapshot.duration_ms = int((time.monotonic() - started) * 1000)
    return snapshot


@audited
def snapshot_refresh(*, actor: AnyUser | None = None, as_of: dt.date | None = None) -> Snapshot:
    """Recompute every metric from the raw data as of `as_of` (today by default) into a new live
    snapshot, make it the current one and prune the live snapshots older than the last LIVE_KEPT.
    Concurrent refreshes run one after the other (advisory lock)."""
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    with snapshot_lock():
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            _repeatable_read_if_outermost(outermost)
            snapshot = _take(
                kind=SnapshotKind.LIVE,
                as_of=as_of,
                actor=actor,
                status=ValueStatus.ACTUAL,
                note="",
                started=started,
            )
            # One current live snapshot (a partial unique index): unset the old one first.
            Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).update(is_current=False)
            snapshot.is_current = True
            snapshot.duration_ms = int((time.monotonic() - started) * 1000)
            snapshot.save(update_fields=["is_current", "summary", "duration_ms"])
            _prune_live()
    logger.info("KPI live snapshot %s taken in %s ms", snapshot.pk, snapshot.duration_ms)
    return snapshot


def _prune_live() -> int:
    keep = list(
        Snapshot.objects.filter(kind=SnapshotKind.LIVE)
        .order_by("-taken_at", "-id")
        .values_list("pk", flat=True)[:LIVE_KEPT]
    )
    old = Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=False).exclude(pk__in=keep)
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    Value.objects.filter(snapshot_id__in=ids).delete()
    Snapshot.objects.filter(pk__in=ids).delete()
    return len(ids)


@audited
def snapshot_freeze(
    *,
    actor: AnyUser | None,
    as_of: dt.date | None = None,
    status: str = ValueStatus.ACTUAL,
    note: str = "",
) -> Snapshot:
    """Compute every metric as of `as_of` (today by default) into a new official snapshot: its cells
    are frozen and never change again (the database refuses it). `status` is actual or provisional.

    Refusals: ValidationFailed for a status other than actual/provisional or an as-of date in the
    future."""
    started = time.monotonic()
    today = timezone.localdate()
    as_of = as_of or today
    if status not in (ValueStatus.ACTUAL, ValueStatus.PROVISIONAL):
        raise ValidationFailed(
            fields={"status": [_("An official snapshot is actual or provisional.")]}, code="invalid_status"
        )
    if as_of > today:
        raise ValidationFailed(
            fields={"as_of": [_("An official snapshot cannot be dated in the future.")]}, code="future_as_of"
        )
    with snapshot_lock():
        return _freeze_locked(actor=actor, as_of=as_of, status=status, note=note, started=started)


def _freeze_locked(
    *, actor: AnyUser | None, as_of: dt.date, status: str, note: str, started: float
) -> Snapshot:
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        _repeatable_read_if_outermost(outermost)
        snapshot = _take(
            kind=SnapshotKind.OFFICIAL, as_of=as_of, actor=actor, status=status, note=note, started=started
        )
        # Turn it official in one UPDATE (the trigger protects it from then on).
        snapshot.kind = SnapshotKind.OFFICIAL
        snapshot.duration_ms = int((time.monotonic() - started) * 1000)
        snapshot.save(update_fields=["kind", "summary", "duration_ms"])
    logger.info("KPI official snapshot %s (%s) taken in %s ms", snapshot.pk, as_of, snapshot.duration_ms)
    return snapshot


@audited
def snapshot_freeze_monthly(*, actor: AnyUser | None = None, as_of: dt.date) -> Snapshot | None:
    """The monthly official snapshot as of `as_of` (the last day of a month), once: None when an
    official snapshot with that date and the note MONTHLY_NOTE already exists (checked under the
    snapshot lock, so two runs at once still freeze one)."""
    started = time.monotonic()
    with snapshot_lock():
        exists = Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL, as_of=as_of, note=MONTHLY_NOTE).exists()
        if exists:
            return None
        return _freeze_locked(
            actor=actor, as_of=as_of, status=ValueStatus.ACTUAL, note=MONTHLY_NOTE, started=started
        )
