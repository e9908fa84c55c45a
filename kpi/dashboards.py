"""Dashboard payloads: the ministry's (national), a region's or a partner firm's (the same payload with a
filter forced on), and an SME's (its own projects).

`dashboard_payload(snapshot, filters)` reads only snapshot cells through kpi.selectors.breakdown/total
and the target progress of kpi.targets — never raw rows — so the national payload is computed once when
a snapshot is taken (`national_summary`, stored in `snapshot.summary`) and any filtered one takes a
fixed number of indexed queries over the snapshot's cells.

The payload is language-neutral and JSON-serialisable: metric codes, breakdown keys (region slugs,
level codes, …) and numbers (int, or float for non-integral values; None for a ratio over zero).
Titles and labels are resolved when a page renders (kpi.views) or by API clients from /kpi/metrics/.

Shape:
    {"version", "snapshot": {id, kind, as_of, taken_at, status}, "filters": {dim: value},
     "cards": [{id, metric, unit, value, target | None, extra}],
     "targets": [target progress records],
     "charts": [{id, type, dim, unit, series: [{key, metric, unit, kind, chart}], rows: [{key, values}]}],
     "hidden": [metric codes the filters could not be applied to]}

`sme_dashboard(scope, snapshot)` builds an SME's page from the raw rows of its own companies only
(applications with statuses, factories, level history, outcome reports), compared with the median
change of its industry from the snapshot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from core.errors import PermissionDenied
from kpi.forms import filters_from
from kpi.models import Snapshot
from kpi.permissions import DashboardScope, dashboard_scope, scoped_filters
from kpi.registry import Metric, is_registered, metric
from kpi.selectors import Row, breakdown, current_snapshot, snapshot_get
from kpi.targets import target_progress

logger = logging.getLogger(__name__)

PAYLOAD_VERSION = 1

# Metric codes of the target metrics (programs.TargetMetric) shown as headline cards against a target.
TARGET_CARDS = ("deployments", "advancement_ratio", "trained_workers", "leading_complexes")


def num(value: Any) -> Any:
    """A JSON number: int when integral, float otherwise; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float):
        return value
    return value


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float) or value is None:
        return num(value)
    return str(value)


# --- what the dashboard shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str  # the column key (the metric code unless derived: cumulative, target)
    metric: str  # the metric read
    kind: str = "bar"  # bar | line
    chart: bool = True  # drawn in the chart (False: a table column only)
    filters: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ChartSpec:
    id: str
    title: Any
    dims: tuple[str, ...]  # candidate category dimensions, the first one every series supports wins
    series: tuple[Series, ...]
    type: str = "bar"


# Chart titles (translated at render time); the ids are stable keys of the API and the exports.
CHART_TITLES: dict[str, Any] = {
    "deployments_cumulative": _("Cumulative deployments against the target"),
    "deployments_by_region": _("Deployments by region"),
    "deployments_by_level": _("Deployments by level"),
    "deployments_by_program_type": _("Deployments by program type"),
    "advancement_trend": _("Advancement ratio (Level 3 or above) by year"),
    "execution_by_source": _("Funding execution by source"),
    "partners": _("Partner firms: contributions and mentees"),
    "funnel": _("Application funnel"),
    "outcomes": _("Outcome effects: change after the project"),
    "lead_times": _("Lead times between stages"),
    "trained_workers": _("Workers trained by year"),
    "data_quality": _("Data-quality flags"),
}

GENERIC_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "deployments_by_region",
        CHART_TITLES["deployments_by_region"],
        ("region",),
        (Series("deployments", "deployments"), Series("active_factories", "active_factories", chart=False)),
    ),
    ChartSpec(
        "deployments_by_level",
        CHART_TITLES["deployments_by_level"],
        ("level",),
        (Series("deployments", "deployments"),),
    ),
    ChartSpec(
        "deployments_by_program_type",
        CHART_TITLES["deployments_by_program_type"],
        ("program_type",),
        (Series("deployments", "deployments"),),
    ),
    ChartSpec(
        "execution_by_source",
        CHART_TITLES["execution_by_source"],
        ("source",),
        (
            Series("budget_krw", "budget_krw"),
            Series("committed_krw", "committed_krw"),
            Series("agreed_krw", "agreed_krw"),
            Series("paid_krw", "paid_krw"),
            Series("recovered_krw", "recovered_krw", chart=False),
            Series("outstanding_krw", "outstanding_krw", chart=False),
            Series("execution_rate", "execution_rate", kind="line", chart=False),
        ),
    ),
    ChartSpec(
        "partners",
        CHART_TITLES["partners"],
        ("partner",),
        (
            Series("partner_pledged_krw", "partner_pledged_krw"),
            Series("partner_committed_krw", "partner_committed_krw"),
            Series("mentees", "mentees", chart=False),
            Series("partner_cofunded_completions", "partner_cofunded_completions", chart=False),
            Series("mentoring_hours", "mentoring_hours", chart=False),
        ),
    ),
    ChartSpec(
        "funnel",
        CHART_TITLES["funnel"],
        ("stage",),
        (Series("applications", "applications"),),
    ),
    ChartSpec(
        "lead_times",
        CHART_TITLES["lead_times"],
        ("stage",),
        (
            Series("lead_time_median_days", "lead_time_median_days"),
            Series("lead_time_mean_days", "lead_time_mean_days"),
        ),
    ),
    ChartSpec(
        "outcomes",
        CHART_TITLES["outcomes"],
        ("measure",),
        (
            Series("outcome_change_median", "outcome_change_median"),
            Series("outcome_change_mean", "outcome_change_mean"),
        ),
    ),
    ChartSpec(
        "trained_workers",
        CHART_TITLES["trained_workers"],
        ("year",),
        (Series("trained_workers", "trained_workers"),),
    ),
    ChartSpec(
        "data_quality",
        CHART_TITLES["data_quality"],
        ("flag",),
        (Series("data_quality_flags", "data_quality_flags"),),
    ),
)

# Headline figures without a target, in display order: (card id, metric code, filters on the metric).
PLAIN_CARDS: tuple[tuple[str, str], ...] = (
    ("active_factories", "active_factories"),
    ("budget_krw", "budget_krw"),
    ("committed_krw", "committed_krw"),
    ("paid_krw", "paid_krw"),
    ("execution_rate", "execution_rate"),
    ("partner_pledged_krw", "partner_pledged_krw"),
    ("partner_committed_krw", "partner_committed_krw"),
    ("mentees", "mentees"),
    ("applications", "applications"),
    ("selection_rate", "selection_rate"),
    ("completion_rate", "completion_rate"),
    ("data_quality_flags", "data_quality_flags"),
)

# Chart order on the page.
CHART_ORDER = (
    "deployments_cumulative",
    "deployments_by_region",
    "deployments_by_level",
    "deployments_by_program_type",
    "advancement_trend",
    "execution_by_source",
    "partners",
    "funnel",
    "lead_times",
    "outcomes",
    "trained_workers",
    "data_quality",
)

# Funnel stages in the order of the process (application statuses); unknown stages follow.
FUNNEL_ORDER = ("submitted", "screened", "evaluated", "selected", "agreed", "completed")


# --- reading the snapshot -----------------------------------------------------------------------------


def _metric(code: str) -> Metric | None:
    return metric(code) if is_registered(code) else None


def _supports(m: Metric, dims: Iterable[str]) -> bool:
    return all(d in m.breakdowns for d in dims)


def _usable(code: str, filters: Mapping[str, Any], group_by: Sequence[str] = ()) -> Metric | None:
    """The metric if it exists and can be read with these filters and this breakdown."""
    m = _metric(code)
    if m is None or not _supports(m, [*filters, *group_by]):
        return None
    if m.aggregation == "exact" and not _exact_available(m, [*filters, *group_by]):
        return None
    return m


def _exact_available(m: Metric, dims: Iterable[str]) -> bool:
    """Whether an exact (non-additive) metric stores cells for exactly these dimensions."""
    wanted = set(dims)
    return any(set(b) == wanted for b in m.exact_breakdowns)


def _readable(m: Metric, filters: Mapping[str, Any], group_by: Sequence[str] = ()) -> bool:
    return _usable(m.code, filters, group_by) is not None


def _total(snapshot: Snapshot, code: str, filters: Mapping[str, Any]) -> Any:
    rows = breakdown(snapshot, code, filters=filters)
    return num(rows[0].value) if rows else None


def _key(value: Any) -> Any:
    return num(value) if isinstance(value, Decimal) else value


def _rows_by_key(rows: Iterable[Row], dim: str) -> dict[Any, Any]:
    return {_key(r.dims.get(dim)): num(r.value) for r in rows}


def _sort_keys(dim: str, keys: Iterable[Any]) -> list[Any]:
    keys = list(keys)
    if dim == "stage":
        order = {s: i for i, s in enumerate(FUNNEL_ORDER)}
        return sorted(keys, key=lambda k: (order.get(str(k), len(order)), str(k)))
    return sorted(keys, key=lambda k: (k is None, isinstance(k, str), k if k is not None else 0))


def _generic_chart(snapshot: Snapshot, spec: ChartSpec, filters: Mapping[str, Any]) -> dict[str, Any] | None:
    for dim in spec.dims:
        columns: list[dict[str, Any]] = []
        values: list[dict[Any, Any]] = []
        for s in spec.series:
            series_filters = {**filters, **dict(s.filters)}
            m = _usable(s.metric, series_filters, (dim,))
            if m is None:
                continue
            rows = breakdown(snapshot, s.metric, group_by=(dim,), filters=series_filters)
            columns.append(
                {"key": s.key, "metric": s.metric, "unit": m.unit, "kind": s.kind, "chart": s.chart}
            )
            values.append(_rows_by_key(rows, dim))
        if not columns or not any(c["chart"] for c in columns):
            continue
        keys = _sort_keys(dim, {k for v in values for k in v})
        return {
            "id": spec.id,
            "type": spec.type,
            "dim": dim,
            "unit": next(c["unit"] for c in columns if c["chart"]),
            "series": columns,
            "rows": [{"key": k, "values": [v.get(k) for v in values]} for k in keys],
        }
    return None


# --- targets ------------------------------------------------------------------------------------------


def _target_records(snapshot: Snapshot) -> list[dict[str, Any]]:
    """kpi.targets.target_progress as JSON records. A failure of the projection arithmetic must not take
    the whole dashboard down: it is logged and the targets are left out."""
    try:
        return [jsonable(r) for r in target_progress(snapshot)]
    except ArithmeticError:  # OverflowError of a projected date far in the future, for one
        logger.exception("KPI target progress failed for snapshot %s", snapshot.pk)
        return []


def _pick(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in record:
            return record[name]
    return None


def _target_for(records: list[dict[str, Any]], code: str, as_of: dt.date) -> dict[str, Any] | None:
    """The target of a metric in force on the as-of date: the earliest deadline not yet passed, else the
    latest deadline."""
    mine = [r for r in records if _pick(r, "metric", "target_metric") == code]
    if not mine:
        return None
    mine.sort(key=lambda r: str(_pick(r, "deadline") or ""))
    for r in mine:
        deadline = _pick(r, "deadline")
        if deadline and str(deadline) >= as_of.isoformat():
            return r
    return mine[-1]


def _card_target(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "code": _pick(record, "code", "target_code"),
        "value": _pick(record, "target_value", "target"),
        "current": _pick(record, "current", "current_value", "value", "actual"),
        "percent": _pick(record, "percent", "percent_of_target", "progress_percent"),
        "deadline": _pick(record, "deadline"),
        "counts_from": _pick(record, "counts_from"),
    }


# --- special charts -----------------------------------------------------------------------------------


def _year_dim(m: Metric) -> str | None:
    return next((d for d in ("year", "completion_year", "support_year") if d in m.breakdowns), None)


def _cumulative_chart(
    snapshot: Snapshot, filters: Mapping[str, Any], target: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Deployments per year, their running total and the target line. Within a target (unfiltered),
    the years run from the target's first year to its deadline and the total counts from its start."""
    m = _usable("deployments", filters)
    dim = _year_dim(m) if m else None
    if m is None or dim is None:
        return None
    annual = {
        int(k): v
        for k, v in _rows_by_key(
            breakdown(snapshot, "deployments", group_by=(dim,), filters=filters), dim
        ).items()
        if k is not None
    }
    years = sorted(annual)
    target_value = None
    if target is not None and target.get("counts_from") and target.get("deadline"):
        first, last = int(str(target["counts_from"])[:4]), int(str(target["deadline"])[:4])
        years = list(range(first, max(last, min(snapshot.as_of.year, max(years or [last]))) + 1))
        target_value = target.get("value")
    running = 0
    rows: list[dict[str, Any]] = []
    for year in years:
        value = annual.get(year)
        future = year > snapshot.as_of.year
        running += value or 0
        rows.append({"key": year, "values": [value, None if future else running, target_value]})
    series = [
        {"key": "deployments", "metric": "deployments", "unit": m.unit, "kind": "bar", "chart": True},
        {"key": "cumulative", "metric": "deployments", "unit": m.unit, "kind": "line", "chart": True},
    ]
    if target_value is None:
        rows = [{"key": r["key"], "values": r["values"][:2]} for r in rows]
    else:
        series.append(
            {"key": "target", "metric": "deployments", "unit": m.unit, "kind": "line", "chart": True}
        )
    return {
        "id": "deployments_cumulative",
        "type": "bar",
        "dim": dim,
        "unit": m.unit,
        "series": series,
        "rows": rows,
    }


def _advancement_chart(
    snapshot: Snapshot, filters: Mapping[str, Any], target: dict[str, Any] | None
) -> dict[str, Any] | None:
    m = _usable("advancement_ratio", filters)
    dim = _year_dim(m) if m else None
    if m is None or dim is None:
        return None
    by_year = _rows_by_key(breakdown(snapshot, "advancement_ratio", group_by=(dim,), filters=filters), dim)
    target_value = target.get("value") if target else None
    series = [
        {
            "key": "advancement_ratio",
            "metric": "advancement_ratio",
            "unit": m.unit,
            "kind": "line",
            "chart": True,
        }
    ]
    if target_value is not None:
        series.append(
            {"key": "target", "metric": "advancement_ratio", "unit": m.unit, "kind": "line", "chart": True}
        )
    rows = []
    for year in sorted(k for k in by_year if k is not None):
        values = [by_year[year]]
        if target_value is not None:
            values.append(target_value)
        rows.append({"key": year, "values": values})
    return {
        "id": "advancement_trend",
        "type": "line",
        "dim": dim,
        "unit": m.unit,
        "series": series,
        "rows": rows,
    }


# --- the payload --------------------------------------------------------------------------------------


def _snapshot_info(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "kind": snapshot.kind,
        "as_of": snapshot.as_of.isoformat(),
        "taken_at": snapshot.taken_at.isoformat(),
        "status": snapshot.status,
    }


def dashboard_payload(snapshot: Snapshot, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The dashboard of a snapshot within `filters` (breakdown dimension → value). Cards, charts and
    tables of metrics that cannot be filtered that way are left out (their codes are listed in
    "hidden"); targets are national, so they are shown only without filters. Reads only snapshot
    cells (kpi.selectors.breakdown) and kpi.targets.target_progress."""
    filters = dict(filters or {})
    national = not filters
    records = _target_records(snapshot) if national else []
    hidden: set[str] = set()

    cards: list[dict[str, Any]] = []
    targets_by_metric: dict[str, dict[str, Any] | None] = {}
    for code in TARGET_CARDS:
        m = _metric(code)
        if m is None:
            continue
        if not _readable(m, filters):
            hidden.add(code)
            continue
        target = _card_target(_target_for(records, code, snapshot.as_of)) if national else None
        targets_by_metric[code] = target
        cards.append(
            {
                "id": code,
                "metric": code,
                "unit": m.unit,
                "value": _total(snapshot, code, filters),
                "target": target,
            }
        )
    for card_id, code in PLAIN_CARDS:
        m = _metric(code)
        if m is None:
            continue
        if not _readable(m, filters):
            hidden.add(code)
            continue
        cards.append(
            {
                "id": card_id,
                "metric": code,
                "unit": m.unit,
                "value": _total(snapshot, code, filters),
                "target": None,
            }
        )

    charts: dict[str, dict[str, Any] | None] = {
        "deployments_cumulative": _cumulative_chart(snapshot, filters, targets_by_metric.get("deployments")),
        "advancement_trend": _advancement_chart(
            snapshot, filters, targets_by_metric.get("advancement_ratio")
        ),
    }
    for spec in GENERIC_CHARTS:
        charts[spec.id] = _generic_chart(snapshot, spec, filters)
        for s in spec.series:
            m = _metric(s.metric)
            if m is not None and not _supports(m, filters):
                hidden.add(s.metric)

    return {
        "version": PAYLOAD_VERSION,
        "snapshot": _snapshot_info(snapshot),
        "filters": jsonable(filters),
        "cards": cards,
        "targets": records,
        "charts": [charts[c] for c in CHART_ORDER if charts.get(c) is not None],
        "hidden": sorted(hidden),
    }


def national_summary(snapshot: Snapshot) -> dict[str, Any]:
    """The ministry dashboard of a snapshot, as stored in `snapshot.summary` when it is taken."""
    return dashboard_payload(snapshot, {})


def chart_from(payload: Mapping[str, Any], chart_id: str) -> dict[str, Any] | None:
    return next((c for c in payload.get("charts", []) if c["id"] == chart_id), None)


# --- the SME dashboard: its own raw rows ----------------------------------------------------------------


def _change(before: Any, after: Any, kind: str) -> float | None:
    """The change of one measure as the outcome metrics define it (factories.outcomes_selectors):
    relative, in percent, for rates, productivity and money (a zero baseline has none); absolute for
    counts (employment, accidents)."""
    from factories.outcomes_selectors import RELATIVE_KINDS

    if before is None or after is None:
        return None
    if kind in RELATIVE_KINDS:
        if not before or before <= 0:
            return None
        return round(float((Decimal(after) - Decimal(before)) * 100 / Decimal(before)), 2)
    return float(Decimal(after) - Decimal(before))


def sme_dashboard(org_ids: Iterable[int], snapshot: Snapshot | None) -> dict[str, Any]:
    """An SME's own dashboard from the raw rows of its companies (`org_ids`: the company organisations
    the user acts for): applications with their status and when it was reached, factories, level
    confirmations, and its latest submitted outcome report per factory against the median change of
    its industry in the snapshot. Never reads another company's row. A fixed number of queries."""
    from applications.models import Application
    from factories.models import OUTCOME_MEASURES, Factory, LevelConfirmation, OutcomeReport, OutcomeStatus
    from factories.outcomes_selectors import RELATIVE_KINDS

    org_ids = list(org_ids)
    applications = [
        {
            "id": a.pk,
            "call": a.call.title,
            "title": a.title,
            "status": a.status,
            "status_label": str(a.get_status_display()),
            "since": (a.since or a.created_at).isoformat(),
            "gov_amount_krw": a.gov_amount_krw,
            "total_cost_krw": a.total_cost_krw,
        }
        for a in Application.objects.filter(company__organisation_id__in=org_ids)
        .select_related("call")
        .annotate(since=Max("history__at"))
        .order_by("-created_at", "-id")
    ]
    factories = [
        {
            "id": fac.pk,
            "workplace": fac.workplace.name,
            "completion_year": fac.completion_year,
            "completed_on": fac.completed_on.isoformat(),
            "program_type": fac.program_type,
            "program_type_label": str(fac.get_program_type_display()) if fac.program_type else "",
            "level": fac.level.code if fac.level_id else None,
            "industry": fac.ksic.code,
            "closed_on": fac.closed_on.isoformat() if fac.closed_on else None,
        }
        for fac in Factory.objects.filter(company__organisation_id__in=org_ids)
        .select_related("workplace", "level", "ksic")
        .order_by("-completed_on", "-id")
    ]
    levels = [
        {
            "workplace_id": c.workplace_id,
            "workplace": c.workplace.name,
            "confirmed_on": c.confirmed_on.isoformat(),
            "level": c.level.code,
            "rank": c.level.rank,
            "kind": c.kind,
            "kind_label": str(c.get_kind_display()),
        }
        for c in LevelConfirmation.objects.filter(workplace__company__organisation_id__in=org_ids)
        .select_related("workplace", "level")
        .order_by("confirmed_on", "id")
    ]
    reports = (
        OutcomeReport.objects.filter(
            factory__company__organisation_id__in=org_ids,
            status__in=[OutcomeStatus.SUBMITTED, OutcomeStatus.ACCEPTED],
        )
        .select_related("factory__ksic")
        .order_by("factory_id", "-sequence")
    )
    latest: dict[int, OutcomeReport] = {}
    for report in reports:
        latest.setdefault(report.factory_id, report)
    medians, basis = _medians(snapshot, {r.factory.ksic.code for r in latest.values()})
    outcomes = []
    for report in latest.values():
        industry = report.factory.ksic.code
        for stem, _label, kind in OUTCOME_MEASURES:
            before, after = getattr(report, f"{stem}_before"), getattr(report, f"{stem}_after")
            if before is None and after is None:
                continue
            outcomes.append(
                {
                    "factory_id": report.factory_id,
                    "sequence": report.sequence,
                    "industry": industry,
                    "measure": stem,
                    "before": num(before),
                    "after": num(after),
                    "relative": kind in RELATIVE_KINDS,
                    "change": _change(before, after, kind),
                    "median": medians.get((industry, stem)),
                }
            )
    return {
        "version": PAYLOAD_VERSION,
        "scope": "sme",
        "snapshot": _snapshot_info(snapshot) if snapshot is not None else None,
        "applications": applications,
        "factories": factories,
        "levels": levels,
        "outcomes": outcomes,
        "median_basis": basis,
    }


def _medians(
    snapshot: Snapshot | None, industries: set[str]
) -> tuple[dict[tuple[str, str], Any], str | None]:
    """Median change per (industry, measure) from the snapshot, and its basis: "industry" when the
    outcome metric is stored by industry (one query per industry of the SME), else "national" (the
    median over all industries, one query), None without a snapshot or the metric."""
    m = _metric("outcome_change_median")
    if snapshot is None or m is None or not industries:
        return {}, None
    out: dict[tuple[str, str], Any] = {}
    if _exact_available(m, ("industry", "measure")):
        for industry in sorted(industries):
            rows = breakdown(snapshot, m.code, group_by=("measure",), filters={"industry": industry})
            for row in rows:
                out[(industry, str(row.dims.get("measure")))] = num(row.value)
        return out, "industry"
    if not _exact_available(m, ("measure",)):
        return {}, None
    national = {
        str(r.dims.get("measure")): num(r.value) for r in breakdown(snapshot, m.code, group_by=("measure",))
    }
    for industry in industries:
        for measure, value in national.items():
            out[(industry, measure)] = value
    return out, "national"


# --- the dashboard of a user --------------------------------------------------------------------------


@dataclass
class UserDashboard:
    scope: DashboardScope
    snapshot: Snapshot | None
    filters: dict[str, Any]
    payload: dict[str, Any] | None  # None: no snapshot yet


def dashboard_for_user(user: Any, params: Mapping[str, Any]) -> UserDashboard:
    """The dashboard the user may see, for the query parameters of the page or the API: `snapshot`
    (an id; the current live snapshot by default) and breakdown filters (kpi.forms.filters_from).

    The national dashboard without filters is the snapshot's stored summary as is (two queries);
    with filters, or within a region's or partner firm's scope (forced on, kpi.permissions.scoped_filters),
    it is recomputed from the snapshot's cells; an SME's comes from its own rows.
    Refusals: PermissionDenied for users without a dashboard or a foreign scope value; NotFound for an
    unknown snapshot; ValidationFailed for malformed filters."""
    scope = dashboard_scope(user)
    if scope.kind == "none":
        raise PermissionDenied()
    requested = params.get("snapshot")
    snapshot = snapshot_get(requested) if requested not in (None, "") else current_snapshot()
    if scope.kind == "sme":
        return UserDashboard(scope, snapshot, {}, sme_dashboard(scope.org_ids, snapshot))
    filters = scoped_filters(scope, filters_from(params))
    if snapshot is None:
        return UserDashboard(scope, None, filters, None)
    if not filters and snapshot.summary.get("version") == PAYLOAD_VERSION:
        return UserDashboard(scope, snapshot, filters, snapshot.summary)
    return UserDashboard(scope, snapshot, filters, dashboard_payload_cached(snapshot, filters))


def dashboard_payload_cached(snapshot: Snapshot, filters: Mapping[str, Any]) -> dict[str, Any]:
    """`dashboard_payload` through the cache (KPI_DASHBOARD_CACHE_SECONDS). Safe because a snapshot's cells
    never change once taken (an official snapshot is protected by triggers; a refresh makes a new
    snapshot): the key is the snapshot, when it was taken and the filters. The payload holds no text in
    a language (titles are translated when rendered), so one entry serves every language."""
    seconds = getattr(settings, "KPI_DASHBOARD_CACHE_SECONDS", 0)
    if not seconds:
        return dashboard_payload(snapshot, filters)
    identity = [
        PAYLOAD_VERSION,
        snapshot.pk,
        snapshot.taken_at.isoformat(),
        sorted((k, str(v)) for k, v in filters.items()),
    ]
    key = "kpi-dashboard:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest()
    payload: dict[str, Any] | None = cache.get(key)
    if payload is None:
        payload = dashboard_payload(snapshot, filters)
        cache.set(key, payload, seconds)
    return payload
