"""The second sign-in factor: TOTP codes (django-otp) for the accounts that can move money or read it all.

Who needs it: officials, finance officers and auditors (their roles come from `user_access`), and anyone
who can open the admin site (staff). They sign in with their password, then enrol an authenticator app
once (a secret shown as text and as a QR code) and from then on type its 6-digit code after the password.
Until they do, `SecondFactorMiddleware` sends every page to that step and the session API answers 403.

API tokens (`Authorization: Token …`, core.authentication) are not asked for a code: they are issued to
integrations by an administrator, stored hashed, revocable and expiring, and a machine has no
authenticator app. A person's browser session never gets past the second step by holding a token.

Verification is django-otp's: a code is accepted once (a replay in the same 30-second step is refused),
one step of clock drift either way is allowed, and consecutive wrong codes slow the next try down
exponentially (OTP_TOTP_THROTTLE_FACTOR). The device row is locked while a code is checked, so two
concurrent tries cannot both use one code. Wrong codes go to the security log (views_auth).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from dataclasses import dataclass

import segno
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import Conflict, ValidationFailed
from core.models import User
from core.roles import Role
from core.selectors import user_access

OTP_ROLES = (Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)
CODE_PATTERN = re.compile(r"^\d{6}$")
DEVICE_NAME = "authenticator"


def otp_required(user: User | AnonymousUser) -> bool:
    """Whether this signed-in user must pass the second factor before anything else."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user_access(user).has(*OTP_ROLES)


def otp_device_get(user: User) -> TOTPDevice | None:
    """The user's confirmed device, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def otp_code_normalise(raw: str) -> str:
    """The code as typed, without the spaces and dashes apps show in it; ValidationFailed unless 6 digits."""
    code = re.sub(r"[\s-]", "", raw or "")
    if not CODE_PATTERN.match(code):
        raise ValidationFailed(
            _("Enter the 6-digit code from your authenticator app."),
            code="otp_malformed",
            fields={"otp_token": [_("Enter 6 digits.")]},
        )
    return code


def otp_current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the device's authenticator shows at `at` (now by default): for the demo command and tests."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def otp_secret_text(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of the device as an inline SVG QR code (drawn here; nothing leaves the server)."""
    qr = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=4, border=4, light="#fff", dark="#000", title=str(_("QR code to scan"))))


@dataclass(frozen=True)
class OtpRefusal:
    """Why a code was not accepted: `throttled` (wait until `retry_at`) or a wrong code (`failures` in a
    row so far)."""

    throttled: bool
    failures: int
    retry_at: dt.datetime | None = None


class OtpRefused(ValidationFailed):
    """A code was refused. Raised only after the device's failure count is committed."""

    def __init__(self, refusal: OtpRefusal) -> None:
        if refusal.throttled:
            message = _("Too many wrong codes. Wait a moment and try again.")
            code = "otp_throttled"
        else:
            message = _("The code is not correct. Check the time on your phone and try again.")
            code = "otp_invalid"
        super().__init__(message, code=code, fields={"otp_token": [message]})
        self.refusal = refusal


def _check(device_pk: int, code: str) -> TOTPDevice | OtpRefusal:
    # The failure count must survive the refusal, so nothing raises inside this transaction.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device_pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return OtpRefusal(
                throttled=True,
                failures=device.throttling_failure_count,
                retry_at=(info or {}).get("locked_until"),
            )
        if device.verify_token(code):
            return device
        return OtpRefusal(throttled=False, failures=device.throttling_failure_count)


def otp_verify(*, user: User, code: str) -> TOTPDevice:
    """Check a code against the user's confirmed device and return the device.

    Errors: ValidationFailed `otp_malformed` (not 6 digits; not counted), Conflict `otp_not_enrolled`,
    OtpRefused `otp_invalid` (counted towards throttling) or `otp_throttled` (not checked at all)."""
    code = otp_code_normalise(code)
    device = otp_device_get(user)
    if device is None:
        raise Conflict(_("Set up your authenticator app first."), code="otp_not_enrolled")
    result = _check(device.pk, code)
    if isinstance(result, OtpRefusal):
        raise OtpRefused(result)
    return result


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one, or a new one with a fresh random secret.

    Errors: Conflict `otp_already_enrolled` when a confirmed device exists (replacing it needs
    `otp_device_replace`, which asks for the password and a current code)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("An authenticator app is already set up."), code="otp_already_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def otp_device_confirm(*, user: User, code: str) -> TOTPDevice:
    """Finish enrolment: the first code from the new app proves it holds the secret.

    Errors: as `otp_verify`, and Conflict `otp_not_started` when there is no device being enrolled."""
    code = otp_code_normalise(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise Conflict(_("Start the set-up again."), code="otp_not_started")
    result = _check(device.pk, code)
    if isinstance(result, OtpRefusal):
        raise OtpRefused(result)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=result.pk).delete()
        TOTPDevice.objects.filter(pk=result.pk).update(confirmed=True)
    result.confirmed = True
    return result


def otp_device_replace(*, user: User, code: str) -> TOTPDevice:
    """Start enrolling a new authenticator app once a current code proves the old one; the old one stops
    working at once. The caller must have re-checked the password first, through `authenticate()` so that
    the sign-in lockout counts wrong passwords here too (views_auth.otp_replace). Returns the new,
    unconfirmed device.

    Errors: those of `otp_verify`."""
    otp_verify(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def otp_demo_device(*, user: User) -> TOTPDevice:
    """The demo login's confirmed device, enrolled on first use, so that `manage.py demo_otp_code` can
    show its current code. Only where settings.DEMO_OTP_CODES is on (local and test settings, never
    production): a code printed on the server's console is no second factor.

    Errors: Conflict `otp_demo_disabled` when DEMO_OTP_CODES is off."""
    from django.conf import settings

    if not getattr(settings, "DEMO_OTP_CODES", False):
        raise Conflict(_("Demo codes are switched off on this server."), code="otp_demo_disabled")
    device = otp_device_get(user)
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device
