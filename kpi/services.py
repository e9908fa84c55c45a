"""Writes the dashboards offer: freezing an official snapshot once, computing a live one on demand.

Both are thin wrappers of kpi.snapshots (which computes and stores the cells) adding the dashboard's
rules: only officials may, and a double submit does not freeze twice.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, PermissionDenied
from core.models import User
from kpi.models import Snapshot, SnapshotKind, ValueStatus
from kpi.permissions import can_take_snapshot
from kpi.snapshots import snapshot_freeze, snapshot_lock, snapshot_refresh

# Two freezes of the same date this close together are one double submit.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=1)


def official_snapshot_freeze(
    *, actor: User, as_of: dt.date | None = None, status: str = ValueStatus.ACTUAL, note: str = ""
) -> Snapshot:
    """Freeze an official snapshot as of `as_of` (today by default) with kpi.snapshots.snapshot_freeze.

    Refusals: PermissionDenied unless the actor is an official; Conflict (409, code
    "duplicate_freeze") when an official snapshot of the same date was taken less than a minute ago —
    checked under the snapshot lock, so two submits at once still freeze one; ValidationFailed from
    snapshot_freeze (future date, bad status)."""
    if not can_take_snapshot(actor):
        raise PermissionDenied()
    day = as_of or timezone.localdate()
    with snapshot_lock():
        recent = Snapshot.objects.filter(
            kind=SnapshotKind.OFFICIAL, as_of=day, taken_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW
        ).exists()
        if recent:
            raise Conflict(
                _("An official snapshot of this date was taken less than a minute ago."),
                code="duplicate_freeze",
            )
        return snapshot_freeze(actor=actor, as_of=day, status=status, note=note)


def live_snapshot_compute(*, actor: User) -> Snapshot:
    """Compute a live snapshot now (kpi.snapshots.snapshot_refresh). PermissionDenied unless the actor
    is an official."""
    if not can_take_snapshot(actor):
        raise PermissionDenied()
    return snapshot_refresh(actor=actor)
