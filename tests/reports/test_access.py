"""Who may download the ministry workbook and the open-data file (page and API), and what a download
leaves behind: an access-log row, no caching, a safe file name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AccessLog
from exports.ministry import CONTENT_TYPE
from tests.reports.conftest import SHEETS, values

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/ministry-workbook/"
OPEN_DATA_API = "/api/v1/reports/open-data/"
OUTSIDERS = ("sme_owner", "partner", "regional_officer", "finance_officer", "evaluator", "supplier_user")


@pytest.mark.parametrize("persona", ["official", "auditor"])
def test_officials_and_auditors_download_the_workbook(request, db, reports, persona):
    who = request.getfixturevalue(persona)
    page = who.browser().get(reverse("exports:workbook"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="snapshot-{reports.official.pk}"' in html
    assert f'id="snapshot-{reports.live.pk}"' in html
    url = reverse("exports:ministry-workbook", args=[reports.official.pk])
    assert url in html
    response = who.browser().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ministry-kpi-')
    assert "filename*=UTF-8''%EC%8A%A4%EB%A7%88%ED%8A%B8%EA%B3%B5%EC%9E%A5" in disposition  # 스마트공장
    assert "\n" not in disposition
    assert "\r" not in disposition
    assert tuple(values(response.content)) == SHEETS
    log = AccessLog.objects.get(resource="ministry_workbook", actor=who.user)
    assert log.action == "download"
    assert log.object_ref == str(reports.official.pk)
    assert f"#{reports.official.pk}" in log.subject


def test_api_downloads_the_workbook_of_a_snapshot(official, reports):
    response = official.api().get(API, {"snapshot": reports.past.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    rows = values(response.content)["요약"]
    assert rows[1][0].startswith("기준일: 2022. 12. 31.")
    assert (
        AccessLog.objects.filter(resource="ministry_workbook", object_ref=str(reports.past.pk)).count() == 1
    )
    # By as-of date, and by default the latest official snapshot.
    assert official.api().get(API, {"as_of": "2022-12-31"}).status_code == 200
    default = official.api().get(API)
    assert values(default.content)["요약"][1][0].startswith(
        f"기준일: {reports.official.as_of.strftime('%Y. %m. %d.')}"
    )


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_is_refused(request, db, reports, persona):
    who = request.getfixturevalue(persona)
    assert who.browser().get(reverse("exports:workbook")).status_code == 403
    assert (
        who.browser().get(reverse("exports:ministry-workbook", args=[reports.official.pk])).status_code == 403
    )
    assert who.browser().get(reverse("exports:open-data", args=["json"])).status_code == 403
    assert who.api().get(API, {"snapshot": reports.official.pk}).status_code == 403
    assert who.api().get(OPEN_DATA_API, {"format": "csv"}).status_code == 403
    assert not AccessLog.objects.filter(resource__in=["ministry_workbook", "open_data"]).exists()


def test_anonymous_is_sent_to_log_in_or_refused(anonymous, reports):
    page = anonymous.browser().get(reverse("exports:workbook"))
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]
    assert anonymous.api().get(API).status_code in (401, 403)


def test_unknown_or_malformed_snapshot(official, reports):
    assert official.browser().get(reverse("exports:ministry-workbook", args=[999_999])).status_code == 404
    response = official.api().get(API, {"snapshot": 999_999})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert official.api().get(API, {"snapshot": "1; DROP"}).status_code == 400
    assert official.api().get(API, {"as_of": "2022-13-45"}).status_code == 400
    missing = official.api().get(API, {"as_of": "2019-01-01"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "no_snapshot"
    assert not AccessLog.objects.filter(resource="ministry_workbook").exists()


def test_no_official_snapshot_yet(official):
    response = official.api().get(API)
    assert response.status_code == 404
    assert response.json()["code"] == "no_snapshot"
    page = official.browser().get(reverse("exports:workbook"))
    assert page.status_code == 200
    assert 'id="no-official"' in page.content.decode()


def test_open_data_downloads_are_logged(official, auditor, reports):
    page = official.browser().get(reverse("exports:workbook"))
    assert reverse("exports:open-data", args=["csv"]) in page.content.decode()
    response = auditor.browser().get(reverse("exports:open-data", args=["csv"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.startswith("Identifier,Title,Description,Currency")
    assert AccessLog.objects.filter(resource="open_data", actor=auditor.user, object_ref="csv").count() == 1
    api = official.api().get(OPEN_DATA_API, {"format": "json"})
    assert api.status_code == 200
    assert api["Content-Type"] == "application/json"
    assert b'"grants"' in b"".join(api.streaming_content)
    assert official.browser().get(reverse("exports:open-data", args=["xml"])).status_code == 404
    assert official.api().get(OPEN_DATA_API, {"format": "xml"}).status_code == 404
