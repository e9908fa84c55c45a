"""Access matrix of every KPI endpoint and page: anonymous 401 / login redirect, roles without a
dashboard 403, scoped roles their own dashboard, ministry roles everything; freezing and computing only
for officials."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpi.models import Snapshot, SnapshotKind

READ_APIS = ("/api/v1/kpi/dashboard/", "/api/v1/kpi/snapshots/")
METRIC_APIS = ("/api/v1/kpi/metrics/", "/api/v1/kpi/metrics/deployments/")
FREEZE = "/api/v1/kpi/snapshots/freeze/"
REFRESH = "/api/v1/kpi/snapshots/refresh/"


@pytest.fixture
def snapshot(world):
    return world.snapshot


def test_anonymous_is_refused_everywhere(snapshot, anonymous):
    client = anonymous.api()
    for url in (*READ_APIS, *METRIC_APIS):
        assert client.get(url).status_code == 401, url
    assert client.post(FREEZE, {}, format="json").status_code == 401
    assert client.post(REFRESH).status_code == 401
    browser = anonymous.browser()
    for url in (reverse("kpi:dashboard"), reverse("kpi:export", args=["deployments_by_region"])):
        response = browser.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert browser.post(reverse("kpi:freeze")).status_code == 302


def test_roles_without_a_dashboard_are_refused(snapshot, evaluator, supplier_user):
    for persona in (evaluator, supplier_user):
        client = persona.api()
        for url in (*READ_APIS, *METRIC_APIS):
            assert client.get(url).status_code == 403, url
        assert client.post(FREEZE, {}, format="json").status_code == 403
        browser = persona.browser()
        assert browser.get(reverse("kpi:dashboard")).status_code == 403
        assert browser.get(reverse("kpi:export", args=["deployments_by_region"])).status_code == 403


@pytest.mark.parametrize("who", ["official", "auditor", "finance_officer", "regional_officer", "partner"])
def test_dashboard_roles_read_everything_in_scope(snapshot, who, request):
    persona = request.getfixturevalue(who)
    client = persona.api()
    for url in (*READ_APIS, *METRIC_APIS):
        assert client.get(url).status_code == 200, url
    browser = persona.browser()
    assert browser.get(reverse("kpi:dashboard")).status_code == 200
    export = browser.get(reverse("kpi:export", args=["deployments_by_region"]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_sme_reads_its_dashboard_and_snapshots_but_not_metrics_or_exports(snapshot, sme_owner):
    client = sme_owner.api()
    assert client.get("/api/v1/kpi/dashboard/").status_code == 200
    assert client.get("/api/v1/kpi/snapshots/").status_code == 200
    for url in METRIC_APIS:
        assert client.get(url).status_code == 403
    browser = sme_owner.browser()
    assert browser.get(reverse("kpi:dashboard")).status_code == 200
    assert browser.get(reverse("kpi:export", args=["deployments_by_region"])).status_code == 404


@pytest.mark.parametrize("who", ["auditor", "finance_officer", "regional_officer", "partner", "sme_owner"])
def test_only_officials_freeze_or_compute(snapshot, who, request):
    persona = request.getfixturevalue(who)
    client = persona.api()
    before = Snapshot.objects.count()
    assert client.post(FREEZE, {}, format="json").status_code == 403
    assert client.post(REFRESH).status_code == 403
    browser = persona.browser()
    assert browser.post(reverse("kpi:freeze"), {"status": "actual"}).status_code == 403
    assert browser.post(reverse("kpi:refresh")).status_code == 403
    assert Snapshot.objects.count() == before


def test_official_freezes_once_and_a_double_submit_is_409(snapshot, official):
    client = official.api()
    first = client.post(FREEZE, {"note": "Monday report"}, format="json")
    assert first.status_code == 201
    assert first.json()["kind"] == "official"
    second = client.post(FREEZE, {"note": "Monday report"}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "duplicate_freeze"
    assert Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL).count() == 1
    # The page refuses the double submit too, with a message.
    response = official.browser().post(reverse("kpi:freeze"), {"status": "actual"}, follow=True)
    assert response.status_code == 200
    assert Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "target"}, "status"), ({"as_of": "2999-01-01"}, "as_of"), ({"as_of": "yesterday"}, "as_of")],
)
def test_freeze_refuses_bad_input(snapshot, official, body, field):
    response = official.api().post(FREEZE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL).exists()


def test_official_freezes_from_the_page(snapshot, official):
    response = official.browser().post(reverse("kpi:freeze"), {"status": "provisional", "note": "draft"})
    frozen = Snapshot.objects.get(kind=SnapshotKind.OFFICIAL)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?snapshot={frozen.pk}")
    assert frozen.status == "provisional"
    assert frozen.summary["snapshot"]["id"] == frozen.pk


def test_official_computes_a_live_snapshot(snapshot, official):
    response = official.api().post(REFRESH)
    assert response.status_code == 201
    current = Snapshot.objects.get(kind=SnapshotKind.LIVE, is_current=True)
    assert response.json()["id"] == current.pk != snapshot.pk


def test_unknown_snapshot_metric_and_chart_are_404(snapshot, official):
    client = official.api()
    assert client.get("/api/v1/kpi/dashboard/", {"snapshot": 999999}).status_code == 404
    assert client.get("/api/v1/kpi/dashboard/", {"snapshot": "x"}).status_code == 404
    assert client.get("/api/v1/kpi/metrics/no_such_metric/").status_code == 404
    assert official.browser().get(reverse("kpi:export", args=["no_such_chart"])).status_code == 404
