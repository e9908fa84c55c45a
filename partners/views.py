"""Pages of win-win partnerships (상생 협력): agreements with their pledge and matches, consortia,
supply-chain ties, the SME's match inbox, match detail with its actions and mentoring log, and mentors.

Objects are fetched only through the scoped selectors (404 for what the user may not see); services
decide what the user may change (403 pages, or form errors for refusals)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from companies.models import Company
from core.errors import ValidationFailed
from core.identifiers import format_brn
from core.models import Organisation
from core.roles import Role
from core.selectors import user_access
from core.views import require, run_service, signed_in_user
from partners.forms import (
    ActivityForm,
    AgreementCreateForm,
    AgreementUpdateForm,
    ConsortiumForm,
    MentorEditForm,
    MentorForm,
    ProposeForm,
    TiesForm,
    own_partner_firm,
    visible_partner_firms,
)
from partners.models import (
    LIVE_MATCH_STATES,
    AgreementStatus,
    Consortium,
    Match,
    MatchStatus,
    WinWinAgreement,
)
from partners.permissions import (
    can_manage_agreement,
    can_manage_consortia,
    can_manage_partner_data,
    can_propose_match,
)
from partners.selectors import (
    activity_list_for_user,
    agreement_get_for_user,
    agreement_list_for_user,
    consortium_list_for_user,
    match_get_for_user,
    match_history,
    match_list_for_user,
    mentor_get_for_user,
    mentor_list_for_user,
    tie_get_for_user,
    tie_list_for_user,
)
from partners.services import (
    MENTORING_STATES,
    agreement_create,
    agreement_update,
    consortium_create,
    match_propose,
    match_transition,
    mentor_create,
    mentor_update,
    mentoring_activity_log,
    supply_chain_tie_remove,
    supply_chain_ties_add,
)
from partners.workflow import MATCH_TRANSITIONS, available_match_actions
from programs.models import ProgramType

MATCH_BADGES = {
    MatchStatus.PROPOSED: "bg-light-warning",
    MatchStatus.ACCEPTED: "bg-light-information",
    MatchStatus.ACTIVE: "bg-light-primary",
    MatchStatus.COMPLETED: "bg-success",
    MatchStatus.ENDED: "bg-light-gray",
}
AGREEMENT_BADGES = {
    AgreementStatus.DRAFT: "bg-light-gray",
    AgreementStatus.ACTIVE: "bg-light-success",
    AgreementStatus.CLOSED: "bg-light-gray",
}
PAGE_SIZE = 50


def _work_with_partnerships(user: Any) -> bool:
    """Partner firms, institutions, officials and auditors use the agreements pages."""
    return user_access(user).has(Role.PARTNER, Role.INSTITUTION, Role.OFFICIAL, Role.AUDITOR)


def _int_param(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def _common(request: HttpRequest) -> dict[str, Any]:
    """Context every win-win page shares: badge colours and which links of the sub-menu to show."""
    return {
        "match_badges": MATCH_BADGES,
        "agreement_badges": AGREEMENT_BADGES,
        "show_mentors": user_access(request.user).has(Role.PARTNER, Role.OFFICIAL, Role.AUDITOR),
    }


def track_labels(tracks: list[str]) -> list[str]:
    return [str(ProgramType(t).label) if t in ProgramType.values else t for t in tracks]


def reason_texts(reasons: Any) -> list[str]:
    """Readable lines of a match's fit reasons, whatever shape the proposer stored them in."""
    if not isinstance(reasons, list):
        return []
    out = []
    for item in reasons:
        if isinstance(item, dict):
            points = item.get("points")
            if isinstance(points, int) and points <= 0:
                continue  # a criterion the pair does not meet is no reason for the match
            text = next((item[k] for k in ("label", "text", "message", "reason", "code") if item.get(k)), "")
            out.append(
                f"{text} (+{points})" if isinstance(points, int) and points > 0 and text else str(text)
            )
        elif item:
            out.append(str(item))
    return [line for line in out if line]


# --- agreements ------------------------------------------------------------------------------------


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    require(_work_with_partnerships(request.user))
    base = agreement_list_for_user(request.user)
    agreements = base.annotate(live_matches=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATES)))
    year = _int_param(request.GET.get("fiscal_year"))
    status = request.GET.get("status", "")
    consortium_id = _int_param(request.GET.get("consortium"))
    if consortium_id:
        agreements = agreements.filter(consortium_id=consortium_id)
    if year:
        agreements = agreements.filter(fiscal_year=year)
    if status in AgreementStatus.values:
        agreements = agreements.filter(status=status)
    access = user_access(request.user)
    context = {
        "page_obj": Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page")),
        "years": base.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct(),
        "year": year,
        "status": status,
        "statuses": AgreementStatus.choices,
        "can_create_agreement": access.has(Role.OFFICIAL) or access.has(Role.INSTITUTION),
        "can_create_consortium": can_manage_consortia(request.user),
        "is_partner": access.has(Role.PARTNER),
        "is_ministry": access.has(Role.OFFICIAL, Role.AUDITOR),
        **_common(request),
    }
    return render(request, "partners/agreement_list.html", context)


@login_required
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, agreement_id)
    matches = match_list_for_user(request.user).filter(agreement=agreement)
    counts = dict(matches.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    live = sum(n for s, n in counts.items() if s in LIVE_MATCH_STATES)
    status = request.GET.get("status", "")
    listed = matches.filter(status=status) if status in MatchStatus.values else matches
    partner_id = agreement.consortium.partner_id
    context = {
        "agreement": agreement,
        "track_labels": track_labels(agreement.tracks),
        "live_matches": live,
        "match_counts": [(v, label, counts.get(v, 0)) for v, label in MatchStatus.choices],
        "status": status,
        "page_obj": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "ties_count": tie_list_for_user(request.user).filter(partner_id=partner_id).count(),
        "can_edit": can_manage_agreement(request.user, agreement.consortium),
        "can_propose": agreement.status == AgreementStatus.ACTIVE
        and can_propose_match(request.user, agreement),
        "can_manage_partner": can_manage_partner_data(request.user, partner_id),
        "quota_full": live >= agreement.mentee_quota,
        **_common(request),
    }
    return render(request, "partners/agreement_detail.html", context)


def _manageable_consortia(user: Any) -> QuerySet[Consortium]:
    """Consortia whose agreements the user may record: all for officials, administered ones for an
    institution."""
    consortia = consortium_list_for_user(user)
    access = user_access(user)
    if access.has(Role.OFFICIAL):
        return consortia
    return consortia.filter(institution_id__in=access.orgs(Role.INSTITUTION))


def _agreement_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["regions"] = list(values.get("regions") or [])
    values["industries"] = list(values.get("industries") or [])
    return values


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    consortia = _manageable_consortia(request.user)
    require(user_access(request.user).has(Role.OFFICIAL) or consortia.exists())
    initial: dict[str, Any] = {"tracks": []}
    chosen = _int_param(request.GET.get("consortium"))
    if chosen:
        initial["consortium"] = chosen
    form = AgreementCreateForm(request.POST or None, consortia=consortia, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _agreement_values(form.cleaned_data)
        agreement = run_service(request, agreement_create, form=form, actor=request.user, **values)
        if agreement is not None:
            messages.success(request, _("The agreement is recorded."))
            return redirect("partners:agreement-detail", agreement_id=agreement.pk)
    return render(
        request, "partners/agreement_form.html", {"form": form, "title": _("New win-win agreement")}
    )


@login_required
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, agreement_id)
    require(can_manage_agreement(request.user, agreement.consortium))
    initial = {
        "pledged_krw": agreement.pledged_krw,
        "mentee_quota": agreement.mentee_quota,
        "tracks": list(agreement.tracks),
        "signed_on": agreement.signed_on,
        "status": agreement.status,
        "regions": list(agreement.regions.all()),
        "industries": list(agreement.industries.all()),
    }
    form = AgreementUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _agreement_values(form.cleaned_data)
        changes = {k: v for k, v in values.items() if k in form.changed_data}
        saved = run_service(
            request, agreement_update, form=form, agreement=agreement, actor=request.user, **changes
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("partners:agreement-detail", agreement_id=agreement.pk)
    return render(
        request,
        "partners/agreement_form.html",
        {"form": form, "title": _("Edit win-win agreement"), "agreement": agreement},
    )


# --- consortia -------------------------------------------------------------------------------------


@login_required
def consortium_list(request: HttpRequest) -> HttpResponse:
    require(_work_with_partnerships(request.user))
    consortia = consortium_list_for_user(request.user).annotate(n_agreements=Count("agreements"))
    context = {
        "page_obj": Paginator(consortia.order_by("name_ko", "id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "can_create": can_manage_consortia(request.user),
        "can_create_agreement": user_access(request.user).has(Role.OFFICIAL, Role.INSTITUTION),
        **_common(request),
    }
    return render(request, "partners/consortium_list.html", context)


@login_required
def consortium_new(request: HttpRequest) -> HttpResponse:
    require(can_manage_consortia(request.user))
    form = ConsortiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consortium = run_service(
            request, consortium_create, form=form, actor=request.user, **form.cleaned_data
        )
        if consortium is not None:
            messages.success(request, _("The consortium is formed. Record its agreement next."))
            return redirect(reverse("partners:agreement-new") + f"?consortium={consortium.pk}")
    return render(request, "partners/consortium_form.html", {"form": form})


# --- supply-chain ties -----------------------------------------------------------------------------


def _chosen_partner(request: HttpRequest) -> Organisation | None:
    """The partner firm a page is about: ?partner=ID (404 if not visible), else the user's own one."""
    partner_id = request.GET.get("partner") or request.POST.get("partner")
    if partner_id:
        firm = visible_partner_firms(request.user).filter(pk=_int_param(partner_id) or 0).first()
        if firm is None:
            raise Http404
        return firm
    return own_partner_firm(request.user)


@login_required
def tie_list(request: HttpRequest) -> HttpResponse:
    require(_work_with_partnerships(request.user))
    partner = _chosen_partner(request)
    firms = visible_partner_firms(request.user)
    if partner is None:
        # Officials, auditors and institutions first choose whose supply chain to look at.
        return render(
            request, "partners/tie_list.html", {"partner": None, "firms": firms, **_common(request)}
        )
    can_manage = can_manage_partner_data(request.user, partner.pk)
    form = TiesForm(request.POST or None)
    if request.method == "POST":
        require(can_manage)
        if form.is_valid() and _add_ties(request, form, partner):
            return redirect(reverse("partners:tie-list") + f"?partner={partner.pk}")
    ties = tie_list_for_user(request.user).filter(partner=partner)
    q = request.GET.get("q", "").strip()
    if q:
        digits = q.replace("-", "")
        ties = ties.filter(brn__startswith=digits) if digits.isdigit() else ties.filter(name__icontains=q)
    page = Paginator(ties.order_by("brn"), PAGE_SIZE).get_page(request.GET.get("page"))
    for tie in page.object_list:
        tie.brn_display = format_brn(tie.brn)  # type: ignore[attr-defined]
    registered = set(
        Company.objects.filter(brn__in=[t.brn for t in page.object_list]).values_list("brn", flat=True)
    )
    context = {
        "partner": partner,
        "firms": firms,
        "form": form if can_manage else None,
        "page_obj": page,
        "registered": registered,
        "q": q,
        "can_manage": can_manage,
        **_common(request),
    }
    return render(request, "partners/tie_list.html", context)


def _add_ties(request: HttpRequest, form: TiesForm, partner: Organisation) -> bool:
    """Run the all-or-nothing service; its per-line refusals become errors naming the pasted line."""
    entries = TiesForm.entries_of(form.cleaned_data["lines"])
    try:
        ties = supply_chain_ties_add(
            actor=signed_in_user(request),
            partner=partner,
            entries=[(brn, name) for _line, brn, name in entries],
        )
    except ValidationFailed as exc:
        for key, msgs in exc.fields.items():
            index = _line_index(key)
            if index is None or index >= len(entries):
                for msg in msgs:
                    form.add_error(None, str(msg))
                continue
            line, brn, _name = entries[index]
            for msg in msgs:
                form.add_error(
                    "lines",
                    _("Line %(line)s (%(brn)s): %(message)s") % {"line": line, "brn": brn, "message": msg},
                )
        form.add_error(None, str(exc.message))
        return False
    messages.success(request, _("%(n)s supply-chain companies are recorded.") % {"n": len(ties)})
    return True


def _line_index(key: str) -> int | None:
    """'line 3' (the service's 1-based entry number) → index 2."""
    head, _sep, number = key.partition(" ")
    return int(number) - 1 if head == "line" and number.isdigit() else None


@login_required
def tie_remove(request: HttpRequest, tie_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseBadRequest()
    tie = tie_get_for_user(request.user, tie_id)
    supply_chain_tie_remove(actor=signed_in_user(request), tie=tie)  # its only refusal is a 403
    messages.success(request, _("The supply-chain tie is removed."))
    return redirect(reverse("partners:tie-list") + f"?partner={tie.partner_id}")


# --- matches ---------------------------------------------------------------------------------------


def proposal_candidates(user: Any, agreement: WinWinAgreement) -> QuerySet[Company]:
    """Registered companies of the partner firm's supply chain without a live match under the agreement."""
    brns = tie_list_for_user(user).filter(partner_id=agreement.consortium.partner_id).values("brn")
    matched = Match.objects.filter(agreement=agreement).exclude(status=MatchStatus.ENDED).values("company_id")
    return (
        Company.objects.filter(brn__in=brns)
        .exclude(pk__in=matched)
        .select_related("organisation")
        .order_by("organisation__name_ko", "id")
    )


@login_required
def match_propose_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, agreement_id)
    require(can_propose_match(request.user, agreement))
    form = ProposeForm(request.POST or None, candidates=proposal_candidates(request.user, agreement))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        match = run_service(
            request,
            match_propose,
            form=form,
            actor=request.user,
            agreement=agreement,
            company=data["company"],
            score=data.get("score"),
            note=data.get("note") or "",
        )
        if match is not None:
            messages.success(request, _("The match is proposed. The company will see it in its match inbox."))
            return redirect("partners:match-detail", match_id=match.pk)
    return render(request, "partners/match_propose.html", {"form": form, "agreement": agreement})


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    """The SME's match inbox (proposals to answer, current matches); for partner firms, institutions,
    officials and auditors, the matches they may see with filters."""
    access = user_access(request.user)
    matches = match_list_for_user(request.user)
    if access.has(Role.SME) and not _work_with_partnerships(request.user):
        own = matches.filter(company__organisation_id__in=access.orgs(Role.SME))
        proposed = list(own.filter(status=MatchStatus.PROPOSED))
        for match in proposed:
            match.reason_lines = reason_texts(match.reasons)  # type: ignore[attr-defined]
        context = {
            "proposed": proposed,
            "current": own.exclude(status=MatchStatus.PROPOSED)[:200],
            **_common(request),
        }
        return render(request, "partners/match_inbox.html", context)
    require(_work_with_partnerships(request.user))
    status = request.GET.get("status", "")
    year = _int_param(request.GET.get("fiscal_year"))
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    if year:
        matches = matches.filter(agreement__fiscal_year=year)
    q = request.GET.get("q", "").strip()
    if q:
        digits = q.replace("-", "")
        matches = (
            matches.filter(company__brn__startswith=digits)
            if digits.isdigit()
            else matches.filter(company__organisation__name_ko__icontains=q)
        )
    context = {
        "page_obj": Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page")),
        "statuses": MatchStatus.choices,
        "status": status,
        "year": year,
        "q": q,
        **_common(request),
    }
    return render(request, "partners/match_list.html", context)


@login_required
def match_detail(request: HttpRequest, match_id: int) -> HttpResponse:
    """A match: its actions, history and mentoring log; POST records a mentoring session."""
    match = match_get_for_user(request.user, match_id)
    partner_id = match.agreement.consortium.partner_id
    can_log = match.status in MENTORING_STATES and can_manage_partner_data(request.user, partner_id)
    mentors = mentor_list_for_user(request.user).filter(partner_id=partner_id, is_active=True)
    form = ActivityForm(request.POST or None, mentors=mentors) if can_log else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            activity = run_service(
                request,
                mentoring_activity_log,
                form=form,
                actor=request.user,
                match=match,
                **form.cleaned_data,
            )
            if activity is not None:
                messages.success(request, _("The mentoring session is recorded."))
                return redirect("partners:match-detail", match_id=match.pk)
    activities = activity_list_for_user(request.user).filter(match=match).order_by("-date", "-id")
    totals = activities.aggregate(hours=Sum("hours"), sessions=Count("id"))
    context = {
        "match": match,
        "reason_lines": reason_texts(match.reasons),
        "history": match_history(match),
        "actions": available_match_actions(request.user, match),
        "activities": Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page")),
        "hours_total": totals["hours"] or 0,
        "sessions_total": totals["sessions"],
        "activity_form": form,
        "has_mentors": form is not None and mentors.exists(),
        "is_company": match.company.organisation_id in user_access(request.user).orgs(Role.SME),
        **_common(request),
    }
    return render(request, "partners/match_detail.html", context)


@login_required
def match_act(request: HttpRequest, match_id: int) -> HttpResponse:
    """Apply one action of the match workflow from a button."""
    if request.method != "POST":
        return HttpResponseBadRequest()
    match = match_get_for_user(request.user, match_id)
    action = request.POST.get("action", "")
    transition = MATCH_TRANSITIONS.get(action)
    if transition is None:
        return HttpResponseBadRequest(_("Unknown action."))
    done = run_service(
        request,
        match_transition,
        match=match,
        actor=request.user,
        action=action,
        note=request.POST.get("note", ""),
    )
    if done is not None:
        messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("partners:match-detail", match_id=match.pk)


# --- mentors ---------------------------------------------------------------------------------------


@login_required
def mentor_list(request: HttpRequest) -> HttpResponse:
    access = user_access(request.user)
    require(access.has(Role.PARTNER, Role.OFFICIAL, Role.AUDITOR))
    mentors = mentor_list_for_user(request.user).annotate(
        sessions=Count("activities"), hours=Sum("activities__hours")
    )
    partner_id = _int_param(request.GET.get("partner"))
    if partner_id:
        mentors = mentors.filter(partner_id=partner_id)
    own = own_partner_firm(request.user)
    form = None
    if access.has(Role.PARTNER, Role.OFFICIAL):
        # A firm of one's own is implied; officials (and users of several firms) choose.
        firms = visible_partner_firms(request.user)
        if not access.has(Role.OFFICIAL):
            firms = firms.filter(pk__in=access.orgs(Role.PARTNER))
        form = MentorForm(request.POST or None, partners=None if own is not None else firms)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            partner = data.pop("partner", None) or own
            mentor = run_service(
                request, mentor_create, form=form, actor=request.user, partner=partner, **data
            )
            if mentor is not None:
                messages.success(request, _("The mentor is added."))
                return redirect("partners:mentor-list")
    context = {
        "page_obj": Paginator(mentors.order_by("partner__name_ko", "name", "id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "form": form,
        **_common(request),
    }
    return render(request, "partners/mentor_list.html", context)


@login_required
def mentor_edit(request: HttpRequest, mentor_id: int) -> HttpResponse:
    mentor = mentor_get_for_user(request.user, mentor_id)
    require(can_manage_partner_data(request.user, mentor.partner_id))
    form = MentorEditForm(
        request.POST or None,
        initial={"name": mentor.name, "expertise": mentor.expertise, "is_active": mentor.is_active},
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if run_service(request, mentor_update, form=form, mentor=mentor, actor=request.user, **changes):
            messages.success(request, _("Saved."))
            return redirect("partners:mentor-list")
    return render(request, "partners/mentor_form.html", {"form": form, "mentor": mentor})
