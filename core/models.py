"""Users, organisations and memberships, API tokens, and versioned reference data.

Reference data (regions, KSIC divisions, levels, target levels, firm-size classes) is loaded by data
migrations and edited only in the admin; everything user-facing has a Korean and an English name.
"""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.roles import OrganisationKind, Role


class BilingualName(models.Model):
    """Korean and English names; `name` follows the active language (Korean by default)."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en"):
            return self.name_en or self.name_ko
        return self.name_ko


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, never from flags here."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # Part of every session's auth hash: raising it (sign-out, deactivation) ends all of the user's sessions
    # on their next request (core.services.user_sessions_end).
    session_epoch = models.PositiveIntegerField(
        _("session generation"), default=0, db_default=0, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers the password only; the epoch is added once it is raised, so sessions made
        # before the field existed stay valid until the first sign-out.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # not in the stubs
        return salted_hmac(
            "core.User.session_auth_hash",
            f"{self.password}\x00{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Region(BilingualName):
    """A first-level region (시도) as a stable identity across renamings and code changes."""

    slug = models.SlugField(_("key"), max_length=30, unique=True)
    kostat_code = models.CharField(_("KOSTAT code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=5)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    @property
    def current_code(self) -> str:
        code = self.codes.filter(valid_to__isnull=True).values_list("mois_code", flat=True).first()
        return code or ""


class RegionCodeQuerySet(models.QuerySet["RegionCode"]):
    def valid_on(self, day: dt.date) -> RegionCodeQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class RegionCode(models.Model):
    """A MOIS administrative code (행정표준코드, first two digits) of a region with its validity dates.

    Gangwon was 42 until 2023-06-10 and is 51 from 2023-06-11; Jeonbuk was 45 until 2024-01-17 and is 52
    from 2024-01-18. Historical rows and imports carry the code valid on their date.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="codes")
    mois_code = models.CharField(_("MOIS code"), max_length=2)
    name_ko = models.CharField(_("name (Korean) while valid"), max_length=100)
    name_en = models.CharField(_("name (English) while valid"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RegionCodeQuerySet.as_manager()

    class Meta:
        ordering = ["mois_code", "valid_from"]
        verbose_name = _("region code")
        verbose_name_plural = _("region codes")
        constraints = [
            models.UniqueConstraint(fields=["mois_code", "valid_from"], name="regioncode_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="regioncode_valid_period",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else ""
        return f"{self.mois_code} {self.name_ko} ({self.valid_from.isoformat()}–{end})"


class KsicDivision(BilingualName):
    """A manufacturing division of the Korean Standard Industrial Classification (section C, 10–34)."""

    code = models.CharField(_("KSIC code"), max_length=2, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("KSIC division")
        verbose_name_plural = _("KSIC divisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^(1[0-9]|2[0-9]|3[0-4])$"), name="ksic_manufacturing_division"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LevelStage(models.TextChoices):
    BASIC = "basic", _("Basic (기초)")
    INTERMEDIATE1 = "intermediate1", _("Intermediate 1 (중간1)")
    INTERMEDIATE2 = "intermediate2", _("Intermediate 2 (중간2)")
    ADVANCED = "advanced", _("Advanced (고도화)")


class Level(BilingualName):
    """Smart-factory level L1–L5 (KS X 9001) and its stage: L1–L2 basic, L3 int. 1, L4 int. 2, L5 advanced."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    stage = models.CharField(_("stage"), max_length=20, choices=LevelStage.choices)

    ADVANCED_MIN_RANK = 3  # 고도화율 counts factories at Level 3 (중간1) or above.

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=5), name="level_rank_1_5")]

    @property
    def counts_as_advanced(self) -> bool:
        return self.rank >= self.ADVANCED_MIN_RANK


class TargetLevel(BilingualName):
    """A call's target-level category (기초 / 고도화1 / 고도화2): what the project aims to reach."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    reference_level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("roughly equivalent level")
    )

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("target level")
        verbose_name_plural = _("target levels")


class FirmSizeClassQuerySet(models.QuerySet["FirmSizeClass"]):
    def valid_on(self, day: dt.date) -> FirmSizeClassQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class FirmSizeClass(BilingualName):
    """Firm-size class under the SME Framework Act (중견/중기업/소기업/소상공인), versioned by date."""

    code = models.CharField(_("code"), max_length=20)
    is_sme = models.BooleanField(_("is an SME"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    definition = models.TextField(_("definition"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = FirmSizeClassQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "valid_from"]
        verbose_name = _("firm-size class")
        verbose_name_plural = _("firm-size classes")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="firmsize_unique_version"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="firmsize_valid_period",
            ),
        ]


class Organisation(BilingualName):
    """Any organisation a user can belong to: the ministry, a regional center, an SME, a supplier …

    Company details live in the `companies` app on a one-to-one row; this base row is what memberships,
    scoping and conflict-of-interest checks refer to.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["kind"]),
            # Substring search of names: Django's icontains is UPPER(name) LIKE UPPER('%…%'), which this
            # trigram index serves for queries of three characters or more.
            GinIndex(OpClass(Upper("name_ko"), name="gin_trgm_ops"), name="organisation_name_trgm"),
        ]
        constraints = [
            # A regional center is defined by the region it serves.
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.REGIONAL_CENTER) | Q(region__isnull=False),
                name="organisation_center_has_region",
            )
        ]


class Membership(models.Model):
    """A user holds a role in an organisation. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A token for integrations. Only a SHA-256 hash of the key is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IdempotencyRecord(models.Model):
    """The first result of a money-moving API call made with an `Idempotency-Key` header.

    A replay with the same key returns the stored response; the same key with a different request is a
    conflict. Written in the same transaction as the money it moved.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=100)
    operation = models.CharField(_("operation"), max_length=100)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("View (조회)")
    SEARCH = "search", _("Search (검색)")
    DOWNLOAD = "download", _("Download (다운로드)")


class AccessLog(models.Model):
    """접속기록: one row per view, search or download of personal or business data.

    Content follows the PIPC 「개인정보의 안전성 확보조치 기준」: the account, the time (stored in UTC),
    where from, whose data, and what was done. Rows are append-only (a database trigger refuses UPDATE,
    and DELETE of anything younger than the two-year retention), so a purge can only remove rows the
    rules no longer require.
    """

    RETENTION_DAYS = 730

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    # Copied so that the row says who it was even if the account is renamed later.
    username = models.CharField(_("account"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    # What was read: a list ("applications"), an object type ("company"), or an export kind.
    resource = models.CharField(_("what"), max_length=60)
    object_ref = models.CharField(_("record"), max_length=60, blank=True)
    # Whose data (a company's name and BRN, or "list" for a list/search/export).
    subject = models.CharField(_("whose data"), max_length=200, blank=True)
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="accesslog_actor_at")]
        triggers = [
            pgtrigger.Protect(name="access_log_no_update", operation=pgtrigger.Update),
            pgtrigger.Protect(
                name="access_log_keep_two_years",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition("OLD.at > NOW() - INTERVAL '730 days'"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.resource}"


class SecurityEventKind(models.TextChoices):
    LOGIN_FAILED = "login_failed", _("Failed sign-in (로그인 실패)")
    LOCKED_OUT = "locked_out", _("Locked out (계정 잠금)")
    OTP_FAILED = "otp_failed", _("Wrong verification code (인증코드 오류)")
    DENIED = "denied", _("Access denied (접근 거부)")
    NOT_FOUND = "not_found", _("Record not visible (조회 불가 기록)")
    BAD_UPLOAD = "bad_upload", _("Refused upload (업로드 거부)")


class SecurityEvent(models.Model):
    """보안 로그: refused sign-ins and refused accesses, append-only like the access log."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("account"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    kind = models.CharField(_("event"), max_length=20, choices=SecurityEventKind.choices)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-id"]
        triggers = [
            pgtrigger.Protect(name="security_event_no_update", operation=pgtrigger.Update),
            pgtrigger.Protect(
                name="security_event_keep_two_years",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition("OLD.at > NOW() - INTERVAL '730 days'"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username or self.ip}"
