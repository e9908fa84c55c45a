"""Pages of the KPI dashboards: /kpi/ (the user's dashboard, scoped like the API), the Excel export of
each chart's table, and the two actions of officials (freeze an official snapshot, compute a live one).

The figures come from kpi.dashboards (the snapshot's stored summary or cells, or an SME's own rows);
this module only puts names on the keys (regions, levels, partner firms …) and shapes the numbers for
the template, the charts (kpi.js draws them from json_script data, no inline script) and the exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import PermissionDenied, ValidationFailed
from core.models import FirmSizeClass, KsicDivision, Level, Organisation, Region
from core.roles import OrganisationKind
from core.views import run_service
from factories.models import OUTCOME_MEASURES, FactoryOrigin
from kpi.dashboards import CHART_TITLES, UserDashboard, chart_from, dashboard_for_user
from kpi.exports import ChartTable, chart_table, display_number, format_number, unit_label, xlsx_response
from kpi.forms import FreezeForm
from kpi.models import Snapshot
from kpi.permissions import can_take_snapshot
from kpi.registry import is_registered, metric
from kpi.selectors import official_snapshots
from kpi.services import live_snapshot_compute, official_snapshot_freeze
from programs.models import ProgramType

SOURCE_NOTE = "Smart Factory Program Management System (스마트공장 사업관리시스템), KPI snapshot"
PALETTE = ("#256ef4", "#e0533d", "#1d8a5b", "#f2a900", "#7b4fd6", "#0f9fb5", "#8a8f99")


def _dim_labels() -> dict[str, str]:
    return {
        "year": _("Year"),
        "support_year": _("Support year"),
        "completion_year": _("Completion year"),
        "quarter": _("Quarter"),
        "region": _("Region"),
        "program_type": _("Program type"),
        "partner": _("Partner firm"),
        "industry": _("Industry (KSIC)"),
        "level": _("Level"),
        "size": _("Firm size"),
        "source": _("Source of funds"),
        "origin": _("Origin"),
        "stage": _("Stage"),
        "provider_kind": _("Provider kind"),
        "measure": _("Outcome measure"),
        "flag": _("Flag"),
        "call": _("Call"),
    }


def _stage_labels() -> dict[str, str]:
    return {
        "submitted": _("Submitted"),
        "screened": _("Passed screening"),
        "evaluated": _("Evaluated"),
        "selected": _("Selected"),
        "agreed": _("Agreement signed"),
        "completed": _("Completed"),
    }


class Labels:
    """Names of breakdown keys, read once per page for the dimensions it shows (one query each)."""

    def __init__(self, keys_by_dim: Mapping[str, set[Any]]) -> None:
        from applications.models import FundingSource

        self.maps: dict[str, dict[Any, str]] = {}
        for dim, keys in keys_by_dim.items():
            if dim == "region":
                self.maps[dim] = {r.slug: r.name for r in Region.objects.filter(slug__in=keys)}
            elif dim == "level":
                self.maps[dim] = {lv.code: lv.name for lv in Level.objects.filter(code__in=keys)}
            elif dim == "partner":
                ids = [k for k in keys if isinstance(k, int)]
                self.maps[dim] = {o.pk: o.name for o in Organisation.objects.filter(pk__in=ids)}
            elif dim == "industry":
                self.maps[dim] = {
                    k.code: f"{k.code} {k.name}" for k in KsicDivision.objects.filter(code__in=keys)
                }
            elif dim == "size":
                self.maps[dim] = {s.code: s.name for s in FirmSizeClass.objects.filter(code__in=keys)}
            elif dim == "program_type":
                self.maps[dim] = {k: str(v) for k, v in ProgramType.choices}
            elif dim == "source":
                self.maps[dim] = {k: str(v) for k, v in FundingSource.choices}
            elif dim == "origin":
                self.maps[dim] = {k: str(v) for k, v in FactoryOrigin.choices}
            elif dim == "stage":
                self.maps[dim] = dict(_stage_labels())
            elif dim == "measure":
                self.maps[dim] = {stem: _(label) for stem, label, _kind in OUTCOME_MEASURES}

    def __call__(self, dim: str, key: Any) -> str:
        if key is None:
            return _("Not classified")
        return self.maps.get(dim, {}).get(key) or str(key)


def _series_label(series: Mapping[str, Any]) -> str:
    if series["key"] == "cumulative":
        return _("Cumulative")
    if series["key"] == "target":
        return _("Target")
    code = series["metric"]
    return str(metric(code).name(get_language())) if is_registered(code) else code


def _metric_name(code: str) -> str:
    return str(metric(code).name(get_language())) if is_registered(code) else code


def _chart_data(table: ChartTable, chart: Mapping[str, Any]) -> dict[str, Any]:
    """What kpi.js draws: labels and datasets of the chart's charted series (numbers as in the table)."""
    datasets: list[dict[str, Any]] = []
    for i, (series, column) in enumerate(zip(chart["series"], table.columns, strict=False)):
        if not series.get("chart", True):
            continue
        values = [row.values[i] for row in table.rows]
        datasets.append(
            {
                "label": column.label,
                "type": series.get("kind", "bar"),
                "data": [float(v) if v is not None else None for v in values],
                "color": PALETTE[len(datasets) % len(PALETTE)],
                "dashed": series["key"] == "target",
            }
        )
    return {
        "type": chart.get("type", "bar"),
        "labels": [row.label for row in table.rows],
        "datasets": datasets,
    }


def _cards(cards: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for card in cards:
        unit = card["unit"]
        target = card.get("target")
        percent = target.get("percent") if target else None
        out.append(
            {
                "id": card["id"],
                "label": _metric_name(card["metric"]),
                "value": format_number(display_number(card.get("value"), unit)),
                "unit": unit_label(unit),
                "target": target,
                "target_value": format_number(display_number(target.get("value"), unit)) if target else None,
                "target_current": format_number(display_number(target.get("current"), unit))
                if target
                else None,
                "percent": percent,
                "progress": min(max(float(percent), 0.0), 100.0) if percent is not None else None,
            }
        )
    return out


def _targets(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    english = (get_language() or "ko").startswith("en")
    out = []
    for r in records:
        unit = "percent" if r.get("unit") == "percent" else "count"

        def fmt(value: Any, unit: str = unit) -> str:
            return format_number(display_number(value, unit if unit != "count" else "days"))

        out.append(
            {
                "code": r.get("code"),
                "label": r.get("label_en") if english else r.get("label_ko"),
                "target": format_number(display_number(r.get("target_value"), unit)),
                "current": format_number(display_number(r.get("current"), unit)),
                "percent": format_number(display_number(r.get("percent"), "percent")),
                "run_rate": fmt(r.get("run_rate_monthly")),
                "needed": fmt(r.get("needed_monthly")),
                "projected": format_number(display_number(r.get("projected_at_deadline"), unit)),
                "projected_date": r.get("projected_date"),
                "deadline": r.get("deadline"),
                "counts_from": r.get("counts_from"),
                "achieved": r.get("achieved"),
                "on_track": r.get("on_track"),
                "provisional": r.get("provisional"),
            }
        )
    return out


def chart_tables(payload: Mapping[str, Any]) -> list[tuple[ChartTable, dict[str, Any]]]:
    """Every chart of the payload as (its numbers table, its chart data); one query per named dimension."""
    charts = payload.get("charts", [])
    keys: dict[str, set[Any]] = {}
    for chart in charts:
        keys.setdefault(chart["dim"], set()).update(row["key"] for row in chart["rows"])
    labels = Labels(keys)
    dims = _dim_labels()
    out = []
    for chart in charts:
        table = chart_table(
            chart,
            title=str(CHART_TITLES.get(chart["id"], chart["id"])),
            dim_label=dims.get(chart["dim"], chart["dim"]),
            series_label=_series_label,
            key_label=labels,
        )
        out.append((table, _chart_data(table, chart)))
    return out


def _board(request: HttpRequest) -> UserDashboard:
    """The user's dashboard for the page's GET parameters; malformed filters are dropped with a message."""
    try:
        return dashboard_for_user(request.user, request.GET)
    except ValidationFailed:
        messages.error(request, _("Some filters were not valid and were ignored."))
        keep = {k: v for k, v in request.GET.items() if k == "snapshot"}
        return dashboard_for_user(request.user, keep)


def _filter_choices(board: UserDashboard) -> list[dict[str, Any]]:
    """The filter selects of the page: year, quarter, region, program type, origin, level, industry,
    partner firm, firm size. Every other breakdown of the registry works as a GET parameter too."""
    scope = board.scope
    as_of_year = board.snapshot.as_of.year if board.snapshot else 2026
    years = [(y, str(y)) for y in range(as_of_year, 2013, -1)]
    if scope.kind == "region":
        regions = Region.objects.filter(slug__in=scope.choices).order_by("sort_order")
    else:
        regions = Region.objects.order_by("sort_order")
    if scope.kind == "partner":
        partners = Organisation.objects.filter(pk__in=scope.choices)
    else:
        partners = Organisation.objects.filter(kind=OrganisationKind.PARTNER, is_active=True)
    selects: list[tuple[str, str, list[tuple[Any, str]]]] = [
        ("year", _("Year"), list(years)),
        ("quarter", _("Quarter"), [(q, f"{q}/4") for q in range(1, 5)]),
        ("region", _("Region"), [(r.slug, r.name) for r in regions]),
        ("program_type", _("Program type"), [(k, str(v)) for k, v in ProgramType.choices]),
        ("origin", _("Origin"), [(k, str(v)) for k, v in FactoryOrigin.choices]),
        ("level", _("Level"), [(lv.code, lv.name) for lv in Level.objects.order_by("rank")]),
        (
            "industry",
            _("Industry"),
            [(k.code, f"{k.code} {k.name}") for k in KsicDivision.objects.order_by("code")],
        ),
        ("partner", _("Partner firm"), [(o.pk, o.name) for o in partners.order_by("name_ko")]),
        (
            "size",
            _("Firm size"),
            [
                (s.code, s.name)
                for s in FirmSizeClass.objects.filter(valid_to__isnull=True).order_by("sort_order")
            ],
        ),
    ]
    out = []
    for name, label, choices in selects:
        current = board.filters.get(name)
        forced = scope.dim == name and len(scope.choices) <= 1
        out.append(
            {
                "name": name,
                "label": label,
                "choices": [
                    (str(v), text, current is not None and str(current) == str(v)) for v, text in choices
                ],
                "forced": forced,
                "allow_all": scope.dim != name,
            }
        )
    return out


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    is_official = can_take_snapshot(request.user)
    context: dict[str, Any] = {
        "board": board,
        "scope": board.scope,
        "snapshot": board.snapshot,
        "is_official": is_official,
        "snapshots": list(official_snapshots().defer("summary")[:120]),
        "freeze_form": FreezeForm() if is_official else None,
        "query": request.GET.urlencode(),
    }
    if board.scope.kind == "sme":
        context.update(_sme_context(board.payload or {}))
        return render(request, "kpi/sme_dashboard.html", context)
    if board.payload is not None:
        payload = board.payload
        context.update(
            {
                "cards": _cards(payload.get("cards", [])),
                "targets": _targets(payload.get("targets", [])),
                "charts": chart_tables(payload),
                "hidden": [_metric_name(code) for code in payload.get("hidden", [])],
                "filters": _filter_choices(board),
            }
        )
    return render(request, "kpi/dashboard.html", context)


def _sme_context(payload: Mapping[str, Any]) -> dict[str, Any]:
    levels = payload.get("levels", [])
    workplaces: dict[int, str] = {}
    for row in levels:
        workplaces.setdefault(row["workplace_id"], row["workplace"])
    dates = sorted({row["confirmed_on"] for row in levels})
    datasets = []
    for i, (wid, name) in enumerate(workplaces.items()):
        ranks = {row["confirmed_on"]: row["rank"] for row in levels if row["workplace_id"] == wid}
        datasets.append(
            {
                "label": name,
                "type": "line",
                "data": [ranks.get(d) for d in dates],
                "color": PALETTE[i % len(PALETTE)],
                "dashed": False,
            }
        )
    measure_labels = {stem: _(label) for stem, label, _kind in OUTCOME_MEASURES}
    outcomes = [
        {
            **row,
            "measure_label": measure_labels.get(row["measure"], row["measure"]),
            "change_text": format_number(display_number(row["change"], "percent")),
            "median_text": format_number(display_number(row["median"], "percent")),
            "better": None
            if row["change"] is None or row["median"] is None
            else row["change"] >= row["median"],
        }
        for row in payload.get("outcomes", [])
    ]
    return {
        "sme": payload,
        "level_chart": {"type": "line", "labels": dates, "datasets": datasets, "steps": True},
        "outcomes": outcomes,
    }


@login_required
def export(request: HttpRequest, chart_id: str) -> HttpResponseBase:
    """One chart's numbers table as .xlsx, for the same snapshot, scope and filters as the page."""
    board = dashboard_for_user(request.user, request.GET)
    if board.payload is None or board.snapshot is None or board.scope.kind == "sme":
        raise Http404()
    chart = chart_from(board.payload, chart_id)
    if chart is None:
        raise Http404()
    (table, _data), *_rest = chart_tables({"charts": [chart]})
    snapshot: Snapshot = board.snapshot
    return xlsx_response(table, as_of=snapshot.as_of.isoformat(), source=SOURCE_NOTE)


def _back(snapshot: Snapshot | None = None) -> HttpResponse:
    url = reverse("kpi:dashboard")
    return redirect(f"{url}?snapshot={snapshot.pk}" if snapshot is not None else url)


@login_required
@require_POST
def freeze(request: HttpRequest) -> HttpResponse:
    """Freeze an official snapshot (officials; the page asks for confirmation first)."""
    if not can_take_snapshot(request.user):
        raise PermissionDenied()
    form = FreezeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the date and status of the snapshot."))
        return _back()
    data = form.cleaned_data
    snapshot = run_service(
        request,
        official_snapshot_freeze,
        actor=request.user,
        as_of=data.get("as_of"),
        status=data["status"],
        note=data.get("note") or "",
    )
    if snapshot is None:
        return _back()
    messages.success(
        request, _("Official snapshot as of %(date)s frozen.") % {"date": snapshot.as_of.isoformat()}
    )
    return _back(snapshot)


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Compute a live snapshot now (officials)."""
    if not can_take_snapshot(request.user):
        raise PermissionDenied()
    snapshot = run_service(request, live_snapshot_compute, actor=request.user)
    if snapshot is not None:
        messages.success(request, _("The figures were computed."))
    return _back()
