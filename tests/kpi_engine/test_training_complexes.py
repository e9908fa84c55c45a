"""Trained workers (with the aggregates rule) and leading complexes: every breakdown of a snapshot equals
a plain-Python recomputation from the raw rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from factories.models import AggregateMetric, AggregateStatus, HistoricalAggregate, IndustrialComplex
from tests import factories as f
from tests.kpi_engine.conftest import (
    PROPERTY,
    REGIONS,
    check_all_breakdowns,
    example_savepoint,
    new_batch,
    snapshot_of,
)
from training.models import ProviderKind, TrainingCohort, TrainingCourse, TrainingProvider

cohort_spec = st.fixed_dictionaries(
    {
        "provider": st.integers(0, 2),
        "period_end": st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
        "completed": st.integers(0, 30),
    }
)
training_spec = st.fixed_dictionaries(
    {
        "cohorts": st.lists(cohort_spec, max_size=10),
        "aggregates": st.lists(
            st.fixed_dictionaries(
                {
                    "year": st.integers(2019, 2024),
                    "shape": st.sampled_from(["total", "region", "region+total"]),
                    "value": st.integers(1, 500),
                    "provisional": st.booleans(),
                }
            ),
            max_size=2,
            unique_by=lambda a: a["year"],
        ),
        "as_of": st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)),
    }
)


def _providers(db_user):
    kinds = (ProviderKind.LEARNING_CENTER, ProviderKind.SMART_LAB, ProviderKind.LEARNING_CENTER)
    courses = []
    for i, kind in enumerate(kinds):
        provider = TrainingProvider.objects.create(
            organisation=f.OrganisationFactory(), kind=kind, region=f.region(REGIONS[i])
        )
        courses.append(
            TrainingCourse.objects.create(provider=provider, title_ko="MES 실무", level="basic", hours=40)
        )
    return courses


@given(data=training_spec)
@PROPERTY
def test_trained_workers_every_breakdown(pool, data):
    with example_savepoint():
        courses = _providers(pool.official)
        for spec in data["cohorts"]:
            end = spec["period_end"]
            TrainingCohort.objects.create(
                course=courses[spec["provider"]],
                period_start=end - dt.timedelta(days=30),
                period_end=end,
                year=end.year,
                enrolled=spec["completed"] + 3,
                completed=spec["completed"],
                recorded_by=pool.official,
            )
        batch = new_batch()
        for agg in data["aggregates"]:
            status = AggregateStatus.PROVISIONAL if agg["provisional"] else AggregateStatus.ACTUAL
            common = {
                "metric": AggregateMetric.TRAINED_WORKERS,
                "year": agg["year"],
                "status": status,
                "source": "test",
                "imported_by": pool.official,
                "batch": batch,
            }
            if agg["shape"] in ("total", "region+total"):
                HistoricalAggregate.objects.create(**common, value=agg["value"] + 10)
            if agg["shape"] in ("region", "region+total"):
                HistoricalAggregate.objects.create(**common, region=f.region("seoul"), value=agg["value"])
                HistoricalAggregate.objects.create(**common, region=f.region("busan"), value=3)
        as_of = data["as_of"]
        snap = snapshot_of(["trained_workers"], as_of)

        aggregates = list(
            HistoricalAggregate.objects.filter(metric="trained_workers").values(
                "year", "region__slug", "value"
            )
        )
        agg_years = {a["year"] for a in aggregates if a["year"] <= as_of.year}
        records: list[tuple[dict[str, Any], Any]] = []
        for year in agg_years:
            mine = [a for a in aggregates if a["year"] == year]
            total = next((a["value"] for a in mine if a["region__slug"] is None), None)
            parts = [a for a in mine if a["region__slug"] is not None]
            records += [({"year": year, "region": a["region__slug"]}, a["value"]) for a in parts]
            if total is not None and total > sum(a["value"] for a in parts):
                records.append(({"year": year}, total - sum(a["value"] for a in parts)))
        for c in TrainingCohort.objects.values(
            "year", "period_end", "completed", "course__provider__kind", "course__provider__region__slug"
        ):
            if c["period_end"] <= as_of and c["year"] not in agg_years:
                dims = {
                    "year": c["year"],
                    "provider_kind": c["course__provider__kind"],
                    "region": c["course__provider__region__slug"],
                }
                records.append((dims, c["completed"]))
        check_all_breakdowns(
            snap, "trained_workers", records, ("year", "provider_kind", "region"), [("year", "region")]
        )


complex_spec = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from(REGIONS),
            "designated_on": st.none() | st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
            "ended_after": st.none() | st.integers(1, 1500),
        }
    ),
    max_size=8,
)


@given(specs=complex_spec, as_of=st.dates(dt.date(2020, 1, 1), dt.date(2026, 6, 30)))
@PROPERTY
def test_leading_complexes_every_breakdown(db, specs, as_of):
    with example_savepoint():
        for i, spec in enumerate(specs):
            designated = spec["designated_on"]
            IndustrialComplex.objects.create(
                name_ko=f"산단{i}",
                name_en=f"Complex {i}",
                region=f.region(spec["region"]),
                designated_on=designated,
                designation_ended_on=(
                    designated + dt.timedelta(days=spec["ended_after"])
                    if designated and spec["ended_after"]
                    else None
                ),
            )
        snap = snapshot_of(["leading_complexes"], as_of)
        records = [
            ({"year": c["designated_on"].year, "region": c["region__slug"]}, 1)
            for c in IndustrialComplex.objects.values("designated_on", "designation_ended_on", "region__slug")
            if c["designated_on"] is not None
            and c["designated_on"] <= as_of
            and (c["designation_ended_on"] is None or c["designation_ended_on"] > as_of)
        ]
        check_all_breakdowns(snap, "leading_complexes", records, ("year", "region"), [("year", "region")])
