"""The ministry dashboard: the stored summary as the fast path, filters over any breakdown, official
snapshots reproduced exactly, the Excel exports, constant query counts, the empty state, navigation."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from factories.models import Factory
from kpi.dashboards import national_summary
from kpi.exports import chart_table, xlsx_bytes
from kpi.models import Snapshot, SnapshotKind
from kpi.snapshots import snapshot_refresh
from tests.kpi_dashboards.conftest import make_factory

DASHBOARD = "/api/v1/kpi/dashboard/"


def card(payload, card_id):
    return next(c for c in payload["cards"] if c["id"] == card_id)


def chart(payload, chart_id):
    return next((c for c in payload["charts"] if c["id"] == chart_id), None)


def test_the_unfiltered_dashboard_is_the_stored_summary(world, official):
    payload = official.api().get(DASHBOARD).json()
    assert payload == world.snapshot.summary
    assert payload["snapshot"]["id"] == world.snapshot.pk
    assert payload["hidden"] == []  # nothing is hidden from the ministry
    assert card(payload, "deployments")["value"] == 6
    regions = {row["key"]: row["values"][0] for row in chart(payload, "deployments_by_region")["rows"]}
    assert regions == {"gyeonggi": 2, "busan": 4}
    cumulative = chart(payload, "deployments_cumulative")
    # The target line runs to the target's deadline; the cumulative line stops at the snapshot's year.
    so_far = [r for r in cumulative["rows"] if r["key"] <= world.snapshot.as_of.year]
    assert so_far[-1]["values"][1] == sum(r["values"][0] or 0 for r in so_far)
    assert all(r["values"][1] is None for r in cumulative["rows"] if r["key"] > world.snapshot.as_of.year)


def test_the_summary_is_recomputed_identically_from_the_cells(world):
    assert national_summary(world.snapshot) == world.snapshot.summary


@pytest.mark.parametrize(
    ("params", "deployments"),
    [
        ({"year": 2023}, 1),
        ({"region": "busan"}, 4),
        ({"region": "busan", "level": "L3"}, 1),
        ({"origin": "self_built"}, 1),
        ({"program_type": "government_only", "region": "gyeonggi"}, 2),
    ],
)
def test_filters_on_any_breakdown(world, official, params, deployments):
    payload = official.api().get(DASHBOARD, params).json()
    assert payload["filters"] == params
    assert card(payload, "deployments")["value"] == deployments
    assert payload["targets"] == []  # targets are national


def test_filtered_metrics_without_that_breakdown_are_hidden(world, official):
    payload = official.api().get(DASHBOARD, {"level": "L3"}).json()
    assert "applications" in payload["hidden"]
    assert all(c["id"] != "applications" for c in payload["cards"])


def test_malformed_filters_are_400_on_the_api_and_ignored_on_the_page(world, official):
    response = official.api().get(DASHBOARD, {"year": "twenty"})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]
    page = official.browser().get(reverse("kpi:dashboard"), {"year": "twenty"})
    assert page.status_code == 200


def test_metric_api_any_breakdown(world, official):
    client = official.api()
    rows = client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "region,year"}).json()["rows"]
    assert sum(float(r["value"]) for r in rows) == 6
    assert {r["dims"]["region"] for r in rows} == {"gyeonggi", "busan"}
    filtered = client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "year", "region": "busan"}).json()
    assert [r["dims"]["year"] for r in filtered["rows"]] == [2020, 2022, 2024, 2025]
    assert client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "flag"}).status_code == 400
    assert client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "nope"}).status_code == 400
    # Medians are stored per listed combination only, never combined from other cells.
    median = "/api/v1/kpi/metrics/outcome_change_median/"
    assert client.get(median, {"group_by": "measure,year"}).status_code == 200
    refused = client.get(median, {"group_by": "year,program_type"})
    assert (refused.status_code, refused.json()["code"]) == (400, "breakdown_not_stored")
    registry = client.get("/api/v1/kpi/metrics/").json()
    deployments = next(m for m in registry if m["code"] == "deployments")
    assert deployments["unit"] == "count"
    assert "region" in deployments["breakdowns"]
    assert deployments["name_ko"]
    assert deployments["definition_en"]


def test_an_official_snapshot_is_reproduced_exactly_after_raw_data_changes(world, official, sme_owner):
    client = official.api()
    frozen = client.post("/api/v1/kpi/snapshots/freeze/", {}, format="json").json()
    before = client.get(DASHBOARD, {"snapshot": frozen["id"]}).json()
    before_filtered = client.get(DASHBOARD, {"snapshot": frozen["id"], "region": "gyeonggi"}).json()
    before_metric = client.get(
        "/api/v1/kpi/metrics/deployments/", {"snapshot": frozen["id"], "group_by": "region"}
    ).json()
    make_factory(sme_owner, year=2024)
    snapshot_refresh(actor=official.user)
    assert card(client.get(DASHBOARD).json(), "deployments")["value"] == 7  # live sees the change
    assert client.get(DASHBOARD, {"snapshot": frozen["id"]}).json() == before
    assert client.get(DASHBOARD, {"snapshot": frozen["id"], "region": "gyeonggi"}).json() == before_filtered
    again = client.get("/api/v1/kpi/metrics/deployments/", {"snapshot": frozen["id"], "group_by": "region"})
    assert again.json() == before_metric
    listed = client.get("/api/v1/kpi/snapshots/").json()
    assert [s["id"] for s in listed if s["kind"] == "official"] == [frozen["id"]]


def test_the_excel_export_opens_and_equals_the_table(world, official):
    payload = official.api().get(DASHBOARD, {"region": "busan"}).json()
    by_level = chart(payload, "deployments_by_level")
    response = official.browser().get(
        reverse("kpi:export", args=["deployments_by_level"]), {"region": "busan"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert "As of" in str(sheet["A2"].value) or "기준" in str(sheet["A2"].value)
    header = [c.value for c in sheet[4]]
    assert len(header) == 1 + len(by_level["series"])
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=4 + len(by_level["rows"]))]
    assert [row[1] for row in data] == [row["values"][0] for row in by_level["rows"]]
    assert sheet.cell(row=5, column=2).number_format == "#,##0"


def test_the_export_of_money_is_in_million_won_like_the_table():
    chart = {
        "id": "execution_by_source",
        "dim": "source",
        "series": [
            {"key": "agreed_krw", "metric": "agreed_krw", "unit": "krw"},
            {"key": "execution_rate", "metric": "execution_rate", "unit": "percent"},
        ],
        "rows": [
            {"key": "government", "values": [1_234_567_890, 45.678]},
            {"key": "sme", "values": [0, None]},
        ],
    }
    table = chart_table(
        chart,
        title="Execution",
        dim_label="Source",
        series_label=lambda s: s["key"],
        key_label=lambda d, k: k,
    )
    assert [row.cells for row in table.rows] == [["1,234.6", "45.68"], ["0.0", "-"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table, as_of="2026-01-31", source="test"))).active
    assert sheet["A1"].value == "Execution"
    assert "2026-01-31" in sheet["A2"].value
    assert [c.value for c in sheet[4]] == ["Source", "agreed_krw", "execution_rate"]
    assert [c.value for c in sheet[5]] == ["government", 1234.6, 45.68]
    assert [c.value for c in sheet[6]] == ["sme", 0.0, "-"]
    assert sheet["B5"].number_format == "#,##0.0"
    assert sheet["C5"].number_format == "#,##0.00"


def test_page_numbers_tables_and_export_links(world, official):
    page = official.browser().get(reverse("kpi:dashboard")).content.decode()
    for chart_id in ("deployments_cumulative", "deployments_by_region", "deployments_by_level"):
        assert f'id="table-{chart_id}"' in page
        assert reverse("kpi:export", args=[chart_id]) in page
        assert f'id="chart-{chart_id}-data"' in page
    assert "<caption>" in page
    assert 'id="freeze-button"' in page
    assert "data-confirm" in page
    assert "<script>" not in page.replace('<script type="application/json"', "")  # no inline code
    assert "chart.umd.min.js" in page
    assert "js/kpi.js" in page


def test_the_auditor_page_has_no_freeze(world, auditor):
    page = auditor.browser().get(reverse("kpi:dashboard")).content.decode()
    assert 'id="freeze-button"' not in page


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(
    world, official, regional_officer, sme_owner, other_sme, settings
):
    settings.KPI_DASHBOARD_CACHE_SECONDS = 0  # the computation is counted here, not the cache
    cases = [
        (official, DASHBOARD, None),
        (official, DASHBOARD, {"region": "busan", "year": 2022}),
        (regional_officer, DASHBOARD, None),
        (official, "/api/v1/kpi/metrics/deployments/", {"group_by": "region,year"}),
        (sme_owner, DASHBOARD, None),
        (official, reverse("kpi:dashboard"), None),
    ]
    clients = [(p.api() if url.startswith("/api/") else p.browser(), url, params) for p, url, params in cases]
    for c, url, params in clients:  # warm: the user's access is cached on the client's user object
        _queries(c, url, params)
    small = [_queries(c, url, params) for c, url, params in clients]
    for year in (2015, 2016, 2017):
        make_factory(sme_owner, year=year, level="L4")
        make_factory(other_sme, year=year, level="L5")
    snapshot_refresh(actor=official.user)
    large = [_queries(c, url, params) for c, url, params in clients]
    assert small == large
    assert small[0] <= 2  # the fast path: the snapshot with its summary (and no more)


def test_a_filtered_dashboard_is_served_from_the_cache_until_the_next_snapshot(
    world, official, sme_owner, settings
):
    """Computed from the cells once per snapshot and filters, then from the cache (no cell queries); a new
    snapshot is a new key, so its figures are never stale."""
    from django.core.cache import cache

    cache.clear()
    settings.KPI_DASHBOARD_CACHE_SECONDS = 600
    client = official.api()
    params = {"region": "busan", "year": 2022}
    _queries(client, DASHBOARD)  # warm: the user's access is cached on the client's user object
    first = _queries(client, DASHBOARD, params)
    again = _queries(client, DASHBOARD, params)
    assert again <= 2 < first  # the snapshot, then the cached payload
    before = client.get(DASHBOARD, params).json()
    make_factory(sme_owner, year=2022, level="L5")
    assert client.get(DASHBOARD, params).json() == before  # the same snapshot: the same figures
    snapshot_refresh(actor=official.user)
    after = client.get(DASHBOARD, {"region": "gyeonggi", "year": 2022}).json()
    assert after["snapshot"]["id"] != before["snapshot"]["id"]
    assert _queries(client, DASHBOARD, params) == first  # a new snapshot is computed afresh


def test_no_snapshot_yet(official, auditor, sme_owner):
    page = auditor.browser().get(reverse("kpi:dashboard")).content.decode()
    assert 'id="no-snapshot"' in page
    assert 'id="compute-now"' not in page
    assert official.api().get(DASHBOARD).json()["code"] == "no_snapshot"
    assert sme_owner.api().get(DASHBOARD).status_code == 200  # the SME's own rows need no snapshot
    browser = official.browser()
    assert 'id="compute-now"' in browser.get(reverse("kpi:dashboard")).content.decode()
    assert browser.post(reverse("kpi:refresh")).status_code == 302
    assert Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).count() == 1
    assert 'id="cards"' in browser.get(reverse("kpi:dashboard")).content.decode()


def test_navigation_puts_the_dashboard_first(world, official, partner, sme_owner, evaluator):
    for persona in (official, partner, sme_owner):
        response = persona.browser().get(reverse("programs:call-list"))
        assert response.context["nav_items"][0]["url"] == reverse("kpi:dashboard")
    items = evaluator.browser().get(reverse("programs:call-list")).context["nav_items"]
    assert all(item["url"] != reverse("kpi:dashboard") for item in items)


def test_home_sends_officials_and_auditors_to_the_dashboard(official, auditor):
    assert official.browser().get("/")["Location"] == reverse("kpi:dashboard")
    assert auditor.browser().get("/")["Location"] == reverse("kpi:dashboard")


def test_the_page_filters_by_quarter_industry_and_origin_too(world, official, other_sme):
    """The page offers a select for each of these breakdowns, and each narrows the figures exactly."""
    page = official.browser().get(reverse("kpi:dashboard")).content.decode()
    for name in (
        "year",
        "quarter",
        "region",
        "program_type",
        "origin",
        "level",
        "industry",
        "partner",
        "size",
    ):
        assert f'name="{name}"' in page, name
    api = official.api()
    assert card(api.get(DASHBOARD).json(), "deployments")["value"] == 6
    assert card(api.get(DASHBOARD, {"origin": "self_built"}).json(), "deployments")["value"] == 1
    assert card(api.get(DASHBOARD, {"quarter": 2}).json(), "deployments")["value"] == 6  # all in June
    assert card(api.get(DASHBOARD, {"quarter": 1}).json(), "deployments")["value"] in (0, None)
    industry = other_sme.workplace.ksic.code
    expected = Factory.objects.filter(counted=True, ksic__code=industry).count()
    assert expected >= 4
    assert card(api.get(DASHBOARD, {"industry": industry}).json(), "deployments")["value"] == expected
