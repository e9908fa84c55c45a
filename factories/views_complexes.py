"""Pages of leading smart industrial complexes (선도 스마트산단): the list with the count designated
against the target, a complex with its workplaces and factories, and officials' forms.

Officials manage; officials, auditors, regional officers and finance officers see (others get 403 on the
list and 404 on a complex). Services decide the rest; their refusals become form errors or messages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.selectors import workplace_get_for_user
from core.errors import NotFound
from core.forms import DateInput, KrdsForm
from core.models import Region
from core.views import require, run_service, signed_in_user
from factories.complexes import (
    complex_create,
    complex_designate,
    complex_end_designation,
    complex_factories,
    complex_get_for_user,
    complex_list_for_user,
    complex_target_progress,
    complex_update,
    complex_workplace_add,
    complex_workplace_remove,
    complex_workplaces,
    complexes_designated,
)
from factories.models import IndustrialComplex
from factories.permissions import can_manage_complexes, can_view_complexes

PAGE_SIZE = 50


class ComplexForm(KrdsForm):
    name_ko = forms.CharField(label=gettext_lazy("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200)
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=Region.objects.order_by("sort_order")
    )
    operator = forms.CharField(label=gettext_lazy("Operator"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DesignateForm(KrdsForm):
    designated_on = forms.DateField(label=gettext_lazy("Designated on"), widget=DateInput())


class EndDesignationForm(KrdsForm):
    ended_on = forms.DateField(label=gettext_lazy("Designation ended on"), widget=DateInput())


class WorkplaceForm(KrdsForm):
    workplace_id = forms.IntegerField(label=gettext_lazy("Workplace ID"), min_value=1)


@login_required
def complex_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require(can_view_complexes(user))
    today = timezone.localdate()
    context = {
        "page_obj": Paginator(complex_list_for_user(user), PAGE_SIZE).get_page(request.GET.get("page")),
        "designated": complexes_designated(today),
        "targets": complex_target_progress(today),
        "today": today,
        "can_manage": can_manage_complexes(user),
    }
    return render(request, "factories/complexes/list.html", context)


def _detail(
    request: HttpRequest,
    found: IndustrialComplex,
    *,
    designate_form: DesignateForm | None = None,
    end_form: EndDesignationForm | None = None,
    workplace_form: WorkplaceForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    context = {
        "complex": found,
        "is_designated": bool(
            found.designated_on
            and found.designated_on <= today
            and (found.designation_ended_on is None or found.designation_ended_on > today)
        ),
        "members": complex_workplaces(found),
        "factories": Paginator(complex_factories(user, found), PAGE_SIZE).get_page(request.GET.get("page")),
        "can_manage": can_manage_complexes(user),
        "designate_form": designate_form or DesignateForm(),
        "end_form": end_form or EndDesignationForm(),
        "workplace_form": workplace_form or WorkplaceForm(),
    }
    return render(request, "factories/complexes/detail.html", context)


@login_required
def complex_detail(request: HttpRequest, complex_id: int) -> HttpResponse:
    return _detail(request, complex_get_for_user(request.user, complex_id))


@login_required
def complex_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require(can_manage_complexes(user))
    form = ComplexForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = run_service(request, complex_create, form=form, actor=user, **form.cleaned_data)
        if made is not None:
            messages.success(request, _("The industrial complex is registered."))
            return redirect("complexes:detail", made.pk)
    return render(request, "factories/complexes/form.html", {"form": form, "complex": None})


@login_required
def complex_edit(request: HttpRequest, complex_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = complex_get_for_user(user, complex_id)
    require(can_manage_complexes(user))
    initial = {
        "name_ko": found.name_ko,
        "name_en": found.name_en,
        "region": found.region_id,
        "operator": found.operator,
        "description": found.description,
    }
    form = ComplexForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, complex_update, form=form, complex=found, actor=user, **form.cleaned_data)
        if done is not None:
            messages.success(request, _("The industrial complex is updated."))
            return redirect("complexes:detail", found.pk)
    return render(request, "factories/complexes/form.html", {"form": form, "complex": found})


@login_required
def complex_designate_view(request: HttpRequest, complex_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = complex_get_for_user(user, complex_id)
    require(can_manage_complexes(user))
    if request.method != "POST":
        return redirect("complexes:detail", found.pk)
    form = DesignateForm(request.POST)
    done = (
        run_service(request, complex_designate, form=form, complex=found, actor=user, **form.cleaned_data)
        if form.is_valid()
        else None
    )
    if done is not None:
        messages.success(request, _("The designation is recorded."))
        return redirect("complexes:detail", found.pk)
    return _detail(request, found, designate_form=form)


@login_required
def complex_end_view(request: HttpRequest, complex_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = complex_get_for_user(user, complex_id)
    require(can_manage_complexes(user))
    if request.method != "POST":
        return redirect("complexes:detail", found.pk)
    form = EndDesignationForm(request.POST)
    done = (
        run_service(
            request, complex_end_designation, form=form, complex=found, actor=user, **form.cleaned_data
        )
        if form.is_valid()
        else None
    )
    if done is not None:
        messages.success(request, _("The end of the designation is recorded."))
        return redirect("complexes:detail", found.pk)
    return _detail(request, found, end_form=form)


@login_required
def complex_workplace_add_view(request: HttpRequest, complex_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = complex_get_for_user(user, complex_id)
    require(can_manage_complexes(user))
    if request.method != "POST":
        return redirect("complexes:detail", found.pk)
    form = WorkplaceForm(request.POST)
    if form.is_valid():
        try:
            workplace = workplace_get_for_user(user, form.cleaned_data["workplace_id"])
        except NotFound:
            form.add_error("workplace_id", _("No such workplace."))
        else:
            if run_service(
                request, complex_workplace_add, form=form, complex=found, actor=user, workplace=workplace
            ):
                messages.success(request, _("The workplace is placed inside the complex."))
                return redirect("complexes:detail", found.pk)
    return _detail(request, found, workplace_form=form)


@login_required
def complex_workplace_remove_view(request: HttpRequest, complex_id: int, workplace_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = complex_get_for_user(user, complex_id)
    require(can_manage_complexes(user))
    if request.method == "POST":
        workplace = workplace_get_for_user(user, workplace_id)
        done = run_service(request, complex_workplace_remove, complex=found, actor=user, workplace=workplace)
        if done is not None:
            messages.success(request, _("The workplace is taken out of the complex."))
    return redirect("complexes:detail", found.pk)
