"""Forms and filters of the factory register: the register's filters (shared by the API and the page),
completion of a project, level confirmation (수준확인) and closure."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.forms import DateInput, KrdsForm
from core.models import Level, Region
from factories.models import ClosureReason, Factory, FactoryOrigin
from programs.models import ProgramType


def _regions() -> list[tuple[str, str]]:
    return [(r.slug, str(r.name)) for r in Region.objects.order_by("sort_order")]


def _levels() -> list[tuple[str, str]]:
    return [(level.code, f"{level.code} {level.name}") for level in Level.objects.order_by("rank")]


class FactoryFilter(django_filters.FilterSet):
    completion_year = django_filters.NumberFilter(label=_("Completion year"))
    support_year = django_filters.NumberFilter(label=_("Support year"))
    region = django_filters.ChoiceFilter(
        field_name="region__slug", choices=_regions, label=_("Region"), empty_label=_("All")
    )
    program_type = django_filters.ChoiceFilter(
        choices=ProgramType.choices, label=_("Program type"), empty_label=_("All")
    )
    origin = django_filters.ChoiceFilter(
        choices=FactoryOrigin.choices, label=_("Origin"), empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(
        field_name="level__code", choices=_levels, label=_("Level reached"), empty_label=_("All")
    )
    counted = django_filters.BooleanFilter(label=_("Counted toward the target"))
    closed = django_filters.BooleanFilter(method="filter_closed", label=_("Closed"))
    q = django_filters.CharFilter(method="search", label=_("Company name or registration number"))

    class Meta:
        model = Factory
        fields = ["completion_year", "support_year", "region", "program_type", "origin", "level", "counted"]

    def filter_closed(self, queryset: QuerySet[Factory], name: str, value: bool | None) -> QuerySet[Factory]:
        if value is None:
            return queryset
        return queryset.filter(closed_on__isnull=not value)

    def search(self, queryset: QuerySet[Factory], name: str, value: str) -> QuerySet[Factory]:
        """Company name (substring) or business registration number (its first digits, hyphens
        ignored). Matching companies are looked up first, so the register is filtered by an indexed
        list of ids."""
        text = value.strip()
        if not text:
            return queryset
        condition = Q(organisation__name_ko__icontains=text) | Q(organisation__name_en__icontains=text)
        digits = text.replace("-", "")
        if digits.isdigit() and len(digits) >= 3:
            condition |= Q(brn__startswith=digits)
        companies = list(Company.objects.filter(condition).values_list("pk", flat=True)[:5_000])
        return queryset.filter(company_id__in=companies)


class CompletionForm(KrdsForm):
    completed_on = forms.DateField(label=_("Completed (final inspection passed)"), widget=DateInput())
    level = forms.ChoiceField(label=_("Level reached"), choices=_levels)
    confirming_body = forms.CharField(
        label=_("Inspecting body"),
        max_length=200,
        help_text=_("For example the regional smart manufacturing innovation center."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LevelConfirmationForm(KrdsForm):
    level = forms.ChoiceField(label=_("Level"), choices=_levels)
    confirmed_on = forms.DateField(label=_("Confirmed"), widget=DateInput())
    confirming_body = forms.CharField(label=_("Confirming body"), max_length=200)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=50, required=False)
    self_built = forms.BooleanField(
        label=_("The workplace built its smart factory itself (민간 자체구축): count it as a deployment"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClosureForm(KrdsForm):
    closed_on = forms.DateField(label=_("Closed"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose")), *ClosureReason.choices])
    note = forms.CharField(
        label=_("Note"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is 'Other'."),
    )
