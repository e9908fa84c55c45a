"""Forms of the training pages: cohorts, providers, courses and the cohort filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, KrdsForm
from core.models import Region
from training.models import CourseLevel, ProviderKind


class CohortForm(KrdsForm):
    course = forms.TypedChoiceField(label=_("Course"), coerce=int, choices=())
    period_start = forms.DateField(label=_("Starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Ends"), widget=DateInput())
    enrolled = forms.IntegerField(label=_("Enrolled"), min_value=1, max_value=10_000)
    completed = forms.IntegerField(
        label=_("Completed"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=_("Workers who completed the course; enter it once the cohort has ended."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, courses: list[tuple[int, str]], fixed_course: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = courses  # type: ignore[attr-defined]
        if fixed_course:
            self.fields["course"].disabled = True


class ProviderForm(KrdsForm):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProviderKind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("sort_order"))


class ProviderEditForm(KrdsForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProviderKind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("sort_order"))
    is_active = forms.BooleanField(label=_("Active"), required=False)


class CourseForm(KrdsForm):
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=CourseLevel.choices)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=2_000)


class CourseEditForm(CourseForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class CohortFilterForm(KrdsForm):
    year = forms.IntegerField(label=_("Year counted"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Kind of provider"), required=False, choices=[("", _("All kinds")), *ProviderKind.choices]
    )
    provider = forms.TypedChoiceField(
        label=_("Provider"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All providers")), *providers]  # type: ignore[attr-defined]
