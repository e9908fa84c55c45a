"""KPI metrics: outcome effects (registered on import).

Over the outcome reports accepted by the as-of date (status accepted, reviewed on or before it), the
change of each measure from before to after — relative change in percent for productivity, rates and
money (reports with a baseline of zero left out), absolute change for employment and accidents, as in
factories.outcomes_selectors — summarised as the median and the mean. These are not additive: they are
stored ready-made for the measure alone, the measure by the factory's completion year ("year": the
cohort) and the measure by program type. One query computes them all (GROUPING SETS).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from factories.models import OUTCOME_MEASURES, OutcomeReport, OutcomeStatus
from factories.outcomes_selectors import RELATIVE_KINDS
from kpi.metrics.deployments import clean_dims
from kpi.registry import Cell, Metric, register
from kpi.snapshots import run_cache

PLACES = Decimal("0.0001")


def _change_sql(stem: str, kind: str) -> str:
    before, after = f"o.{stem}_before", f"o.{stem}_after"
    if kind in RELATIVE_KINDS:
        return (
            f"CASE WHEN {before} > 0 AND {after} IS NOT NULL "
            f"THEN ({after} - {before})::numeric * 100 / {before} END"
        )
    return f"CASE WHEN {before} IS NOT NULL AND {after} IS NOT NULL THEN ({after} - {before})::numeric END"


# `{changes}` is filled from the constant OUTCOME_MEASURES only; the values are query parameters.
_SQL_TEMPLATE = """
WITH ch AS (
    SELECT f.completion_year AS year, f.program_type, k.code AS industry, m.measure, m.change
      FROM factories_outcomereport o
      JOIN factories_factory f ON f.id = o.factory_id
      JOIN core_ksicdivision k ON k.id = f.ksic_id
     CROSS JOIN LATERAL (VALUES {changes}) AS m(measure, change)
     WHERE o.status = %s AND o.reviewed_at < %s AND m.change IS NOT NULL
)
SELECT measure, year, program_type, industry, GROUPING(year), GROUPING(program_type), GROUPING(industry),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY change::float8), AVG(change)
  FROM ch
 GROUP BY GROUPING SETS ((measure), (measure, year), (measure, program_type), (measure, industry))
"""


def _sql() -> str:
    changes = ",\n".join(f"('{stem}', {_change_sql(stem, kind)})" for stem, _label, kind in OUTCOME_MEASURES)
    return _SQL_TEMPLATE.replace("{changes}", changes)


def _rows(as_of: dt.date) -> list[tuple[Any, ...]]:
    """The median and mean rows, computed once per snapshot (both metrics read them)."""
    cache = run_cache()
    key = ("outcome_changes", as_of)
    if cache is not None and key in cache:
        rows: list[tuple[Any, ...]] = cache[key]
        return rows
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [OutcomeStatus.ACCEPTED, end])
        rows = cursor.fetchall()
    if cache is not None:
        cache[key] = rows
    return rows


def _round(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _cells(as_of: dt.date, which: str) -> list[Cell]:
    cells = []
    for measure, year, program_type, industry, no_year, no_type, no_industry, median, mean in _rows(as_of):
        dims: dict[str, Any] = {"measure": measure}
        if not no_year:
            dims["year"] = year
        if not no_industry:
            dims["industry"] = industry
        if not no_type:
            if not program_type:  # a self-built factory has no program type: only in the totals
                continue
            dims["program_type"] = program_type
        cells.append(Cell(dims, _round(median if which == "median" else mean)))
    return cells


def compute_median(as_of: dt.date) -> list[Cell]:
    return _cells(as_of, "median")


def compute_mean(as_of: dt.date) -> list[Cell]:
    return _cells(as_of, "mean")


def compute_accepted(as_of: dt.date) -> list[Cell]:
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    rows = (
        OutcomeReport.objects.filter(status=OutcomeStatus.ACCEPTED, reviewed_at__lt=end)
        .order_by()
        .values("factory__completion_year", "factory__program_type")
        .annotate(n=Count("id"))
    )
    return [
        Cell(
            clean_dims({"year": r["factory__completion_year"], "program_type": r["factory__program_type"]}),
            r["n"],
        )
        for r in rows
    ]


EXACT = (("measure",), ("measure", "year"), ("measure", "program_type"), ("measure", "industry"))
_WORDS_EN = (
    "over the outcome reports accepted by the as-of date: relative change in percent for "
    "productivity, defect rate, cost, on-time delivery and sales (baseline above zero), absolute "
    "change for employment and accidents; by measure, by measure and the factory's completion year "
    "('year', the cohort), by measure and program type, and by measure and industry (KSIC division)."
)
_WORDS_KO = (
    "기준일까지 확인(승인)된 성과 보고의 도입 전 대비 후 변화: "
    "생산성·불량률·원가·납기준수율·매출은 증감률(%), "
    "고용·산업재해는 증감 수. 지표별, 지표×준공연도(코호트), 지표×사업유형, 지표×업종."
)

register(
    Metric(
        code="outcome_change_median",
        name_ko="성과 지표 변화(중앙값)",
        name_en="Outcome change (median)",
        unit="percent",
        definition_ko="중앙값. " + _WORDS_KO,
        definition_en="The median change " + _WORDS_EN,
        breakdowns=("measure", "year", "program_type", "industry"),
        aggregation="exact",
        exact_breakdowns=EXACT,
        compute=compute_median,
        group="outcomes",
        extra={"absolute_measures": [s for s, _l, k in OUTCOME_MEASURES if k not in RELATIVE_KINDS]},
    )
)

register(
    Metric(
        code="outcome_change_mean",
        name_ko="성과 지표 변화(평균)",
        name_en="Outcome change (mean)",
        unit="percent",
        definition_ko="평균. " + _WORDS_KO,
        definition_en="The mean change " + _WORDS_EN,
        breakdowns=("measure", "year", "program_type", "industry"),
        aggregation="exact",
        exact_breakdowns=EXACT,
        compute=compute_mean,
        group="outcomes",
        extra={"absolute_measures": [s for s, _l, k in OUTCOME_MEASURES if k not in RELATIVE_KINDS]},
    )
)

register(
    Metric(
        code="outcome_reports_accepted",
        name_ko="확인된 성과 보고 수",
        name_en="Outcome reports accepted",
        unit="count",
        definition_ko="기준일까지 확인(승인)된 성과 보고 수를 공장의 준공연도·사업유형별로 센다.",
        definition_en=(
            "Outcome reports accepted by the as-of date, by the factory's completion year ('year') and "
            "program type."
        ),
        breakdowns=("year", "program_type"),
        compute=compute_accepted,
        group="outcomes",
    )
)
