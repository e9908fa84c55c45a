"""Reads of import jobs: a user sees the jobs they uploaded, and only those (the files and their errors
hold other firms' data)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.errors import NotFound
from core.models import User
from exports.models import ImportJob


def import_job_list_for_user(user: User | AnonymousUser) -> QuerySet[ImportJob]:
    """The user's own import jobs, newest first (none for an anonymous user)."""
    if not isinstance(user, User):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(requested_by=user).order_by("-requested_at")


def import_job_get_for_user(user: User | AnonymousUser, job_id: uuid.UUID | str) -> ImportJob:
    """One of the user's import jobs; NotFound (404) for any other, existing or not."""
    try:
        return import_job_list_for_user(user).get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
