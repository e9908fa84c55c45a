"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import MAX_KRW, parse_krw


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_KRW})
class KrwField(serializers.Field):
    """Whole Korean won. Accepts an integer or a digit string ("150000000" or "150,000,000"); refuses
    floats, exponents, fractions and negative amounts. Output is always an integer."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return parse_krw(data, allow_zero=self.allow_zero)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, value: int) -> int:
        return int(value)


@extend_schema_field(OpenApiTypes.STR)
class LocalizedNameField(serializers.Field):
    """The object's name in the request's language (read-only)."""

    def __init__(self, attribute: str = "name", **kwargs: Any) -> None:
        self.attribute = attribute
        kwargs["read_only"] = True
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return str(getattr(value, self.attribute))


class StrictIntegerField(serializers.IntegerField):
    """An integer that must arrive as an integer (not "3", 3.0 or true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ProgramDateTimeField(serializers.DateTimeField):
    """A moment within the program's lifetime (years 2000–2100). A moment centuries away is a typo, and
    before 1908 Korean time had an offset in seconds that RFC 3339 cannot write back."""

    MIN_YEAR, MAX_YEAR = 2000, 2100

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        if not self.MIN_YEAR <= moment.year <= self.MAX_YEAR:
            raise serializers.ValidationError(
                _("Enter a date between %(start)s and %(end)s.")
                % {"start": self.MIN_YEAR, "end": self.MAX_YEAR}
            )
        return moment
