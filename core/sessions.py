"""Ending sessions: every session of a user at sign-out or deactivation, and the time limits of one.

A Django session stays valid while the hash stored in it matches `User.get_session_auth_hash()`; that hash
includes `User.session_epoch`, so raising the epoch ends all of the user's sessions on their next request
without finding them in the session store. Deactivated users are refused by the auth backend anyway
(`is_active`), and their epoch is raised as well so that reactivation does not revive old sessions.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import F

from core.models import User

# Unix seconds, in the session: when the user signed in, and when the session was last used.
STARTED_AT = "auth_started_at"
SEEN_AT = "auth_seen_at"
# How stale the "last used" time may get before it is written again: the session is saved at most this
# often instead of on every request.
SEEN_RESOLUTION_SECONDS = 60


@transaction.atomic
def user_sessions_end(*, user: User) -> User:
    """End every session of the user (this browser's and all others) on their next request. API tokens are
    not sessions and keep working; revoke them separately."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.session_epoch = User.objects.values_list("session_epoch", flat=True).get(pk=user.pk)
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate an account: its sessions and API tokens stop working on their next request (the auth
    backend and the token check refuse inactive users)."""
    User.objects.filter(pk=user.pk).update(is_active=False, session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["is_active", "session_epoch"])
    return user


def session_stamp_sign_in(session: SessionBase, *, now: int | None = None) -> None:
    """Start the clocks of a freshly signed-in session."""
    now = int(time.time()) if now is None else now
    session[STARTED_AT] = now
    session[SEEN_AT] = now


def session_expiry_reason(session: SessionBase, *, now: int) -> str | None:
    """'idle' or 'absolute' when the session is past a limit, None while it is still good."""
    started = session.get(STARTED_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(started, int) or not isinstance(seen, int):
        return None
    if now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
        return "absolute"
    if now - seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "idle"
    return None
