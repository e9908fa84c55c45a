"""The client's address behind a known number of reverse proxies (settings.AXES_IPWARE_PROXY_COUNT).

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with N proxies
the client is the N-th entry from the right; anything further left was sent by the client and may be
forged. With no proxy (N = 0) the header is ignored and REMOTE_ADDR is the client. The sign-in lockout keys
on this address, so a forged header must never choose it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def trusted_client_ip(request: HttpRequest) -> str | None:
    """The client address as the outermost trusted proxy saw it; REMOTE_ADDR without proxies, or when the
    header has fewer entries than there are proxies (a request that bypassed them)."""
    remote = request.META.get("REMOTE_ADDR") or None
    # The one knob for both environments: base.py sets it from TRUSTED_PROXY_COUNT, production.py from
    # DJANGO_PROXY_COUNT (with DRF's NUM_PROXIES), so the lockout and the throttles agree on the client.
    count: int = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote
