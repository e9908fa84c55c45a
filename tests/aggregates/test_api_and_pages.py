"""The aggregate API and pages: officials import (errors by row and column, 409 on a figure already
loaded), officials and auditors read, everyone else is refused; imported figures are marked as such;
the list costs the same queries whatever the page size."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from core.models import User
from factories.api_aggregates_urls import urlpatterns
from factories.models import HistoricalAggregate
from tests.aggregates.conftest import NATIONAL, aggregate_state, csv_bytes
from tests.applications.support import assert_error_body

V = "/api/v1/historical-aggregates"
BAD = ["deployments", 1990, "", "", "", "", 1, "actual", "s"]


def ko(message: str) -> str:
    with translation.override("ko-kr"):
        return gettext(message)


def upload(rows, name="figures.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


@pytest.fixture
def loaded(official):
    return HistoricalAggregate.objects.create(
        metric="deployments",
        year=2014,
        value=227,
        status="actual",
        source="https://sedaily.com/NewsView/22H94YIQNB",
        imported_by=official.user,
        batch=uuid.uuid4(),
    )


ENDPOINTS = {
    "aggregate-list": lambda c: c.get(f"{V}/"),
    "aggregate-totals": lambda c: c.get(f"{V}/totals/?metric=deployments"),
    "aggregate-import": lambda c: c.post(f"{V}/import/", {"file": upload([NATIONAL])}, format="multipart"),
}
EXPECTED = {"official": (200, 200, 201), "auditor": (200, 200, 403)}


def test_every_endpoint_is_in_the_matrix():
    assert {p.name.removeprefix("api-") for p in urlpatterns} == set(ENDPOINTS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401(loaded, anonymous, name):
    before = aggregate_state()
    assert_error_body(ENDPOINTS[name](anonymous.api()), 401, "not_authenticated")
    assert aggregate_state() == before


@pytest.mark.parametrize("persona", ["sme_owner", "partner", "regional_officer", "finance_officer"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_other_roles_get_403(request, loaded, persona, name):
    before = aggregate_state()
    assert_error_body(ENDPOINTS[name](request.getfixturevalue(persona).api()), 403, "permission_denied")
    assert aggregate_state() == before


@pytest.mark.parametrize("persona", ["official", "auditor"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_officials_and_auditors(request, loaded, persona, name):
    before = aggregate_state()
    response = ENDPOINTS[name](request.getfixturevalue(persona).api())
    expected = EXPECTED[persona][list(ENDPOINTS).index(name)]
    assert response.status_code == expected, response.content
    if expected == 403:
        assert_error_body(response, 403, "permission_denied")
        assert aggregate_state() == before


def test_import_api_reports_rows_and_conflicts(official, loaded):
    client = official.api()
    response = client.post(f"{V}/import/", {"file": upload([NATIONAL, BAD])}, format="multipart")
    body = assert_error_body(response, 400, "import_invalid")
    assert list(body["fields"]) == ["row 3: year"]
    response = client.post(
        f"{V}/import/", {"file": upload([NATIONAL]), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["batch"] is None
    assert response.json()["rows"][0]["value"] == 4_757
    again = ["deployments", 2014, "", "", "", "", 230, "actual", "s"]
    response = client.post(f"{V}/import/", {"file": upload([again])}, format="multipart")
    assert_error_body(response, 409, "aggregate_exists")
    response = client.post(f"{V}/import/", {"file": upload([again]), "replace": "true"}, format="multipart")
    assert response.status_code == 201
    assert response.json()["replaced"] == 1
    response = client.post(f"{V}/import/", {}, format="multipart")
    assert "file" in assert_error_body(response, 400, "invalid")["fields"]


def test_list_and_totals_mark_imported_aggregates(official, loaded):
    row = official.api().get(f"{V}/").json()["results"][0]
    assert (row["kind"], row["value"], row["region"]) == ("imported_aggregate", 227, None)
    totals = official.api().get(f"{V}/totals/").json()
    assert totals["kind"] == "imported_aggregate"
    assert totals["years"] == [
        {"year": 2014, "value": 227, "provisional": False, "cells": 1, "sources": [loaded.source]}
    ]


def test_list_queries_do_not_grow_with_the_page(official, loaded):
    for year in range(2015, 2021):
        HistoricalAggregate.objects.create(
            metric="deployments",
            year=year,
            value=1,
            status="actual",
            source="s",
            imported_by=official.user,
            batch=uuid.uuid4(),
        )

    def count(page_size: int) -> int:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=official.user.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{V}/", {"page_size": page_size}).status_code == 200
        return len(ctx.captured_queries)

    assert count(1) == count(50)


# --- pages -----------------------------------------------------------------------------------------------


def test_the_list_page_for_officials_and_auditors(official, auditor, loaded):
    for persona in (official, auditor):
        html = persona.browser().get(reverse("aggregates:list")).content.decode()
        assert 'id="deployments-2014"' in html
        assert ko("imported aggregate (과거 집계)") in html
        assert f'id="aggregate-{loaded.pk}"' in html
    assert 'id="aggregate-import"' in official.browser().get(reverse("aggregates:list")).content.decode()
    assert 'id="aggregate-import"' not in auditor.browser().get(reverse("aggregates:list")).content.decode()


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "finance_officer"])
def test_pages_refuse_other_roles(db, request, persona):
    browser = request.getfixturevalue(persona).browser()
    assert browser.get(reverse("aggregates:list")).status_code == 403
    assert browser.get(reverse("aggregates:import")).status_code == 403


def test_auditors_and_anonymous_cannot_import(auditor, anonymous):
    assert auditor.browser().get(reverse("aggregates:import")).status_code == 403
    response = auditor.browser().post(
        reverse("aggregates:import"), {"file": upload([NATIONAL]), "action": "import"}
    )
    assert response.status_code == 403
    response = anonymous.browser().get(reverse("aggregates:import"))
    assert response.status_code == 302
    assert not HistoricalAggregate.objects.exists()


def test_officials_check_then_import_through_the_page(official):
    browser = official.browser()
    response = browser.post(
        reverse("aggregates:import"), {"file": upload([NATIONAL, BAD]), "action": "check"}
    )
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert 'data-row="3" data-column="year"' in html
    response = browser.post(reverse("aggregates:import"), {"file": upload([NATIONAL]), "action": "check"})
    html = response.content.decode()
    assert 'id="import-preview"' in html
    assert not HistoricalAggregate.objects.exists()
    response = browser.post(reverse("aggregates:import"), {"file": upload([NATIONAL]), "action": "import"})
    assert response.status_code == 302
    assert HistoricalAggregate.objects.get().value == 4_757
    response = browser.post(reverse("aggregates:import"), {"file": upload([NATIONAL]), "action": "import"})
    assert 'data-row="2" data-column="value"' in response.content.decode()  # already loaded
    assert HistoricalAggregate.objects.count() == 1
