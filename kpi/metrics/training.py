"""KPI metrics: training (registered on import).

Trained workers follow training.selectors.trained_workers: a worker counts when they complete a cohort,
in the year the cohort ends ("year"), once it has ended by the as-of date. A year with imported
historical aggregates of trained workers is counted from the aggregates alone (cells with the year and,
where the aggregates have it, the region; provisional where they are); the cohorts of that year are
not counted.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from factories.models import AggregateMetric
from kpi.metrics.deployments import aggregate_cells, clean_dims
from kpi.registry import Cell, Metric, register
from training.models import TrainingCohort


def compute_trained_workers(as_of: dt.date) -> list[Cell]:
    years, cells = aggregate_cells(AggregateMetric.TRAINED_WORKERS, as_of)
    rows = (
        TrainingCohort.objects.filter(period_end__lte=as_of)
        .exclude(year__in=list(years))
        .order_by()
        .values("year", "course__provider__kind", "course__provider__region__slug")
        .annotate(n=Sum("completed"))
    )
    for row in rows:
        if row["n"]:
            dims = {
                "year": row["year"],
                "provider_kind": row["course__provider__kind"],
                "region": row["course__provider__region__slug"],
            }
            cells.append(Cell(clean_dims(dims), row["n"]))
    return cells


register(
    Metric(
        code="trained_workers",
        name_ko="스마트제조 인력양성 수",
        name_en="Smart-manufacturing workers trained",
        unit="persons",
        definition_ko=(
            "기준일까지 끝난 교육 과정의 수료 인원을 과정 종료연도(year)별로 "
            "센다. 과거 집계가 있는 연도는 과거 "
            "집계만으로 센다."
        ),
        definition_en=(
            "Workers who completed a training cohort that ended by the as-of date, by the year it "
            "ended ('year'), by provider kind and the provider's region. A year with imported "
            "historical aggregates is counted from the aggregates alone."
        ),
        breakdowns=("year", "provider_kind", "region"),
        compute=compute_trained_workers,
        target_metric="trained_workers",
        cumulative=True,
        group="training",
    )
)
