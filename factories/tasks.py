"""Background work of factories. Tasks take ids (or nothing), call services, and are idempotent."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task

from factories.outcomes_selectors import overdue_reports
from factories.outcomes_services import outcome_reminder_send

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=1_800, time_limit=1_900)
def send_outcome_reminders(today: str | None = None) -> int:
    """Run daily by beat: email the SME of every overdue outcome report that was not reminded yet, once
    per report (claimed by a conditional UPDATE, so two runs at once still send one email). `today` is
    an ISO date for replays; by default the local date. Returns how many reminders were sent.

    A failed send of one report is logged and retried on the next run (its claim rolls back)."""
    day = dt.date.fromisoformat(today) if today else None
    ids = list(overdue_reports(day).filter(reminded_at__isnull=True).values_list("pk", flat=True))
    sent = 0
    for report_id in ids:
        try:
            sent += outcome_reminder_send(report_id=report_id, today=day)
        except (smtplib.SMTPException, ConnectionError, TimeoutError):
            logger.exception("Outcome reminder for report %s failed; the next run retries it.", report_id)
    return sent
