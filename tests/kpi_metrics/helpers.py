"""Shared helpers of the KPI metric tests: aggregating cells by a breakdown and checking a snapshot."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from hypothesis import HealthCheck, settings

from kpi.registry import Cell, metric

# Derandomised, few examples: every example builds rows in the database.
SETTINGS = settings(
    derandomize=True,
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Rows = Iterable[tuple[Mapping[str, Any], Decimal | int]]


def group(rows: Rows, dims: Sequence[str]) -> dict[tuple[Any, ...], Decimal]:
    """Sum of the values per combination of `dims` (zero sums dropped: a group with no cells and a
    group whose cells add to zero read the same)."""
    out: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for dims_of, value in rows:
        out[tuple(dims_of[d] for d in dims)] += Decimal(value)
    return {k: v for k, v in out.items() if v != 0}


def cells(code: str, as_of: dt.date) -> list[tuple[dict[str, Any], Decimal | int]]:
    found: list[Cell] = list(metric(code).compute(as_of))  # type: ignore[misc]
    keys = [tuple(sorted(c.dims.items())) for c in found]
    assert len(keys) == len(set(keys)), f"{code}: two cells with the same dims"
    return [(c.dims, c.value) for c in found]


def breakdowns_of(code: str) -> list[tuple[str, ...]]:
    """Every breakdown of a metric: the total, each dimension alone, each pair and all of them."""
    dims = metric(code).breakdowns
    out: list[tuple[str, ...]] = [()]
    out += [(d,) for d in dims]
    out += list(itertools.combinations(dims, 2))
    out.append(tuple(dims))
    return out


def assert_sum_metric(
    code: str, as_of: dt.date, expected: list[tuple[dict[str, Any], int | Decimal]]
) -> None:
    """compute(as_of) equals the direct recomputation by every breakdown the metric supports."""
    got = cells(code, as_of)
    for dims in breakdowns_of(code):
        assert group(got, dims) == group(expected, dims), (code, dims)


def today() -> dt.date:
    return timezone.localdate()


def at(days_ago: int, seconds: int = 0) -> dt.datetime:
    """A whole-second instant `days_ago` days before now (minus `seconds`)."""
    now = timezone.now().replace(microsecond=0)
    return now - dt.timedelta(days=days_ago, seconds=seconds)


def day_end(as_of: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def assert_snapshot_matches(
    snapshot: Any, code: str, expected: list[tuple[dict[str, Any], int | Decimal]]
) -> None:
    """The snapshot read through kpi.selectors.breakdown equals the recomputation by each single
    dimension and in total."""
    from kpi.selectors import breakdown

    for dim in metric(code).breakdowns:
        rows = breakdown(snapshot, code, group_by=(dim,))
        got = {(r.dims[dim],): r.value for r in rows if r.value}
        assert got == group(expected, (dim,)), (code, dim)
    rows = breakdown(snapshot, code)
    assert (rows[0].value or 0) == sum((Decimal(v) for _d, v in expected), Decimal(0))
