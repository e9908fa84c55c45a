"""Refusals raised by services. One handler turns them into `{code, message, fields}` responses.

Messages are lazy translations: the response is rendered in the request's language (Korean by default,
English on request).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"
    default_message: str | Promise = _("The request could not be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {key: [str(m) for m in msgs] for key, msgs in self.fields.items()},
        }


class ValidationFailed(ApplicationError):
    """Input that cannot be accepted: malformed, incomplete, or against a rule of the call."""

    status_code = 400
    default_code = "invalid"
    default_message = _("Some of the information is not valid.")


class PermissionDenied(ApplicationError, DjangoPermissionDenied):
    """The user may see the object but may not do this to it. Pages answer 403, like Django's own."""

    status_code = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(ApplicationError, Http404):
    """The object does not exist, or the user may not see it (the two are indistinguishable).
    Pages answer 404, like Django's own Http404."""

    status_code = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(ApplicationError):
    """The request is valid but the current state of the data does not allow it."""

    status_code = 409
    default_code = "conflict"
    default_message = _("This conflicts with the current state of the record.")


class IllegalTransition(Conflict):
    default_code = "illegal_transition"
    default_message = _("This action is not possible in the record's current status.")
