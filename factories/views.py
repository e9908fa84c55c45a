"""Pages of the factory register: the register with filters and totals, a factory with its workplace's
level history, completing a project (from the application page), a workplace's level history with the
level confirmation form (수준확인), and closing a factory.

Objects are fetched through the scoped selectors (404 for what the user may not see); roles that may not
use a page get 403; services decide the rest and their refusals become form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from applications.selectors import application_get_for_user
from core.forms import apply_krds_classes
from core.roles import Role
from core.selectors import user_access
from core.views import require, run_service, signed_in_user
from factories.forms import ClosureForm, CompletionForm, FactoryFilter, LevelConfirmationForm
from factories.models import Factory
from factories.permissions import (
    can_close_factory,
    can_manage_region,
    can_record_completion,
    can_record_level,
)
from factories.selectors import (
    factory_get_for_user,
    factory_list_for_user,
    factory_register_for_user,
    factory_support_paid_krw,
    factory_totals,
    workplace_factories,
    workplace_get_for_levels,
    workplace_level_history,
)
from factories.services import factory_close, factory_record_completion, level_confirmation_record

PAGE_SIZE = 50
REGISTER_ROLES = (
    Role.SME,
    Role.OFFICIAL,
    Role.AUDITOR,
    Role.REGIONAL_OFFICER,
    Role.FINANCE,
    Role.PARTNER,
)


def factory_url(factory: Factory) -> str:
    return reverse("factories:detail", args=[factory.pk])


@login_required
def factory_list(request: HttpRequest) -> HttpResponse:
    """The factory register: filters, totals of what is filtered (counted, active, closed, sunk
    support) and one page of factories."""
    user = signed_in_user(request)
    require(user_access(user).has(*REGISTER_ROLES))
    filterset = FactoryFilter(request.GET, queryset=factory_register_for_user(user), request=request)
    apply_krds_classes(filterset.form)
    valid = filterset.is_valid()
    listed = filterset.qs if valid else factory_register_for_user(user).none()
    # Totals of the same filters, without the list's per-row annotations.
    base = FactoryFilter(request.GET, queryset=factory_list_for_user(user))
    totals = factory_totals(base.qs if valid else factory_list_for_user(user).none())
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": totals,
    }
    return render(request, "factories/factory_list.html", context)


@login_required
def factory_detail(request: HttpRequest, factory_id: int) -> HttpResponse:
    """A factory: where and what it is, how it counts, its support (sunk once closed) and its
    workplace's level history."""
    factory = factory_get_for_user(request.user, factory_id)
    user = signed_in_user(request)
    history = list(workplace_level_history(factory.workplace))
    paid = factory_support_paid_krw(factory)
    context = {
        "factory": factory,
        "history": history,
        "current": history[-1] if history else None,
        "support_paid_krw": paid,
        "sunk_support_krw": paid if factory.is_closed else 0,
        "other_factories": workplace_factories(user, factory.workplace).exclude(pk=factory.pk),
        "can_close": can_close_factory(user, factory),
        "can_record_level": can_record_level(user, factory.workplace.region_id),
    }
    return render(request, "factories/factory_detail.html", context)


@login_required
def factory_complete(request: HttpRequest, application_id: int) -> HttpResponse:
    """Pass a project's final inspection: complete it and record its factory (from the application
    page's 'Complete' action)."""
    app = application_get_for_user(request.user, application_id)
    user = signed_in_user(request)
    require(can_record_completion(user, app.region_id))
    form = CompletionForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        factory = run_service(
            request,
            factory_record_completion,
            form=form,
            application=app,
            actor=user,
            completed_on=data["completed_on"],
            level=data["level"],
            confirming_body=data["confirming_body"],
            note=data["note"],
        )
        if factory is not None:
            messages.success(
                request,
                _("The project is completed and its factory recorded (%(year)s, %(counted)s).")
                % {
                    "year": factory.completion_year,
                    "counted": _("counted") if factory.counted else _("not counted again this year"),
                },
            )
            return redirect(factory_url(factory))
    context = {
        "application": app,
        "form": form,
        "in_final_inspection": app.status == ApplicationStatus.FINAL_INSPECTION,
        "agreement": getattr(app, "agreement", None),
    }
    return render(request, "factories/completion_form.html", context)


@login_required
def workplace_levels(request: HttpRequest, workplace_id: int) -> HttpResponse:
    """A workplace's level history (수준확인 이력), with the form to record a confirmation for officials
    and the workplace's regional center."""
    workplace = workplace_get_for_levels(request.user, workplace_id)
    user = signed_in_user(request)
    may_record = can_record_level(user, workplace.region_id)
    if request.method == "POST":
        require(may_record)
    form = LevelConfirmationForm(request.POST or None) if may_record else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        made = run_service(
            request,
            level_confirmation_record,
            form=form,
            workplace=workplace,
            actor=user,
            level=data["level"],
            confirmed_on=data["confirmed_on"],
            confirming_body=data["confirming_body"],
            certificate_number=data["certificate_number"],
            self_built=data["self_built"],
            note=data["note"],
        )
        if made is not None:
            messages.success(
                request,
                _("Level %(level)s confirmed on %(day)s is recorded.")
                % {"level": made.level.code, "day": made.confirmed_on.isoformat()},
            )
            return redirect("factories:workplace-levels", workplace_id=workplace.pk)
    history = list(workplace_level_history(workplace))
    context = {
        "workplace": workplace,
        "history": history,
        "current": history[-1] if history else None,
        "factories": workplace_factories(user, workplace),
        "form": form,
    }
    return render(request, "factories/workplace_levels.html", context)


@login_required
def factory_close_view(request: HttpRequest, factory_id: int) -> HttpResponse:
    """Mark a factory closed with the date and reason; its support stays visible as sunk support."""
    factory = factory_get_for_user(request.user, factory_id)
    user = signed_in_user(request)
    require(can_manage_region(user, factory.region_id))
    if factory.is_closed:
        messages.info(request, _("This factory is already closed."))
        return redirect(factory_url(factory))
    form = ClosureForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        closed = run_service(
            request,
            factory_close,
            form=form,
            factory=factory,
            actor=user,
            closed_on=data["closed_on"],
            reason=data["reason"],
            note=data["note"],
        )
        if closed is not None:
            messages.success(
                request, _("The factory is marked closed. It stays counted in its completion year.")
            )
            return redirect(factory_url(factory))
    context = {"factory": factory, "form": form, "support_paid_krw": factory_support_paid_krw(factory)}
    return render(request, "factories/closure_form.html", context)
