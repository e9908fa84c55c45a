"""Template filters and tags for the pages: money, shares, status badges, query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext as _

from core.money import Unit, format_bp, format_krw

register = template.Library()

# Badge colours of KRDS per status family.
_BADGE = {
    "draft": "bg-light-gray",
    "submitted": "bg-light-information",
    "screening": "bg-light-information",
    "evaluation": "bg-light-primary",
    "selected": "bg-success",
    "waitlisted": "bg-light-warning",
    "rejected": "bg-light-danger",
    "withdrawn": "bg-light-gray",
    "terminated": "bg-light-danger",
    "published": "bg-light-success",
    "cancelled": "bg-light-danger",
    "pending": "bg-light-warning",
    "no_conflict": "bg-light-success",
    "conflict": "bg-light-danger",
}


@register.filter
def krw(amount: int | None) -> str:
    """1234567 → '1,234,567원'."""
    if amount is None:
        return "-"
    unit = _("won")  # a separate call: xgettext does not look inside f-strings
    return format_krw(amount) + unit


@register.filter
def million(amount: int | None) -> str:
    """Won in 백만원 with one decimal, half-up (the unit goes in the heading)."""
    return format_krw(amount, Unit.MILLION, 1)


@register.filter
def bp(value: int | None) -> str:
    return format_bp(value)


@register.filter
def share(part: int, whole: int) -> str:
    if not whole:
        return "-"
    from core.money import percent_bp

    return format_bp(percent_bp(part, whole))


@register.filter
def badge_class(status: str) -> str:
    return _BADGE.get(status, "bg-light-secondary")


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def field_type(bound_field: Any) -> str:
    return bound_field.field.widget.__class__.__name__
