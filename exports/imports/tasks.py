"""Background work of imports: run one import job. The task takes the job's id and calls one service;
it is idempotent (the service claims the job with a conditional UPDATE).

Celery's autodiscovery finds `<app>.tasks` modules only; exports.apps imports this one when the app is
ready, so the worker registers it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=900,
    time_limit=960,
)
def import_job_run(job_id: str) -> bool:
    """Check (and, when every row is valid, save) the rows of an uploaded workbook."""
    from exports.imports.services import import_job_execute

    return import_job_execute(job_id=job_id)


@shared_task(soft_time_limit=300, time_limit=360)
def import_files_purge_run() -> int:
    """Delete uploaded workbooks (and their annotated copies) of imports finished over 30 days ago."""
    from exports.imports.services import import_files_purge

    return import_files_purge()
