"""Helpers shared by API views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from core.models import User


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Validate input with a serializer and return its data; bad input becomes a 400 error body."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def acting_user(request: Request) -> User:
    """The signed-in user acting in an API call (the default permission already refused anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
