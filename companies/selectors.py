"""Reads of companies, workplaces and suppliers, scoped to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from companies.models import Company, Supplier, Workplace
from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def _company_scope(user: AnyUser) -> Q | None:
    """A filter on Company for the user's scope; None means everything."""
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return None
    scope = Q(pk__in=[])
    if access.has(Role.SME):
        scope |= Q(organisation_id__in=access.orgs(Role.SME))
    if access.has(Role.REGIONAL_OFFICER):
        scope |= Q(workplaces__region_id__in=access.region_ids)
    return scope


def company_list_for_user(user: AnyUser) -> QuerySet[Company]:
    qs = Company.objects.select_related("organisation", "size_class", "ksic")
    scope = _company_scope(user)
    if scope is not None:
        # A subquery keeps the outer query free of duplicate rows from the workplace join.
        qs = qs.filter(pk__in=Company.objects.filter(scope).values("pk"))
    return qs.order_by("organisation__name_ko", "id")


def company_get_for_user(user: AnyUser, company_id: object) -> Company:
    company = company_list_for_user(user).filter(pk=_pk(company_id)).first()
    if company is None:
        raise NotFound()
    return company


def companies_of_user(user: AnyUser) -> QuerySet[Company]:
    """The companies the user acts for as an SME applicant."""
    return Company.objects.filter(organisation_id__in=user_access(user).orgs(Role.SME)).select_related(
        "organisation", "size_class", "ksic"
    )


def workplace_list_for_user(user: AnyUser, *, company: Company | None = None) -> QuerySet[Workplace]:
    access = user_access(user)
    qs = Workplace.objects.select_related("company__organisation", "region", "ksic")
    if company is not None:
        qs = qs.filter(company=company)
    if not access.has(Role.OFFICIAL, Role.AUDITOR):
        scope = Q(pk__in=[])
        if access.has(Role.SME):
            scope |= Q(company__organisation_id__in=access.orgs(Role.SME))
        if access.has(Role.REGIONAL_OFFICER):
            scope |= Q(region_id__in=access.region_ids)
        qs = qs.filter(scope)
    return qs.order_by("company_id", "id")


def workplace_get_for_user(user: AnyUser, workplace_id: object) -> Workplace:
    workplace = workplace_list_for_user(user).filter(pk=_pk(workplace_id)).first()
    if workplace is None:
        raise NotFound()
    return workplace


def supplier_list_for_user(user: AnyUser) -> QuerySet[Supplier]:
    """Active suppliers are visible to every signed-in user: SMEs choose one when they apply."""
    if not user.is_authenticated:
        return Supplier.objects.none()
    qs = Supplier.objects.select_related("organisation", "region")
    if not user_access(user).has(Role.OFFICIAL, Role.AUDITOR):
        qs = qs.filter(is_active=True)
    return qs.order_by("organisation__name_ko", "id")


def supplier_get_for_user(user: AnyUser, supplier_id: object) -> Supplier:
    supplier = supplier_list_for_user(user).filter(pk=_pk(supplier_id)).first()
    if supplier is None:
        raise NotFound()
    return supplier
