"""Workforce training toward the 100,000 target: providers, their courses, and cohorts with enrolled and
completed counts per period.

No personal data is needed to count: a cohort holds counts only. A worker is counted when they complete
a cohort, in the year the cohort ends.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from core.models import Organisation, Region


class ProviderKind(models.TextChoices):
    LEARNING_CENTER = "learning_center", _("Smart Factory Learning Center (스마트공장 배움터, KOSME)")
    LEARNING_FACTORY = "learning_factory", _("Learning Factory (러닝팩토리, Korea Polytechnics)")
    SMART_LAB = "smart_lab", _("Smart Lab (스마트랩, KICOX)")
    OTHER = "other", _("Other provider (기타)")


class TrainingProvider(models.Model):
    """An organisation that trains smart-manufacturing workers; its members with the training-provider
    role record their cohorts."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="training_provider"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ProviderKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")

    def __str__(self) -> str:
        return str(self.organisation)


class CourseLevel(models.TextChoices):
    BASIC = "basic", _("Basic (기초)")
    ADVANCED = "advanced", _("Advanced (고급)")
    EXPERT = "expert", _("Expert (전문가)")


class TrainingCourse(models.Model):
    provider = models.ForeignKey(TrainingProvider, on_delete=models.PROTECT, related_name="courses")
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=CourseLevel.choices)
    hours = models.PositiveSmallIntegerField(_("hours"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["provider", "title_ko"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "title_ko"], name="training_course_title_unique"),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=2000), name="training_course_hours"),
        ]

    def __str__(self) -> str:
        return self.title_ko


@pghistory.track()
class TrainingCohort(models.Model):
    """One run of a course over a period, with how many enrolled and completed. Counted toward the
    target in the year the period ends."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="cohorts")
    period_start = models.DateField(_("starts"))
    period_end = models.DateField(_("ends"))
    year = models.PositiveSmallIntegerField(_("year counted"))
    enrolled = models.PositiveIntegerField(_("enrolled"))
    completed = models.PositiveIntegerField(_("completed"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training cohort")
        verbose_name_plural = _("training cohorts")
        ordering = ["-period_end", "id"]
        indexes = [models.Index(fields=["year"])]
        constraints = [
            models.UniqueConstraint(fields=["course", "period_start"], name="training_cohort_start_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="training_cohort_period"
            ),
            models.CheckConstraint(
                condition=Q(completed__lte=F("enrolled")), name="training_completed_le_enrolled"
            ),
            models.CheckConstraint(condition=Q(enrolled__lte=10_000), name="training_cohort_size"),
            models.CheckConstraint(condition=Q(year=ExtractYear("period_end")), name="training_cohort_year"),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.period_start:%Y-%m-%d}"
