"""Pages of calls (공고): list and detail for everyone, management for officials."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import Role
from core.selectors import user_access
from core.views import run_service
from programs.forms import CallForm, FundingRuleForm, RubricFormSet
from programs.models import ProgramType
from programs.permissions import can_manage_calls
from programs.selectors import call_get_for_user, call_list_for_user, national_target_list
from programs.services import (
    call_cancel,
    call_create,
    call_publish,
    call_update,
    funding_rule_set,
    rubric_set,
)


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    calls = call_list_for_user(request.user)
    year = request.GET.get("year", "")
    program_type = request.GET.get("type", "")
    if year.isdigit():
        calls = calls.filter(fiscal_year=int(year))
    if program_type in ProgramType.values:
        calls = calls.filter(program_type=program_type)
    years = (
        call_list_for_user(request.user)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    context = {
        "page_obj": Paginator(calls, 30).get_page(request.GET.get("page")),
        "years": years,
        "year": year,
        "program_types": ProgramType.choices,
        "program_type": program_type,
        "can_manage": can_manage_calls(request.user),
    }
    return render(request, "programs/call_list.html", context)


@login_required
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    access = user_access(request.user)
    context = {
        "call": call,
        "can_manage": can_manage_calls(request.user),
        "can_apply": access.has(Role.SME) and call.is_open(),
        "sees_queue": access.has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER),
        "rubric_total": sum(c.weight for c in call.rubric.all()),
    }
    return render(request, "programs/call_detail.html", context)


def _call_values(form: CallForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["eligible_ksic"] = list(data["eligible_ksic"])
    data["eligible_regions"] = list(data["eligible_regions"])
    return data


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    if not can_manage_calls(request.user):
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = run_service(request, call_create, form=form, actor=request.user, **_call_values(form))
        if call is not None:
            messages.success(
                request, _("The call is saved as a draft. Add its funding rules and rubric, then publish.")
            )
            return redirect("programs:call-detail", call_id=call.pk)
    return render(request, "programs/call_form.html", {"form": form, "title": _("New call")})


@login_required
def call_edit(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    if not can_manage_calls(request.user):
        raise PermissionDenied
    initial = {name: getattr(call, name) for name in CallForm.base_fields if hasattr(call, name)}
    initial["eligible_ksic"] = list(call.eligible_ksic.all())
    initial["eligible_regions"] = list(call.eligible_regions.all())
    form = CallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in _call_values(form).items() if k in form.changed_data}
        if run_service(request, call_update, form=form, call=call, actor=request.user, **values):
            messages.success(request, _("Saved."))
            return redirect("programs:call-detail", call_id=call.pk)
    return render(request, "programs/call_form.html", {"form": form, "title": _("Edit call"), "call": call})


@login_required
@require_POST
def call_publish_view(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    if run_service(request, call_publish, call=call, actor=request.user):
        messages.success(request, _("The call is published."))
    return redirect("programs:call-detail", call_id=call.pk)


@login_required
@require_POST
def call_cancel_view(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    if run_service(request, call_cancel, call=call, actor=request.user):
        messages.success(request, _("The call is cancelled."))
    return redirect("programs:call-detail", call_id=call.pk)


@login_required
def funding_rule_edit(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    if not can_manage_calls(request.user):
        raise PermissionDenied
    form = FundingRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = run_service(
            request, funding_rule_set, form=form, call=call, actor=request.user, **form.service_kwargs()
        )
        if rule is not None:
            messages.success(request, _("The funding rule is saved."))
            return redirect("programs:call-detail", call_id=call.pk)
    return render(request, "programs/funding_rule_form.html", {"form": form, "call": call})


@login_required
def rubric_edit(request: HttpRequest, call_id: int) -> HttpResponse:
    call = call_get_for_user(request.user, call_id)
    if not can_manage_calls(request.user):
        raise PermissionDenied
    initial = [
        {
            "code": c.code,
            "name_ko": c.name_ko,
            "name_en": c.name_en,
            "weight": c.weight,
            "max_score": c.max_score,
        }
        for c in call.rubric.all()
    ]
    formset = RubricFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        criteria = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        # Refusals (weights not adding up to 100, rubric already scored) are shown as messages.
        if run_service(request, rubric_set, call=call, actor=request.user, criteria=criteria) is not None:
            messages.success(request, _("The rubric is saved."))
            return redirect("programs:call-detail", call_id=call.pk)
    return render(request, "programs/rubric_form.html", {"formset": formset, "call": call})


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/target_list.html", {"targets": national_target_list(active_only=False)})
