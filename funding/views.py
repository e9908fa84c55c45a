"""Pages of money: the agreement money view (재원별 협약·지급 현황) with its requests, ledger, change
requests and close actions; the finance queue (지급 심사); the ledger with reversals; the SME's payments
(지급 내역); execution (집행 현황) and reconciliation (정산 대사).

The agreement money view lives here rather than in `applications` because it shows the disbursements
and the ledger, and apps import only downward (DESIGN.md §2). Objects are fetched through the scoped
selectors (404 for what the user may not see); roles that may not use a page get 403; services decide
the rest and their refusals become messages or form errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from applications.agreements import CHANGEABLE_STATES
from applications.models import (
    AgreementFunding,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from applications.permissions import can_decide_application, is_applicant
from applications.selectors import (
    agreement_get_for_user,
    agreement_list_for_user,
    change_request_list_for_user,
)
from applications.workflow import available_actions
from core.errors import NotFound
from core.errors import PermissionDenied as ServicePermissionDenied
from core.models import IdempotencyRecord, User
from core.roles import Role
from core.selectors import user_access
from core.views import require, run_service, signed_in_user
from funding.forms import (
    ALL,
    OPEN,
    DisbursementRequestForm,
    LedgerFilterForm,
    OnceForm,
    QueueFilterForm,
    ReasonForm,
    RecoveryForm,
    ReportFilterForm,
)
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind, Tranche
from funding.permissions import can_pay, can_record_recovery, can_request_disbursement
from funding.reconciliation import (
    SOURCES,
    Figures,
    can_view_money_reports,
    execution_for,
    reconcile,
)
from funding.selectors import (
    disbursement_get_for_user,
    disbursement_list_for_user,
    ledger_entry_get_for_user,
    ledger_list_for_user,
)
from funding.services import (
    TRANCHE_STATES,
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    payment_reverse,
    recovery_record,
)
from programs.models import Call

T = TypeVar("T")
PAGE_SIZE = 50
MISMATCHES_SHOWN = 500

DISBURSEMENT_BADGES = {
    DisbursementStatus.REQUESTED: "bg-light-warning",
    DisbursementStatus.APPROVED: "bg-light-information",
    DisbursementStatus.PAID: "bg-success",
    DisbursementStatus.REJECTED: "bg-light-danger",
}
LEDGER_BADGES = {
    LedgerKind.PAYMENT: "bg-light-success",
    LedgerKind.REVERSAL: "bg-light-danger",
    LedgerKind.RECOVERY: "bg-light-warning",
}
CHANGE_BADGES = {
    ChangeRequestStatus.REQUESTED: "bg-light-warning",
    ChangeRequestStatus.APPROVED: "bg-success",
    ChangeRequestStatus.REJECTED: "bg-light-danger",
}
BADGES = {"disbursement_badges": DISBURSEMENT_BADGES, "ledger_badges": LEDGER_BADGES}


def _next_or(request: HttpRequest, default: str) -> str:
    """Where to go after a POST: the form's `next` when it is a path on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _call_choices() -> list[tuple[int, str]]:
    calls = Call.objects.order_by("-fiscal_year", "round", "program_type").only(
        "pk", "fiscal_year", "round", "program_type"
    )
    return [(c.pk, f"{c.year_round} {c.get_program_type_display()}") for c in calls]


class _Duplicate:
    """The form's token was used already: the first submission did the work."""


DUPLICATE = _Duplicate()


def _once(
    request: HttpRequest, form: OnceForm, operation: str, run: Callable[[], T | None]
) -> T | _Duplicate | None:
    """Run a money-moving service once per form token. The token is recorded in the same transaction
    as the money it moved; a refusal rolls the record back so the same form can be corrected and sent
    again."""
    user = signed_in_user(request)
    key = f"page:{form.cleaned_data['token']}"
    digest = hashlib.sha256(f"{operation}|{request.path}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(user=user, key=key, operation=operation, request_hash=digest)
        except IntegrityError:
            return DUPLICATE
        result = run()
        if result is None:
            transaction.set_rollback(True)
        return result


# --- the agreement money view -----------------------------------------------------------------------


def agreement_url(agreement_id: int) -> str:
    return reverse("funding:agreement", args=[agreement_id])


def _funding_lines(agreement: ProjectAgreement) -> tuple[list[AgreementFunding], Figures]:
    by_source = {row.source: row for row in agreement.funding.all()}
    lines = [by_source[s] for s in SOURCES if s in by_source]
    total = Figures()
    for row in lines:
        total.add(Figures(row.agreed_krw, row.outstanding_krw, row.paid_krw, row.recovered_krw))
    return lines, total


def _request_options(user: User, agreement: ProjectAgreement) -> tuple[list[str], list[str]]:
    """Sources with money left and tranches due now, for the request form (empty: no form)."""
    if not can_request_disbursement(user, agreement):
        return [], []
    status = agreement.application.status
    tranches = [t.value for t in Tranche if status in TRANCHE_STATES[t]]
    sources = [row.source for row in _funding_lines(agreement)[0] if row.remaining_krw > 0]
    return (sources, tranches) if sources and tranches else ([], [])


def _recovery_sources(user: User, agreement: ProjectAgreement) -> list[str]:
    if not can_record_recovery(user):
        return []
    return [row.source for row in _funding_lines(agreement)[0] if row.paid_krw > 0]


def _agreement_page(
    request: HttpRequest,
    agreement: ProjectAgreement,
    *,
    request_form: DisbursementRequestForm | None = None,
    recovery_form: RecoveryForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    app = agreement.application
    lines, total = _funding_lines(agreement)
    sources, tranches = _request_options(user, agreement)
    if request_form is None and sources:
        request_form = DisbursementRequestForm(sources=sources, tranches=tranches)
    recovery_sources = _recovery_sources(user, agreement)
    if recovery_form is None and recovery_sources:
        recovery_form = RecoveryForm(sources=recovery_sources)
    access = user_access(user)
    context = {
        "agreement": agreement,
        "application": app,
        "lines": lines,
        "total": total,
        "requests": disbursement_list_for_user(user)
        .filter(agreement=agreement)
        .select_related("paid_by", "rejected_by"),
        "ledger": ledger_list_for_user(user).filter(agreement=agreement).order_by("created_at", "id"),
        "changes": change_request_list_for_user(user)
        .filter(agreement=agreement)
        .select_related("new_supplier__organisation"),
        "request_form": request_form,
        "recovery_form": recovery_form,
        "can_file_change": is_applicant(user, app) and app.status in CHANGEABLE_STATES,
        "can_decide_change": can_decide_application(user, app),
        "close_actions": [t for t in available_actions(user, app) if t.action in ("settle", "terminate")],
        "sees_ledger": access.has(Role.FINANCE, Role.OFFICIAL, Role.AUDITOR),
        "is_finance": access.has(Role.FINANCE),
        "change_badges": CHANGE_BADGES,
        **BADGES,
    }
    return render(request, "funding/agreement_detail.html", context)


@login_required
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The agreement money view: period, supplier, scope, masked account, money per source, requests,
    ledger entries and change requests, with the forms and buttons the user may use."""
    return _agreement_page(request, agreement_get_for_user(request.user, agreement_id))


@login_required
def disbursement_request_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The SME, the project's officials or finance ask for a tranche of one source."""
    agreement = agreement_get_for_user(request.user, agreement_id)
    user = signed_in_user(request)
    require(can_request_disbursement(user, agreement))
    if request.method != "POST":
        return redirect(agreement_url(agreement.pk))
    sources, tranches = _request_options(user, agreement)
    form = DisbursementRequestForm(request.POST, sources=sources, tranches=tranches)
    if form.is_valid():
        data = form.cleaned_data
        made = _once(
            request,
            form,
            "disbursement_request",
            lambda: run_service(
                request,
                disbursement_request,
                form=form,
                agreement=agreement,
                actor=user,
                source=data["source"],
                tranche=data["tranche"],
                amount_krw=data["amount_krw"],
                note=data["note"],
            ),
        )
        if made is DUPLICATE:
            messages.info(request, _("This form was already sent; nothing was done twice."))
            return redirect(agreement_url(agreement.pk))
        if isinstance(made, DisbursementRequest):
            messages.success(
                request,
                _("Requested: %(tranche)s of %(source)s, %(amount)s won.")
                % {
                    "tranche": made.get_tranche_display(),
                    "source": made.get_source_display(),
                    "amount": f"{made.amount_krw:,}",
                },
            )
            return redirect(agreement_url(agreement.pk))
    return _agreement_page(request, agreement, request_form=form)


@login_required
def recovery_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Officials and finance record money recovered from the SME (환수)."""
    agreement = agreement_get_for_user(request.user, agreement_id)
    user = signed_in_user(request)
    require(can_record_recovery(user))
    if request.method != "POST":
        return redirect(agreement_url(agreement.pk))
    form = RecoveryForm(request.POST, sources=_recovery_sources(user, agreement))
    if form.is_valid():
        data = form.cleaned_data
        entry = _once(
            request,
            form,
            "recovery_record",
            lambda: run_service(
                request,
                recovery_record,
                form=form,
                agreement=agreement,
                actor=user,
                source=data["source"],
                amount_krw=data["amount_krw"],
                reason=data["reason"],
            ),
        )
        if entry is DUPLICATE:
            messages.info(request, _("This form was already sent; nothing was done twice."))
            return redirect(agreement_url(agreement.pk))
        if isinstance(entry, LedgerEntry):
            messages.success(
                request,
                _("The recovery of %(amount)s won is recorded in the ledger.")
                % {"amount": f"{-entry.amount_krw:,}"},
            )
            return redirect(agreement_url(agreement.pk))
    return _agreement_page(request, agreement, recovery_form=form)


# --- the finance queue (지급 심사) -------------------------------------------------------------------


@login_required
def finance_queue(request: HttpRequest) -> HttpResponse:
    """Requests to approve, reject or pay; opens on what is requested or approved, oldest first."""
    user = signed_in_user(request)
    require(user_access(user).has(Role.FINANCE))
    form = QueueFilterForm(request.GET or None, calls=_call_choices())
    data = form.cleaned_data if form.is_valid() else {}
    base = disbursement_list_for_user(user).select_related("agreement__application__workplace")
    if data.get("source"):
        base = base.filter(source=data["source"])
    if data.get("tranche"):
        base = base.filter(tranche=data["tranche"])
    if data.get("call"):
        base = base.filter(agreement__application__call_id=data["call"])
    status = data.get("status") or OPEN
    # What waits for a decision is worked oldest first; decided requests are looked up newest first.
    if status == OPEN:
        listed = base.filter(status__in=[DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED])
        listed = listed.order_by("requested_at", "id")
    elif status == ALL:
        listed = base.order_by("-id")
    elif status in (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED):
        listed = base.filter(status=status).order_by("requested_at", "id")
    else:
        listed = base.filter(status=status).order_by("-requested_at", "-id")
    sums = {
        row["status"]: (row["n"], row["s"] or 0)
        for row in base.order_by().values("status").annotate(n=Count("id"), s=Sum("amount_krw"))
    }
    context = {
        "form": form,
        "status": status,
        "page_obj": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "status_counts": [
            (value, label, *sums.get(value, (0, 0))) for value, label in DisbursementStatus.choices
        ],
        "reject_form": ReasonForm(),
        **BADGES,
    }
    return render(request, "funding/finance_queue.html", context)


@login_required
def disbursement_act(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    """Approve, reject (with a reason) or pay one request from the queue or the agreement page."""
    found = disbursement_get_for_user(request.user, request_id)
    user = signed_in_user(request)
    require(user_access(user).has(Role.FINANCE))
    if request.method != "POST":
        return redirect("funding:queue")
    back = _next_or(request, reverse("funding:queue"))
    kwargs: dict[str, Any] = {"request": found, "actor": user}
    service: Callable[..., Any]
    if action == "approve":
        service, done_message = disbursement_approve, _("Approved")
    elif action == "pay":
        service, done_message = disbursement_pay, _("Paid")
        kwargs["note"] = request.POST.get("note", "")[:5_000]
    elif action == "reject":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for rejecting the request."))
            return redirect(back)
        service, done_message = disbursement_reject, _("Rejected")
        kwargs["reason"] = form.cleaned_data["reason"]
    else:
        raise Http404
    try:
        done = run_service(request, service, **kwargs)
    except ServicePermissionDenied as exc:
        # Maker-checker: a finance officer acting on their own request sees why, not a bare 403.
        if found.requested_by_id != user.pk:
            raise
        messages.error(request, str(exc.message))
        done = None
    if done is not None:
        messages.success(
            request,
            _("%(done)s: %(number)s %(source)s %(tranche)s, %(amount)s won.")
            % {
                "done": done_message,
                "number": found.agreement.application.number,
                "source": found.get_source_display(),
                "tranche": found.get_tranche_display(),
                "amount": f"{found.amount_krw:,}",
            },
        )
    return redirect(back)


# --- the ledger ----------------------------------------------------------------------------------


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Payments, reversals and recoveries, newest first; finance reverses an erroneous payment here."""
    user = signed_in_user(request)
    access = user_access(user)
    require(access.has(Role.FINANCE, Role.OFFICIAL, Role.AUDITOR))
    form = LedgerFilterForm(request.GET or None, calls=_call_choices())
    data = form.cleaned_data if form.is_valid() else {}
    entries = ledger_list_for_user(user).select_related(
        "agreement__application__company__organisation", "disbursement"
    )
    if data.get("kind"):
        entries = entries.filter(kind=data["kind"])
    if data.get("source"):
        entries = entries.filter(source=data["source"])
    if data.get("agreement"):
        entries = entries.filter(agreement_id=data["agreement"])
    if data.get("call"):
        entries = entries.filter(agreement__application__call_id=data["call"])
    entries = entries.annotate(is_reversed=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))
    context = {
        "form": form,
        "page_obj": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_reverse": can_pay(user),
        "is_finance": access.has(Role.FINANCE),
        "reverse_form": ReasonForm(),
        "payment": LedgerKind.PAYMENT,
        **BADGES,
    }
    return render(request, "funding/ledger.html", context)


@login_required
def ledger_reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = ledger_entry_get_for_user(request.user, entry_id)
    user = signed_in_user(request)
    require(can_pay(user))
    back = _next_or(request, reverse("funding:ledger"))
    if request.method != "POST":
        return redirect(back)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reversal."))
        return redirect(back)
    done = run_service(request, payment_reverse, entry=entry, actor=user, reason=form.cleaned_data["reason"])
    if done is not None:
        messages.success(
            request,
            _("The payment of %(amount)s won is reversed with a new ledger entry.")
            % {"amount": f"{entry.amount_krw:,}"},
        )
    return redirect(back)


# --- the SME's payments (지급 내역) -------------------------------------------------------------------


@login_required
def my_payments(request: HttpRequest) -> HttpResponse:
    """An SME's agreements with their money per source, requests and payments."""
    user = signed_in_user(request)
    access = user_access(user)
    require(access.has(Role.SME))
    agreements = (
        agreement_list_for_user(user)
        .filter(application__company__organisation_id__in=access.orgs(Role.SME))
        .prefetch_related(
            "funding",
            Prefetch(
                "disbursements",
                queryset=DisbursementRequest.objects.select_related("requested_by").order_by(
                    "-requested_at", "-id"
                ),
            ),
            Prefetch("ledger", queryset=LedgerEntry.objects.order_by("-created_at", "-id")),
        )
    )
    page = Paginator(agreements, 10).get_page(request.GET.get("page"))
    cards = []
    for agreement in page:
        lines, total = _funding_lines(agreement)
        cards.append({"agreement": agreement, "lines": lines, "total": total})
    sums = {
        row["source"]: Figures(row["agreed"], row["outstanding"], row["paid"], row["recovered"])
        for row in AgreementFunding.objects.filter(agreement__in=agreements.values("pk"))
        .values("source")
        .annotate(
            agreed=Sum("agreed_krw"),
            outstanding=Sum("outstanding_krw"),
            paid=Sum("paid_krw"),
            recovered=Sum("recovered_krw"),
        )
        .order_by()
    }
    overall = Figures()
    by_source = []
    for source in SOURCES:
        figures = sums.get(source, Figures())
        overall.add(figures)
        by_source.append((FundingSource(source).label, figures))
    context = {
        "page_obj": page,
        "cards": cards,
        "by_source": by_source,
        "overall": overall,
        **BADGES,
    }
    return render(request, "funding/my_payments.html", context)


# --- execution and reconciliation --------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def execution(request: HttpRequest) -> HttpResponse:
    """집행 현황: per call of a fiscal year and per source, in 백만원."""
    require(can_view_money_reports(request.user))
    report = execution_for(_int(request.GET.get("fiscal_year")))
    context = {"report": report, "is_finance": user_access(request.user).has(Role.FINANCE)}
    return render(request, "funding/execution.html", context)


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """정산 대사: totals per source and every figure that does not reconcile."""
    require(can_view_money_reports(request.user))
    form = ReportFilterForm(request.GET or None, calls=_call_choices())
    result = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        try:
            result = reconcile(call_id=data.get("call"), agreement_id=data.get("agreement"))
        except NotFound:
            form.add_error("agreement", _("No such agreement (in this call)."))
    context = {
        "form": form,
        "result": result,
        "mismatches": result.mismatches[:MISMATCHES_SHOWN] if result else [],
        "more": max(len(result.mismatches) - MISMATCHES_SHOWN, 0) if result else 0,
        "is_finance": user_access(request.user).has(Role.FINANCE),
    }
    return render(request, "funding/reconciliation.html", context)
