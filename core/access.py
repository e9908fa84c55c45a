"""Recording reads and downloads of personal or business data in the access log (접속기록).

Views, searches and downloads call `access_record_request` (pages and API) or `access_record` (tasks and
commands, which have no request). The row is written in the caller's transaction, so a download that
fails and rolls back leaves no claim that it happened.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.client_ip import trusted_client_ip
from core.models import AccessAction, AccessLog, SecurityEvent, SecurityEventKind, User

# Set on a request once its access is in the log, so that nothing logs the same request twice.
ACCESS_LOGGED_ATTR = "_access_log_row"


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from: behind the configured number of trusted proxies, the address
    the outermost one saw (the same address the sign-in lockout uses), else REMOTE_ADDR."""
    return trusted_client_ip(request)


def access_record(
    *,
    actor: User | None,
    action: str,
    resource: str,
    object_ref: str | int = "",
    subject: str = "",
    personal_data: bool = False,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    request_id: str = "",
) -> AccessLog:
    """Append one access-log row. `action` is an AccessAction value; `subject` names whose data it was."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        username=getattr(actor, "username", "") or "",
        ip=ip,
        action=action,
        resource=resource[:60],
        object_ref=str(object_ref)[:60],
        subject=subject[:200],
        personal_data=personal_data,
        reason=reason,
        detail=detail or {},
        request_id=request_id[:64],
    )


def access_record_request(
    request: HttpRequest,
    *,
    action: str,
    resource: str,
    object_ref: str | int = "",
    subject: str = "",
    personal_data: bool = False,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """`access_record` for a page or API request: the signed-in user, address and request id.

    One request is one access: a second call in the same request (a view that logs a download on top
    of the automatic log of its page) returns the first row instead of writing another. The mark is
    kept on the underlying HttpRequest so that the access-log middleware sees it for API views too.
    """
    http_request = getattr(request, "_request", request)
    earlier = getattr(http_request, ACCESS_LOGGED_ATTR, None)
    if earlier is not None:
        return earlier
    user = request.user if isinstance(request.user, User) else None
    row = access_record(
        actor=user,
        action=action,
        resource=resource,
        object_ref=object_ref,
        subject=subject,
        personal_data=personal_data,
        reason=reason,
        detail=detail,
        ip=client_ip(request),
        request_id=str(getattr(request, "request_id", "") or request.META.get("HTTP_X_REQUEST_ID", "")),
    )
    setattr(http_request, ACCESS_LOGGED_ATTR, row)
    return row


def security_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Append one security-log row (보안 로그): a refused sign-in, a refused access or a refused upload.
    Never pass a password, token or code in `detail`."""
    if kind not in SecurityEventKind.values:
        raise ValueError(f"unknown security event {kind!r}")
    if actor is None and request is not None and isinstance(request.user, User):
        actor = request.user
    return SecurityEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        username=(username or getattr(actor, "username", "") or "")[:150],
        ip=client_ip(request) if request is not None else None,
        kind=kind,
        method=(request.method or "")[:10] if request is not None else "",
        path=request.path[:300] if request is not None else "",
        detail=detail or {},
        request_id=str(getattr(request, "request_id", "") or "")[:64] if request is not None else "",
    )
