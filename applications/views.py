"""Pages of applications: the list/queue, the multi-step application form, the detail page with its
actions, evaluators' assignments and scoring, and selection for a call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.checks import submission_failures
from applications.filters import ApplicationFilter
from applications.forms import (
    AssignForm,
    DeclarationForm,
    FundingForm,
    NoteForm,
    OverrideForm,
    PlanForm,
    ScoreForm,
    SelectionForm,
    StartForm,
)
from applications.models import Application, ApplicationStatus, ConflictStatus
from applications.permissions import (
    can_assign_evaluators,
    can_confirm_partner_share,
    can_edit_draft,
    can_override_duplicate_flag,
    can_see_evaluations,
)
from applications.selectors import (
    application_get_for_user,
    application_history,
    application_list_for_user,
    assignment_get_for_user,
    assignment_list_for_user,
    assignments_for_application,
    cofunding_agreements_for,
    duplicate_flag_get_for_user,
    duplicate_flags_for,
    evaluators_for_assignment,
    status_counts,
)
from applications.services import (
    application_create_draft,
    application_partner_confirm,
    application_partner_unconfirm,
    application_pass_screening,
    application_select,
    application_submit,
    application_transition,
    application_update_draft,
    assignment_declare,
    assignment_submit_scores,
    duplicate_flag_override,
    evaluator_assign,
    selection_apply,
    selection_preview,
)
from applications.workflow import GENERIC_ACTIONS, TRANSITIONS, available_actions
from companies.selectors import companies_of_user, supplier_list_for_user, workplace_list_for_user
from core.forms import apply_krds_classes
from core.roles import Role
from core.selectors import user_access
from core.views import run_service
from partners.models import WINWIN_TRACKS
from programs.models import Call
from programs.permissions import can_manage_calls
from programs.rules import FundingSplit, check_split
from programs.selectors import call_get_for_user, call_list_for_user, funding_rule_for, rubric_for


def _steps(current: str) -> list[dict[str, Any]]:
    labels = {
        "start": _("Workplace and call"),
        "plan": _("Project plan"),
        "funding": _("Funding"),
        "review": _("Review and submit"),
    }
    order = ["start", "plan", "funding", "review"]
    index = order.index(current)
    return [
        {
            "key": key,
            "label": labels[key],
            "number": i + 1,
            "state": "done" if i < index else "active" if i == index else "",
        }
        for i, key in enumerate(order)
    ]


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """An SME's own applications, or the queue that officials and regional officers work through."""
    access = user_access(request.user)
    base = application_list_for_user(request.user)
    reviewer = access.has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR, Role.FINANCE, Role.SUPPLIER)
    params = request.GET.copy()
    if reviewer and not access.has(Role.SME) and "status" not in params and not params.get("q"):
        # The queue opens on what needs attention; drafts are the applicants' own business.
        params.setlist(
            "status", [ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING, ApplicationStatus.EVALUATION]
        )
    filterset = ApplicationFilter(params, queryset=base.order_by("-id"), request=request)
    apply_krds_classes(filterset.form)
    applications = filterset.qs if filterset.is_valid() else base.none()
    context = {
        "filter": filterset,
        "page_obj": Paginator(applications, 50).get_page(request.GET.get("page")),
        "counts": status_counts(filterset.qs.order_by() if filterset.is_valid() else base.none()),
        "statuses": ApplicationStatus.choices,
        "selected_statuses": params.getlist("status"),
        "is_sme": access.has(Role.SME),
        "is_reviewer": reviewer,
        "open_calls": call_list_for_user(request.user).open_now()[:10] if access.has(Role.SME) else [],
        "show_scores": can_see_evaluations(request.user),
    }
    return render(request, "applications/application_list.html", context)


def _offered_levels(call: Call) -> Any:
    from core.models import TargetLevel

    return TargetLevel.objects.filter(pk__in=call.funding_rules.values("target_level_id")).order_by(
        "sort_order"
    )


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the workplace and target level for a call; creates the draft."""
    if not user_access(request.user).has(Role.SME):
        raise PermissionDenied
    call = call_get_for_user(request.user, request.GET.get("call") or request.POST.get("call") or 0)
    workplaces = workplace_list_for_user(request.user).filter(
        company__in=companies_of_user(request.user), is_active=True
    )
    form = StartForm(request.POST or None, workplaces=workplaces, target_levels=_offered_levels(call))
    if request.method == "POST" and form.is_valid():
        app = run_service(
            request,
            application_create_draft,
            form=form,
            actor=request.user,
            call=call,
            workplace=form.cleaned_data["workplace"],
            target_level=form.cleaned_data["target_level"],
        )
        if app is not None:
            messages.success(
                request, _("A draft is saved. You can come back to it at any time before the deadline.")
            )
            return redirect("applications:edit", application_id=app.pk, step="plan")
    return render(
        request,
        "applications/application_start.html",
        {"form": form, "call": call, "steps": _steps("start"), "has_workplaces": workplaces.exists()},
    )


def _rule_context(app: Application) -> dict[str, Any]:
    rule = funding_rule_for(app.call, app.target_level_id, app.company.size_class.code)
    return {"rule": rule}


@login_required
def application_edit(request: HttpRequest, application_id: int, step: str) -> HttpResponse:
    """Steps 2–4 of the application form. Every step saves the draft."""
    app = application_get_for_user(request.user, application_id)
    if not can_edit_draft(request.user, app):
        messages.info(request, _("This application has been submitted and can no longer be edited."))
        return redirect("applications:detail", application_id=app.pk)
    context: dict[str, Any] = {"application": app, "steps": _steps(step)}
    form: forms.Form
    if step == "plan":
        initial = {
            f: getattr(app, f)
            for f in (
                "title",
                "summary",
                "target_level",
                "current_level",
                "supplier",
                "planned_start",
                "planned_end",
            )
        }
        form = PlanForm(
            request.POST or None,
            initial=initial,
            suppliers=supplier_list_for_user(request.user),
            target_levels=_offered_levels(app.call),
        )
        next_step = "funding"
    elif step == "funding":
        initial = {
            f: getattr(app, f)
            for f in (
                "total_cost_krw",
                "gov_amount_krw",
                "partner_agreement",
                "partner_amount_krw",
                "sme_amount_krw",
                "local_amount_krw",
            )
        }
        form = FundingForm(request.POST or None, initial=initial, agreements=_cofunding_choices(app))
        context.update(_rule_context(app))
        context["winwin"] = app.call.program_type in WINWIN_TRACKS
        next_step = "review"
    elif step == "review":
        now = timezone.now()
        context.update(_rule_context(app))
        context["failures"] = submission_failures(app, now)
        return render(request, "applications/application_review.html", context)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            application_update_draft,
            form=form,
            application=app,
            actor=request.user,
            **form.cleaned_data,
        )
        if saved is not None:
            if "save_only" in request.POST:
                messages.success(request, _("The draft is saved."))
                return redirect("applications:edit", application_id=app.pk, step=step)
            return redirect("applications:edit", application_id=app.pk, step=next_step)
    context["form"] = form
    return render(request, f"applications/application_{step}.html", context)


def _cofunding_choices(app: Application) -> Any:
    """The agreements a win-win application may name; None for calls without a partner firm."""
    if app.call.program_type not in WINWIN_TRACKS:
        return None
    return cofunding_agreements_for(app)


@login_required
@require_POST
def funding_check(request: HttpRequest, application_id: int) -> HttpResponse:
    """htmx: check the amounts being typed against the call's rule, without saving."""
    app = application_get_for_user(request.user, application_id)
    form = FundingForm(request.POST, agreements=_cofunding_choices(app))
    failures: list[Any] = []
    split = None
    rule = funding_rule_for(app.call, app.target_level_id, app.company.size_class.code)
    if form.is_valid() and rule is not None:
        d = form.cleaned_data
        split = FundingSplit(
            total=d["total_cost_krw"] or 0,
            gov=d["gov_amount_krw"] or 0,
            partner=d.get("partner_amount_krw") or 0,
            sme=d["sme_amount_krw"] or 0,
            local=d["local_amount_krw"],
        )
        failures = check_split(rule, split)
    return render(
        request,
        "applications/_funding_check.html",
        {"failures": failures, "split": split, "check_form": form, "rule": rule, "application": app},
    )


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    app = application_get_for_user(request.user, application_id)
    reviewer = can_see_evaluations(request.user)
    assignments = list(assignments_for_application(request.user, app))
    assigned_ids = [a.evaluator_id for a in assignments]
    context = {
        "application": app,
        "history": application_history(app),
        "actions": available_actions(request.user, app),
        "can_edit": can_edit_draft(request.user, app),
        "reviewer": reviewer,
        "flags": duplicate_flags_for(request.user, app),
        "can_override": can_override_duplicate_flag(request.user, app),
        "assignments": assignments,
        "assign_form": (
            AssignForm(evaluators=evaluators_for_assignment(exclude_ids=assigned_ids))
            if can_assign_evaluators(request.user, app)
            and app.status in (ApplicationStatus.SCREENING, ApplicationStatus.EVALUATION)
            else None
        ),
        "note_form": NoteForm(),
        "can_confirm_share": can_confirm_partner_share(request.user, app)
        and app.status == ApplicationStatus.DRAFT,
        "override_form": OverrideForm(),
    }
    return render(request, "applications/application_detail.html", context)


@login_required
@require_POST
def application_act(request: HttpRequest, application_id: int) -> HttpResponse:
    """Apply one workflow action from the detail page's buttons."""
    app = application_get_for_user(request.user, application_id)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    label: Any = ""
    kwargs: dict[str, Any] = {"application": app, "actor": request.user}
    if action == "submit":
        result = run_service(request, application_submit, **kwargs)
        if result is None:
            return redirect("applications:edit", application_id=app.pk, step="review")
    elif action == "pass_screening":
        result = run_service(request, application_pass_screening, note=note, **kwargs)
    elif action == "select":
        result = run_service(request, application_select, note=note, **kwargs)
    elif action == "partner_confirm":
        result = run_service(request, application_partner_confirm, **kwargs)
        label = _("Partner share confirmed")
    elif action == "partner_unconfirm":
        result = run_service(request, application_partner_unconfirm, **kwargs)
        label = _("Partner confirmation withdrawn")
    elif action in GENERIC_ACTIONS:
        result = run_service(request, application_transition, action=action, note=note, **kwargs)
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    if result is not None:
        done = label if action.startswith("partner_") else TRANSITIONS[action].label
        messages.success(request, _("Done: %(action)s.") % {"action": done})
    return redirect("applications:detail", application_id=app.pk)


@login_required
@require_POST
def evaluator_assign_view(request: HttpRequest, application_id: int) -> HttpResponse:
    app = application_get_for_user(request.user, application_id)
    form = AssignForm(request.POST, evaluators=evaluators_for_assignment())
    if form.is_valid():
        if run_service(
            request,
            evaluator_assign,
            application=app,
            actor=request.user,
            evaluator=form.cleaned_data["evaluator"],
        ):
            messages.success(
                request, _("The evaluator is assigned and will be asked to declare any conflict of interest.")
            )
    else:
        messages.error(request, _("Choose an evaluator."))
    return redirect("applications:detail", application_id=app.pk)


@login_required
@require_POST
def duplicate_override_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = duplicate_flag_get_for_user(request.user, flag_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        if run_service(
            request,
            duplicate_flag_override,
            flag=flag,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _("The duplicate-support flag is overridden and the reason recorded."))
    else:
        messages.error(request, _("Give the reason for the override."))
    return redirect("applications:detail", application_id=flag.application_id)


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    assignments = (
        assignment_list_for_user(request.user).filter(evaluator_id=request.user.pk).order_by("-assigned_at")
    )
    return render(
        request,
        "applications/assignment_list.html",
        {"page_obj": Paginator(assignments, 50).get_page(request.GET.get("page"))},
    )


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Declare a conflict of interest first; only then see the application and score it."""
    assignment = assignment_get_for_user(request.user, assignment_id)
    if assignment.evaluator_id != request.user.pk:
        raise Http404
    context: dict[str, Any] = {"assignment": assignment}
    if assignment.conflict_status == ConflictStatus.PENDING:
        form = DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = run_service(
                request,
                assignment_declare,
                form=form,
                assignment=assignment,
                actor=request.user,
                **form.cleaned_data,
            )
            if done is not None:
                return redirect("applications:assignment-detail", assignment_id=assignment.pk)
        context["declaration_form"] = form
        return render(request, "applications/assignment_declare.html", context)
    if assignment.conflict_status == ConflictStatus.CONFLICT:
        return render(request, "applications/assignment_declare.html", context)
    app = application_get_for_user(request.user, assignment.application_id)
    criteria = rubric_for(app.call)
    existing = {s.criterion_id: s.score for s in assignment.scores.all()}
    score_form = ScoreForm(
        request.POST or None,
        criteria=criteria,
        initial_scores=existing,
        initial={"comment": assignment.comment},
    )
    if request.method == "POST" and score_form.is_valid():
        done = run_service(
            request,
            assignment_submit_scores,
            form=score_form,
            assignment=assignment,
            actor=request.user,
            scores=score_form.scores(),
            comment=score_form.cleaned_data["comment"],
        )
        if done is not None:
            messages.success(
                request, _("Your scores are submitted. You can revise them while the evaluation is open.")
            )
            return redirect("applications:assignment-list")
    context.update(
        {
            "application": app,
            "score_form": score_form,
            "can_score": app.status == ApplicationStatus.EVALUATION,
        }
    )
    return render(request, "applications/assignment_score.html", context)


@login_required
def selection(request: HttpRequest, call_id: int) -> HttpResponse:
    """A call's funnel and the 'select the top N by score within budget' preview and apply."""
    call = call_get_for_user(request.user, call_id)
    access = user_access(request.user)
    if not access.has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER):
        raise PermissionDenied
    apps = application_list_for_user(request.user).filter(call=call)
    counts = status_counts(apps)
    funnel = [(value, label, counts.get(value, 0)) for value, label in ApplicationStatus.choices]
    form = SelectionForm(request.POST or None)
    preview = None
    if request.method == "POST":
        if not can_manage_calls(request.user):
            raise PermissionDenied
        if form.is_valid():
            top_n = form.cleaned_data["top_n"]
            if "apply" in request.POST:
                result = run_service(
                    request,
                    selection_apply,
                    form=form,
                    call=call,
                    actor=request.user,
                    top_n=top_n,
                    fingerprint=request.POST.get("fingerprint", ""),
                )
                if result is not None:
                    messages.success(
                        request, _("%(n)s applications are selected.") % {"n": len(result.included_ids)}
                    )
                    return redirect("applications:selection", call_id=call.pk)
            preview = run_service(
                request, selection_preview, form=form, call=call, actor=request.user, top_n=top_n
            )
    call.refresh_from_db()
    context = {
        "call": call,
        "funnel": funnel,
        "funnel_chart": {
            "labels": [str(label) for _v, label, n in funnel if n],
            "values": [n for _v, _l, n in funnel if n],
        },
        "form": form,
        "preview": preview,
        "can_select": can_manage_calls(request.user),
        "queue_url": reverse("applications:list") + f"?call={call.pk}&status=evaluation&ordering=-score",
    }
    partial = request.method == "POST" and getattr(request, "htmx", False)
    template = "applications/_selection_preview.html" if partial else "applications/selection.html"
    return render(request, template, context)
