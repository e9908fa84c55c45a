"""Reads of export jobs: a user sees only the jobs they asked for.

A job of someone else is indistinguishable from one that does not exist (NotFound, a 404), so a job id
seen in a log or a shared link tells nobody else anything.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFound
from exports.datasets.base import AnyUser
from exports.models import ExportJob, JobStatus


def export_job_list_for_user(user: AnyUser) -> QuerySet[ExportJob]:
    """The user's own export jobs, newest first (none for an anonymous user)."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by_id=user.pk).order_by("-requested_at", "-pk")


def export_job_get_for_user(user: AnyUser, job_id: object) -> ExportJob:
    """The user's own job `job_id`; NotFound for another user's job, an unknown or a malformed id."""
    try:
        pk = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound() from None
    job = export_job_list_for_user(user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job


def export_job_is_downloadable(job: ExportJob, now: dt.datetime | None = None) -> bool:
    """Whether the job's file may be downloaded now: finished, and its download window still open."""
    now = now or timezone.now()
    return job.status == JobStatus.DONE and job.expires_at is not None and job.expires_at > now


def export_job_is_unfinished(job: ExportJob) -> bool:
    """Whether the job still waits or runs (its page keeps polling)."""
    return job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
