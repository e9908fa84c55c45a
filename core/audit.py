"""The acting user on every audit event, whoever calls the service.

Money and state tables are tracked by database triggers (django-pghistory), so bulk updates and raw
SQL are recorded too. The request middleware attaches the signed-in user to a request's events; this
decorator attaches the service's `actor=` as well, so events written by Celery tasks and management
commands carry the user who acted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pghistory

P = ParamSpec("P")
R = TypeVar("R")


def audited(func: Callable[P, R]) -> Callable[P, R]:
    """Record the `actor` keyword argument (and the service's name) with the audit events it causes."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        actor: Any = kwargs.get("actor")
        with pghistory.context(user=getattr(actor, "pk", None), service=func.__name__):
            return func(*args, **kwargs)

    return wrapper
