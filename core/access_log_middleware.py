"""Writes the access log (접속기록) and the security log (보안 로그) for every page and API request.

Which views show personal or business data is one table (`ACCESS_LOG_RULES`, a dotted path in the
settings; the project's table is `config/access_rules.py`, the one layer allowed to know every app).
Keeping the decision in one table rather than a call in each view means a new view cannot silently skip
the log: a test walks the URL configuration and fails for any GET view that the table neither covers nor
names as carrying no such data.

For a successful GET (2xx) of a view in the table, one row is written after the view ran:
- a response sent as an attachment is a download;
- a view of one record (the rule names the URL argument holding its id) is a view of that record, with
  whose data it is (`subject`) looked up from the id;
- a list is a search when the query string carries a filter (the filter names and values go into
  `detail`: the log itself is protected, so a name typed into a search box is kept there), and a view
  of the list when the list itself shows personal data.
A view that already logged its request through `core.access.access_record_request` is not logged again.

Refusals go to the security log: every 403 (`denied`) and every 404 that a `<noun>_get_for_user`
selector raised (`core.errors.NotFound`: the record exists for someone else or not at all, which the
user must not be able to tell apart) as `not_found`. A 404 for an unknown URL is not an attempt on a
record and is not logged. Only the method and path go into the row (never the query string, which may
carry a search term, and never a header).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

from core.access import ACCESS_LOGGED_ATTR, access_record_request, security_record
from core.errors import NotFound
from core.models import AccessAction, SecurityEventKind

# Set on the request by process_exception (pages) or the API exception handler when a selector refused
# to show a record.
REFUSED_RECORD_ATTR = "_security_refused_record"

# Query parameters that page or order a list rather than narrow it.
NOT_FILTERS = frozenset({"page", "page_size", "ordering", "sort", "format", "cursor", "limit", "offset"})
MAX_FILTER_VALUE = 200


@dataclass(frozen=True)
class AccessRule:
    """How one view's GET is logged.

    `kwarg` names the URL argument holding the record's id for a view of one record; `subject` turns
    that id into whose data it is (a company's name and BRN, a mentor's name). `listing` marks a list
    whose filters make a search; `always` logs a plain view of the list too (lists of persons, the
    ledger)."""

    resource: str
    personal_data: bool = False
    kwarg: str | None = None
    subject: Callable[[str], str] | None = None
    listing: bool = False
    always: bool = False


@cache
def _rules() -> Mapping[str, AccessRule]:
    path = getattr(settings, "ACCESS_LOG_RULES", "")
    return import_string(path) if path else {}


def view_key(func: Any) -> str:
    """The dotted path of a view (its class for class-based views), as the rules table names it."""
    view = getattr(func, "view_class", None) or getattr(func, "cls", None) or func
    return f"{view.__module__}.{view.__qualname__}"


def rule_for(request: HttpRequest) -> AccessRule | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    rules = _rules()
    # The dotted path first: two apps may reuse a URL name (`api-agreement-detail`). The admin's views
    # are shared methods, so its rules are keyed by URL name.
    return rules.get(view_key(match.func)) or rules.get(match.view_name)


def filters_of(request: HttpRequest) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in request.GET:
        if key in NOT_FILTERS:
            continue
        value = ",".join(v.strip() for v in request.GET.getlist(key) if v.strip())
        if value:
            out[key[:60]] = value[:MAX_FILTER_VALUE]
    return out


def is_attachment(response: HttpResponseBase) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


def access_log_response(request: HttpRequest, response: HttpResponseBase) -> None:
    """Write the access-log row this request's response calls for, if any."""
    if request.method != "GET" or not 200 <= response.status_code < 300:
        return
    if getattr(request, ACCESS_LOGGED_ATTR, None) is not None:
        return
    rule = rule_for(request)
    download = is_attachment(response)
    if rule is None and not download:
        return
    match = request.resolver_match
    if match is None:  # rule_for found a rule, so the request was resolved; never None here
        return
    resource = rule.resource if rule is not None else match.view_name[:60]
    personal = rule.personal_data if rule is not None else False
    detail: dict[str, Any] = {"view": match.view_name}
    filters = filters_of(request)
    if filters:
        detail["filters"] = filters
    object_ref = ""
    subject = ""
    action: str | None = None
    if rule is not None:
        if rule.kwarg is not None and rule.kwarg in match.kwargs:
            object_ref = str(match.kwargs[rule.kwarg])
            subject = rule.subject(object_ref) if rule.subject is not None else ""
            action = AccessAction.VIEW
        elif rule.listing and filters:
            action, subject = AccessAction.SEARCH, "list"
        elif rule.always or (rule.listing and personal):
            action, subject = AccessAction.VIEW, "list"
    if download:
        action, subject = AccessAction.DOWNLOAD, subject or "list"
    if action is None:
        return
    access_record_request(
        request,
        action=action,
        resource=resource,
        object_ref=object_ref,
        subject=subject,
        personal_data=personal,
        detail=detail,
    )


def security_log_response(request: HttpRequest, response: HttpResponseBase) -> None:
    """Write the security-log row for a refused request: any 403, and a 404 a selector raised."""
    if response.status_code == 403:
        kind = SecurityEventKind.DENIED
    elif response.status_code == 404 and getattr(request, REFUSED_RECORD_ATTR, False):
        kind = SecurityEventKind.NOT_FOUND
    else:
        return
    match = getattr(request, "resolver_match", None)
    detail: dict[str, Any] = {"status": response.status_code}
    if match is not None:
        detail["view"] = match.view_name
        # The ids in the path say which record was tried; they are not secret (they are in `path`
        # too) but are easier to count by here.
        detail["args"] = {k: str(v)[:60] for k, v in match.kwargs.items()}
    security_record(kind=kind, request=request, detail=detail)


def mark_refused_record(request: Any) -> None:
    """Called by the API exception handler: the 404 it answers is a selector's refusal."""
    setattr(getattr(request, "_request", request), REFUSED_RECORD_ATTR, True)


class AccessLogMiddleware:
    """Place after AuthenticationMiddleware. A failure to write the log is not swallowed: data that
    cannot be logged is not shown (the request ends in a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        security_log_response(request, response)
        access_log_response(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            mark_refused_record(request)
