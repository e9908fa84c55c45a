"""Funnel metrics against a direct recomputation from the status history."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications.models import Application, ApplicationStatusChange
from kpi.registry import metric
from programs.models import ProgramType
from tests import factories as f
from tests.kpi_metrics.helpers import (
    SETTINGS,
    assert_snapshot_matches,
    assert_sum_metric,
    at,
    cells,
    day_end,
    today,
)

pytestmark = pytest.mark.django_db

# Whole paths through the workflow; an application follows a prefix of one of them.
PATHS = [
    ["submitted", "screening", "rejected"],
    ["submitted", "screening", "evaluation", "rejected"],
    ["submitted", "screening", "evaluation", "waitlisted", "selected", "agreed", "building", "completed"],
    ["submitted", "screening", "evaluation", "waitlisted", "rejected"],
    [
        "submitted",
        "screening",
        "evaluation",
        "selected",
        "agreed",
        "building",
        "final_inspection",
        "completed",
        "settled",
        "follow_up",
        "closed",
    ],
    ["submitted", "screening", "evaluation", "selected", "agreed", "building", "terminated"],
    ["submitted", "screening", "evaluation", "withdrawn"],
    ["submitted", "withdrawn"],
]

application = st.fixed_dictionaries(
    {
        "path": st.sampled_from(range(len(PATHS))),
        "steps": st.integers(0, 11),
        "gaps": st.lists(st.integers(1, 90 * 86_400), min_size=11, max_size=11),
        "program_type": st.sampled_from([ProgramType.GOVERNMENT_ONLY, ProgramType.PARTNER_TRACK]),
        "year": st.sampled_from([2024, 2025]),
        "region": st.sampled_from(["gyeonggi", "busan"]),
        "size": st.sampled_from(["small", "medium"]),
        "ksic": st.sampled_from(["29", "10"]),
    }
)


def build(spec: dict[str, Any], user: Any, calls: dict[tuple[str, int], Any]) -> Application:
    key = (spec["program_type"], spec["year"])
    if key not in calls:
        calls[key] = f.CallFactory(program_type=spec["program_type"], fiscal_year=spec["year"], rules=False)
    statuses = PATHS[spec["path"]][: spec["steps"]]
    app = f.ApplicationFactory(
        call=calls[key],
        workplace=f.WorkplaceFactory(region=f.region(spec["region"]), ksic=f.ksic(spec["ksic"])),
        size_class=f.size(spec["size"]),
        status=statuses[-1] if statuses else "draft",
        submitted_at=at(400) if statuses else None,
    )
    when = at(700)
    previous = "draft"
    for status, gap in zip(statuses, spec["gaps"], strict=False):
        when += dt.timedelta(seconds=gap)
        ApplicationStatusChange.objects.create(
            application=app, action="x", from_status=previous, to_status=status, actor=user, at=when
        )
        previous = status
    return app


# --- the independent recomputation ----------------------------------------------------------------

STAGES = ["submitted", "screened", "evaluated", "selected", "agreed", "completed"]


def history(as_of: dt.date) -> dict[int, list[dict[str, Any]]]:
    end = day_end(as_of)
    out: dict[int, list[dict[str, Any]]] = {}
    for h in ApplicationStatusChange.objects.order_by("at", "id").values(
        "application_id", "from_status", "to_status", "at"
    ):
        if h["at"] < end:
            out.setdefault(h["application_id"], []).append(h)
    return out


def furthest_stage(rows: list[dict[str, Any]]) -> str | None:
    reached = {r["to_status"] for r in rows}
    evaluated = any(
        r["from_status"] in ("evaluation", "waitlisted")
        and r["to_status"] in ("selected", "rejected", "waitlisted")
        for r in rows
    )
    test = {
        "submitted": "submitted" in reached,
        "screened": "evaluation" in reached,
        "evaluated": evaluated,
        "selected": "selected" in reached,
        "agreed": "agreed" in reached,
        "completed": "completed" in reached,
    }
    got = [s for s in STAGES if test[s]]
    return got[-1] if got else None


def app_dims() -> dict[int, dict[str, Any]]:
    return {
        a["id"]: {
            "year": a["call__fiscal_year"],
            "program_type": a["call__program_type"],
            "region": a["region__slug"],
            "size": a["size_class__code"],
            "industry": a["workplace__ksic__code"],
        }
        for a in Application.objects.values(
            "id",
            "call__fiscal_year",
            "call__program_type",
            "region__slug",
            "size_class__code",
            "workplace__ksic__code",
        )
    }


def expected_stages(as_of: dt.date) -> list[tuple[dict[str, Any], str]]:
    dims = app_dims()
    out = []
    for app_id, rows in history(as_of).items():
        stage = furthest_stage(rows)
        if stage is not None:
            out.append((dims[app_id], stage))
    return out


def seconds_between(rows: list[dict[str, Any]], start: tuple[str, ...], stop: tuple[str, ...]) -> int | None:
    started = next((r["at"] for r in rows if r["to_status"] in start), None)
    stopped = next((r["at"] for r in rows if r["to_status"] in stop), None)
    if started is None or stopped is None:
        return None
    return int((stopped - started).total_seconds())


PAIRS = {
    "submit_to_decision": (("submitted",), ("selected", "rejected", "waitlisted")),
    "decision_to_agreement": (("selected",), ("agreed",)),
    "agreement_to_completion": (("agreed",), ("completed",)),
}


def days(value: Decimal) -> Decimal:
    return (value / Decimal(86_400)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_lead_times(as_of: dt.date) -> dict[tuple[tuple[str, Any], ...], tuple[Decimal, Decimal]]:
    dims = app_dims()
    spans: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for app_id, rows in history(as_of).items():
        for pair, (start, stop) in PAIRS.items():
            seconds = seconds_between(rows, start, stop)
            if seconds is None:
                continue
            d = dims[app_id]
            for key in (
                (("stage", pair),),
                (("stage", pair), ("year", d["year"])),
                (("program_type", d["program_type"]), ("stage", pair)),
            ):
                spans.setdefault(key, []).append(seconds)
    return {
        key: (days(Decimal(statistics.median(values))), days(Decimal(sum(values)) / len(values)))
        for key, values in spans.items()
    }


# --- the tests --------------------------------------------------------------------------------------


@pytest.fixture
def user():
    return f.UserFactory()


@SETTINGS
@given(apps=st.lists(application, min_size=1, max_size=8), days_back=st.sampled_from([0, 200]))
def test_funnel_metrics_equal_a_direct_recomputation(user, apps, days_back):
    calls: dict[tuple[str, int], Any] = {}
    for spec in apps:
        build(spec, user, calls)
    as_of = today() - dt.timedelta(days=days_back)
    stages = expected_stages(as_of)
    assert_sum_metric("applications", as_of, [({**d, "stage": s}, 1) for d, s in stages])
    for stage in ("selected", "agreed", "completed"):
        reached = [(d, 1) for d, s in stages if STAGES.index(s) >= STAGES.index(stage)]
        assert_sum_metric(f"applications_{stage}", as_of, reached)

    expected = expected_lead_times(as_of)
    for code, index in (("lead_time_median_days", 0), ("lead_time_mean_days", 1)):
        got = {tuple(sorted(d.items())): v for d, v in cells(code, as_of)}
        assert got == {k: v[index] for k, v in expected.items()}, code
        assert {tuple(sorted(k for k, _v in key)) for key in got} <= {
            tuple(sorted(b)) for b in metric(code).exact_breakdowns
        }


def test_rates_and_a_zero_denominator_in_the_snapshot(user):
    from kpi.selectors import breakdown
    from kpi.snapshots import snapshot_refresh

    calls: dict[tuple[str, int], Any] = {}
    base = {
        "gaps": [3600] * 11,
        "program_type": ProgramType.GOVERNMENT_ONLY,
        "year": 2025,
        "size": "small",
        "ksic": "29",
    }
    build({**base, "path": 4, "steps": 11, "region": "gyeonggi"}, user, calls)  # completed
    build({**base, "path": 5, "steps": 6, "region": "gyeonggi"}, user, calls)  # terminated after agreeing
    build({**base, "path": 1, "steps": 4, "region": "gyeonggi"}, user, calls)  # rejected after evaluation
    build({**base, "path": 0, "steps": 3, "region": "busan"}, user, calls)  # failed screening
    snapshot = snapshot_refresh()
    selection = {
        r.dims["region"]: r.value for r in breakdown(snapshot, "selection_rate", group_by=("region",))
    }
    assert selection == {"busan": Decimal("0.00"), "gyeonggi": Decimal("66.67")}
    completion = {
        r.dims["region"]: r.value for r in breakdown(snapshot, "completion_rate", group_by=("region",))
    }
    assert completion == {"gyeonggi": Decimal("50.00")}  # busan: nothing agreed, no rate
    assert [r.value for r in breakdown(snapshot, "completion_rate", filters={"region": "busan"})] in (
        [],
        [None],
    )

    stages = expected_stages(today())
    assert_snapshot_matches(snapshot, "applications", [({**d, "stage": s}, 1) for d, s in stages])
    median = breakdown(snapshot, "lead_time_median_days", filters={"stage": "submit_to_decision"})
    # 3, 3, 3 and 2 hours from submission to the decision: the median is 3 hours (0.125 day)
    assert [r.value for r in median] == [Decimal("0.13")]
    by_year = breakdown(
        snapshot, "lead_time_median_days", group_by=("year",), filters={"stage": "agreement_to_completion"}
    )
    assert [(r.dims["year"], r.value) for r in by_year] == [(2025, Decimal("0.13"))]  # 3 hours
