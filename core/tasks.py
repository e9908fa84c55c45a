"""Background work of core. Tasks take ids (or nothing), call services, and are idempotent."""

from __future__ import annotations

from celery import shared_task

from core.access_retention import access_log_purge


@shared_task(acks_late=True, soft_time_limit=3_000, time_limit=3_300)
def purge_access_log() -> dict[str, int]:
    """Run monthly by beat: delete access-log and security-log rows past ACCESS_LOG_RETENTION_DAYS.
    Idempotent (a second run finds nothing older); a run killed midway leaves whole batches deleted and
    the next run finishes. Returns how many rows of each log went."""
    result = access_log_purge()
    return {"access_log": result.access_log, "security_log": result.security_log}
