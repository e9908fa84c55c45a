"""Export and import jobs: one row per file a user asked for or uploaded.

A job is claimed by the worker that runs it with a conditional UPDATE (status and `started_at` as the
claim), so a task delivered twice, or redelivered after a worker died, writes its file once. Files live
under server-chosen names below EXPORTS_ROOT / IMPORTS_ROOT, never under a name a user gave.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued (대기)")
    RUNNING = "running", _("Running (진행 중)")
    DONE = "done", _("Done (완료)")
    FAILED = "failed", _("Failed (실패)")
    EXPIRED = "expired", _("Expired (만료)")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (xlsx)")
    CSV = "csv", _("CSV")
    JSON = "json", _("JSON")


class Job(models.Model):
    """What export and import jobs share: who asked, progress, attempts and the clock."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    progress_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("rows in total"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown)."""
        if not self.progress_total:
            return 100 if self.finished_at else 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ExportJob(Job):
    """A file of one list (or report) with the filters and scope of the user who asked for it."""

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    file_format = models.CharField(_("format"), max_length=5, choices=FileFormat.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    reason = models.TextField(_("reason for download"), blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    file_path = models.CharField(_("file"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download expires"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "status"], name="exportjob_user_status")]
        constraints = [
            # 접속기록: a file with personal data is never made without the reason given for it.
            models.CheckConstraint(
                condition=Q(personal_data=False) | ~Q(reason=""), name="exportjob_personal_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} ({self.get_status_display()})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued (대기)")
    RUNNING = "running", _("Checking (검사 중)")
    INVALID = "invalid", _("Refused: errors found (오류로 반려)")
    CHECKED = "checked", _("Checked, nothing saved (검사 완료·저장 안 함)")
    COMMITTED = "committed", _("Saved (저장 완료)")
    FAILED = "failed", _("Failed (실패)")


class ImportJob(Job):
    """An uploaded workbook of one kind: every row checked, then all saved or none."""

    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    filename = models.CharField(_("uploaded file"), max_length=200)
    file_path = models.CharField(_("file"), max_length=200)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("rows saved"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 4, "column": "시도", "code": "unknown_region", "message": "…"}, …], the first MAX_ERRORS.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    annotated_path = models.CharField(_("annotated workbook"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "status"], name="importjob_user_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.get_status_display()})"
