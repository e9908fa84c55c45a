"""Filters of the application list, shared by the API and the pages."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application, ApplicationStatus
from applications.permissions import can_see_evaluations
from companies.models import Company
from core.models import Region, TargetLevel
from programs.models import ProgramType

NUMBER = re.compile(r"^(\d{4})-(\d{7})$")


def _regions() -> list[tuple[str, str]]:
    return [(r.slug, r.name) for r in Region.objects.order_by("sort_order")]


def _target_levels() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in TargetLevel.objects.order_by("sort_order")]


class ApplicationFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="call_id", label=_("Call"))
    fiscal_year = django_filters.NumberFilter(field_name="call__fiscal_year", label=_("Fiscal year"))
    program_type = django_filters.ChoiceFilter(
        field_name="call__program_type",
        choices=ProgramType.choices,
        label=_("Program type"),
        empty_label=_("All"),
    )
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("Status"))
    region = django_filters.ChoiceFilter(
        field_name="region__slug", choices=_regions, label=_("Region"), empty_label=_("All")
    )
    target_level = django_filters.ChoiceFilter(
        field_name="target_level__code", choices=_target_levels, label=_("Target level"), empty_label=_("All")
    )
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted from")
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted to")
    )
    q = django_filters.CharFilter(
        method="search", label=_("Title, company, registration or application number")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("submitted_at", "submitted_at"), ("evaluation_score", "score"), ("id", "id")),
        label=_("Order"),
    )

    class Meta:
        model = Application
        fields = ["call", "fiscal_year", "program_type", "status", "region", "target_level", "company"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = kwargs.get("request") or getattr(self, "request", None)
        if request is None or not can_see_evaluations(request.user):
            # Ordering by the evaluation score would reveal the hidden scores' ranking to applicants.
            ordering = self.filters["ordering"]
            ordering.extra["choices"] = [c for c in ordering.extra["choices"] if "score" not in c[0]]
            self.form.fields["ordering"].choices = ordering.extra["choices"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Title or company name; a business registration number; or an application number (2026-0001234)."""
        text = value.strip()
        # Matching companies are looked up first and passed as a list: an OR across joined tables (or
        # with a subquery) makes PostgreSQL scan every application, while title LIKE (trigram index) OR
        # company_id = ANY(list) (b-tree index) combine as two index scans.
        companies = list(
            Company.objects.filter(organisation__name_ko__icontains=text).values_list("pk", flat=True)
        )
        # A pattern shorter than a trigram cannot narrow the trigram index, and PostgreSQL would still
        # walk it; a regex match is answered with a plain (parallel) scan instead.
        by_title = Q(title__icontains=text) if len(text) >= 3 else Q(title__iregex=re.escape(text))
        condition = by_title | Q(company_id__in=companies)
        number = NUMBER.match(text)
        if number:
            condition |= Q(pk=int(number.group(2)), call__fiscal_year=int(number.group(1)))
        digits = text.replace("-", "")
        if digits.isdigit() and len(digits) >= 3:
            condition |= Q(
                company_id__in=list(
                    Company.objects.filter(brn__startswith=digits).values_list("pk", flat=True)
                )
            )
        return queryset.filter(condition)
