"""Applications from draft to follow-up, their status history, duplicate-support flags and evaluation."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Supplier, Workplace
from core.models import FirmSizeClass, Level, Region, TargetLevel
from partners.models import WinWinAgreement
from programs.models import Call, RubricCriterion


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (작성중)")
    SUBMITTED = "submitted", _("Submitted (접수)")
    SCREENING = "screening", _("Screening (요건검토)")
    EVALUATION = "evaluation", _("Evaluation (선정평가)")
    SELECTED = "selected", _("Selected (선정)")
    REJECTED = "rejected", _("Not selected (탈락)")
    WAITLISTED = "waitlisted", _("Waitlisted (예비)")
    AGREED = "agreed", _("Agreement signed (협약)")
    BUILDING = "building", _("Building (구축)")
    INTERIM_CHECK = "interim_check", _("Interim check (중간점검)")
    FINAL_INSPECTION = "final_inspection", _("Final inspection (최종점검)")
    COMPLETED = "completed", _("Completed (완료)")
    SETTLED = "settled", _("Settled (정산)")
    FOLLOW_UP = "follow_up", _("Follow-up (사후관리)")
    CLOSED = "closed", _("Closed (종료)")
    WITHDRAWN = "withdrawn", _("Withdrawn (포기)")
    TERMINATED = "terminated", _("Agreement terminated (협약해지)")


S = ApplicationStatus

# States in which a project has received (or been promised) support: used by the duplicate-support check.
SUPPORTED_STATES = frozenset(
    {
        S.SELECTED,
        S.AGREED,
        S.BUILDING,
        S.INTERIM_CHECK,
        S.FINAL_INSPECTION,
        S.COMPLETED,
        S.SETTLED,
        S.FOLLOW_UP,
        S.CLOSED,
    }
)
# Projects under way: counted against a call's maximum concurrent projects per company.
ACTIVE_PROJECT_STATES = frozenset({S.SELECTED, S.AGREED, S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION})
# States still waiting for a decision.
PENDING_STATES = frozenset({S.SUBMITTED, S.SCREENING, S.EVALUATION, S.WAITLISTED})


class ApplicationQuerySet(models.QuerySet["Application"]):
    def with_related(self) -> ApplicationQuerySet:
        return self.select_related(
            "call",
            "workplace",
            "company__organisation",
            "region",
            "target_level",
            "supplier__organisation",
            "partner_agreement__consortium__partner",
        )


@pghistory.track()
class Application(models.Model):
    """One workplace's application to one call, and the project it becomes if selected."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="applications")
    # Copied from the workplace when the draft is created, so scoping and counting need no join.
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="applications")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    target_level = models.ForeignKey(
        TargetLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("target level")
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
        verbose_name=_("supplier"),
    )
    current_level = models.ForeignKey(
        Level,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("current level (self-assessed)"),
    )
    # Win-win calls: the partner firm's agreement co-funding the project, and the partner's confirmation
    # of its share (the confirmed amount is committed against the agreement's pledge).
    partner_agreement = models.ForeignKey(
        WinWinAgreement,
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
        verbose_name=_("partner firm's agreement"),
    )
    partner_confirmed_krw = models.BigIntegerField(_("partner share confirmed (KRW)"), null=True, blank=True)
    partner_confirmed_at = models.DateTimeField(_("partner share confirmed"), null=True, blank=True)
    partner_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The firm-size class the funding rule was applied with, fixed at submission.
    size_class = models.ForeignKey(FirmSizeClass, on_delete=models.PROTECT, related_name="+", null=True)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices, default=S.DRAFT)

    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("project plan summary"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)

    total_cost_krw = models.BigIntegerField(_("total project cost (KRW)"), default=0)
    gov_amount_krw = models.BigIntegerField(_("government support (KRW)"), default=0)
    partner_amount_krw = models.BigIntegerField(_("partner contribution (KRW)"), default=0)
    sme_amount_krw = models.BigIntegerField(_("SME contribution (KRW)"), default=0)
    local_amount_krw = models.BigIntegerField(_("local-government top-up (KRW)"), default=0)

    evaluation_score = models.DecimalField(
        _("evaluation score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # A workplace applies once per call (a withdrawn application does not block a new one).
            models.UniqueConstraint(
                fields=["call", "workplace"],
                condition=~Q(status=ApplicationStatus.WITHDRAWN),
                name="application_one_per_workplace_and_call",
            ),
            models.CheckConstraint(
                condition=Q(
                    total_cost_krw__gte=0,
                    gov_amount_krw__gte=0,
                    partner_amount_krw__gte=0,
                    sme_amount_krw__gte=0,
                    local_amount_krw__gte=0,
                ),
                name="application_amounts_nonnegative",
            ),
            # Once submitted, the split adds up to the total exactly (a draft withdrawn before it was
            # ever submitted may be incomplete).
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT)
                | Q(status=ApplicationStatus.WITHDRAWN, submitted_at__isnull=True)
                | Q(
                    total_cost_krw=F("gov_amount_krw")
                    + F("partner_amount_krw")
                    + F("sme_amount_krw")
                    + F("local_amount_krw"),
                    total_cost_krw__gt=0,
                ),
                name="application_split_sums_to_total",
            ),
            # A confirmation belongs to an agreement and is a positive amount with its time and author.
            models.CheckConstraint(
                condition=Q(partner_confirmed_krw__isnull=True, partner_confirmed_at__isnull=True)
                | Q(
                    partner_agreement__isnull=False,
                    partner_confirmed_krw__gt=0,
                    partner_confirmed_at__isnull=False,
                    partner_confirmed_by__isnull=False,
                ),
                name="application_partner_confirmation_complete",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="application_plan_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["region", "status"]),
            models.Index(fields=["company", "status"]),
            models.Index(fields=["workplace", "status"]),
            # Substring search of titles: Django's icontains is UPPER(title) LIKE UPPER('%…%'), which this
            # trigram index serves for queries of three characters or more.
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="application_title_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The reference number shown to users: call year and a zero-padded id (e.g. 2026-0001234)."""
        return f"{self.call.fiscal_year}-{self.pk:07d}" if self.pk else ""

    @property
    def gov_share_bp(self) -> int:
        from core.money import percent_bp

        return percent_bp(self.gov_amount_krw, self.total_cost_krw)


class ApplicationStatusChange(models.Model):
    """One row per status change: who, from, to, when and why. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class DuplicateBasis(models.TextChoices):
    WORKPLACE = "workplace", _("Same workplace")
    COMPANY = "company", _("Same company")


class DuplicateFlag(models.Model):
    """Another supported project of the same workplace or company at the same target level within the
    call's exclusion period: an earlier one found at submission or screening, or one selected while this
    application was still pending.

    Screening cannot pass and selection is refused while a flag is open; an official may override it
    with a recorded reason.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="duplicate_flags")
    earlier_application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("basis"), max_length=20, choices=DuplicateBasis.choices)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    overridden_at = models.DateTimeField(_("overridden"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = _("duplicate-support flag")
        verbose_name_plural = _("duplicate-support flags")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "earlier_application"], name="duplicateflag_unique"
            ),
            models.CheckConstraint(
                condition=Q(overridden_at__isnull=True) | ~Q(override_reason=""),
                name="duplicateflag_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} ~ {self.earlier_application_id} ({self.basis})"

    @property
    def is_open(self) -> bool:
        return self.overridden_at is None


class ConflictStatus(models.TextChoices):
    PENDING = "pending", _("Not yet declared")
    NO_CONFLICT = "no_conflict", _("No conflict of interest")
    CONFLICT = "conflict", _("Conflict of interest declared")


class EvaluatorAssignment(models.Model):
    """An evaluator assigned to an application. They see it only after declaring no conflict."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluator_assignments"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    conflict_status = models.CharField(
        _("conflict of interest"),
        max_length=20,
        choices=ConflictStatus.choices,
        default=ConflictStatus.PENDING,
    )
    conflict_note = models.TextField(_("declaration note"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    total_score = models.DecimalField(
        _("weighted score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("evaluation comment"), blank=True)
    submitted_at = models.DateTimeField(_("scores submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "id"]
        verbose_name = _("evaluator assignment")
        verbose_name_plural = _("evaluator assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="assignment_unique_evaluator"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(conflict_status=ConflictStatus.NO_CONFLICT),
                name="assignment_scores_need_no_conflict",
            ),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100),
                name="assignment_score_range",
            ),
        ]
        indexes = [models.Index(fields=["evaluator", "conflict_status"])]

    def __str__(self) -> str:
        return f"{self.evaluator_id} → {self.application_id}"


class EvaluationScore(models.Model):
    """An evaluator's score for one rubric criterion."""

    assignment = models.ForeignKey(EvaluatorAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique_criterion"),
            models.CheckConstraint(condition=Q(score__gte=Decimal(0)), name="score_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


# --- agreements (협약) ----------------------------------------------------------------------------------


class FundingSource(models.TextChoices):
    GOVERNMENT = "government", _("Government support (정부지원금)")
    PARTNER = "partner", _("Partner firm contribution (주관기관 부담금)")
    LOCAL = "local", _("Local-government top-up (지방비)")
    SME = "sme", _("Own contribution (기업부담금)")


# Application amount field of each source.
SOURCE_AMOUNT_FIELDS = {
    FundingSource.GOVERNMENT: "gov_amount_krw",
    FundingSource.PARTNER: "partner_amount_krw",
    FundingSource.LOCAL: "local_amount_krw",
    FundingSource.SME: "sme_amount_krw",
}
# Statuses in which a project has a signed agreement.
AGREEMENT_STATES = frozenset(
    {
        S.AGREED,
        S.BUILDING,
        S.INTERIM_CHECK,
        S.FINAL_INSPECTION,
        S.COMPLETED,
        S.SETTLED,
        S.FOLLOW_UP,
        S.CLOSED,
        S.TERMINATED,
    }
)
# Settled or terminated projects: only what was paid (net) stays committed against the call's budget
# and the partner's pledge, so money that comes back later (a reversal, a recovery) is released too.
SETTLED_OR_ENDED_STATES = frozenset({S.SETTLED, S.FOLLOW_UP, S.CLOSED, S.TERMINATED})
# Projects whose agreement is under way: their agreed amounts stay committed.
UNDER_WAY_STATES = frozenset({S.AGREED, S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION, S.COMPLETED})


@pghistory.track()
class ProjectAgreement(models.Model):
    """The grant agreement (협약) of a selected application: period, supplier, scope and the project
    account. Its amounts are one `AgreementFunding` row per source."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="agreement")
    starts_on = models.DateField(_("agreement starts"))
    ends_on = models.DateField(_("agreement ends"))
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    scope = models.TextField(_("scope of the project"))
    account_bank = models.CharField(_("bank"), max_length=50)
    account_number = models.CharField(_("project account number"), max_length=30)
    account_holder = models.CharField(_("account holder"), max_length=100)
    signed_on = models.DateField(_("signed"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("project agreement")
        verbose_name_plural = _("project agreements")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="agreement_period_order"),
            models.CheckConstraint(
                condition=Q(account_number__regex=r"^[0-9-]{6,30}$"), name="agreement_account_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} 협약"

    @property
    def account_masked(self) -> str:
        """The account number with all but its last four digits hidden (shown on every page)."""
        digits = [c for c in self.account_number if c.isdigit()]
        return "*" * max(len(digits) - 4, 0) + "".join(digits[-4:])


@pghistory.track()
class AgreementFunding(models.Model):
    """One source of an agreement: what was agreed, what is requested or approved but not yet paid
    (outstanding), what was paid net of reversals and recoveries, and what was recovered.

    The database holds outstanding + paid + recovered ≤ agreed; `paid_krw` and `recovered_krw` move only
    with ledger entries (a trigger on the funding ledger), so no payment can exceed the agreement.
    """

    agreement = models.ForeignKey(ProjectAgreement, on_delete=models.PROTECT, related_name="funding")
    source = models.CharField(_("source"), max_length=12, choices=FundingSource.choices)
    agreed_krw = models.BigIntegerField(_("agreed (KRW)"))
    outstanding_krw = models.BigIntegerField(_("requested or approved, not yet paid (KRW)"), default=0)
    paid_krw = models.BigIntegerField(_("paid, net (KRW)"), default=0)
    recovered_krw = models.BigIntegerField(_("recovered (KRW)"), default=0)

    class Meta:
        ordering = ["agreement_id", "source"]
        verbose_name = _("agreement funding")
        verbose_name_plural = _("agreement funding")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "source"], name="agreementfunding_unique_source"),
            models.CheckConstraint(
                condition=Q(agreed_krw__gte=0, outstanding_krw__gte=0, paid_krw__gte=0, recovered_krw__gte=0),
                name="agreementfunding_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(
                    agreed_krw__gte=F("outstanding_krw") + F("paid_krw") + F("recovered_krw"),
                ),
                name="agreementfunding_within_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.source}"

    @property
    def remaining_krw(self) -> int:
        return self.agreed_krw - self.outstanding_krw - self.paid_krw - self.recovered_krw


class ChangeRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested (신청)")
    APPROVED = "approved", _("Approved (승인)")
    REJECTED = "rejected", _("Rejected (반려)")


@pghistory.track()
class ChangeRequest(models.Model):
    """A request to change an agreement (사업변경): amounts, period, supplier and/or scope.

    Filed within 15 days of its cause and at least one month before the agreement ends; an official
    approves (and the agreement changes) or rejects it.
    """

    agreement = models.ForeignKey(ProjectAgreement, on_delete=models.PROTECT, related_name="change_requests")
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.REQUESTED
    )
    cause_date = models.DateField(_("date of the cause"))
    reason = models.TextField(_("reason"))
    new_gov_krw = models.BigIntegerField(_("new government support (KRW)"), null=True, blank=True)
    new_partner_krw = models.BigIntegerField(_("new partner contribution (KRW)"), null=True, blank=True)
    new_local_krw = models.BigIntegerField(_("new local-government top-up (KRW)"), null=True, blank=True)
    new_sme_krw = models.BigIntegerField(_("new own contribution (KRW)"), null=True, blank=True)
    new_starts_on = models.DateField(_("new start"), null=True, blank=True)
    new_ends_on = models.DateField(_("new end"), null=True, blank=True)
    new_supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("new supplier"),
    )
    new_scope = models.TextField(_("new scope"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            # The amounts change together (all four or none) and never below zero.
            models.CheckConstraint(
                condition=Q(
                    new_gov_krw__isnull=True,
                    new_partner_krw__isnull=True,
                    new_local_krw__isnull=True,
                    new_sme_krw__isnull=True,
                )
                | Q(new_gov_krw__gte=0, new_partner_krw__gte=0, new_local_krw__gte=0, new_sme_krw__gte=0),
                name="changerequest_amounts_together",
            ),
            models.CheckConstraint(
                condition=Q(status=ChangeRequestStatus.REQUESTED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="changerequest_decision_recorded",
            ),
            # The applicant does not decide their own request.
            models.CheckConstraint(
                condition=~Q(decided_by=F("filed_by")), name="changerequest_not_self_decided"
            ),
        ]
        indexes = [models.Index(fields=["status", "filed_at"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.status}"

    @property
    def changes_amounts(self) -> bool:
        return self.new_gov_krw is not None
