"""Idempotency keys for money-moving API calls (the Stripe pattern).

The client sends `Idempotency-Key: <unique string>` with every call that moves money. The first call
stores its response under (user, key) in the same transaction as the money it moved; a replay returns
that response unchanged; the same key with a different request is a 409. Concurrent calls with one key
wait on the unique index: the first commits, the others then read its stored response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import Conflict, ValidationFailed
from core.models import IdempotencyRecord, User

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def _request_hash(operation: str, path: str, body: Any) -> str:
    canonical = json.dumps({"operation": operation, "path": path, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(request: Request) -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        raise ValidationFailed(
            _("Send an Idempotency-Key header with every call that moves money."),
            code="idempotency_key_required",
        )
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            _("The Idempotency-Key must be printable ASCII of at most %(n)s characters.")
            % {"n": MAX_KEY_LENGTH},
            code="idempotency_key_invalid",
        )
    return key


def idempotent(request: Request, user: User, operation: str, handler: Callable[[], Response]) -> Response:
    """Run `handler` once per (user, Idempotency-Key); replay its stored response afterwards.

    A handler that raises (a refusal) stores nothing, so the same key may be retried.
    """
    key = _key(request)
    digest = _request_hash(operation, request.path, request.data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, operation=operation, request_hash=digest
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(user=user, key=key)
            if existing.request_hash != digest:
                raise Conflict(
                    _("This Idempotency-Key was already used for a different request."),
                    code="idempotency_key_reused",
                ) from None
            return Response(existing.response_body, status=existing.response_status)
        response = handler()
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, default=str))
        record.save(update_fields=["response_status", "response_body"])
        return Response(record.response_body, status=response.status_code)
