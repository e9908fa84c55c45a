"""Sign-in events into the security log (보안 로그) and the session clocks; connected in CoreConfig.ready.

Only the username and the outcome are recorded, never the password (Django already masks it in
`credentials`, and nothing here reads it).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from core.access import security_record
from core.models import SecurityEventKind, User
from core.sessions import session_stamp_sign_in

USERNAME_FIELD = "username"


def _username(credentials: dict[str, Any] | None) -> str:
    value = (credentials or {}).get(USERNAME_FIELD, "")
    return value[:150] if isinstance(value, str) else ""


def _refused_by_lock(request: HttpRequest | None) -> bool:
    # Axes flags the request as locked both when this failure reached the limit (and was counted) and when
    # the lock was already on (not counted: no failure count on the request then).
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


def record_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A refused password (or any sign-in while the username+address is locked)."""
    security_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        request=request,
        actor=None,
        username=_username(credentials),
        detail={"while_locked": _refused_by_lock(request)},
    )


def record_locked_out(
    sender: object, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """The username+address reached the failure limit (or tried again while locked)."""
    failures = getattr(request, "axes_failures_since_start", None)
    security_record(
        kind=SecurityEventKind.LOCKED_OUT,
        request=request,
        actor=None,
        username=(username or "")[:150],
        detail={
            # None when the attempt was refused because the lock was already on.
            "failures": failures,
            "newly_locked": failures is not None,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


def stamp_session(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session_stamp_sign_in(session)


def connect() -> None:
    user_login_failed.connect(record_login_failed, dispatch_uid="core.record_login_failed")
    user_locked_out.connect(record_locked_out, dispatch_uid="core.record_locked_out")
    user_logged_in.connect(stamp_session, dispatch_uid="core.stamp_session")
