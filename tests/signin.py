"""Signing test clients in past the second factor (core.otp) that officials, finance officers, auditors
and staff need.

`verified_client(user)` is `Client().force_login(user)` plus what django-otp's own `login()` leaves in
the session after a correct code (the device's persistent id), so pages behave as for a fully signed-in
user. Users who need no second factor get a plain signed-in client.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Membership, User
from core.otp import OTP_ROLES, otp_current_code


def needs_second_factor(user: User) -> bool:
    """core.otp.otp_required without caching the user's access on the object the test keeps using."""
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(
            user=user, role__in=OTP_ROLES, is_active=True, organisation__is_active=True
        ).exists()
    )


def otp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    return device


def mark_verified(client: Client, device: TOTPDevice) -> None:
    """Record in the client's session that `device` verified it, as django_otp.login() does."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def verified_client(user: User, device: TOTPDevice | None = None, client: Client | None = None) -> Client:
    """A client signed in as `user`, past the second factor when the user needs one."""
    client = client or Client()
    client.force_login(user)
    if device is None and needs_second_factor(user):
        device = otp_device(user)
    if device is not None:
        mark_verified(client, device)
    return client


def current_code(user: User, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator shows now (or `steps_ahead` 30-second steps later: a code is
    accepted once, so a second sign-in within the same step needs the next one)."""
    device = otp_device(user)
    return otp_current_code(device, at=time.time() + steps_ahead * device.step)
