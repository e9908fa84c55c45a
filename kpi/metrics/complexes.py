"""KPI metrics: leading smart industrial complexes (registered on import)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from factories.models import IndustrialComplex
from kpi.registry import Cell, Metric, register


def compute_leading_complexes(as_of: dt.date) -> list[Cell]:
    rows = (
        IndustrialComplex.objects.filter(designated_on__lte=as_of)
        .filter(Q(designation_ended_on__isnull=True) | Q(designation_ended_on__gt=as_of))
        .annotate(designated_year=ExtractYear("designated_on"))
        .order_by()
        .values("designated_year", "region__slug")
        .annotate(n=Count("id"))
    )
    return [Cell({"year": row["designated_year"], "region": row["region__slug"]}, row["n"]) for row in rows]


register(
    Metric(
        code="leading_complexes",
        name_ko="선도 스마트산단 수",
        name_en="Leading smart industrial complexes",
        unit="count",
        definition_ko=(
            "기준일 현재 선도 스마트산단으로 지정되어 있는(지정 종료 전) 산업단지 수. 연도는 지정연도."
        ),
        definition_en=(
            "Industrial complexes designated as leading smart industrial complexes on the as-of date "
            "(designated by then, designation not ended), by region and by year of designation ('year')."
        ),
        breakdowns=("year", "region"),
        compute=compute_leading_complexes,
        target_metric="leading_complexes",
        cumulative=True,
        group="complexes",
    )
)
