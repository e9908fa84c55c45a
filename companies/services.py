"""Writes of the registry: registering companies, their workplaces, and suppliers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import BusinessStatus, Company, SolutionDomain, Supplier, Workplace
from companies.permissions import (
    can_change_identifiers,
    can_edit_company,
    can_manage_suppliers,
    can_register_company,
)
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.identifiers import normalize_brn, normalize_crn
from core.models import FirmSizeClass, KsicDivision, Region, User
from core.roles import OrganisationKind, Role
from core.services import membership_grant, organisation_create

COMPANY_EDITABLE = (
    "name_ko",
    "name_en",
    "representative",
    "size_class",
    "ksic",
    "founded_on",
    "employees",
    "revenue_krw",
    "business_status",
    "has_tax_arrears",
    "in_insolvency",
    "has_financial_delinquency",
)
WORKPLACE_EDITABLE = ("name", "postal_code", "address", "region", "ksic", "is_active")


def _field_error(field: str, error: ValidationError) -> ValidationFailed:
    return ValidationFailed(fields={field: list(error.messages)}, code=error.code or "invalid")


def _clean_identifiers(brn: str, crn: str) -> tuple[str, str]:
    try:
        brn_digits = normalize_brn(brn)
    except ValidationError as exc:
        raise _field_error("brn", exc) from exc
    crn_digits = ""
    if crn and crn.strip():
        try:
            crn_digits = normalize_crn(crn)
        except ValidationError as exc:
            raise _field_error("crn", exc) from exc
    return brn_digits, crn_digits


def _check_company_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    if "founded_on" in values and values["founded_on"] > timezone.localdate():
        errors["founded_on"] = [_("The founding date cannot be in the future.")]
    if "employees" in values and values["employees"] < 0:
        errors["employees"] = [_("Enter zero or more employees.")]
    if "revenue_krw" in values and values["revenue_krw"] < 0:
        errors["revenue_krw"] = [_("Revenue cannot be negative.")]
    if "business_status" in values and values["business_status"] not in BusinessStatus.values:
        errors["business_status"] = [_("Unknown business status.")]
    if "name_ko" in values and not str(values["name_ko"]).strip():
        errors["name_ko"] = [_("Enter the company name.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def company_register(
    *,
    actor: User,
    brn: str,
    name_ko: str,
    representative: str,
    size_class: FirmSizeClass,
    ksic: KsicDivision,
    founded_on: dt.date,
    employees: int,
    revenue_krw: int,
    name_en: str = "",
    crn: str = "",
) -> Company:
    """Register a company. A user registering their own company becomes its SME applicant.

    Refusals: PermissionDenied (a user who already holds other roles and is not an official),
    ValidationFailed (BRN or CRN check digit, bad values), Conflict (BRN or CRN already registered).
    """
    if not can_register_company(actor):
        raise PermissionDenied(_("You cannot register a company with this account."))
    brn_digits, crn_digits = _clean_identifiers(brn, crn)
    _check_company_values(
        {"founded_on": founded_on, "employees": employees, "revenue_krw": revenue_krw, "name_ko": name_ko}
    )
    if Company.objects.filter(brn=brn_digits).exists():
        raise Conflict(
            _("A company with this business registration number is already registered."),
            code="brn_already_registered",
            fields={"brn": [_("Already registered.")]},
        )
    organisation = organisation_create(kind=OrganisationKind.COMPANY, name_ko=name_ko, name_en=name_en)
    try:
        with transaction.atomic():
            company = Company.objects.create(
                organisation=organisation,
                brn=brn_digits,
                crn=crn_digits,
                representative=representative.strip(),
                size_class=size_class,
                ksic=ksic,
                founded_on=founded_on,
                employees=employees,
                revenue_krw=revenue_krw,
            )
    except IntegrityError as exc:
        # Two registrations of one number at the same moment: the unique constraints decide.
        raise Conflict(
            _("A company with this registration number is already registered."),
            code="brn_already_registered",
        ) from exc
    if not can_change_identifiers(actor):
        membership_grant(user=actor, organisation=organisation, role=Role.SME)
    return company


@transaction.atomic
def company_update(*, company: Company, actor: User, **changes: Any) -> Company:
    """Update a company's details. Registration numbers change only through officials."""
    if not can_edit_company(actor, company):
        raise PermissionDenied()
    identifier_changes = {k: changes.pop(k) for k in ("brn", "crn") if k in changes}
    unknown = set(changes) - set(COMPANY_EDITABLE)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    if identifier_changes and not can_change_identifiers(actor):
        raise PermissionDenied(_("Registration numbers can only be corrected by an official."))
    _check_company_values(changes)
    locked = Company.objects.select_for_update().select_related("organisation").get(pk=company.pk)
    if identifier_changes:
        brn, crn = _clean_identifiers(
            identifier_changes.get("brn", locked.brn), identifier_changes.get("crn", locked.crn)
        )
        locked.brn, locked.crn = brn, crn
    org = locked.organisation
    for name_field in ("name_ko", "name_en"):
        if name_field in changes:
            setattr(org, name_field, str(changes.pop(name_field)).strip())
    org.save(update_fields=["name_ko", "name_en"])
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A company with this registration number is already registered."), code="brn_already_registered"
        ) from exc
    return locked


def _check_workplace_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    postal = values.get("postal_code")
    if postal is not None and not (len(postal) == 5 and postal.isascii() and postal.isdigit()):
        errors["postal_code"] = [_("A postal code has 5 digits.")]
    if "name" in values and not str(values["name"]).strip():
        errors["name"] = [_("Enter the workplace name.")]
    if "address" in values and not str(values["address"]).strip():
        errors["address"] = [_("Enter the address.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def workplace_create(
    *,
    company: Company,
    actor: User,
    name: str,
    postal_code: str,
    address: str,
    region: Region,
    ksic: KsicDivision,
) -> Workplace:
    """Add a workplace to a company. Conflict when the company already has one of that name."""
    if not can_edit_company(actor, company):
        raise PermissionDenied()
    _check_workplace_values({"name": name, "postal_code": postal_code, "address": address})
    try:
        with transaction.atomic():
            return Workplace.objects.create(
                company=company,
                name=name.strip(),
                postal_code=postal_code,
                address=address.strip(),
                region=region,
                ksic=ksic,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This company already has a workplace with that name."),
            code="workplace_exists",
            fields={"name": [_("Already used.")]},
        ) from exc


@transaction.atomic
def workplace_update(*, workplace: Workplace, actor: User, **changes: Any) -> Workplace:
    if not can_edit_company(actor, workplace.company):
        raise PermissionDenied()
    unknown = set(changes) - set(WORKPLACE_EDITABLE)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    _check_workplace_values(changes)
    locked = Workplace.objects.select_for_update().get(pk=workplace.pk)
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This company already has a workplace with that name."), code="workplace_exists"
        ) from exc
    return locked


@transaction.atomic
def supplier_register(
    *,
    actor: User,
    brn: str,
    name_ko: str,
    representative: str,
    region: Region,
    name_en: str = "",
    domains: list[str] | None = None,
    employees: int = 0,
) -> Supplier:
    """Register a supply company (공급기업). Officials only."""
    if not can_manage_suppliers(actor):
        raise PermissionDenied()
    brn_digits, _crn = _clean_identifiers(brn, "")
    domains = sorted(set(domains or []))
    if any(d not in SolutionDomain.values for d in domains):
        raise ValidationFailed(fields={"domains": [_("Unknown solution domain.")]})
    if Supplier.objects.filter(brn=brn_digits).exists():
        raise Conflict(
            _("A supplier with this business registration number is already registered."),
            code="brn_already_registered",
            fields={"brn": [_("Already registered.")]},
        )
    organisation = organisation_create(
        kind=OrganisationKind.SUPPLIER, name_ko=name_ko, name_en=name_en, region=region
    )
    try:
        with transaction.atomic():
            return Supplier.objects.create(
                organisation=organisation,
                brn=brn_digits,
                representative=representative.strip(),
                region=region,
                domains=domains,
                employees=employees,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A supplier with this business registration number is already registered."),
            code="brn_already_registered",
        ) from exc
