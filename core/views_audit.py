"""The auditors' pages: the access log (접속기록), the security log (보안 로그) and the monthly review.

Auditors and officials may read them; everyone else gets 403 (which the security log records). Reading
these pages is itself logged: the logs name accounts and addresses (config/access_rules.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_filters import FilterSet

from core.access import access_record_request, client_ip
from core.access_review import Month, access_review_build, access_review_confirm, access_review_xlsx
from core.errors import ApplicationError
from core.filters_audit import AccessLogFilter, SecurityEventFilter
from core.models import AccessAction, AccessLog, SecurityEvent
from core.roles import Role
from core.selectors import user_access
from core.views import require, signed_in_user

PAGE_SIZE = 50
MAX_REASON = 500


def _may_read_logs(request: HttpRequest) -> None:
    require(user_access(signed_in_user(request)).has(Role.AUDITOR, Role.OFFICIAL))


def _page(request: HttpRequest, filterset: FilterSet, template: str, title: str) -> HttpResponse:
    # An unbound filterset (no query string) is valid and shows everything.
    valid = not filterset.is_bound or filterset.is_valid()
    rows = filterset.qs if valid else filterset.queryset.none()
    # Newest first by the indexed column; the paginator's count and the page's rows are the two queries.
    page = Paginator(rows.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": filterset.form, "page_obj": page, "title": title}
    return render(request, template, context, status=200 if valid else 400)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    _may_read_logs(request)
    filterset = AccessLogFilter(request.GET or None, queryset=AccessLog.objects.all())
    return _page(request, filterset, "core/audit/access_log.html", _("Access log"))


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    _may_read_logs(request)
    filterset = SecurityEventFilter(request.GET or None, queryset=SecurityEvent.objects.all())
    return _page(request, filterset, "core/audit/security_log.html", _("Security log"))


@login_required
@require_http_methods(["GET", "POST"])
def access_review(request: HttpRequest) -> HttpResponse:
    """The monthly review as a page, as .xlsx (`format=xlsx` with a `reason`: the report names accounts,
    so its download is a personal-data download), and the auditor's confirmation (POST)."""
    _may_read_logs(request)
    user = signed_in_user(request)
    is_auditor = user_access(user).has(Role.AUDITOR)
    source = request.POST if request.method == "POST" else request.GET
    try:
        month = Month.parse(source.get("month"))
    except ApplicationError as exc:
        return render(
            request,
            "core/audit/access_review.html",
            {"review": None, "error": exc.message, "month": source.get("month", "")[:20]},
            status=400,
        )
    here = f"{reverse('audit:access-review')}?month={month}"
    if request.method == "POST":
        require(is_auditor)
        try:
            access_review_confirm(
                actor=user,
                month=month,
                note=request.POST.get("note", "")[:2000],
                ip=client_ip(request),
                request_id=str(getattr(request, "request_id", "") or ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The review of %(month)s is confirmed.") % {"month": month})
        return redirect(here)

    review = access_review_build(month=month)
    if request.GET.get("format") == "xlsx":
        reason = request.GET.get("reason", "").strip()
        if not reason or len(reason) > MAX_REASON:
            return render(
                request,
                "core/audit/access_review.html",
                {
                    "review": review,
                    "month": str(month),
                    "is_auditor": is_auditor,
                    "reason_error": _("Give the reason for downloading the report (at most 500 characters)."),
                },
                status=400,
            )
        data = access_review_xlsx(review)
        access_record_request(
            request,
            action=AccessAction.DOWNLOAD,
            resource="access_review",
            object_ref=str(month),
            subject="list",
            personal_data=True,
            reason=reason,
            detail={"month": str(month), "accounts": len(review.accounts)},
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="access-review-{month}.xlsx"'
        return response
    confirmed_by_me = any(c.actor_id == user.pk for c in review.confirmations)
    context = {
        "review": review,
        "month": str(month),
        "is_auditor": is_auditor,
        "confirmed_by_me": confirmed_by_me,
    }
    return render(request, "core/audit/access_review.html", context)
