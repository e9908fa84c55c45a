"""Dashboard filters (GET parameters of the page and the API) and the freeze form.

Any breakdown of the registry may be a filter (`?year=2024&region=gyeonggi&level=L3`); integer
dimensions are parsed as integers, because cell dims store them as JSON numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from kpi.models import ValueStatus
from kpi.registry import BREAKDOWNS

INT_DIMS = frozenset({"year", "support_year", "completion_year", "quarter", "partner", "call"})
# Query parameters that are not filters.
RESERVED = frozenset({"snapshot", "group_by", "format", "page", "page_size", "lang"})
MAX_VALUE_LENGTH = 60


def filters_from(params: Mapping[str, Any]) -> dict[str, Any]:
    """The breakdown filters among the query parameters (empty values ignored). ValidationFailed for a
    malformed value; unknown parameters are ignored."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for dim in BREAKDOWNS:
        raw = params.get(dim)
        if raw in (None, ""):
            continue
        raw = str(raw).strip()
        if dim in INT_DIMS:
            try:
                value: Any = int(raw)
            except ValueError:
                errors[dim] = [str(_("Enter a whole number."))]
                continue
            if not 0 <= value <= 2**31:
                errors[dim] = [str(_("Enter a whole number."))]
                continue
            out[dim] = value
        elif len(raw) > MAX_VALUE_LENGTH:
            errors[dim] = [str(_("This value is too long."))]
        else:
            out[dim] = raw
    if errors:
        raise ValidationFailed(fields=errors, code="invalid_filter")
    return out


def group_by_from(params: Mapping[str, Any]) -> tuple[str, ...]:
    raw = str(params.get("group_by") or "")
    dims = tuple(d.strip() for d in raw.split(",") if d.strip())
    unknown = [d for d in dims if d not in BREAKDOWNS]
    if unknown:
        raise ValidationFailed(
            fields={"group_by": [_("Unknown breakdown: %(dims)s") % {"dims": ", ".join(unknown)}]},
            code="unknown_breakdown",
        )
    if len(set(dims)) != len(dims):
        raise ValidationFailed(
            fields={"group_by": [_("A breakdown is named twice.")]}, code="unknown_breakdown"
        )
    return dims


class FreezeForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ValueStatus.ACTUAL, ValueStatus.ACTUAL.label),
            (ValueStatus.PROVISIONAL, ValueStatus.PROVISIONAL.label),
        ],
        initial=ValueStatus.ACTUAL,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
