"""Deployed smart factories and what the national targets count about them.

- `Factory`: one per completed project (built with support) or per confirmed self-built workplace
  (민간 중심 보급). It counts toward the deployment target from its completion date.
- `LevelConfirmation`: a workplace's level L1–L5 at a date, confirmed by a body (수준확인) or reached at a
  project's final inspection. Append-only (a trigger refuses UPDATE and DELETE): a level over time is a
  series of rows, never an overwrite.
- `OutcomeSchedule` / `OutcomeReport`: what a factory achieved (baseline → after), reported on a
  schedule per call; overdue reports are flagged and reminded once.
- `IndustrialComplex` / `ComplexWorkplace`: leading smart industrial complexes (선도 스마트산단) and the
  workplaces inside them.
- `HistoricalAggregate`: counts from before the system's records (year × region × program type ×
  level), imported with their source and status, clearly marked as aggregates.

Counting rule (deployments): a workplace counts at most once per completion year. The database holds it:
at most one factory per (workplace, completion year) has `counted` set. A factory built with support
takes precedence over a self-built confirmation of the same workplace and year; a second project of the
same workplace completing in the same year is recorded but not counted again. A workplace upgraded in a
later year counts again in that year (deployments are counted per project, as the ministry does).
A year for which historical aggregates are loaded is counted from the aggregates alone, never from both.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from companies.models import Company, Workplace
from core.models import Level, Organisation, Region
from programs.models import Call, ProgramType


class FactoryOrigin(models.TextChoices):
    SUPPORTED = "supported", _("Built with support (정부지원 구축)")
    SELF_BUILT = "self_built", _("Confirmed self-built (민간 자체구축)")


class ClosureReason(models.TextChoices):
    BUSINESS_CLOSED = "business_closed", _("The company closed (폐업)")
    LEFT_PROGRAM = "left_program", _("Left the program (사업 이탈)")
    RELOCATED = "relocated", _("Moved out of the workplace (이전)")
    OTHER = "other", _("Other (기타)")


class FactoryQuerySet(models.QuerySet["Factory"]):
    def counted(self) -> FactoryQuerySet:
        return self.filter(counted=True)

    def active(self) -> FactoryQuerySet:
        return self.filter(closed_on__isnull=True)


@pghistory.track()
class Factory(models.Model):
    """A deployed smart factory: a workplace whose project completed, or whose self-built factory was
    confirmed. Region, industry and program type are copied at completion, so later moves of the
    workplace or renames do not change past counts."""

    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="factories")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="factories")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    ksic = models.ForeignKey(
        "core.KsicDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("industry (KSIC)")
    )
    origin = models.CharField(_("origin"), max_length=20, choices=FactoryOrigin.choices)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="factory"
    )
    call = models.ForeignKey(Call, on_delete=models.PROTECT, null=True, blank=True, related_name="factories")
    program_type = models.CharField(_("program type"), max_length=20, choices=ProgramType.choices, blank=True)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cofunded_factories",
        verbose_name=_("partner firm"),
    )
    support_year = models.PositiveSmallIntegerField(_("support (selection) year"), null=True, blank=True)
    completed_on = models.DateField(_("completed"))
    completion_year = models.PositiveSmallIntegerField(_("completion year"))
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("level reached")
    )
    counted = models.BooleanField(_("counts toward the deployment target"), default=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closure_reason = models.CharField(
        _("reason for closure"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = FactoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("smart factory")
        verbose_name_plural = _("smart factories")
        constraints = [
            # A supported factory comes from exactly one project, with its call, type and support year;
            # a self-built one from none.
            models.CheckConstraint(
                condition=(
                    Q(
                        origin=FactoryOrigin.SUPPORTED,
                        application__isnull=False,
                        call__isnull=False,
                        support_year__isnull=False,
                    )
                    & ~Q(program_type="")
                )
                | Q(
                    origin=FactoryOrigin.SELF_BUILT,
                    application__isnull=True,
                    call__isnull=True,
                    program_type="",
                    partner__isnull=True,
                ),
                name="factory_origin_fields",
            ),
            models.CheckConstraint(
                condition=Q(completion_year=ExtractYear("completed_on")), name="factory_completion_year"
            ),
            models.CheckConstraint(
                condition=Q(support_year__isnull=True) | Q(support_year__lte=F("completion_year")),
                name="factory_support_before_completion",
            ),
            # Closed: a date and a reason, both or neither; never before completion.
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closure_reason="")
                | (Q(closed_on__isnull=False) & ~Q(closure_reason="") & Q(closed_on__gte=F("completed_on"))),
                name="factory_closure_fields",
            ),
            # The counting rule: a workplace counts at most once per completion year.
            models.UniqueConstraint(
                fields=["workplace", "completion_year"],
                condition=Q(counted=True),
                name="factory_counted_once_per_workplace_year",
            ),
            # One self-built factory per workplace: later confirmations add levels, not factories.
            models.UniqueConstraint(
                fields=["workplace"],
                condition=Q(origin=FactoryOrigin.SELF_BUILT),
                name="factory_one_self_built_per_workplace",
            ),
        ]
        indexes = [
            models.Index(fields=["completion_year", "region"]),
            models.Index(fields=["support_year"]),
            models.Index(fields=["company"]),
        ]

    def __str__(self) -> str:
        return f"{self.workplace} ({self.completion_year})"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class ConfirmationKind(models.TextChoices):
    LEVEL_CONFIRMATION = "level_confirmation", _("Level confirmation (수준확인)")
    FINAL_INSPECTION = "final_inspection", _("Final inspection of a project (최종점검)")


@pghistory.track()
class LevelConfirmation(models.Model):
    """A workplace's level at a date, with the body that confirmed it. Never changed or deleted: a
    correction is a new confirmation."""

    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="level_confirmations")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    confirmed_on = models.DateField(_("confirmed"))
    kind = models.CharField(_("kind"), max_length=30, choices=ConfirmationKind.choices)
    confirming_body = models.CharField(_("confirming body"), max_length=200)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    self_built = models.BooleanField(_("self-built factory (민간 자체구축)"), default=False)
    factory = models.ForeignKey(
        Factory, on_delete=models.PROTECT, null=True, blank=True, related_name="level_confirmations"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("level confirmation")
        verbose_name_plural = _("level confirmations")
        ordering = ["workplace", "confirmed_on", "id"]
        indexes = [models.Index(fields=["workplace", "-confirmed_on", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ConfirmationKind.FINAL_INSPECTION) | Q(self_built=False),
                name="level_final_inspection_not_self_built",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="level_certificate_number_unique",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="level_confirmation_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workplace} {self.level.code} ({self.confirmed_on})"


# --- outcomes (성과) -----------------------------------------------------------------------------------


class OutcomeSchedule(models.Model):
    """How a call's factories report their outcomes: every `interval_months` after completion, `reports`
    times; each report is due `due_days` after its measurement period ends."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="outcome_schedule")
    reports = models.PositiveSmallIntegerField(_("number of reports"), default=3)
    interval_months = models.PositiveSmallIntegerField(_("months between reports"), default=12)
    due_days = models.PositiveSmallIntegerField(_("days to report after the period ends"), default=30)

    class Meta:
        verbose_name = _("outcome reporting schedule")
        verbose_name_plural = _("outcome reporting schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(reports__gte=1, reports__lte=10, interval_months__gte=1, interval_months__lte=36),
                name="outcome_schedule_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.reports} × {self.interval_months}"


class OutcomeStatus(models.TextChoices):
    DUE = "due", _("Due (제출 대상)")
    SUBMITTED = "submitted", _("Submitted (제출)")
    ACCEPTED = "accepted", _("Accepted (확인)")
    RETURNED = "returned", _("Returned for correction (보완 요청)")


# The measures of an outcome report: (field stem, label, kind). Money in whole won, rates in percent with
# two decimals, productivity as output per hour (a decimal), counts as integers.
OUTCOME_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("productivity", "productivity", "decimal"),
    ("defect_rate", "defect rate", "percent"),
    ("cost", "cost", "krw"),
    ("on_time_delivery", "on-time delivery", "percent"),
    ("sales", "sales", "krw"),
    ("employees", "employment", "count"),
    ("accidents", "industrial accidents", "count"),
)


@pghistory.track()
class OutcomeReport(models.Model):
    """One scheduled outcome report of a factory: baseline (before the project) and after values of
    each measure, over a measurement period."""

    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="outcome_reports")
    sequence = models.PositiveSmallIntegerField(_("report number"))
    period_start = models.DateField(_("measurement period starts"))
    period_end = models.DateField(_("measurement period ends"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=OutcomeStatus.choices, default=OutcomeStatus.DUE
    )

    productivity_before = models.DecimalField(
        _("productivity before"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    productivity_after = models.DecimalField(
        _("productivity after"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    defect_rate_before = models.DecimalField(
        _("defect rate before (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    defect_rate_after = models.DecimalField(
        _("defect rate after (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cost_before = models.BigIntegerField(_("cost before (KRW)"), null=True, blank=True)
    cost_after = models.BigIntegerField(_("cost after (KRW)"), null=True, blank=True)
    on_time_delivery_before = models.DecimalField(
        _("on-time delivery before (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    on_time_delivery_after = models.DecimalField(
        _("on-time delivery after (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    sales_before = models.BigIntegerField(_("sales before (KRW)"), null=True, blank=True)
    sales_after = models.BigIntegerField(_("sales after (KRW)"), null=True, blank=True)
    employees_before = models.PositiveIntegerField(_("employees before"), null=True, blank=True)
    employees_after = models.PositiveIntegerField(_("employees after"), null=True, blank=True)
    accidents_before = models.PositiveIntegerField(_("industrial accidents before"), null=True, blank=True)
    accidents_after = models.PositiveIntegerField(_("industrial accidents after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # Set by the reminder task with a conditional UPDATE: one reminder per overdue report.
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")
        ordering = ["factory", "sequence"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["factory", "sequence"], name="outcome_report_sequence_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="outcome_period_order"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("period_end")), name="outcome_due_after_period"),
            models.CheckConstraint(
                condition=Q(defect_rate_before__gte=0, defect_rate_before__lte=100)
                | Q(defect_rate_before__isnull=True),
                name="outcome_defect_before_percent",
            ),
            models.CheckConstraint(
                condition=Q(defect_rate_after__gte=0, defect_rate_after__lte=100)
                | Q(defect_rate_after__isnull=True),
                name="outcome_defect_after_percent",
            ),
            models.CheckConstraint(
                condition=Q(on_time_delivery_before__gte=0, on_time_delivery_before__lte=100)
                | Q(on_time_delivery_before__isnull=True),
                name="outcome_delivery_before_percent",
            ),
            models.CheckConstraint(
                condition=Q(on_time_delivery_after__gte=0, on_time_delivery_after__lte=100)
                | Q(on_time_delivery_after__isnull=True),
                name="outcome_delivery_after_percent",
            ),
            models.CheckConstraint(
                condition=Q(cost_before__gte=0) | Q(cost_before__isnull=True),
                name="outcome_cost_before_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(cost_after__gte=0) | Q(cost_after__isnull=True), name="outcome_cost_after_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(sales_before__gte=0) | Q(sales_before__isnull=True),
                name="outcome_sales_before_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(sales_after__gte=0) | Q(sales_after__isnull=True),
                name="outcome_sales_after_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(status=OutcomeStatus.DUE)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="outcome_submitted_has_submitter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory} #{self.sequence}"


# --- leading smart industrial complexes (선도 스마트산단) -------------------------------------------------


class IndustrialComplex(models.Model):
    """An industrial complex; designated as a leading smart industrial complex on `designated_on`."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    designated_on = models.DateField(_("designated as a leading smart complex"), null=True, blank=True)
    designation_ended_on = models.DateField(_("designation ended"), null=True, blank=True)
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("industrial complex")
        verbose_name_plural = _("industrial complexes")
        ordering = ["name_ko"]
        constraints = [
            models.CheckConstraint(
                condition=Q(designation_ended_on__isnull=True)
                | Q(designated_on__isnull=False, designation_ended_on__gt=F("designated_on")),
                name="complex_designation_order",
            )
        ]

    def __str__(self) -> str:
        return self.name_ko


class ComplexWorkplace(models.Model):
    """A workplace inside an industrial complex (a workplace lies in at most one)."""

    complex = models.ForeignKey(IndustrialComplex, on_delete=models.CASCADE, related_name="members")
    workplace = models.OneToOneField(Workplace, on_delete=models.CASCADE, related_name="complex_membership")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("workplace in a complex")
        verbose_name_plural = _("workplaces in complexes")

    def __str__(self) -> str:
        return f"{self.complex} · {self.workplace}"


# --- historical aggregates -----------------------------------------------------------------------------


class AggregateMetric(models.TextChoices):
    DEPLOYMENTS = "deployments", _("Smart factories deployed (보급)")
    TRAINED_WORKERS = "trained_workers", _("Workers trained (인력양성)")


class AggregateStatus(models.TextChoices):
    ACTUAL = "actual", _("Actual (확정)")
    PROVISIONAL = "provisional", _("Provisional (잠정)")


class HistoricalAggregate(models.Model):
    """A count from before the system's records, imported as an aggregate: a year, optionally broken
    down by region, program type, origin and level, with its source and status. A year with any
    aggregate of a metric is counted from the aggregates alone."""

    metric = models.CharField(_("metric"), max_length=30, choices=AggregateMetric.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    program_type = models.CharField(_("program type"), max_length=20, choices=ProgramType.choices, blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=FactoryOrigin.choices, blank=True)
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("level")
    )
    value = models.PositiveIntegerField(_("count"))
    status = models.CharField(_("status"), max_length=20, choices=AggregateStatus.choices)
    source = models.CharField(_("source"), max_length=500)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    batch = models.UUIDField(_("import batch"))

    class Meta:
        verbose_name = _("historical aggregate")
        verbose_name_plural = _("historical aggregates")
        ordering = ["metric", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "year", "region", "program_type", "origin", "level"],
                nulls_distinct=False,
                name="historical_aggregate_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="historical_aggregate_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.year}: {self.value}"
