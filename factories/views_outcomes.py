"""Pages of outcome reports (성과 보고): the list (an SME's own reports with what is overdue or due first;
for officials and regional officers a review queue with filters and an overdue badge), a report with its
review actions and history, the SME's submission form (before and after side by side), and a call's
reporting schedule.

Objects are fetched through the scoped selectors (404 for what the user may not see); roles that may
not use a page get 403; services decide the rest and their refusals become messages or form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Role
from core.selectors import user_access
from core.views import require, run_service, signed_in_user
from factories.forms_outcomes import (
    ALL,
    MEASURE_LABELS,
    OPEN,
    AcceptForm,
    OutcomeFilterForm,
    OutcomeReportForm,
    ReturnForm,
    ScheduleForm,
)
from factories.models import OUTCOME_MEASURES, OutcomeReport, OutcomeStatus
from factories.outcomes_selectors import (
    outcome_report_get_for_user,
    outcome_report_history,
    outcome_report_list_for_user,
    overdue_q,
)
from factories.outcomes_services import (
    SUBMITTABLE_STATUSES,
    outcome_report_accept,
    outcome_report_return,
    outcome_report_submit,
    outcome_schedule_set,
    schedule_for_call,
)
from factories.permissions import can_review_outcome, can_submit_outcome
from programs.models import Call
from programs.selectors import call_get_for_user

PAGE_SIZE = 50
PAGE_ROLES = (Role.SME, Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR)
STATUS_BADGES = {
    OutcomeStatus.DUE: "bg-light-information",
    OutcomeStatus.SUBMITTED: "bg-light-warning",
    OutcomeStatus.ACCEPTED: "bg-success",
    OutcomeStatus.RETURNED: "bg-light-danger",
}


def _call_choices() -> list[tuple[int, str]]:
    calls = Call.objects.order_by("-fiscal_year", "round", "program_type").only(
        "pk", "fiscal_year", "round", "program_type"
    )
    return [(c.pk, f"{c.year_round} {c.get_program_type_display()}") for c in calls]


def detail_url(report_id: int) -> str:
    return reverse("outcomes:detail", args=[report_id])


@login_required
def outcome_list(request: HttpRequest) -> HttpResponse:
    """SMEs: their reports, overdue and due first. Reviewers: the queue (submitted first by default)."""
    user = signed_in_user(request)
    access = user_access(user)
    require(access.has(*PAGE_ROLES))
    is_reviewer = access.has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR)
    form = OutcomeFilterForm(request.GET or None, calls=_call_choices())
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    base = outcome_report_list_for_user(user, today)
    if data.get("call"):
        base = base.filter(factory__call_id=data["call"])
    if data.get("year"):
        base = base.filter(due_on__year=data["year"])
    status = data.get("status") or (OPEN if is_reviewer else ALL)
    listed = base
    if data.get("overdue"):
        listed = listed.filter(overdue_q(today))
    if status == OPEN:
        # Reviewers act on submitted reports; SMEs on due and returned ones.
        wanted = [OutcomeStatus.SUBMITTED] if is_reviewer else list(SUBMITTABLE_STATUSES)
        listed = listed.filter(status__in=wanted)
    elif status != ALL:
        listed = listed.filter(status=status)
    if is_reviewer and status in (OPEN, OutcomeStatus.SUBMITTED):
        listed = listed.order_by("submitted_at", "id")  # oldest submission first
    counts = base.order_by().aggregate(
        overdue=Count("id", filter=overdue_q(today)),
        **{s.value: Count("id", filter=Q(status=s)) for s in OutcomeStatus},
    )
    context = {
        "form": form,
        "status": status,
        "is_reviewer": is_reviewer,
        "page_obj": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "overdue_count": counts.pop("overdue"),
        "status_counts": [(value, label, counts[value]) for value, label in OutcomeStatus.choices],
        "status_badges": STATUS_BADGES,
    }
    return render(request, "factories/outcomes/list.html", context)


def _values(report: OutcomeReport) -> list[tuple[object, str, object, object]]:
    return [
        (MEASURE_LABELS[stem], kind, getattr(report, f"{stem}_before"), getattr(report, f"{stem}_after"))
        for stem, _label, kind in OUTCOME_MEASURES
    ]


def _detail_page(
    request: HttpRequest,
    report: OutcomeReport,
    *,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    can_review = can_review_outcome(user, report) and report.status == OutcomeStatus.SUBMITTED
    context = {
        "report": report,
        "factory": report.factory,
        "values": _values(report),
        "history": outcome_report_history(report),
        "can_submit": can_submit_outcome(user, report) and report.status in SUBMITTABLE_STATUSES,
        "period_ended": timezone.localdate() > report.period_end,
        "can_review": can_review,
        "accept_form": AcceptForm() if can_review else None,
        "return_form": return_form or (ReturnForm() if can_review else None),
        "status_badges": STATUS_BADGES,
    }
    return render(request, "factories/outcomes/detail.html", context)


@login_required
def outcome_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report: its period, values before and after, status history, and the review actions."""
    report = outcome_report_get_for_user(request.user, report_id)
    require(user_access(request.user).has(*PAGE_ROLES))
    return _detail_page(request, report)


@login_required
def outcome_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """The factory's SME fills in before and after of each measure and submits."""
    report = outcome_report_get_for_user(request.user, report_id)
    user = signed_in_user(request)
    require(can_submit_outcome(user, report))
    if request.method == "POST":
        form = OutcomeReportForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                outcome_report_submit,
                form=form,
                report=report,
                actor=user,
                values=form.values(),
                note=form.cleaned_data["note"],
            )
            if done is not None:
                messages.success(request, _("The outcome report is submitted for review."))
                return redirect(detail_url(report.pk))
    else:
        initial = {
            name: getattr(report, name)
            for stem, _l, _k in OUTCOME_MEASURES
            for name in (f"{stem}_before", f"{stem}_after")
        }
        if report.sequence > 1 and all(v is None for v in initial.values()):
            # The baseline rarely changes between reports: start from the previous report's.
            previous = (
                OutcomeReport.objects.filter(factory_id=report.factory_id, sequence__lt=report.sequence)
                .exclude(submitted_at=None)
                .order_by("-sequence")
                .first()
            )
            if previous is not None:
                for stem, _l, _k in OUTCOME_MEASURES:
                    initial[f"{stem}_before"] = getattr(previous, f"{stem}_before")
        form = OutcomeReportForm(initial={**initial, "note": report.note})
    context = {
        "report": report,
        "factory": report.factory,
        "form": form,
        "editable": report.status in SUBMITTABLE_STATUSES,
        "period_ended": timezone.localdate() > report.period_end,
        "status_badges": STATUS_BADGES,
    }
    return render(request, "factories/outcomes/submit.html", context)


@login_required
def outcome_review(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    """Accept a submitted report, or return it with a note (officials, the region's officers)."""
    report = outcome_report_get_for_user(request.user, report_id)
    user = signed_in_user(request)
    require(can_review_outcome(user, report))
    if request.method != "POST":
        return redirect(detail_url(report.pk))
    if action == "accept":
        accept_form = AcceptForm(request.POST)
        note = accept_form.cleaned_data["note"] if accept_form.is_valid() else ""
        if run_service(request, outcome_report_accept, report=report, actor=user, note=note) is not None:
            messages.success(request, _("The outcome report is accepted."))
        return redirect(detail_url(report.pk))
    if action == "return":
        form = ReturnForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                outcome_report_return,
                form=form,
                report=report,
                actor=user,
                note=form.cleaned_data["note"],
            )
            if done is not None:
                messages.success(request, _("The outcome report is returned to the company for correction."))
                return redirect(detail_url(report.pk))
        return _detail_page(request, outcome_report_get_for_user(user, report_id), return_form=form)
    raise Http404


@login_required
def outcome_schedule(request: HttpRequest, call_id: int) -> HttpResponse:
    """A call's outcome reporting schedule (officials set it; reviewers read it)."""
    call = call_get_for_user(request.user, call_id)
    user = signed_in_user(request)
    access = user_access(user)
    require(access.has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR))
    can_set = access.has(Role.OFFICIAL)
    current = schedule_for_call(call)
    initial = {
        "reports": current.reports,
        "interval_months": current.interval_months,
        "due_days": current.due_days,
    }
    if request.method == "POST":
        require(can_set)
        form = ScheduleForm(request.POST)
        if form.is_valid():
            done = run_service(
                request, outcome_schedule_set, form=form, call=call, actor=user, **form.cleaned_data
            )
            if done is not None:
                messages.success(request, _("The reporting schedule of the call is saved."))
                return redirect("outcomes:schedule", call_id=call.pk)
    else:
        form = ScheduleForm(initial=initial)
    context = {"call": call, "current": current, "form": form, "can_set": can_set}
    return render(request, "factories/outcomes/schedule.html", context)
