"""Win-win (상생형) partnerships: consortia of a partner firm (주관기관) and a cooperating institution
(협력기관), their yearly agreements (pledge, mentee quota, tracks, regions, industries), supply-chain
ties, matches with mentee SMEs, mentors and mentoring activity.

Partner firms and institutions are `core.Organisation` rows of kind partner / institution; their users
hold the partner / institution role there.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.identifiers import format_brn, validate_brn_field
from core.models import KsicDivision, Organisation, Region
from programs.models import ProgramType

# The call tracks a win-win agreement can fund.
WINWIN_TRACKS = (ProgramType.WINWIN_TYPE1, ProgramType.WINWIN_TYPE2, ProgramType.PARTNER_TRACK)


class Consortium(models.Model):
    """A partner firm with a cooperating institution that administers its win-win funds."""

    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partner_consortia",
        verbose_name=_("partner firm"),
    )
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="institution_consortia",
        verbose_name=_("cooperating institution"),
    )
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    established_on = models.DateField(_("established"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        constraints = [
            models.UniqueConstraint(fields=["partner", "institution"], name="consortium_unique_pair"),
            models.CheckConstraint(condition=~Q(partner=F("institution")), name="consortium_two_parties"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (작성중)")
    ACTIVE = "active", _("In force (시행)")
    CLOSED = "closed", _("Closed (종료)")


@pghistory.track()
class WinWinAgreement(models.Model):
    """A consortium's agreement for one fiscal year: what the partner pledges and whom it serves.

    `committed_krw` is the sum of partner shares confirmed on applications; the database keeps it within
    the pledge, so concurrent confirmations can never over-commit.
    """

    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, related_name="agreements")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    pledged_krw = models.BigIntegerField(_("pledged contribution (KRW)"))
    committed_krw = models.BigIntegerField(_("committed to applications (KRW)"), default=0)
    mentee_quota = models.PositiveIntegerField(_("mentee quota"))
    tracks = ArrayField(
        models.CharField(max_length=20, choices=ProgramType.choices), verbose_name=_("call tracks funded")
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions served"))
    industries = models.ManyToManyField(
        KsicDivision, blank=True, related_name="+", verbose_name=_("industries served (KSIC)")
    )
    signed_on = models.DateField(_("signed"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "consortium__name_ko"]
        verbose_name = _("win-win agreement")
        verbose_name_plural = _("win-win agreements")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "fiscal_year"], name="agreement_one_per_year"),
            models.CheckConstraint(condition=Q(pledged_krw__gt=0), name="agreement_pledge_positive"),
            models.CheckConstraint(
                condition=Q(committed_krw__gte=0, committed_krw__lte=F("pledged_krw")),
                name="agreement_committed_within_pledge",
            ),
            models.CheckConstraint(condition=Q(mentee_quota__gt=0), name="agreement_quota_positive"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2014, fiscal_year__lte=2100), name="agreement_fiscal_year_range"
            ),
            models.CheckConstraint(
                condition=Q(tracks__contained_by=list(WINWIN_TRACKS)) & ~Q(tracks=[]),
                name="agreement_tracks_are_winwin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} {self.fiscal_year}"

    @property
    def remaining_krw(self) -> int:
        return self.pledged_krw - self.committed_krw

    @property
    def partner_id(self) -> int:
        return self.consortium.partner_id


class SupplyChainTie(models.Model):
    """An SME in a partner firm's supply chain (협력사), recorded by business registration number so the
    tie exists before (or without) the SME registering here."""

    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="supply_chain_ties")
    brn = models.CharField(_("business registration number"), max_length=10, validators=[validate_brn_field])
    name = models.CharField(_("company name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["partner_id", "brn"]
        verbose_name = _("supply-chain tie")
        verbose_name_plural = _("supply-chain ties")
        constraints = [
            models.UniqueConstraint(fields=["partner", "brn"], name="tie_unique_brn"),
            models.CheckConstraint(condition=Q(brn__regex=r"^\d{10}$"), name="tie_brn_digits"),
        ]
        indexes = [models.Index(fields=["brn"])]

    def __str__(self) -> str:
        return f"{self.partner} · {format_brn(self.brn)}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (제안)")
    ACCEPTED = "accepted", _("Accepted (수락)")
    ACTIVE = "active", _("Active (진행)")
    COMPLETED = "completed", _("Completed (완료)")
    ENDED = "ended", _("Ended (종료)")


# Matches that hold a place in the partner's quota.
LIVE_MATCH_STATES = frozenset(
    {MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED}
)
# Matches under which the SME may apply for co-funding with the partner.
COFUNDING_MATCH_STATES = frozenset({MatchStatus.ACCEPTED, MatchStatus.ACTIVE})


@pghistory.track()
class Match(models.Model):
    """A partner firm (through its agreement for a year) and a mentee SME."""

    agreement = models.ForeignKey(WinWinAgreement, on_delete=models.PROTECT, related_name="matches")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        _("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.PositiveSmallIntegerField(_("fit score"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            # One live match of a company per agreement (an ended one may be followed by a new proposal).
            models.UniqueConstraint(
                fields=["agreement", "company"],
                condition=~Q(status=MatchStatus.ENDED),
                name="match_one_live_per_agreement",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="match_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["agreement", "status"]),
            # The match list's order (match_list_for_user: newest first): a partner firm's first page is
            # read off this index instead of sorting all of its tens of thousands of matches.
            models.Index(fields=["-created_at", "-id"], name="match_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} ↔ {self.company}"


class MatchStatusChange(models.Model):
    """One row per match status change: who, from, to, when and why. Never edited."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=10, choices=MatchStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=MatchStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("match status change")
        verbose_name_plural = _("match status changes")
        indexes = [models.Index(fields=["match", "at"])]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.from_status} → {self.to_status}"


class Mentor(models.Model):
    """An expert of a partner firm who mentors its SMEs (e.g. a retired engineer, 스마트 마이스터)."""

    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mentors")
    name = models.CharField(_("name"), max_length=100)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["partner_id", "name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("On-site visit (현장 방문)")
    CONSULTING = "consulting", _("Consulting (컨설팅)")
    TRAINING = "training", _("Training (교육)")
    REMOTE = "remote", _("Remote support (원격 지원)")


class MentoringActivity(models.Model):
    """One mentoring session of a match."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="activities")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("mentoring activity")
        verbose_name_plural = _("mentoring activities")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="activity_hours_range"),
        ]
        indexes = [models.Index(fields=["match", "date"])]

    def __str__(self) -> str:
        return f"{self.match_id} {self.date} {self.kind}"
