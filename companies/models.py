"""The registry: SMEs (도입기업), their workplaces (사업장) and suppliers (공급기업).

A firm is not a workplace and not a project (DESIGN.md §3): applications and factories refer to a
workplace; a company has several workplaces.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.identifiers import format_brn, format_crn, validate_brn_field, validate_crn_field
from core.models import FirmSizeClass, KsicDivision, Organisation, Region


class BusinessStatus(models.TextChoices):
    ACTIVE = "active", _("Active (계속사업자)")
    SUSPENDED = "suspended", _("Suspended (휴업)")
    CLOSED = "closed", _("Closed (폐업)")


class Company(models.Model):
    """An SME or mid-size manufacturer that applies for support. Its name is its organisation's name."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="company")
    brn = models.CharField(
        _("business registration number"), max_length=10, unique=True, validators=[validate_brn_field]
    )
    crn = models.CharField(
        _("corporate registration number"), max_length=13, blank=True, validators=[validate_crn_field]
    )
    representative = models.CharField(_("representative"), max_length=100)
    size_class = models.ForeignKey(
        FirmSizeClass, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm size")
    )
    ksic = models.ForeignKey(
        KsicDivision, on_delete=models.PROTECT, related_name="+", verbose_name=_("main industry (KSIC)")
    )
    founded_on = models.DateField(_("founded"))
    employees = models.PositiveIntegerField(_("regular employees"))
    revenue_krw = models.BigIntegerField(_("annual revenue (KRW)"))
    business_status = models.CharField(
        _("business status"), max_length=20, choices=BusinessStatus.choices, default=BusinessStatus.ACTIVE
    )
    has_tax_arrears = models.BooleanField(_("has tax arrears"), default=False)
    in_insolvency = models.BooleanField(_("in bankruptcy or rehabilitation"), default=False)
    has_financial_delinquency = models.BooleanField(_("has financial delinquency"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organisation__name_ko"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(condition=Q(brn__regex=r"^\d{10}$"), name="company_brn_digits"),
            models.CheckConstraint(
                condition=Q(crn="") | Q(crn__regex=r"^\d{13}$"), name="company_crn_digits"
            ),
            models.UniqueConstraint(fields=["crn"], condition=~Q(crn=""), name="company_crn_unique"),
            models.CheckConstraint(condition=Q(revenue_krw__gte=0), name="company_revenue_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def brn_display(self) -> str:
        return format_brn(self.brn)

    @property
    def crn_display(self) -> str:
        return format_crn(self.crn) if self.crn else ""


class Workplace(models.Model):
    """A place of business (사업장) of a company. Each workplace applies separately."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="workplaces")
    name = models.CharField(_("workplace name"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=5)
    address = models.CharField(_("address"), max_length=300)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    ksic = models.ForeignKey(
        KsicDivision, on_delete=models.PROTECT, related_name="+", verbose_name=_("industry (KSIC)")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["company_id", "id"]
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="workplace_unique_name"),
            models.CheckConstraint(condition=Q(postal_code__regex=r"^\d{5}$"), name="workplace_postal_code"),
        ]
        indexes = [models.Index(fields=["region"])]

    def __str__(self) -> str:
        return f"{self.company.name} · {self.name}"


class SolutionDomain(models.TextChoices):
    """The 2024 classification of the smart-manufacturing industry (domain brief §1.5)."""

    AUTOMATION = "automation", _("Automation devices (자동화 장비)")
    CONNECTIVITY = "connectivity", _("Connectivity devices (연결 장비)")
    INFORMATION = "information", _("Information solutions: MES, ERP, SCM, PLM (정보 솔루션)")
    INTELLIGENCE = "intelligence", _("Intelligent services: AI, data (지능화 서비스)")


class Supplier(models.Model):
    """A supply company (공급기업) that builds smart-factory systems for SMEs."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="supplier")
    brn = models.CharField(
        _("business registration number"), max_length=10, unique=True, validators=[validate_brn_field]
    )
    representative = models.CharField(_("representative"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    domains = ArrayField(
        models.CharField(max_length=20, choices=SolutionDomain.choices),
        default=list,
        blank=True,
        verbose_name=_("solution domains"),
    )
    employees = models.PositiveIntegerField(_("employees"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name_ko"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.CheckConstraint(condition=Q(brn__regex=r"^\d{10}$"), name="supplier_brn_digits")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def brn_display(self) -> str:
        return format_brn(self.brn)
