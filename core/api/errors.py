"""One error body for every API response: `{code, message, fields}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.access_log_middleware import mark_refused_record
from core.errors import ApplicationError, NotFound

_DRF_MESSAGES = {
    exceptions.NotAuthenticated: gettext_lazy("Sign in to continue."),
    exceptions.AuthenticationFailed: gettext_lazy("The credentials are not valid."),
    exceptions.PermissionDenied: gettext_lazy("You do not have permission to do this."),
    exceptions.NotFound: gettext_lazy("Not found."),
    exceptions.MethodNotAllowed: gettext_lazy("This method is not allowed here."),
    exceptions.ParseError: gettext_lazy("The request body is not valid JSON."),
    exceptions.UnsupportedMediaType: gettext_lazy("Send the request body as application/json."),
    exceptions.Throttled: gettext_lazy("Too many requests; please wait and try again."),
    exceptions.NotAcceptable: gettext_lazy("The requested response format is not available."),
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for i, item in enumerate(value):
                    for sub, msgs in _flatten(item).items():
                        out[f"{key}[{i}].{sub}"] = msgs
            elif isinstance(value, list):
                out[str(key)] = [str(v) for v in value]
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound) and context.get("request") is not None:
        # A selector refused the record: the security log (core.access_log_middleware) counts it.
        mark_refused_record(context["request"])
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            _flatten(exc.message_dict) if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(error_body("invalid", _("Some of the information is not valid."), fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", _("Some of the information is not valid."), _flatten(exc.detail)
        )
        return response
    code = getattr(exc, "default_code", "error")
    message = next((m for cls, m in _DRF_MESSAGES.items() if isinstance(exc, cls)), None)
    text = str(message) if message else str(getattr(exc, "detail", "")) or _("The request failed.")
    response.data = error_body(str(code), text)
    return response
