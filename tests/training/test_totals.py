"""Trained-workers totals: completed counts in the year the cohort ends and only once it has ended;
cumulative; breakdowns by provider kind and region; an aggregate year is counted from the aggregates
alone; progress toward the 100,000 target; a constant number of queries."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories.models import HistoricalAggregate
from tests import factories as f
from tests.training.conftest import cohort
from training.selectors import AGGREGATE, trained_workers, training_target_progress

D = dt.date
AS_OF = D(2021, 6, 30)


def aggregate(year: int, value: int, user, region=None, status="actual") -> HistoricalAggregate:
    return HistoricalAggregate.objects.create(
        metric="trained_workers",
        year=year,
        region=region,
        value=value,
        status=status,
        source="test",
        imported_by=user,
        batch=uuid.uuid4(),
    )


def make_cohorts(course, other_course, user):
    cohort(course, user, start=D(2019, 3, 1), end=D(2019, 6, 30), enrolled=30, completed=25)
    cohort(
        course, user, start=D(2019, 11, 1), end=D(2020, 1, 31), enrolled=20, completed=20
    )  # counts in 2020
    cohort(other_course, user, start=D(2020, 3, 1), end=D(2020, 5, 31), enrolled=40, completed=35)
    cohort(other_course, user, start=D(2021, 5, 1), end=D(2021, 8, 31), enrolled=50, completed=0)  # running


def test_completed_by_year_of_the_end_and_cumulative(course, other_course, official):
    make_cohorts(course, other_course, official.user)
    totals = trained_workers(as_of=AS_OF)
    assert [(y.year, y.completed, y.cumulative, y.from_aggregates) for y in totals.years] == [
        (2019, 25, 25, False),
        (2020, 55, 80, False),
    ]
    assert totals.total == 80
    assert [(y.year, y.completed) for y in trained_workers(year=2020, as_of=AS_OF).years] == [(2020, 55)]
    assert trained_workers(year=2020, as_of=AS_OF).years[0].cumulative == 80


def test_a_cohort_counts_only_once_it_has_ended(course, official):
    made = cohort(course, official.user, start=D(2021, 1, 4), end=D(2021, 7, 31), enrolled=10, completed=9)
    assert trained_workers(as_of=D(2021, 7, 30)).total == 0
    assert trained_workers(as_of=made.period_end).total == 9


def test_breakdowns_by_kind_and_region(course, other_course, official):
    make_cohorts(course, other_course, official.user)
    by_kind = {y.year: y.breakdown for y in trained_workers(by="kind", as_of=AS_OF).years}
    assert by_kind == {2019: {"learning_center": 25}, 2020: {"learning_center": 20, "learning_factory": 35}}
    by_region = {y.year: y.breakdown for y in trained_workers(by="region", as_of=AS_OF).years}
    gg, bs = f.region("gyeonggi").pk, f.region("busan").pk
    assert by_region == {2019: {gg: 25}, 2020: {gg: 20, bs: 35}}


def test_an_aggregate_year_is_counted_from_the_aggregates_alone(course, other_course, official):
    make_cohorts(course, other_course, official.user)
    aggregate(2017, 5_000, official.user)
    aggregate(2020, 1_000, official.user, region=f.region("seoul"), status="provisional")
    aggregate(2020, 500, official.user, region=f.region("busan"))
    totals = trained_workers(as_of=AS_OF)
    rows = [(y.year, y.completed, y.cumulative, y.from_aggregates, y.provisional) for y in totals.years]
    assert rows == [
        (2017, 5_000, 5_000, True, False),
        (2019, 25, 5_025, False, False),
        (2020, 1_500, 6_525, True, True),  # the cohorts' 55 of 2020 are not added
    ]
    assert totals.years[2].cohort_completed == 55
    by_region = {y.year: y.breakdown for y in trained_workers(by="region", as_of=AS_OF).years}
    assert by_region[2020] == {f.region("seoul").pk: 1_000, f.region("busan").pk: 500}
    assert by_region[2017] == {None: 5_000}
    assert trained_workers(by="kind", as_of=AS_OF).years[0].breakdown == {AGGREGATE: 5_000}


def test_a_total_cell_wins_over_the_sum_of_its_breakdown(official):
    aggregate(2018, 900, official.user)
    aggregate(2018, 300, official.user, region=f.region("seoul"))
    year = trained_workers(as_of=AS_OF).years[0]
    assert (year.year, year.completed) == (2018, 900)


def test_progress_toward_the_100000_target(course, official):
    aggregate(2016, 7_000, official.user)  # before the target counts (2017–2022)
    aggregate(2018, 30_000, official.user)
    cohort(course, official.user, start=D(2022, 3, 1), end=D(2022, 6, 30), enrolled=100, completed=90)
    cohort(
        course, official.user, start=D(2023, 3, 1), end=D(2023, 6, 30), enrolled=100, completed=80
    )  # after
    (progress,) = training_target_progress(trained_workers(as_of=D(2024, 1, 1)))
    assert progress.target.code == "workers-100000-2022"
    assert progress.achieved == 30_090
    assert round(progress.percent, 2) == 30.09


def test_totals_cost_the_same_queries_whatever_the_data(course, other_course, official):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            trained_workers(by="kind", as_of=AS_OF)
        return len(ctx.captured_queries)

    empty = queries()
    make_cohorts(course, other_course, official.user)
    aggregate(2017, 5_000, official.user)
    assert queries() == empty == 2
