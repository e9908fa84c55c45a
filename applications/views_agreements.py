"""Pages of grant agreements (협약): signing a selected application's agreement, the list of agreements,
change requests (사업변경) filed by the SME and decided by officials, and settling or terminating.

The agreement's money view (its disbursements and ledger) is a page of `funding`, which may import this
app; pages here link to it by URL name only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.agreements import (
    CHANGEABLE_STATES,
    agreement_sign,
    application_settle,
    application_terminate,
    change_request_approve,
    change_request_file,
    change_request_reject,
)
from applications.forms_agreements import AgreementSignForm, ChangeRequestForm, DecisionForm
from applications.models import (
    AGREEMENT_STATES,
    ApplicationStatus,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from applications.permissions import can_manage_project, is_applicant
from applications.selectors import (
    agreement_get_for_user,
    agreement_list_for_user,
    application_get_for_user,
    change_request_get_for_user,
    change_request_list_for_user,
)
from companies.selectors import supplier_list_for_user
from core.errors import ApplicationError, NotFound
from core.errors import PermissionDenied as ServicePermissionDenied
from core.roles import Role
from core.selectors import user_access
from core.views import require, run_service, signed_in_user
from programs.models import Call

T = TypeVar("T")
PAGE_SIZE = 50
CHANGE_BADGES = {
    ChangeRequestStatus.REQUESTED: "bg-light-warning",
    ChangeRequestStatus.APPROVED: "bg-success",
    ChangeRequestStatus.REJECTED: "bg-light-danger",
}


def agreement_page_url(agreement: ProjectAgreement) -> str:
    """The agreement money view (a page of `funding`); the application's page if it is not wired."""
    try:
        return reverse("funding:agreement", args=[agreement.pk])
    except NoReverseMatch:
        return reverse("applications:detail", args=[agreement.application_id])


def _next_or(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def run_form_service(
    request: HttpRequest, service: Callable[..., T], /, *, form: forms.Form, **kwargs: Any
) -> T | None:
    """Like `core.views.run_service`, but a refusal's own message is always shown above the form, also
    when it names fields: the deadline rules of 사업변경 explain themselves in the message."""
    try:
        return service(**kwargs)
    except (NotFound, ServicePermissionDenied):
        raise
    except ApplicationError as exc:
        for field, msgs in exc.fields.items():
            target = field if field in form.fields else None
            for msg in msgs:
                form.add_error(target, str(msg))
        if exc.message is not type(exc).default_message or not exc.fields:
            form.add_error(None, str(exc.message))
        return None


@login_required
def agreement_sign_view(request: HttpRequest, application_id: int) -> HttpResponse:
    """Sign the agreement of a selected application: officials, or the workplace's regional center."""
    app = application_get_for_user(request.user, application_id)
    user = signed_in_user(request)
    require(can_manage_project(user, app))
    if app.status != ApplicationStatus.SELECTED:
        agreement = ProjectAgreement.objects.filter(application=app).first()
        if agreement is not None:
            return redirect(agreement_page_url(agreement))
        messages.error(request, _("Only a selected application can have its agreement signed."))
        return redirect("applications:detail", application_id=app.pk)
    initial = {
        "starts_on": app.planned_start,
        "ends_on": app.planned_end,
        "supplier": app.supplier_id,
        "scope": app.summary,
        "account_holder": app.company.name,
    }
    form = AgreementSignForm(request.POST or None, initial=initial, suppliers=supplier_list_for_user(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agreement = run_service(
            request,
            agreement_sign,
            form=form,
            application=app,
            actor=user,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            supplier=data["supplier"],
            scope=data["scope"],
            account_bank=data["account_bank"],
            account_number=data["account_number"],
            account_holder=data["account_holder"],
        )
        if agreement is not None:
            messages.success(request, _("The agreement is signed."))
            return redirect(agreement_page_url(agreement))
    return render(request, "applications/agreement_sign.html", {"application": app, "form": form})


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Agreements the user may see, newest first, with the government support agreed and paid."""
    agreements = agreement_list_for_user(request.user).annotate(
        gov_agreed=Sum("funding__agreed_krw", filter=Q(funding__source=FundingSource.GOVERNMENT)),
        gov_paid=Sum("funding__paid_krw", filter=Q(funding__source=FundingSource.GOVERNMENT)),
    )
    call_id = _int(request.GET.get("call"))
    status = request.GET.get("status", "")
    if call_id:
        agreements = agreements.filter(application__call_id=call_id)
    if status in AGREEMENT_STATES:
        agreements = agreements.filter(application__status=status)
    calls = Call.objects.order_by("-fiscal_year", "round", "program_type").only(
        "pk", "fiscal_year", "round", "program_type"
    )
    context = {
        "page_obj": Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page")),
        "calls": [(c.pk, f"{c.year_round} {c.get_program_type_display()}") for c in calls],
        "call_id": call_id,
        "status": status,
        "statuses": [(v, label) for v, label in ApplicationStatus.choices if v in AGREEMENT_STATES],
    }
    return render(request, "applications/agreement_list.html", context)


@login_required
def change_request_new(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The SME files a change request (사업변경 신청) for its agreement."""
    agreement = agreement_get_for_user(request.user, agreement_id)
    user = signed_in_user(request)
    app = agreement.application
    require(is_applicant(user, app))
    if app.status not in CHANGEABLE_STATES:
        messages.error(
            request, _("The agreement can be changed only between signing and the final inspection.")
        )
        return redirect(agreement_page_url(agreement))
    current = {row.source: row.agreed_krw for row in agreement.funding.all()}
    form = ChangeRequestForm(request.POST or None, suppliers=supplier_list_for_user(user), current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = run_form_service(
            request,
            change_request_file,
            form=form,
            agreement=agreement,
            actor=user,
            cause_date=data["cause_date"],
            reason=data["reason"],
            amounts=form.amounts(),
            new_starts_on=data["new_starts_on"],
            new_ends_on=data["new_ends_on"],
            new_supplier=data["new_supplier"],
            new_scope=data["new_scope"],
        )
        if change is not None:
            messages.success(request, _("The change request is filed and waits for an official's decision."))
            return redirect(agreement_page_url(agreement))
    return render(
        request,
        "applications/change_request_form.html",
        {"agreement": agreement, "application": app, "form": form},
    )


@login_required
def change_request_list(request: HttpRequest) -> HttpResponse:
    """Change requests to decide (officials) or to follow (regional centers, finance, auditors)."""
    require(user_access(request.user).has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR, Role.FINANCE))
    changes = change_request_list_for_user(request.user).select_related(
        "agreement__application__company__organisation", "new_supplier__organisation"
    )
    status = request.GET.get("status", ChangeRequestStatus.REQUESTED)
    if status in ChangeRequestStatus.values:
        changes = changes.filter(status=status)
    context = {
        "page_obj": Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page")),
        "status": status,
        "statuses": ChangeRequestStatus.choices,
        "change_badges": CHANGE_BADGES,
    }
    return render(request, "applications/change_request_list.html", context)


@login_required
@require_POST
def change_request_decide(request: HttpRequest, change_id: int) -> HttpResponse:
    """An official approves (the agreement changes) or rejects (with a note) a change request."""
    change = change_request_get_for_user(request.user, change_id)
    user = signed_in_user(request)
    agreement = change.agreement
    back = _next_or(request, agreement_page_url(agreement))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect(back)
    note = form.cleaned_data["note"]
    if form.cleaned_data["decision"] == ChangeRequestStatus.APPROVED:
        done = run_service(request, change_request_approve, change=change, actor=user, note=note)
        success = _("The change is approved and the agreement updated.")
    else:
        done = run_service(request, change_request_reject, change=change, actor=user, note=note)
        success = _("The change request is rejected.")
    if done is not None:
        messages.success(request, success)
    return redirect(back)


@login_required
@require_POST
def agreement_close(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Settle a completed project (정산) or terminate the agreement (협약해지, with its reason)."""
    agreement = agreement_get_for_user(request.user, agreement_id)
    user = signed_in_user(request)
    back = _next_or(request, agreement_page_url(agreement))
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:5_000]
    services: dict[str, tuple[Callable[..., Any], str]] = {
        "settle": (application_settle, _("The project is settled.")),
        "terminate": (application_terminate, _("The agreement is terminated.")),
    }
    if action not in services:
        raise Http404
    service, success = services[action]
    if run_service(request, service, application=agreement.application, actor=user, note=note) is not None:
        messages.success(request, success)
    return redirect(back)
