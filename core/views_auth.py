"""Sign-in pages beyond the password: the second factor (enrol, verify, replace), sign-out of every session,
and the lockout answer of django-axes."""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.access import security_record
from core.api.errors import error_body
from core.errors import ApplicationError
from core.forms import KrdsForm
from core.models import SecurityEventKind, User
from core.otp import (
    OtpRefused,
    otp_device_confirm,
    otp_device_get,
    otp_device_replace,
    otp_device_start,
    otp_qr_svg,
    otp_required,
    otp_secret_text,
    otp_verify,
)
from core.sessions import user_sessions_end
from core.views import signed_in_user


class OtpTokenForm(KrdsForm):
    otp_token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "size": 8}
        ),
    )


class OtpReplaceForm(OtpTokenForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "otp_token"]


def _next_url(request: HttpRequest) -> str:
    """Where to go once the step is done: a same-site `next`, or home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    # Half-signed-in: no menu to pages that would only send the user back here.
    return {"nav_items": [], "next": _next_url(request), **extra}


def _complete_second_factor(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session id for the now fully privileged session, as at sign-in.
    request.session.cycle_key()
    django_otp.login(request, device)


def _record_refusal(request: HttpRequest, exc: OtpRefused, step: str) -> None:
    security_record(
        kind=SecurityEventKind.OTP_FAILED,
        request=request,
        detail={"step": step, "throttled": exc.refusal.throttled, "failures": exc.refusal.failures},
    )


def _show_error(form: forms.Form, exc: ApplicationError) -> None:
    for field, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


@never_cache
@login_required
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    """The code step after the password, for users who have enrolled an authenticator app."""
    user = signed_in_user(request)
    if not otp_required(user) or user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return redirect(_next_url(request))
    if otp_device_get(user) is None:
        return redirect(f"{reverse('otp-setup')}?{request.GET.urlencode()}")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_verify(user=user, code=form.cleaned_data["otp_token"])
        except OtpRefused as exc:
            _record_refusal(request, exc, "verify")
            _show_error(form, exc)
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            _complete_second_factor(request, device)
            return redirect(_next_url(request))
    return render(request, "registration/otp_verify.html", _pending_context(request, form=form))


@never_cache
@login_required
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in of a user who needs the second factor: add the secret to an authenticator app, then
    prove it with the first code."""
    user = signed_in_user(request)
    if not otp_required(user):
        return redirect(_next_url(request))
    if otp_device_get(user) is not None:
        return redirect(f"{reverse('otp-verify')}?{request.GET.urlencode()}")
    device = otp_device_start(user=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_device_confirm(user=user, code=form.cleaned_data["otp_token"])
        except OtpRefused as exc:
            _record_refusal(request, exc, "enrol")
            _show_error(form, exc)
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            _complete_second_factor(request, device)
            messages.success(
                request, _("Your authenticator app is set up. You will be asked for a code at sign-in.")
            )
            return redirect(_next_url(request))
    context = _pending_context(
        request, form=form, secret=otp_secret_text(device), qr_svg=otp_qr_svg(device), username=user.username
    )
    return render(request, "registration/otp_setup.html", context)


@never_cache
@login_required
def otp_replace_view(request: HttpRequest) -> HttpResponse:
    """Move the second factor to a new phone: the password and a current code first (re-authentication),
    then enrolment as the first time. A lost phone is reset by an administrator instead."""
    user = signed_in_user(request)
    if not otp_required(user):
        return redirect("home")
    form = OtpReplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Through authenticate() so that the lockout counts wrong passwords here as at sign-in.
        again = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        if again is None or again.pk != user.pk:
            form.add_error("password", _("The password is not correct."))
        else:
            try:
                otp_device_replace(user=user, code=form.cleaned_data["otp_token"])
            except OtpRefused as exc:
                _record_refusal(request, exc, "replace")
                _show_error(form, exc)
            except ApplicationError as exc:
                _show_error(form, exc)
            else:
                messages.info(request, _("Now add the new secret to your authenticator app."))
                return redirect("otp-setup")
    return render(request, "registration/otp_replace.html", {"form": form})


class SignOutView(auth_views.LogoutView):
    """Sign-out ends every session of the user, not only this browser's (a forgotten session elsewhere
    dies with it)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User) and request.user.is_authenticated:
            user_sessions_end(user=request.user)
        return super().post(request, *args, **kwargs)


def locked_out(
    request: HttpRequest, original_response: HttpResponseBase | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer when a username+address is locked (AXES_LOCKOUT_CALLABLE): 429 with the time to
    wait, as a page or as the API's JSON error body."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, seconds // 60)
    message = _(
        "Too many failed sign-ins to this account from your address. Sign-in is blocked for "
        "%(minutes)d minutes; other accounts and other addresses are not affected."
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", ""):
        response = JsonResponse(error_body("locked_out", message), status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": message, "minutes": minutes}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
