"""The metric registry (DESIGN.md §5): every KPI with its code, names, unit, definition in words and in
code, and the breakdowns it supports.

A metric's `compute(as_of)` reads raw rows (with a few GROUP BY queries, never a query per row) and
yields its cells at the finest breakdown it supports. How cells combine into a breakdown a user asks
for is the metric's `aggregation`:

- "sum": additive (counts, won, persons) — any breakdown is the SUM of the matching cells;
- "exact": non-additive figures (medians, means, rates) stored ready-made for each breakdown the metric
  lists in `exact_breakdowns` (every combination it supports, the empty one for the total) — a breakdown
  is read as the one cell whose dims equal it.

Ratios of two additive metrics (the advancement ratio, the execution rate) are `ratio_of` metrics: they
store no cells; a breakdown is SUM(numerator) ÷ SUM(denominator) over the same cells.

Metrics register themselves with `register()` in the kpi.metrics modules; `metrics()` returns them in
display order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.utils.functional import Promise

# Breakdowns a metric may support, and what each dimension's value is in a cell's dims.
BREAKDOWNS: dict[str, str] = {
    "year": "calendar year (int) — of completion, payment, decision … as the metric defines",
    "support_year": "support (selection) year (int)",
    "completion_year": "build-completion year (int)",
    "quarter": "quarter of the year (int 1–4)",
    "region": "region slug (str)",
    "program_type": "program type code (str)",
    "partner": "partner firm organisation id (int)",
    "industry": "KSIC division code (str)",
    "level": "level code L1–L5 (str)",
    "size": "firm-size class code (str)",
    "source": "funding source code (str)",
    "origin": "factory origin: supported / self_built (str)",
    "stage": "funnel stage (str)",
    "provider_kind": "training provider kind (str)",
    "measure": "outcome measure (str)",
    "flag": "data-quality flag (str)",
    "call": "call id (int)",
}

Unit = Literal["count", "persons", "percent", "krw", "days", "ratio"]
Aggregation = Literal["sum", "exact", "ratio"]


@dataclass(frozen=True)
class Cell:
    dims: dict[str, Any]
    value: Decimal | int
    status: str = "actual"  # actual | provisional (imported provisional aggregates stay provisional)


@dataclass(frozen=True)
class Metric:
    code: str
    name_ko: str
    name_en: str
    unit: Unit
    definition_ko: str
    definition_en: str
    breakdowns: tuple[str, ...]
    aggregation: Aggregation = "sum"
    compute: Callable[[dt.date], Iterable[Cell]] | None = None
    # ratio metrics: (numerator code, denominator code, numerator filter on the numerator's cells)
    ratio_of: tuple[str, str] | None = None
    # exact metrics: the breakdowns stored ready-made (each a tuple of dimension names; () = total)
    exact_breakdowns: tuple[tuple[str, ...], ...] = ()
    # the programs.NationalTarget metric this KPI is measured against, if any
    target_metric: str | None = None
    # cumulative: the dashboard also shows the running total over `year`
    cumulative: bool = False
    group: str = "other"  # dashboard section: deployments, levels, money, partners, funnel, training …
    extra: dict[str, Any] = field(default_factory=dict)

    def name(self, language: str | None) -> str | Promise:
        return self.name_en if (language or "ko").startswith("en") else self.name_ko

    def definition(self, language: str | None) -> str:
        return self.definition_en if (language or "ko").startswith("en") else self.definition_ko


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    unknown = set(metric.breakdowns) - set(BREAKDOWNS)
    if unknown:
        raise ValueError(f"{metric.code}: unknown breakdowns {sorted(unknown)}")
    if metric.code in _REGISTRY:
        raise ValueError(f"{metric.code} is registered twice")
    if metric.aggregation == "ratio" and metric.ratio_of is None:
        raise ValueError(f"{metric.code}: a ratio metric names its numerator and denominator")
    if metric.aggregation != "ratio" and metric.compute is None:
        raise ValueError(f"{metric.code}: a stored metric needs a compute function")
    _REGISTRY[metric.code] = metric
    return metric


def _load() -> None:
    # The metric modules register on import (kept out of the module body to avoid import cycles).
    from kpi import metrics  # noqa: F401


def metrics() -> list[Metric]:
    _load()
    return list(_REGISTRY.values())


def metric(code: str) -> Metric:
    _load()
    return _REGISTRY[code]


def is_registered(code: str) -> bool:
    _load()
    return code in _REGISTRY
