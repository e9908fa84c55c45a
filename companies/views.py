"""Pages of the registry: register and edit a company, its workplaces; the officials' company list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies.forms import CompanyEditForm, CompanyForm, WorkplaceForm
from companies.permissions import can_change_identifiers, can_edit_company, can_register_company
from companies.selectors import (
    companies_of_user,
    company_get_for_user,
    company_list_for_user,
    workplace_get_for_user,
    workplace_list_for_user,
)
from companies.services import (
    COMPANY_EDITABLE,
    WORKPLACE_EDITABLE,
    company_register,
    company_update,
    workplace_create,
    workplace_update,
)
from core.identifiers import format_brn, format_crn
from core.views import run_service


@login_required
def company_list(request: HttpRequest) -> HttpResponse:
    companies = company_list_for_user(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        digits = q.replace("-", "")
        companies = (
            companies.filter(brn__startswith=digits)
            if digits.isdigit()
            else companies.filter(organisation__name_ko__icontains=q)
        )
    page = Paginator(companies, 50).get_page(request.GET.get("page"))
    return render(request, "companies/company_list.html", {"page_obj": page, "q": q})


@login_required
def my_company(request: HttpRequest) -> HttpResponse:
    company = companies_of_user(request.user).first()
    if company is None:
        return redirect("companies:register")
    return redirect("companies:detail", company_id=company.pk)


@login_required
def company_register_view(request: HttpRequest) -> HttpResponse:
    if not can_register_company(request.user):
        raise PermissionDenied
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = run_service(request, company_register, form=form, actor=request.user, **form.cleaned_data)
        if company is not None:
            messages.success(request, _("The company is registered. Add its workplaces next."))
            return redirect("companies:detail", company_id=company.pk)
    return render(request, "companies/company_form.html", {"form": form, "title": _("Register a company")})


@login_required
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_get_for_user(request.user, company_id)
    context = {
        "company": company,
        "workplaces": workplace_list_for_user(request.user, company=company),
        "can_edit": can_edit_company(request.user, company),
    }
    return render(request, "companies/company_detail.html", context)


@login_required
def company_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_get_for_user(request.user, company_id)
    if not can_edit_company(request.user, company):
        raise PermissionDenied
    identifiers = can_change_identifiers(request.user)
    initial = {
        "brn": format_brn(company.brn),
        "crn": format_crn(company.crn) if company.crn else "",
        "name_ko": company.organisation.name_ko,
        "name_en": company.organisation.name_en,
        **{f: getattr(company, f) for f in COMPANY_EDITABLE if f not in ("name_ko", "name_en")},
    }
    form = CompanyEditForm(request.POST or None, initial=initial, can_change_identifiers=identifiers)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if not identifiers:
            changes.pop("brn", None)
            changes.pop("crn", None)
        if run_service(request, company_update, form=form, company=company, actor=request.user, **changes):
            messages.success(request, _("Saved."))
            return redirect("companies:detail", company_id=company.pk)
    return render(
        request, "companies/company_form.html", {"form": form, "title": _("Edit company"), "company": company}
    )


@login_required
def workplace_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_get_for_user(request.user, company_id)
    if not can_edit_company(request.user, company):
        raise PermissionDenied
    form = WorkplaceForm(request.POST or None, initial={"ksic": company.ksic})
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        workplace = run_service(
            request, workplace_create, form=form, company=company, actor=request.user, **form.cleaned_data
        )
        if workplace is not None:
            messages.success(request, _("The workplace is added."))
            return redirect("companies:detail", company_id=company.pk)
    return render(request, "companies/workplace_form.html", {"form": form, "company": company})


@login_required
def workplace_edit(request: HttpRequest, workplace_id: int) -> HttpResponse:
    workplace = workplace_get_for_user(request.user, workplace_id)
    if not can_edit_company(request.user, workplace.company):
        raise PermissionDenied
    initial = {f: getattr(workplace, f) for f in WORKPLACE_EDITABLE}
    form = WorkplaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if run_service(
            request, workplace_update, form=form, workplace=workplace, actor=request.user, **changes
        ):
            messages.success(request, _("Saved."))
            return redirect("companies:detail", company_id=workplace.company_id)
    return render(
        request,
        "companies/workplace_form.html",
        {"form": form, "company": workplace.company, "workplace": workplace},
    )
