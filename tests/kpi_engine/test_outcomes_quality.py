"""Outcome effects (median and mean change, exact cells), accepted reports and the data-quality flags:
a snapshot equals a plain-Python recomputation from the raw rows."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal
from typing import Any

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from applications.models import DuplicateFlag
from core.models import Level
from factories.models import OUTCOME_MEASURES, Factory, FactoryOrigin, OutcomeReport, OutcomeStatus
from funding.reconciliation import reconcile
from kpi.selectors import breakdown
from tests.kpi_engine.conftest import PROPERTY, REGIONS, check_all_breakdowns, example_savepoint, snapshot_of

RELATIVE = {stem for stem, _l, kind in OUTCOME_MEASURES if kind != "count"}
INTS = {"cost", "sales", "employees", "accidents"}

value = st.none() | st.integers(0, 120)
report_spec = st.fixed_dictionaries(
    {
        "factory": st.integers(0, 5),
        "status": st.sampled_from(list(OutcomeStatus.values)),
        "reviewed_day": st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
        "due_on": st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
        "values": st.fixed_dictionaries({stem: st.tuples(value, value) for stem, _l, _k in OUTCOME_MEASURES}),
    }
)
outcome_spec = st.fixed_dictionaries(
    {
        "completion_years": st.lists(st.integers(2019, 2022), min_size=6, max_size=6),
        "reports": st.lists(report_spec, max_size=10),
        "as_of": st.dates(dt.date(2022, 6, 1), dt.date(2025, 1, 31)),
    }
)


def _factories(pool, years):
    l3 = Level.objects.get(code="L3")
    out = []
    for i, year in enumerate(years):
        if i < 4:
            app = pool.applications[i]
            out.append(
                Factory.objects.create(
                    workplace=app.workplace,
                    company=app.company,
                    region=app.workplace.region,
                    ksic=app.workplace.ksic,
                    origin=FactoryOrigin.SUPPORTED,
                    application=app,
                    call=app.call,
                    program_type=app.call.program_type,
                    support_year=year,
                    completed_on=dt.date(year, 6, 1),
                    completion_year=year,
                    level=l3,
                    created_by=pool.official,
                )
            )
        else:
            workplace = pool.self_built[i - 4]
            out.append(
                Factory.objects.create(
                    workplace=workplace,
                    company=workplace.company,
                    region=workplace.region,
                    ksic=workplace.ksic,
                    origin=FactoryOrigin.SELF_BUILT,
                    completed_on=dt.date(year, 6, 1),
                    completion_year=year,
                    level=l3,
                    created_by=pool.official,
                )
            )
    return out


def _reports(pool, factories, specs):
    sequence: dict[int, int] = {}
    for spec in specs:
        factory = factories[spec["factory"]]
        sequence[factory.pk] = sequence.get(factory.pk, 0) + 1
        due = spec["due_on"]
        status = spec["status"]
        fields: dict[str, Any] = {}
        for stem, (before, after) in spec["values"].items():
            fields[f"{stem}_before"] = (
                None if before is None else (before if stem in INTS else Decimal(before) / 2)
            )
            fields[f"{stem}_after"] = (
                None if after is None else (after if stem in INTS else Decimal(after) / 2)
            )
        reviewed = timezone.make_aware(dt.datetime.combine(spec["reviewed_day"], dt.time(23, 30)))
        OutcomeReport.objects.create(
            factory=factory,
            sequence=sequence[factory.pk],
            period_start=due - dt.timedelta(days=400),
            period_end=due - dt.timedelta(days=30),
            due_on=due,
            status=status,
            submitted_by=None if status == OutcomeStatus.DUE else pool.official,
            submitted_at=None if status == OutcomeStatus.DUE else reviewed,
            reviewed_by=pool.official if status in (OutcomeStatus.ACCEPTED, OutcomeStatus.RETURNED) else None,
            reviewed_at=reviewed if status in (OutcomeStatus.ACCEPTED, OutcomeStatus.RETURNED) else None,
            **fields,
        )


@given(data=outcome_spec)
@PROPERTY
def test_outcome_effects_exact_cells(pool, data):
    with example_savepoint():
        factories = _factories(pool, data["completion_years"])
        _reports(pool, factories, data["reports"])
        as_of = data["as_of"]
        snap = snapshot_of(
            ["outcome_change_median", "outcome_change_mean", "outcome_reports_accepted"], as_of
        )

        accepted = [
            r
            for r in OutcomeReport.objects.values()
            if r["status"] == OutcomeStatus.ACCEPTED and timezone.localdate(r["reviewed_at"]) <= as_of
        ]
        factory_of = {x.pk: x for x in factories}
        changes: list[tuple[str, int, str, Decimal, str]] = []
        for r in accepted:
            fac = factory_of[r["factory_id"]]
            for stem in (s for s, _l, _k in OUTCOME_MEASURES):
                before, after = r[f"{stem}_before"], r[f"{stem}_after"]
                if before is None or after is None:
                    continue
                if stem in RELATIVE:
                    if before <= 0:
                        continue
                    change = (Decimal(after) - Decimal(before)) * 100 / Decimal(before)
                else:
                    change = Decimal(after - before)
                changes.append((stem, fac.completion_year, fac.program_type, change, fac.ksic.code))

        def expected(keyfn, reducer):
            groups: dict[tuple, list[Decimal]] = {}
            for c in changes:
                key = keyfn(c)
                if key is not None:
                    groups.setdefault(key, []).append(c[3])
            return {k: reducer(v) for k, v in groups.items()}

        def median(values):
            return Decimal(str(statistics.median(float(v) for v in values)))

        def mean(values):
            return sum(values) / len(values)

        for code, reducer in (("outcome_change_median", median), ("outcome_change_mean", mean)):
            for group_by, keyfn in (
                (("measure",), lambda c: (c[0],)),
                (("measure", "year"), lambda c: (c[0], c[1])),
                (("measure", "program_type"), lambda c: (c[0], c[2]) if c[2] else None),
                (("measure", "industry"), lambda c: (c[0], c[4])),
            ):
                got = {
                    tuple(r.dims[d] for d in group_by): r.value
                    for r in breakdown(snap, code, group_by=group_by)
                }
                want = expected(keyfn, reducer)
                assert got.keys() == want.keys(), (code, group_by)
                for key, number in want.items():
                    assert abs(got[key] - number) <= Decimal("0.0001"), (code, group_by, key)
            # one measure, filtered: the exact cell of that measure and year
            for (measure, year), number in expected(lambda c: (c[0], c[1]), reducer).items():
                rows = breakdown(snap, code, group_by=("year",), filters={"measure": measure})
                assert abs({r.dims["year"]: r.value for r in rows}[year] - number) <= Decimal("0.0001")

        records = [
            (
                {
                    "year": factory_of[r["factory_id"]].completion_year,
                    "program_type": factory_of[r["factory_id"]].program_type or None,
                },
                1,
            )
            for r in accepted
        ]
        check_all_breakdowns(snap, "outcome_reports_accepted", records, ("year", "program_type"))


@given(
    flags=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(0, 60), st.none() | st.integers(0, 60)),
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    ),
    reports=st.lists(report_spec, max_size=8),
    as_of=st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
)
@PROPERTY
def test_data_quality_flags(pool, flags, reports, as_of):
    with example_savepoint():
        start = timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=30), dt.time(12)))
        for app_i, earlier_i, created_days, overridden_days in flags:
            flag = DuplicateFlag.objects.create(
                application=pool.applications[app_i],
                earlier_application=pool.applications[earlier_i],
                basis="workplace",
            )
            created = start + dt.timedelta(days=created_days)
            overridden = None if overridden_days is None else created + dt.timedelta(days=overridden_days)
            DuplicateFlag.objects.filter(pk=flag.pk).update(
                created_at=created,
                overridden_at=overridden,
                overridden_by=pool.official if overridden else None,
                override_reason="checked" if overridden else "",
            )
        factories = _factories(pool, [2020, 2021, 2020, 2021, 2020, 2021])
        _reports(pool, factories, reports)
        snap = snapshot_of(["data_quality_flags"], as_of)

        records: list[tuple[dict[str, Any], Any]] = []
        region_of_app = {a.pk: a.region.slug for a in pool.applications}
        for d in DuplicateFlag.objects.values("application_id", "created_at", "overridden_at"):
            if timezone.localdate(d["created_at"]) <= as_of and (
                d["overridden_at"] is None or timezone.localdate(d["overridden_at"]) > as_of
            ):
                records.append(
                    ({"flag": "open_duplicate_flags", "region": region_of_app[d["application_id"]]}, 1)
                )
        region_of_factory = {x.pk: x.region.slug for x in factories}
        for r in OutcomeReport.objects.values("factory_id", "status", "due_on"):
            if r["status"] in ("due", "returned") and r["due_on"] < as_of:
                records.append(
                    ({"flag": "overdue_outcome_reports", "region": region_of_factory[r["factory_id"]]}, 1)
                )
        mismatches = len(reconcile().mismatches)
        if mismatches:
            records.append(({"flag": "reconciliation_mismatches"}, mismatches))
        check_all_breakdowns(snap, "data_quality_flags", records, ("flag", "region"), [("flag", "region")])
        assert {r[0]["region"] for r in records if "region" in r[0]} <= set(REGIONS)
