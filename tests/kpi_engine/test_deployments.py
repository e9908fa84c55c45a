"""Deployments, advanced deployments, the advancement ratio, deployments by support year, active and
closed factories and the sunk support: every breakdown of a snapshot equals a plain-Python
recomputation from the raw rows, with the historical aggregates rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from applications.models import AgreementFunding, FundingSource
from core.models import Level
from factories.models import AggregateMetric, AggregateStatus, Factory, FactoryOrigin, HistoricalAggregate
from kpi.metrics.deployments import DEPLOYMENT_BREAKDOWNS
from tests import factories as f
from tests.kpi_engine.conftest import (
    LEVELS,
    PROPERTY,
    REGIONS,
    Pool,
    check_all_breakdowns,
    example_savepoint,
    grouped,
    new_batch,
    read,
    snapshot_of,
)

DATES = st.dates(dt.date(2019, 1, 1), dt.date(2024, 12, 31))

factory_spec = st.fixed_dictionaries(
    {
        "completed_on": DATES,
        "level": st.sampled_from(LEVELS),
        "region": st.sampled_from(REGIONS),
        "counted": st.booleans(),
        "closed_after": st.none() | st.integers(0, 900),
        "partner": st.none() | st.integers(0, 1),
        "support_back": st.integers(0, 2),
    }
)

aggregate_spec = st.fixed_dictionaries(
    {
        "year": st.integers(2019, 2024),
        "shape": st.sampled_from(["total", "region", "region+total", "level", "type_origin", "over"]),
        "values": st.lists(st.integers(0, 40), min_size=3, max_size=3),
        "provisional": st.booleans(),
    }
)

data_spec = st.fixed_dictionaries(
    {
        "supported": st.lists(factory_spec, max_size=8),
        "self_built": st.lists(factory_spec, max_size=4),
        "aggregates": st.lists(aggregate_spec, max_size=2, unique_by=lambda a: a["year"]),
        "as_of": st.dates(dt.date(2020, 6, 1), dt.date(2025, 6, 30)),
    }
)


def _build(pool: Pool, data: dict[str, Any]) -> None:
    levels = {lv.code: lv for lv in Level.objects.all()}
    regions = {slug: f.region(slug) for slug in REGIONS}
    for app, spec in zip(pool.applications, data["supported"], strict=False):
        done = spec["completed_on"]
        Factory.objects.create(
            workplace=app.workplace,
            company=app.company,
            region=regions[spec["region"]],
            ksic=app.workplace.ksic,
            origin=FactoryOrigin.SUPPORTED,
            application=app,
            call=app.call,
            program_type=app.call.program_type,
            partner=None if spec["partner"] is None else pool.partners[spec["partner"]],
            support_year=done.year - spec["support_back"],
            completed_on=done,
            completion_year=done.year,
            level=levels[spec["level"]],
            counted=spec["counted"],
            closed_on=None
            if spec["closed_after"] is None
            else done + dt.timedelta(days=spec["closed_after"]),
            closure_reason="" if spec["closed_after"] is None else "business_closed",
            created_by=pool.official,
        )
    for workplace, spec in zip(pool.self_built, data["self_built"], strict=False):
        done = spec["completed_on"]
        Factory.objects.create(
            workplace=workplace,
            company=workplace.company,
            region=regions[spec["region"]],
            ksic=workplace.ksic,
            origin=FactoryOrigin.SELF_BUILT,
            completed_on=done,
            completion_year=done.year,
            level=levels[spec["level"]],
            counted=spec["counted"],
            closed_on=None
            if spec["closed_after"] is None
            else done + dt.timedelta(days=spec["closed_after"]),
            closure_reason="" if spec["closed_after"] is None else "left_program",
            created_by=pool.official,
        )
    batch = new_batch()
    for agg in data["aggregates"]:
        a, b, c = agg["values"]
        status = AggregateStatus.PROVISIONAL if agg["provisional"] else AggregateStatus.ACTUAL
        common = {
            "metric": AggregateMetric.DEPLOYMENTS,
            "year": agg["year"],
            "status": status,
            "source": "test",
            "imported_by": pool.official,
            "batch": batch,
        }
        shape = agg["shape"]
        rows: list[dict[str, Any]] = []
        if shape in ("total", "region+total"):
            rows.append({"value": a + b + c + 5})
        if shape == "over":  # breakdown cells adding up to more than the total
            rows += [
                {"value": 1},
                {"region": regions["seoul"], "value": b + 2},
                {"region": regions["busan"], "value": c},
            ]
        if shape in ("region", "region+total"):
            rows += [{"region": regions["seoul"], "value": b}, {"region": regions["busan"], "value": c}]
        if shape == "level":
            rows += [
                {"level": levels["L2"], "value": a},
                {"level": levels["L3"], "value": b},
                {"level": levels["L5"], "value": c},
            ]
        if shape == "type_origin":
            rows += [
                {"program_type": "government_only", "origin": "supported", "value": a},
                {"program_type": "winwin_type1", "origin": "supported", "value": b},
            ]
        for row in rows:
            HistoricalAggregate.objects.create(**common, **row)


# --- the recomputation, in plain Python over .values() rows ------------------------------------------


def _aggregate_records(
    as_of: dt.date, advanced: bool = False
) -> tuple[set[int], list[tuple[dict, Any, bool]]]:
    rows = list(
        HistoricalAggregate.objects.filter(metric=AggregateMetric.DEPLOYMENTS).values(
            "year", "region__slug", "program_type", "origin", "level__code", "level__rank", "value", "status"
        )
    )
    years = {r["year"] for r in rows if r["year"] <= as_of.year}
    records = []
    for year in years:
        mine = [r for r in rows if r["year"] == year]
        provisional = any(r["status"] == "provisional" for r in mine)
        total_rows = [
            r for r in mine if not any((r["region__slug"], r["program_type"], r["origin"], r["level__code"]))
        ]
        parts = [r for r in mine if r not in total_rows]
        total = total_rows[0]["value"] if total_rows else None
        part_sum = sum(r["value"] for r in parts)
        if total is not None and part_sum > total:
            if not advanced:
                records.append(({"year": year}, total, provisional))
            continue
        for r in parts:
            if advanced and not (r["level__rank"] and r["level__rank"] >= 3):
                continue
            dims = {"year": year}
            for key, field in (
                ("region", "region__slug"),
                ("program_type", "program_type"),
                ("origin", "origin"),
                ("level", "level__code"),
            ):
                if r[field]:
                    dims[key] = r[field]
            records.append((dims, r["value"], provisional))
        if total is not None and total > part_sum and not advanced:
            records.append(({"year": year}, total - part_sum, provisional))
    return years, records


def _factory_rows() -> list[dict[str, Any]]:
    return list(
        Factory.objects.values(
            "counted",
            "completed_on",
            "completion_year",
            "support_year",
            "closed_on",
            "region__slug",
            "program_type",
            "origin",
            "level__code",
            "level__rank",
            "ksic__code",
            "company__size_class__code",
            "partner_id",
            "application_id",
        )
    )


def _deployment_records(as_of: dt.date, advanced: bool = False) -> list[tuple[dict, Any]]:
    years, records = _aggregate_records(as_of, advanced)
    out = [(dims, value) for dims, value, _p in records]
    for r in _factory_rows():
        if not r["counted"] or r["completed_on"] > as_of or r["completion_year"] in years:
            continue
        if advanced and r["level__rank"] < 3:
            continue
        dims = {
            "year": r["completion_year"],
            "quarter": (r["completed_on"].month + 2) // 3,
            "region": r["region__slug"],
            "program_type": r["program_type"] or None,
            "origin": r["origin"],
            "level": r["level__code"],
            "industry": r["ksic__code"],
            "size": r["company__size_class__code"],
            "partner": r["partner_id"],
        }
        out.append((dims, 1))
    return out


@given(data=data_spec)
@PROPERTY
def test_deployments_and_advanced_every_breakdown(pool, data):
    with example_savepoint():
        _build(pool, data)
        as_of = data["as_of"]
        snap = snapshot_of(["deployments", "advanced_deployments", "deployments_with_level"], as_of)
        pairs = [("year", "region"), ("year", "level"), ("year", "quarter"), ("region", "program_type")]
        deployments = _deployment_records(as_of)
        advanced = _deployment_records(as_of, advanced=True)
        check_all_breakdowns(snap, "deployments", deployments, DEPLOYMENT_BREAKDOWNS, pairs)
        check_all_breakdowns(snap, "advanced_deployments", advanced, DEPLOYMENT_BREAKDOWNS, pairs)
        # The denominator of the advancement ratio: deployments whose level is known (aggregate years
        # without a level breakdown would otherwise dilute the ratio).
        with_level = [record for record in deployments if record[0].get("level")]
        check_all_breakdowns(snap, "deployments_with_level", with_level, DEPLOYMENT_BREAKDOWNS, pairs)
        # the advancement ratio: per year and cumulative (no year filter), numerator ÷ denominator
        for group_by in [(), ("year",), ("region",)]:
            num, den = grouped(advanced, group_by), grouped(with_level, group_by)
            expected = {
                k: (num.get(k, Decimal(0)) * 100 / v).quantize(Decimal("0.01")) for k, v in den.items()
            }
            assert read(snap, "advancement_ratio", group_by) == {k: v for k, v in expected.items() if v}
        # provisional aggregates keep their status
        _years, agg_records = _aggregate_records(as_of)
        flagged = {dims["year"] for dims, value, provisional in agg_records if provisional and value}
        rows = [r for r in _rows_by_year(snap) if r[1]]
        assert {year for year, provisional in rows} == flagged


def _rows_by_year(snap):
    from kpi.selectors import breakdown

    return [(r.dims["year"], r.provisional) for r in breakdown(snap, "deployments", group_by=("year",))]


@given(data=data_spec)
@PROPERTY
def test_support_year_active_closed_and_sunk_support(pool, data):
    with example_savepoint():
        _build(pool, data)
        as_of = data["as_of"]
        snap = snapshot_of(
            ["deployments_by_support_year", "active_factories", "closed_factories", "sunk_support_krw"], as_of
        )
        rows = _factory_rows()
        by_support = [
            (
                {
                    "support_year": r["support_year"],
                    "region": r["region__slug"],
                    "program_type": r["program_type"],
                    "level": r["level__code"],
                },
                1,
            )
            for r in rows
            if r["counted"] and r["completed_on"] <= as_of and r["support_year"] is not None
        ]
        check_all_breakdowns(
            snap,
            "deployments_by_support_year",
            by_support,
            ("support_year", "region", "program_type", "level"),
        )
        active = [
            (
                {
                    "region": r["region__slug"],
                    "program_type": r["program_type"] or None,
                    "level": r["level__code"],
                },
                1,
            )
            for r in rows
            if r["counted"]
            and r["completed_on"] <= as_of
            and (r["closed_on"] is None or r["closed_on"] > as_of)
        ]
        check_all_breakdowns(snap, "active_factories", active, ("region", "program_type", "level"))
        closed = [r for r in rows if r["closed_on"] is not None and r["closed_on"] <= as_of]
        closed_records = [({"year": r["closed_on"].year, "region": r["region__slug"]}, 1) for r in closed]
        check_all_breakdowns(snap, "closed_factories", closed_records, ("year", "region"))
        paid = {
            row["agreement__application_id"]: row["paid_krw"]
            for row in AgreementFunding.objects.filter(source=FundingSource.GOVERNMENT).values(
                "agreement__application_id", "paid_krw"
            )
        }
        sunk = [
            ({"year": r["closed_on"].year, "region": r["region__slug"]}, paid.get(r["application_id"], 0))
            for r in closed
            if r["application_id"]
        ]
        check_all_breakdowns(snap, "sunk_support_krw", sunk, ("year", "region"))
