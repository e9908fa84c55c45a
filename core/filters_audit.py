"""Filters of the auditors' pages over the access log (접속기록) and the security log (보안 로그).

The parameter names (`from`, `to`, `user`, `action`, `resource`, `personal`) are shared with the raw
export of the access log, so a filtered page and its download select the same rows. Dates are calendar
days in Korean time (the project's TIME_ZONE): `from=2026-11-01&to=2026-11-30` is November in KST.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsForm
from core.models import AccessAction, AccessLog, SecurityEvent, SecurityEventKind

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class _DateRangeForm(KrdsForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return data


def _date_filters() -> dict[str, django_filters.Filter]:
    return {
        "from": django_filters.DateFilter(
            field_name="at",
            lookup_expr="date__gte",
            label=_("From"),
            widget=forms.DateInput(attrs={"type": "date"}),
        ),
        "to": django_filters.DateFilter(
            field_name="at",
            lookup_expr="date__lte",
            label=_("To"),
            widget=forms.DateInput(attrs={"type": "date"}),
        ),
        "user": django_filters.CharFilter(field_name="username", lookup_expr="iexact", label=_("Account")),
    }


class _AccessLogFilterBase(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AccessAction.choices, label=_("Action"))
    resource = django_filters.CharFilter(field_name="resource", lookup_expr="exact", label=_("What"))
    personal = django_filters.BooleanFilter(
        field_name="personal_data",
        label=_("Personal data only"),
        widget=forms.Select(choices=YES_NO),
    )
    reason_missing = django_filters.BooleanFilter(
        method="filter_reason_missing",
        label=_("Personal-data downloads without a reason"),
        widget=forms.Select(choices=YES_NO),
    )

    class Meta:
        model = AccessLog
        fields: list[str] = []
        form = _DateRangeForm

    def filter_reason_missing(self, queryset: QuerySet[AccessLog], name: str, value: bool | None) -> Any:
        missing = Q(action=AccessAction.DOWNLOAD, personal_data=True, reason="")
        if value is None:
            return queryset
        return queryset.filter(missing) if value else queryset.exclude(missing)


# `from` is a Python keyword, so the filters named by date are attached through the class namespace.
AccessLogFilter: type[django_filters.FilterSet] = type(
    "AccessLogFilter", (_AccessLogFilterBase,), {**_date_filters(), "__module__": __name__}
)
AccessLogFilter.__doc__ = "Filters of the access-log page and of its raw export."


class _SecurityEventFilterBase(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SecurityEventKind.choices, label=_("Event"))

    class Meta:
        model = SecurityEvent
        fields: list[str] = []
        form = _DateRangeForm


SecurityEventFilter: type[django_filters.FilterSet] = type(
    "SecurityEventFilter", (_SecurityEventFilterBase,), {**_date_filters(), "__module__": __name__}
)
