"""Background work of the KPIs: the live snapshot every 10 minutes, the official one every month.

Both are idempotent: a refresh run twice just makes a fresher current snapshot (refreshes never
interleave: kpi.snapshots holds an advisory lock), and the monthly freeze makes one official snapshot
per month-end (checked under the same lock)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from kpi.snapshots import snapshot_freeze_monthly, snapshot_refresh


def previous_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def refresh_live_kpis() -> int:
    """Run every 10 minutes by beat: a new current live snapshot; returns its id."""
    return snapshot_refresh(actor=None).pk


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def freeze_monthly_kpis(today: str | None = None) -> int | None:
    """Run on the 1st of each month at 06:00 (Asia/Seoul) by beat: the official snapshot as of the last
    day of the previous month, once (None when it exists already). `today` is an ISO date for
    replays; by default the local date."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    snapshot = snapshot_freeze_monthly(actor=None, as_of=previous_month_end(day))
    return snapshot.pk if snapshot else None
