"""Roles of DESIGN.md §1. A user holds roles through memberships of organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SME = "sme", _("SME applicant")
    SUPPLIER = "supplier", _("Supplier")
    PARTNER = "partner", _("Partner firm")
    INSTITUTION = "institution", _("Cooperating institution")
    REGIONAL_OFFICER = "regional_officer", _("Regional center officer")
    EVALUATOR = "evaluator", _("Evaluator")
    OFFICIAL = "official", _("Ministry / KOSMO official")
    FINANCE = "finance", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    TRAINING_PROVIDER = "training_provider", _("Training provider")


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or KOSMO")
    REGIONAL_CENTER = "regional_center", _("Regional smart manufacturing innovation center")
    COMPANY = "company", _("SME (adopting company)")
    SUPPLIER = "supplier", _("Supplier")
    PARTNER = "partner", _("Partner firm")
    INSTITUTION = "institution", _("Cooperating institution")
    TRAINING_PROVIDER = "training_provider", _("Training provider")
    OTHER = "other", _("Other organisation")


# Which organisation kinds a role may be held in. Evaluators are outside experts employed anywhere,
# which is exactly why their employer matters for conflict-of-interest checks.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.SME: {OrganisationKind.COMPANY},
    Role.SUPPLIER: {OrganisationKind.SUPPLIER},
    Role.PARTNER: {OrganisationKind.PARTNER},
    Role.INSTITUTION: {OrganisationKind.INSTITUTION},
    Role.REGIONAL_OFFICER: {OrganisationKind.REGIONAL_CENTER},
    Role.EVALUATOR: set(OrganisationKind.values),
    Role.OFFICIAL: {OrganisationKind.MINISTRY},
    Role.FINANCE: {OrganisationKind.MINISTRY},
    Role.AUDITOR: {OrganisationKind.MINISTRY, OrganisationKind.OTHER},
    Role.TRAINING_PROVIDER: {OrganisationKind.TRAINING_PROVIDER},
}
