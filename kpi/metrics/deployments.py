"""KPI metrics: deployments (registered on import).

Deployments count factories with `counted` set (the counting rule of factories.models), by completion
year — the dimension is called "year" — and completed by the snapshot's as-of date. A year for which
historical aggregates of deployments are loaded is counted from the aggregates alone: its cells carry
only the dimensions the aggregates have (year, and region, program type, origin or level when they
are broken down so), with the status of the aggregates (provisional when any of that year's is); the
factory records of that year are not counted.

Dimension values: region slug, program type code, origin, level code (L1–L5), KSIC division code,
firm-size class code, partner organisation id. A dimension that does not apply (a self-built factory
has no program type and no partner; an aggregate is not broken down by it) is left out of the cell,
so a breakdown by it shows that part under an empty key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear

from applications.models import AgreementFunding, FundingSource
from core.models import Level
from factories.models import AggregateMetric, AggregateStatus, Factory, HistoricalAggregate
from kpi.registry import Cell, Metric, register

ADVANCED_MIN_RANK = Level.ADVANCED_MIN_RANK

# cell dimension → the Factory field grouped by
FACTORY_DIMS: dict[str, str] = {
    "region": "region__slug",
    "program_type": "program_type",
    "origin": "origin",
    "level": "level__code",
    "industry": "ksic__code",
    "size": "company__size_class__code",
    "partner": "partner_id",
}


def clean_dims(dims: dict[str, Any]) -> dict[str, Any]:
    """Dims without the dimensions that do not apply (None or empty)."""
    return {k: v for k, v in dims.items() if v is not None and v != ""}


def aggregate_cells(
    metric: str, as_of: dt.date, *, advanced_only: bool = False
) -> tuple[set[int], list[Cell]]:
    """The cells of the years counted from historical aggregates of `metric` (years up to the as-of
    year) and the set of those years.

    A year's breakdown cells become cells with the dims they carry; when the year also has a total
    cell (no breakdown), the part of it not covered by the breakdown cells is a cell with the year
    alone — and when its breakdown cells add up to more than its total, the total alone is stored
    (the total is what counts, as in factories.aggregates.aggregate_year_figures).
    With `advanced_only`, only cells broken down by a level of rank ≥ 3 are kept."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in HistoricalAggregate.objects.filter(metric=metric, year__lte=as_of.year)
        .order_by("year", "id")
        .values(
            "year", "region__slug", "program_type", "origin", "level__code", "level__rank", "value", "status"
        )
    ]
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_year[row["year"]].append(row)
    cells: list[Cell] = []
    for year, aggs in by_year.items():
        status = (
            AggregateStatus.PROVISIONAL
            if any(a["status"] == AggregateStatus.PROVISIONAL for a in aggs)
            else AggregateStatus.ACTUAL
        )
        totals = [
            a for a in aggs if not (a["region__slug"] or a["program_type"] or a["origin"] or a["level__code"])
        ]
        parts = [a for a in aggs if a not in totals]
        year_cells: list[Cell] = []
        if totals and sum(a["value"] for a in parts) > totals[0]["value"]:
            year_cells = [Cell({"year": year}, totals[0]["value"], status)]
        else:
            for a in parts:
                dims = clean_dims(
                    {
                        "year": year,
                        "region": a["region__slug"],
                        "program_type": a["program_type"],
                        "origin": a["origin"],
                        "level": a["level__code"],
                    }
                )
                year_cells.append(Cell(dims, a["value"], status))
            if totals:
                rest = totals[0]["value"] - sum(a["value"] for a in parts)
                if rest > 0:
                    year_cells.append(Cell({"year": year}, rest, status))
        if advanced_only:
            ranks = {a["level__code"]: a["level__rank"] for a in aggs if a["level__code"]}
            year_cells = [
                c for c in year_cells if "level" in c.dims and ranks[c.dims["level"]] >= ADVANCED_MIN_RANK
            ]
        cells.extend(c for c in year_cells if c.value)
    return set(by_year), cells


def counted_factories(as_of: dt.date, skip_years: Iterable[int] = ()) -> QuerySet[Factory]:
    """Counted factories completed by `as_of`, outside the years counted from aggregates."""
    return Factory.objects.filter(counted=True, completed_on__lte=as_of).exclude(
        completion_year__in=list(skip_years)
    )


def _factory_cells(
    qs: QuerySet[Factory], year_field: str, dims: dict[str, str], quarter: bool
) -> Iterator[Cell]:
    fields = dict(dims)
    annotations: dict[str, Any] = {"n": Count("id")}
    group = [year_field, *fields.values()]
    qs = qs.order_by()
    if quarter:
        qs = qs.annotate(_quarter=ExtractQuarter("completed_on"))
        group.append("_quarter")
    for row in qs.values(*group).annotate(**annotations):
        cell_dims: dict[str, Any] = {"year": row[year_field]}
        if quarter:
            cell_dims["quarter"] = row["_quarter"]
        for name, field in fields.items():
            cell_dims[name] = row[field]
        yield Cell(clean_dims(cell_dims), row["n"])


def compute_deployments(as_of: dt.date) -> list[Cell]:
    years, cells = aggregate_cells(AggregateMetric.DEPLOYMENTS, as_of)
    qs = counted_factories(as_of, years)
    return cells + list(_factory_cells(qs, "completion_year", FACTORY_DIMS, quarter=True))


def compute_advanced_deployments(as_of: dt.date) -> list[Cell]:
    years, cells = aggregate_cells(AggregateMetric.DEPLOYMENTS, as_of, advanced_only=True)
    qs = counted_factories(as_of, years).filter(level__rank__gte=ADVANCED_MIN_RANK)
    return cells + list(_factory_cells(qs, "completion_year", FACTORY_DIMS, quarter=True))


def compute_deployments_with_level(as_of: dt.date) -> list[Cell]:
    """The deployments whose level is known: every factory record, and the aggregate cells broken down
    by level (the denominator of the advancement ratio, so aggregate years without levels do not dilute
    it)."""
    return [cell for cell in compute_deployments(as_of) if cell.dims.get("level")]


def compute_by_support_year(as_of: dt.date) -> list[Cell]:
    qs = Factory.objects.filter(counted=True, completed_on__lte=as_of, support_year__isnull=False)
    dims = {"region": "region__slug", "program_type": "program_type", "level": "level__code"}
    out = []
    for row in qs.order_by().values("support_year", *dims.values()).annotate(n=Count("id")):
        cell = {"support_year": row["support_year"], **{k: row[f] for k, f in dims.items()}}
        out.append(Cell(clean_dims(cell), row["n"]))
    return out


def compute_active(as_of: dt.date) -> list[Cell]:
    qs = Factory.objects.filter(counted=True, completed_on__lte=as_of).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
    )
    dims = {"region": "region__slug", "program_type": "program_type", "level": "level__code"}
    return [
        Cell(clean_dims({k: row[f] for k, f in dims.items()}), row["n"])
        for row in qs.order_by().values(*dims.values()).annotate(n=Count("id"))
    ]


def compute_closed(as_of: dt.date) -> list[Cell]:
    rows = (
        Factory.objects.filter(closed_on__isnull=False, closed_on__lte=as_of)
        .annotate(closed_year=ExtractYear("closed_on"))
        .order_by()
        .values("closed_year", "region__slug")
        .annotate(n=Count("id"))
    )
    return [Cell({"year": row["closed_year"], "region": row["region__slug"]}, row["n"]) for row in rows]


def compute_sunk_support(as_of: dt.date) -> list[Cell]:
    rows = (
        AgreementFunding.objects.filter(
            source=FundingSource.GOVERNMENT,
            agreement__application__factory__closed_on__isnull=False,
            agreement__application__factory__closed_on__lte=as_of,
        )
        .annotate(
            closed_year=ExtractYear("agreement__application__factory__closed_on"),
            region_slug=F("agreement__application__factory__region__slug"),
        )
        .order_by()
        .values("closed_year", "region_slug")
        .annotate(krw=Sum("paid_krw"))
    )
    return [
        Cell({"year": row["closed_year"], "region": row["region_slug"]}, row["krw"])
        for row in rows
        if row["krw"]
    ]


DEPLOYMENT_BREAKDOWNS = (
    "year",
    "quarter",
    "region",
    "program_type",
    "origin",
    "level",
    "industry",
    "size",
    "partner",
)

register(
    Metric(
        code="deployments",
        name_ko="스마트공장 보급 수",
        name_en="Smart factories deployed",
        unit="count",
        definition_ko=(
            "보급 실적으로 집계되는 스마트공장(사업장·준공연도당 1회) 수를 준공연도(year)별로 센다. "
            "과거 집계가 있는 연도는 과거 집계만으로 센다(해당 연도의 공장 기록은 세지 않음)."
        ),
        definition_en=(
            "Smart factories that count toward the deployment target (a workplace at most once per "
            "completion year), by completion year ('year'), completed by the as-of date. A year with "
            "imported historical aggregates is counted from the aggregates alone."
        ),
        breakdowns=DEPLOYMENT_BREAKDOWNS,
        compute=compute_deployments,
        target_metric="deployments",
        cumulative=True,
        group="deployments",
    )
)

register(
    Metric(
        code="deployments_by_support_year",
        name_ko="지원연도별 스마트공장 보급 수",
        name_en="Smart factories deployed by support year",
        unit="count",
        definition_ko=(
            "정부 지원으로 구축되어 보급 실적으로 집계되는 스마트공장 수를 지원(선정)연도별로 센다."
        ),
        definition_en=(
            "Counted smart factories built with support, by the year their project was selected "
            "(self-built factories have no support year and are left out); factory records only."
        ),
        breakdowns=("support_year", "region", "program_type", "level"),
        compute=compute_by_support_year,
        group="deployments",
    )
)

register(
    Metric(
        code="advanced_deployments",
        name_ko="고도화(수준 3 이상) 스마트공장 수",
        name_en="Advanced smart factories (Level 3 or above)",
        unit="count",
        definition_ko=(
            "보급 실적 중 도달 수준이 3(중간1) 이상인 스마트공장 "
            "수. 과거 집계는 수준이 구분된 경우에만 포함한다."
        ),
        definition_en=(
            "The deployments whose level reached is L3 (intermediate 1) or above; historical "
            "aggregates only where they are broken down by level."
        ),
        breakdowns=DEPLOYMENT_BREAKDOWNS,
        compute=compute_advanced_deployments,
        cumulative=True,
        group="levels",
    )
)

register(
    Metric(
        code="deployments_with_level",
        name_ko="수준이 확인된 스마트공장 수",
        name_en="Smart factories with a known level",
        unit="count",
        definition_ko=(
            "보급 실적 중 도달 수준이 기록된 스마트공장 수(모든 공장 기록과 수준별로 구분된 과거 집계). "
            "고도화율의 분모."
        ),
        definition_en=(
            "The deployments whose level reached is recorded: every factory record, and historical "
            "aggregates broken down by level. The denominator of the advancement ratio."
        ),
        breakdowns=DEPLOYMENT_BREAKDOWNS,
        compute=compute_deployments_with_level,
        cumulative=True,
        group="levels",
    )
)

register(
    Metric(
        code="advancement_ratio",
        name_ko="고도화율(수준 3 이상 비율)",
        name_en="Advancement ratio (Level 3 or above)",
        unit="percent",
        definition_ko=(
            "수준 3 이상 보급 수 ÷ 수준이 확인된 보급 수 × 100. 연도를 정하면 "
            "그해 준공 코호트의 비율, 정하지 않으면 누적 비율."
        ),
        definition_en=(
            "Advanced deployments ÷ deployments with a known level × 100: for one year, that completion "
            "cohort's ratio; "
            "without a year filter, the cumulative ratio."
        ),
        breakdowns=DEPLOYMENT_BREAKDOWNS,
        aggregation="ratio",
        ratio_of=("advanced_deployments", "deployments_with_level"),
        target_metric="advancement_ratio",
        group="levels",
    )
)

register(
    Metric(
        code="active_factories",
        name_ko="운영 중인 스마트공장 수",
        name_en="Smart factories in operation",
        unit="count",
        definition_ko=(
            "기준일까지 준공되고 기준일 현재 폐업·이탈하지 않은, 보급 실적으로 집계되는 스마트공장 수."
        ),
        definition_en=(
            "Counted smart factories completed by the as-of date and not closed by then (factory "
            "records only)."
        ),
        breakdowns=("region", "program_type", "level"),
        compute=compute_active,
        group="deployments",
    )
)

register(
    Metric(
        code="closed_factories",
        name_ko="폐업·이탈 스마트공장 수",
        name_en="Closed smart factories",
        unit="count",
        definition_ko="기준일까지 폐업·사업 이탈·이전으로 운영을 멈춘 스마트공장 수를 폐업연도별로 센다.",
        definition_en=(
            "Smart factories closed (business closed, left the program, "
            "moved) by the as-of date, by year of closure."
        ),
        breakdowns=("year", "region"),
        compute=compute_closed,
        group="deployments",
    )
)

register(
    Metric(
        code="sunk_support_krw",
        name_ko="폐업 공장 정부지원금",
        name_en="Government support paid to closed factories",
        unit="krw",
        definition_ko=(
            "기준일까지 폐업·이탈한 스마트공장의 사업에 지급된 정부지원금(순지급액)을 폐업연도별로 합한다."
        ),
        definition_en=(
            "Government support paid (net, as it stands now) to the projects of the factories closed "
            "by the as-of date, by year of closure."
        ),
        breakdowns=("year", "region"),
        compute=compute_sunk_support,
        group="deployments",
    )
)
