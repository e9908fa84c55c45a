"""Deleting access-log and security-log rows past their retention (보존기간).

PIPC 「개인정보의 안전성 확보조치 기준」 art. 8 asks for two years when the system holds the data of
50,000 or more people, as this one does. The retention is ACCESS_LOG_RETENTION_DAYS (never below 730), and
the database triggers refuse to delete any row younger than 730 days whatever the code asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, Model, Value
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.models import AccessLog, SecurityEvent

MIN_RETENTION_DAYS = AccessLog.RETENTION_DAYS
BATCH = 10_000


@dataclass(frozen=True)
class PurgeResult:
    retention_days: int
    access_log: int
    security_log: int
    dry_run: bool


def _cutoff(days: int) -> ExpressionWrapper:
    # The database's clock, not the application's: the trigger compares with NOW() too, so a skewed
    # application clock can never ask it to delete a row it protects.
    return ExpressionWrapper(Now() - Value(dt.timedelta(days=days)), output_field=DateTimeField())


def _purge(model: type[Model], days: int, *, dry_run: bool) -> int:
    old = model._default_manager.filter(at__lt=_cutoff(days))
    if dry_run:
        return old.count()
    deleted = 0
    while True:
        # Short transactions of a bounded size, so a first purge of years of rows never holds one
        # long lock or a huge undo log.
        with transaction.atomic():
            ids = list(old.order_by("at").values_list("pk", flat=True)[:BATCH])
            if not ids:
                return deleted
            count, _per_model = model._default_manager.filter(pk__in=ids).delete()
            deleted += count


def access_log_purge(*, retention_days: int | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete access-log and security-log rows older than the retention (ACCESS_LOG_RETENTION_DAYS by
    default). Raises ValidationFailed below 730 days. Idempotent: a second run finds nothing to delete."""
    days = settings.ACCESS_LOG_RETENTION_DAYS if retention_days is None else retention_days
    if days < MIN_RETENTION_DAYS:
        raise ValidationFailed(
            _("The access log must be kept for at least %(days)s days.") % {"days": MIN_RETENTION_DAYS}
        )
    return PurgeResult(
        retention_days=days,
        access_log=_purge(AccessLog, days, dry_run=dry_run),
        security_log=_purge(SecurityEvent, days, dry_run=dry_run),
        dry_run=dry_run,
    )
