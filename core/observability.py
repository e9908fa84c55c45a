"""Request ids, structured logs and response headers that every request shares.

- Each request gets an id (a well-formed `X-Request-ID` from the proxy in front, else a fresh uuid4 hex).
  It is set on `request.request_id`, returned in the `X-Request-ID` response header, and kept in a
  context variable that a logging filter copies onto every log record, so all lines of one request (and
  of the Celery tasks it queued: the id travels in the task headers) can be found together.
- One log line per request: method, path (never the query string, which may carry personal data), status,
  duration and user id. Never a password, token or request body.
- Authenticated pages and API responses get `Cache-Control: private, no-store` so that personal data is
  not kept by browsers or shared caches (ASVS 14.3.2), unless the view chose its own caching.

This module is imported by the logging configuration, before the apps are ready: no models at import time.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# Accepted from the proxy only when it cannot smuggle anything into a log line or a header.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")
# Probes hit these every few seconds; their lines go to DEBUG so they do not drown real traffic.
_QUIET_PREFIXES = ("/health/", "/metrics", "/static/")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
request_logger = logging.getLogger("smartfactory.request")


def current_request_id() -> str | None:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is well formed, else a new one."""
    if value and _WELL_FORMED.match(value):
        return value
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` ("-" outside a request or task) to every record passing the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def _utc_time(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """Readable lines with UTC ISO-8601 timestamps (ASVS 16.2.2), whatever TIME_ZONE says."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)


class JsonFormatter(_BaseJsonFormatter):
    """python-json-logger with UTC ISO-8601 timestamps (ASVS 16.2.2)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without loading the session just for the log line."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestIdMiddleware:
    """Outermost project middleware: request id in, request id out, one log line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user_id = _user_id(request)
        level = logging.DEBUG if request.path.startswith(_QUIET_PREFIXES) else logging.INFO
        request_logger.log(
            level,
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            status,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "request_id": request_id_var.get(),
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on API responses and on every page for a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


# Celery: the id travels from the publishing request to the worker in the message headers.


def celery_before_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, contextvars.Token[str | None]] = {}


def celery_task_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    incoming = getattr(getattr(task, "request", None), TASK_HEADER, None) if task is not None else None
    # An eagerly run task executes inside the request and already has its id; a worker task gets the
    # publisher's id, or its own task id when it was queued outside a request (beat).
    request_id = request_id_var.get() or (
        incoming if isinstance(incoming, str) and _WELL_FORMED.match(incoming) else None
    )
    if request_id is None:
        request_id = (task_id or new_request_id()).replace("-", "")
    if task_id:
        _task_tokens[task_id] = request_id_var.set(request_id)


def celery_task_postrun(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id_var.reset(token)


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(celery_before_publish, weak=False, dispatch_uid="sf_request_id_pub")
    signals.task_prerun.connect(celery_task_prerun, weak=False, dispatch_uid="sf_request_id_prerun")
    signals.task_postrun.connect(celery_task_postrun, weak=False, dispatch_uid="sf_request_id_postrun")
