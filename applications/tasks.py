"""Background work of applications. Tasks take ids and call one service; they are idempotent."""

from __future__ import annotations

import smtplib

from celery import shared_task

from applications import services


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def notify_status_change(change_id: int) -> bool:
    """Email the applicant about one status change (at most once per change)."""
    return services.status_change_notify(change_id=change_id)
