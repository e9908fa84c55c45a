"""Session limits and the second-factor gate, as middleware so that no page or API view can forget them.

Both sit after AuthenticationMiddleware, MessageMiddleware and django-otp's OTPMiddleware; they look only at
the session's user. API calls authenticated by token carry no session, so neither applies to them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.api.errors import error_body
from core.otp import otp_device_get, otp_required
from core.sessions import SEEN_AT, SEEN_RESOLUTION_SECONDS, session_expiry_reason, session_stamp_sign_in


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionTimeoutMiddleware:
    """Sign the user out after SESSION_IDLE_TIMEOUT_SECONDS without a request or
    SESSION_ABSOLUTE_TIMEOUT_SECONDS after signing in, whichever comes first. The request then goes on as
    anonymous: pages send it to the sign-in page (with a note why), the API answers 401/403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            reason = session_expiry_reason(session, now=now)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    messages.info(request, _("You were signed out after 30 minutes without activity."))
                else:
                    messages.info(request, _("You were signed out because the session reached 8 hours."))
            elif SEEN_AT not in session:
                # A session from before these limits existed: its clocks start now.
                session_stamp_sign_in(session, now=now)
            elif now - session[SEEN_AT] >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until a user who needs the second factor has passed it in this session, pages redirect to the code
    step (or to enrolment, the first time) and the API answers 403 `otp_required`."""

    # Reachable half-signed-in: the steps themselves, signing out, and switching the language.
    ALLOWED_URL_NAMES = ("otp-verify", "otp-setup", "logout", "login", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: frozenset[str] | None = None

    def allowed_paths(self) -> frozenset[str]:
        if self._allowed is None:
            self._allowed = frozenset(reverse(name) for name in self.ALLOWED_URL_NAMES)
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # installed by OTPMiddleware
            and request.path not in self.allowed_paths()
            and otp_required(user)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request):
            body = error_body(
                "otp_required",
                _(
                    "Sign-in is not complete: enter the code from your authenticator app at %(url)s first, "
                    "or use an API token."
                )
                % {"url": reverse("otp-verify")},
            )
            return JsonResponse(body, status=403)
        enrolled = otp_device_get(request.user) is not None  # type: ignore[arg-type]
        target = reverse("otp-verify" if enrolled else "otp-setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":  # django-htmx's middleware runs after this one
            # htmx would swap the code page into a fragment; make the whole window go there instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
