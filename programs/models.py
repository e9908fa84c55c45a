"""Support programs' calls (공고) with their budgets, co-funding rules, eligibility and rubric, and the
national targets the program is measured against.

Co-funding rules are data on the call (DESIGN.md §3): caps and shares vary by year × call × target level
× firm size, so nothing about them is a constant in code.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import KsicDivision, Region, TargetLevel

BP_100_PERCENT = 10_000  # shares are integer basis points: 3,000 bp = 30 %


class ProgramType(models.TextChoices):
    GOVERNMENT_ONLY = "government_only", _("Government-only (정부 단독지원형)")
    WINWIN_TYPE1 = "winwin_type1", _("Win-win type 1 (상생형 유형1)")
    WINWIN_TYPE2 = "winwin_type2", _("Win-win type 2 for small firms (상생형 유형2)")
    PARTNER_TRACK = "partner_track", _("Partner track (주관기관 트랙)")


class ExclusionCondition(models.TextChoices):
    CLOSED_OR_SUSPENDED = "closed_or_suspended", _("Closed or suspended business (휴·폐업)")
    TAX_ARREARS = "tax_arrears", _("National or local tax arrears (국세·지방세 체납)")
    INSOLVENCY = "insolvency", _("Bankruptcy or rehabilitation proceedings (파산·회생)")
    FINANCIAL_DELINQUENCY = "financial_delinquency", _("Financial delinquency (금융 연체)")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (작성중)")
    PUBLISHED = "published", _("Published (공고)")
    CANCELLED = "cancelled", _("Cancelled (취소)")


class CallQuerySet(models.QuerySet["Call"]):
    def published(self) -> CallQuerySet:
        return self.filter(status=CallStatus.PUBLISHED)

    def open_now(self) -> CallQuerySet:
        now = timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gte=now)


@pghistory.track()
class Call(models.Model):
    """A call for applications (공고) of one program type in a fiscal year and round."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    program_type = models.CharField(_("program type"), max_length=20, choices=ProgramType.choices)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )

    budget_krw = models.BigIntegerField(_("government budget (KRW)"))
    committed_krw = models.BigIntegerField(_("committed government support (KRW)"), default=0)
    target_count = models.PositiveIntegerField(_("target number of projects"))
    selected_count = models.PositiveIntegerField(_("selected projects"), default=0)

    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))

    eligible_size_codes = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name=_("eligible firm sizes")
    )
    eligible_ksic = models.ManyToManyField(
        KsicDivision, blank=True, related_name="+", verbose_name=_("eligible industries (KSIC)")
    )
    eligible_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("eligible regions")
    )
    excluded_conditions = ArrayField(
        models.CharField(max_length=30, choices=ExclusionCondition.choices),
        default=list,
        blank=True,
        verbose_name=_("excluded conditions"),
    )
    prior_support_exclusion_years = models.PositiveSmallIntegerField(
        _("prior-support exclusion period (years)"), default=3
    )
    max_concurrent_projects = models.PositiveSmallIntegerField(_("maximum concurrent projects"), default=2)
    pass_score = models.DecimalField(_("pass score"), max_digits=5, decimal_places=2, default=70)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "-round", "program_type"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "program_type", "round"], name="call_unique_round"
            ),
            models.CheckConstraint(condition=Q(budget_krw__gt=0), name="call_budget_positive"),
            models.CheckConstraint(
                condition=Q(committed_krw__gte=0, committed_krw__lte=F("budget_krw")),
                name="call_committed_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(selected_count__lte=F("target_count")), name="call_selected_within_target"
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="call_window_order"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2014, fiscal_year__lte=2100), name="call_fiscal_year_range"
            ),
            models.CheckConstraint(
                condition=Q(pass_score__gte=0, pass_score__lte=100), name="call_pass_score"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def year_round(self) -> str:
        """'2026-1': a string, so templates never add a thousands separator to the year."""
        return f"{self.fiscal_year}-{self.round}"

    @property
    def code(self) -> str:
        return f"{self.fiscal_year}-{self.round}-{self.program_type}"

    @property
    def title(self) -> str:
        if (get_language() or "ko").startswith("en") and self.title_en:
            return self.title_en
        return self.title_ko

    @property
    def remaining_krw(self) -> int:
        return self.budget_krw - self.committed_krw

    def is_open(self, at: dt.datetime | None = None) -> bool:
        now = at or timezone.now()
        return self.status == CallStatus.PUBLISHED and self.opens_at <= now <= self.closes_at


class FundingRule(models.Model):
    """Caps and shares for one target level (and optionally one firm-size class) of a call.

    Shares are basis points of the total project cost. `None` means the limit does not apply:
    government-only: gov ≤ 5,000 bp; win-win type 1: gov ≤ 3,000, partner ≥ 3,000, SME ≤ 4,000;
    win-win type 2: gov = partner = 5,000 within a total cap; partner track: gov + partner ≤ 6,000.
    A rule for a specific size class wins over the call's rule for all sizes (blank `size_code`).
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="funding_rules")
    target_level = models.ForeignKey(TargetLevel, on_delete=models.PROTECT, related_name="+")
    size_code = models.CharField(_("firm size (blank = all)"), max_length=20, blank=True)
    gov_cap_krw = models.BigIntegerField(_("government support cap (KRW)"))
    total_cap_krw = models.BigIntegerField(_("total project cost cap (KRW)"), null=True, blank=True)
    gov_max_bp = models.PositiveIntegerField(_("government share at most (bp)"))
    gov_min_bp = models.PositiveIntegerField(_("government share at least (bp)"), null=True, blank=True)
    partner_min_bp = models.PositiveIntegerField(_("partner share at least (bp)"), null=True, blank=True)
    partner_max_bp = models.PositiveIntegerField(_("partner share at most (bp)"), null=True, blank=True)
    sme_max_bp = models.PositiveIntegerField(_("SME share at most (bp)"), null=True, blank=True)
    combined_max_bp = models.PositiveIntegerField(
        _("government + partner share at most (bp)"), null=True, blank=True
    )
    local_max_bp = models.PositiveIntegerField(
        _("local-government top-up at most (bp); blank = not allowed"), null=True, blank=True
    )

    class Meta:
        ordering = ["call", "target_level__sort_order", "size_code"]
        verbose_name = _("funding rule")
        verbose_name_plural = _("funding rules")
        constraints = [
            models.UniqueConstraint(fields=["call", "target_level", "size_code"], name="fundingrule_unique"),
            models.CheckConstraint(condition=Q(gov_cap_krw__gt=0), name="fundingrule_cap_positive"),
            models.CheckConstraint(
                condition=Q(gov_max_bp__lte=BP_100_PERCENT)
                & (Q(gov_min_bp__isnull=True) | Q(gov_min_bp__lte=F("gov_max_bp")))
                & (Q(partner_min_bp__isnull=True) | Q(partner_min_bp__lte=BP_100_PERCENT))
                & (Q(partner_max_bp__isnull=True) | Q(partner_max_bp__lte=BP_100_PERCENT))
                & (Q(sme_max_bp__isnull=True) | Q(sme_max_bp__lte=BP_100_PERCENT))
                & (Q(combined_max_bp__isnull=True) | Q(combined_max_bp__lte=BP_100_PERCENT))
                & (Q(local_max_bp__isnull=True) | Q(local_max_bp__lte=BP_100_PERCENT)),
                name="fundingrule_shares_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call.code} {self.target_level.code} {self.size_code or '*'}"


class RubricCriterion(models.Model):
    """A weighted criterion of the call's evaluation rubric. Weights of a call add up to 100."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rubric")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("guidance"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (points)"))
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="rubric_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="rubric_weight_range"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="rubric_max_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class TargetMetric(models.TextChoices):
    DEPLOYMENTS = "deployments", _("Smart factories deployed")
    TRAINED_WORKERS = "trained_workers", _("Smart-manufacturing workers trained")
    LEADING_COMPLEXES = "leading_complexes", _("Leading smart industrial complexes")
    ADVANCEMENT_RATIO = "advancement_ratio", _("Advancement ratio (Level 3 or above)")


class TargetUnit(models.TextChoices):
    COUNT = "count", _("count (개)")
    PERSONS = "persons", _("persons (명)")
    PERCENT = "percent", _("percent (%)")


class NationalTarget(models.Model):
    """A national target with its deadline, e.g. 30,000 smart factories by 2022-12-31."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    metric = models.CharField(_("metric"), max_length=30, choices=TargetMetric.choices)
    label_ko = models.CharField(_("label (Korean)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices)
    counts_from = models.DateField(_("counted from"))
    deadline = models.DateField(_("deadline"))
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["deadline", "metric"]
        verbose_name = _("national target")
        verbose_name_plural = _("national targets")
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gt=0), name="target_value_positive"),
            models.CheckConstraint(condition=Q(deadline__gt=F("counts_from")), name="target_period_order"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "ko").startswith("en") else self.label_ko
