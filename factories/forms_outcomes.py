"""Forms of the outcome pages: the report form (before and after of each measure), review, filters and
a call's reporting schedule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsForm, KrwFormField, apply_krds_classes
from factories.models import OUTCOME_MEASURES, OutcomeStatus

OPEN = "open"  # the list's default for SMEs and reviewers alike: what still needs someone's action
ALL = "all"

MEASURE_LABELS = {
    "productivity": _("Productivity (output per hour)"),
    "defect_rate": _("Defect rate (%)"),
    "cost": _("Cost (won)"),
    "on_time_delivery": _("On-time delivery (%)"),
    "sales": _("Sales (won)"),
    "employees": _("Employees"),
    "accidents": _("Industrial accidents"),
}


def _value_field(kind: str, label: Any) -> forms.Field:
    if kind == "percent":
        return forms.DecimalField(
            label=label, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
        )
    if kind == "decimal":
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=2)
    if kind == "krw":
        return KrwFormField(label=label, required=False, allow_zero=True)
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=2_147_483_647)


class OutcomeReportForm(KrdsForm):
    """Before and after values side by side; the service checks the rules across measures."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stem, _label, kind in OUTCOME_MEASURES:
            label = MEASURE_LABELS[stem]
            self.fields[f"{stem}_before"] = _value_field(kind, _("%(measure)s before") % {"measure": label})
            self.fields[f"{stem}_after"] = _value_field(kind, _("%(measure)s after") % {"measure": label})
        # The note last, after the measures.
        self.fields["note"] = self.fields.pop("note")
        apply_krds_classes(self)

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """(measure label, before field, after field) per measure, for the side-by-side table."""
        return [
            (MEASURE_LABELS[stem], self[f"{stem}_before"], self[f"{stem}_after"])
            for stem, _l, _k in OUTCOME_MEASURES
        ]

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "note"}


class ReturnForm(KrdsForm):
    note = forms.CharField(
        label=_("What should be corrected"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(KrdsForm):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=5_000)


class OutcomeFilterForm(KrdsForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Needing action")), *OutcomeStatus.choices, (ALL, _("All statuses"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None, choices=())
    year = forms.IntegerField(label=_("Year due"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, calls: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All calls")), *calls]  # type: ignore[attr-defined]


class ScheduleForm(KrdsForm):
    reports = forms.IntegerField(label=_("Number of reports"), min_value=1, max_value=10)
    interval_months = forms.IntegerField(label=_("Months between reports"), min_value=1, max_value=36)
    due_days = forms.IntegerField(label=_("Days to report after each period"), min_value=0, max_value=365)
