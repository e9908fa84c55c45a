"""Private operations endpoints: `/health/` (dependency checks) and `/metrics` (Prometheus).

Neither is public (ASVS 13.4.5): they answer a request with the `HEALTH_TOKEN` (header
`Authorization: Bearer <token>` or `X-Health-Token: <token>`), one from an address in `OPS_ALLOWED_IPS`
(the socket's address, never a forwarded header a client could forge), or a signed-in staff user or
official. Anyone else gets the ordinary 404 page, so the endpoints cannot even be discovered.

`/health/` checks the database, the cache, the Celery broker and a Celery worker, each with its latency,
and answers 200 when every check passes, 503 naming the failed ones otherwise. With no broker configured
(tasks run eagerly in the web process) the broker and worker checks report `skipped`.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from kombu import Connection

from core.roles import Role
from core.selectors import user_access

OK, FAIL, SKIPPED = "ok", "fail", "skipped"


def _supplied_token(request: HttpRequest) -> str:
    header = request.headers.get("X-Health-Token", "")
    if header:
        return header
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _from_allowed_address(request: HttpRequest) -> bool:
    allowed = settings.OPS_ALLOWED_IPS
    if not allowed:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in allowed)


def ops_access_allowed(request: HttpRequest) -> bool:
    expected = settings.HEALTH_TOKEN
    supplied = _supplied_token(request)
    if expected and supplied and hmac.compare_digest(supplied.encode(), expected.encode()):
        return True
    if _from_allowed_address(request):
        return True
    user = request.user
    return bool(user.is_authenticated and (user.is_staff or user_access(user).has(Role.OFFICIAL)))


def _require_ops_access(request: HttpRequest) -> None:
    if not ops_access_allowed(request):
        raise Http404


# Checks: each returns (status, detail) and is timed by `_run`.


def check_database() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    if not row or row[0] != 1:
        return FAIL, "unexpected answer"
    return OK, ""


def check_cache() -> tuple[str, str]:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    value = cache.get(key)
    cache.delete(key)
    return (OK, "") if value == "1" else (FAIL, "value not read back")


def _broker_connection() -> Connection:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    return Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=timeout,
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0},
    )


def _eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def check_broker() -> tuple[str, str]:
    if _eager():
        return SKIPPED, "no broker configured: tasks run in the web process"
    with _broker_connection() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.HEALTH_CHECK_TIMEOUT)
        # Opening a channel makes the transport talk to the server (Redis connects lazily).
        _ = conn.default_channel
    return OK, ""


def check_worker() -> tuple[str, str]:
    if _eager():
        return SKIPPED, "no broker configured: tasks run in the web process"
    with _broker_connection() as conn:
        replies = current_app.control.ping(timeout=settings.HEALTH_CHECK_TIMEOUT, limit=1, connection=conn)
    if not replies:
        return FAIL, "no worker answered"
    return OK, f"{len(replies)} worker(s) answered"


CHECKS: dict[str, Callable[[], tuple[str, str]]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}


def _run(check: Callable[[], tuple[str, str]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        status, detail = check()
    except Exception as exc:
        # The exception's type only: messages may carry host names or credentials.
        status, detail = FAIL, type(exc).__name__
    result: dict[str, Any] = {
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if detail:
        result["detail"] = detail
    return result


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    _require_ops_access(request)
    results = {name: _run(check) for name, check in CHECKS.items()}
    failed = sorted(name for name, result in results.items() if result["status"] == FAIL)
    body = {"status": FAIL if failed else OK, "failed": failed, "checks": results}
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    _require_ops_access(request)
    return ExportToDjangoView(request)
