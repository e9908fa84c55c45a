"""Scoped dashboards never include a foreign row: a regional officer sees their region, a partner firm
its own figures, an SME its own projects — in the dashboard API, the metric API and the page."""

from __future__ import annotations

import json

from django.urls import reverse

from kpi.dashboards import jsonable

DASHBOARD = "/api/v1/kpi/dashboard/"


def card(payload, card_id):
    return next((c for c in payload["cards"] if c["id"] == card_id), None)


def chart(payload, chart_id):
    return next((c for c in payload["charts"] if c["id"] == chart_id), None)


def chart_total(payload, chart_id, column=0):
    return sum(row["values"][column] or 0 for row in chart(payload, chart_id)["rows"])


def test_regional_officer_sees_only_their_region(world, regional_officer):
    response = regional_officer.api().get(DASHBOARD)
    assert response.status_code == 200
    payload = response.json()
    assert payload["filters"] == {"region": "gyeonggi"}
    own = [fac for fac in world.a_factories if fac.counted]  # SME A works in Gyeonggi
    assert card(payload, "deployments")["value"] == len(own) == 2
    assert chart_total(payload, "deployments_cumulative") == 2
    assert [row["key"] for row in chart(payload, "deployments_by_region")["rows"]] == ["gyeonggi"]
    assert chart_total(payload, "deployments_by_level") == 2
    assert "busan" not in json.dumps(payload)
    # No national targets and no metric without a region breakdown.
    assert payload["targets"] == []
    assert card(payload, "partner_pledged_krw") is None
    assert "partner_pledged_krw" in payload["hidden"]
    assert chart(payload, "partners") is None


def test_regional_officer_cannot_override_their_region(world, regional_officer):
    client = regional_officer.api()
    assert client.get(DASHBOARD, {"region": "busan"}).status_code == 403
    assert client.get("/api/v1/kpi/metrics/deployments/", {"region": "busan"}).status_code == 403
    rows = client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "region"}).json()["rows"]
    assert rows == [{"dims": {"region": "gyeonggi"}, "value": "2.0000", "provisional": False}]
    # A metric the region cannot filter is not there for them.
    assert client.get("/api/v1/kpi/metrics/partner_pledged_krw/").status_code == 404
    codes = {m["code"] for m in client.get("/api/v1/kpi/metrics/").json()}
    assert "deployments" in codes
    assert "partner_pledged_krw" not in codes


def test_partner_sees_only_its_own_figures(world, partner, other_partner):
    response = partner.api().get(DASHBOARD)
    assert response.status_code == 200
    payload = response.json()
    own_id = partner.organisation.pk
    assert payload["filters"] == {"partner": own_id}
    assert card(payload, "deployments")["value"] == 1  # SME A's 2023 factory only
    assert chart_total(payload, "deployments_by_region") == 1
    assert [row["key"] for row in chart(payload, "deployments_by_region")["rows"]] == ["gyeonggi"]
    partners_chart = chart(payload, "partners")
    if partners_chart is not None:
        assert {row["key"] for row in partners_chart["rows"]} <= {own_id}
    # The funnel has no partner breakdown: hidden.
    assert card(payload, "applications") is None
    assert chart(payload, "funnel") is None
    client = partner.api()
    assert client.get(DASHBOARD, {"partner": other_partner.organisation.pk}).status_code == 403
    rows = client.get("/api/v1/kpi/metrics/deployments/", {"group_by": "partner"}).json()["rows"]
    assert [r["dims"] for r in rows] == [{"partner": own_id}]
    assert client.get("/api/v1/kpi/metrics/applications/").status_code == 404


def test_other_partner_sees_its_two_factories(world, other_partner):
    payload = other_partner.api().get(DASHBOARD).json()
    assert card(payload, "deployments")["value"] == 2
    assert [row["key"] for row in chart(payload, "deployments_by_region")["rows"]] == ["busan"]


def test_sme_sees_only_its_own_projects(world, sme_owner, other_sme):
    response = sme_owner.api().get(DASHBOARD)
    assert response.status_code == 200
    payload = response.json()
    assert payload["scope"] == "sme"
    assert {fac["id"] for fac in payload["factories"]} == {fac.pk for fac in world.a_factories}
    own_apps = {fac.application_id for fac in world.a_factories}
    assert {a["id"] for a in payload["applications"]} == own_apps
    assert {row["workplace_id"] for row in payload["levels"]} == {sme_owner.workplace.pk}
    assert [row["level"] for row in payload["levels"]] == ["L2", "L3"]
    assert {row["factory_id"] for row in payload["outcomes"]} == {world.a_factories[0].pk}
    productivity = next(row for row in payload["outcomes"] if row["measure"] == "productivity")
    assert productivity["change"] == 30.0
    # The median of its industry (both companies' reports: +30 % and +10 %) is an aggregate, not a
    # foreign row.
    assert payload["median_basis"] == "industry"
    assert productivity["median"] == 20
    foreign = {fac.pk for fac in world.b_factories}
    assert not foreign & {fac["id"] for fac in payload["factories"]}
    assert other_sme.company.name not in json.dumps(jsonable(payload), ensure_ascii=False)


def test_sme_has_no_metric_api(world, sme_owner):
    client = sme_owner.api()
    assert client.get("/api/v1/kpi/metrics/").status_code == 403
    assert client.get("/api/v1/kpi/metrics/deployments/").status_code == 403


def test_scoped_pages_show_only_own_rows(world, regional_officer, partner, sme_owner, other_sme):
    region_page = regional_officer.browser().get(reverse("kpi:dashboard")).content.decode()
    assert 'data-key="gyeonggi"' in region_page
    assert 'data-key="busan"' not in region_page
    partner_page = partner.browser().get(reverse("kpi:dashboard")).content.decode()
    assert 'data-key="busan"' not in partner_page
    sme_page = sme_owner.browser().get(reverse("kpi:dashboard")).content.decode()
    assert f'data-factory="{world.a_factories[0].pk}"' in sme_page
    assert all(f'data-factory="{fac.pk}"' not in sme_page for fac in world.b_factories)
    assert other_sme.workplace.name not in sme_page or other_sme.workplace.name == sme_owner.workplace.name
