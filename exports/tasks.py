"""Background work of exports: making one export file, and closing jobs past their download window.

Both are idempotent. `export_job_run` claims its job with a conditional UPDATE (exports.services), so a
message delivered twice makes one file; `export_jobs_expire` closes each job with one conditional
UPDATE as well.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from exports import services

# Retries: a database that is away (restart, failover) is waited for with backoff, and a job held by a
# run presumed dead is looked at again when its claim turns stale; both together stay well within this.
MAX_RETRIES = 12


@shared_task(
    bind=True,
    acks_late=True,
    # A worker killed mid-run (out of memory) gives the message back; the redelivery finds the job
    # running and looks again once the claim is stale.
    reject_on_worker_lost=True,
    soft_time_limit=services.EXPORT_SOFT_TIME_LIMIT,
    time_limit=services.EXPORT_TIME_LIMIT,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def export_job_run(self: Any, job_id: str) -> str:
    """Make the file of export job `job_id` (a UUID string). Returns "done" or "failed" when this run
    finished the job, "skipped" when there was nothing to do (finished already, unknown id).

    When another run holds the job, the task comes back once that claim would be stale: if that run
    finished, it is skipped then; if its worker died, this one takes the job over."""
    job = services.export_job_execute(job_id=job_id)
    if job is not None:
        return str(job.status)
    stale_in = None if self.request.is_eager else services.export_job_stale_in(job_id=job_id)
    if stale_in is not None:
        raise self.retry(countdown=int(stale_in) + 2)
    return "skipped"


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def export_jobs_expire() -> int:
    """Run every 15 minutes by beat: delete the files past their download window and close the jobs
    that will never finish; returns how many jobs it closed."""
    return services.export_jobs_expire()
