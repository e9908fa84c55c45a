"""Pages of workforce training: the cohort list with the totals toward the 100,000 target, cohort entry
for providers and officials, and provider and course management for officials.

Objects come through the scoped selectors (404 for what the user may not see); roles that may not use a
page get 403; the services decide the rest and their refusals become form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.models import User
from core.views import require, run_service, signed_in_user
from training.forms import (
    CohortFilterForm,
    CohortForm,
    CourseEditForm,
    CourseForm,
    ProviderEditForm,
    ProviderForm,
)
from training.models import ProviderKind, TrainingCohort, TrainingCourse
from training.permissions import can_manage_training, can_record_cohort, can_view_training
from training.selectors import (
    cohort_get_for_user,
    cohort_list_for_user,
    course_get_for_user,
    course_list_for_user,
    provider_get_for_user,
    provider_list_for_user,
    trained_workers,
    training_target_progress,
)
from training.services import (
    cohort_record,
    cohort_update,
    course_create,
    course_update,
    provider_create,
    provider_update,
)

PAGE_SIZE = 50


def _course_choices(user: User, courses: list[TrainingCourse] | None = None) -> list[tuple[int, str]]:
    rows = courses if courses is not None else [c for c in course_list_for_user(user) if c.is_active]
    return [
        (c.pk, f"{c.provider.organisation.name_ko} · {c.title_ko}")
        for c in rows
        if can_record_cohort(user, c.provider)
    ]


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    """Cohorts the user may see with the trained-workers totals per year, cumulative, and the target."""
    user = signed_in_user(request)
    require(can_view_training(user))
    providers = list(provider_list_for_user(user))
    form = CohortFilterForm(
        request.GET or None, providers=[(p.pk, p.organisation.name_ko) for p in providers]
    )
    data = form.cleaned_data if form.is_valid() else {}
    cohorts = cohort_list_for_user(user)
    if data.get("year"):
        cohorts = cohorts.filter(year=data["year"])
    if data.get("kind"):
        cohorts = cohorts.filter(course__provider__kind=data["kind"])
    if data.get("provider"):
        cohorts = cohorts.filter(course__provider_id=data["provider"])
    totals = trained_workers(by="kind")
    kinds = list(ProviderKind.choices)
    context = {
        "form": form,
        "page_obj": Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": totals,
        "kinds": kinds,
        "targets": training_target_progress(totals),
        "can_record": any(can_record_cohort(user, p) for p in providers),
        "can_manage": can_manage_training(user),
        "editable": {p.pk for p in providers if can_record_cohort(user, p)},
    }
    return render(request, "training/cohort_list.html", context)


@login_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    courses = _course_choices(user)
    require(bool(courses) or can_manage_training(user))
    form = CohortForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course = course_get_for_user(user, data.pop("course"))
        made = run_service(request, cohort_record, form=form, actor=user, course=course, **data)
        if made is not None:
            messages.success(request, _("The cohort is recorded."))
            return redirect("training:cohort-list")
    return render(request, "training/cohort_form.html", {"form": form, "cohort": None})


@login_required
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user = signed_in_user(request)
    cohort: TrainingCohort = cohort_get_for_user(user, cohort_id)
    require(can_record_cohort(user, cohort.course.provider))
    initial = {
        "course": cohort.course_id,
        "period_start": cohort.period_start,
        "period_end": cohort.period_end,
        "enrolled": cohort.enrolled,
        "completed": cohort.completed,
        "note": cohort.note,
    }
    form = CohortForm(
        request.POST or None,
        initial=initial,
        courses=_course_choices(user, [cohort.course]),
        fixed_course=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("course")
        done = run_service(request, cohort_update, form=form, cohort=cohort, actor=user, **data)
        if done is not None:
            messages.success(request, _("The cohort is updated."))
            return redirect("training:cohort-list")
    return render(request, "training/cohort_form.html", {"form": form, "cohort": cohort})


# --- providers and courses (officials) --------------------------------------------------------------------


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require(can_view_training(user))
    providers = provider_list_for_user(user)
    courses: dict[int, list[TrainingCourse]] = {}
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    for course in course_list_for_user(user).filter(provider__in=[p.pk for p in page]):
        courses.setdefault(course.provider_id, []).append(course)
    rows = [(p, courses.get(p.pk, [])) for p in page]
    context = {"page_obj": page, "rows": rows, "can_manage": can_manage_training(user)}
    return render(request, "training/provider_list.html", context)


@login_required
def provider_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require(can_manage_training(user))
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = run_service(request, provider_create, form=form, actor=user, **form.cleaned_data)
        if made is not None:
            messages.success(request, _("The training provider is registered."))
            return redirect("training:provider-list")
    return render(request, "training/simple_form.html", {"form": form, "title": _("New training provider")})


@login_required
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    user = signed_in_user(request)
    provider = provider_get_for_user(user, provider_id)
    require(can_manage_training(user))
    initial = {"kind": provider.kind, "region": provider.region_id, "is_active": provider.is_active}
    form = ProviderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request, provider_update, form=form, provider=provider, actor=user, **form.cleaned_data
        )
        if done is not None:
            messages.success(request, _("The training provider is updated."))
            return redirect("training:provider-list")
    title = _("Edit %(name)s") % {"name": provider.organisation.name_ko}
    return render(request, "training/simple_form.html", {"form": form, "title": title})


@login_required
def course_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    user = signed_in_user(request)
    provider = provider_get_for_user(user, provider_id)
    require(can_manage_training(user))
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = run_service(
            request, course_create, form=form, actor=user, provider=provider, **form.cleaned_data
        )
        if made is not None:
            messages.success(request, _("The course is added."))
            return redirect("training:provider-list")
    title = _("New course of %(name)s") % {"name": provider.organisation.name_ko}
    return render(request, "training/simple_form.html", {"form": form, "title": title})


@login_required
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    user = signed_in_user(request)
    course = course_get_for_user(user, course_id)
    require(can_manage_training(user))
    initial = {
        "title_ko": course.title_ko,
        "title_en": course.title_en,
        "level": course.level,
        "hours": course.hours,
        "is_active": course.is_active,
    }
    form = CourseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, course_update, form=form, course=course, actor=user, **form.cleaned_data)
        if done is not None:
            messages.success(request, _("The course is updated."))
            return redirect("training:provider-list")
    title = _("Edit %(name)s") % {"name": course.title_ko}
    return render(request, "training/simple_form.html", {"form": form, "title": title})
