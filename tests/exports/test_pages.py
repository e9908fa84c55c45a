"""Export pages: what will be exported, asking for it (right away when small, a job when large), the
job's progress partial, the download to the requester only, with an access-log row every time."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse

from core.models import AccessLog
from exports import services, views
from exports.models import ExportJob, JobStatus
from tests.exports.conftest import FORMULA

NEW = reverse("exports:new")
REASON = "감사 자료 제출"


def test_new_page_shows_the_list_its_filters_and_the_row_count(finance_officer, ledger_entries):
    response = finance_officer.browser().get(
        NEW, {"dataset": "ledger", "kind": "payment", "source": "government"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="export-rows">3<' in text
    assert 'id="export-criteria"' in text
    assert 'name="reason"' in text  # the ledger names who recorded each entry


def test_new_page_takes_the_first_kind_as_the_dataset(finance_officer, ledger_entries):
    response = finance_officer.browser().get(f"{NEW}?kind=ledger&format=csv&kind=reversal")
    assert response.status_code == 200
    assert 'id="export-rows">0<' in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"kind": "nope"}, {"dataset": "ledger", "agreement": "x"}, {"dataset": "ledger", "bogus": "1"}]
)
def test_new_page_refuses_unknown_lists_and_bad_filters(finance_officer, query):
    response = finance_officer.browser().get(NEW, query)
    assert response.status_code == 400
    assert 'id="export-invalid"' in response.content.decode()


def test_new_page_is_refused_to_who_may_not_see_the_list(sme_owner, anonymous):
    assert sme_owner.browser().get(NEW, {"kind": "ledger"}).status_code == 400
    response = anonymous.browser().get(NEW, {"kind": "ledger"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_small_export_downloads_at_once_with_an_access_log_row(finance_officer, ledger_entries):
    response = finance_officer.browser().post(
        f"{NEW}?dataset=ledger&kind=payment", {"format": "csv", "reason": REASON}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith(".csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body, newline="")))
    assert len(lines) == 4
    assert any(line[12] == "'" + FORMULA for line in lines[1:])
    log = AccessLog.objects.get()
    assert log.action == "download"
    assert log.resource == "ledger"
    assert log.personal_data
    assert log.reason == REASON
    assert log.detail["rows"] == 3
    assert log.detail["filters"] == {"kind": "payment"}
    assert not ExportJob.objects.exists()


def test_reason_is_required_on_the_page(finance_officer, ledger_entries):
    response = finance_officer.browser().post(f"{NEW}?dataset=ledger", {"format": "xlsx", "reason": ""})
    assert response.status_code == 400
    assert not AccessLog.objects.exists()
    assert not ExportJob.objects.exists()


def test_large_export_becomes_a_job_with_progress_then_a_download(
    finance_officer, ledger_entries, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views, "DIRECT_MAX_ROWS", 1)
    browser = finance_officer.browser()
    with django_capture_on_commit_callbacks(execute=False):
        response = browser.post(f"{NEW}?dataset=ledger", {"format": "xlsx", "reason": REASON})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job-detail", args=[job.pk])
    detail = browser.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in detail  # queued: the partial polls
    services.export_job_execute(job_id=job.pk)
    partial = browser.get(reverse("exports:job-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial  # done: polling stops
    assert reverse("exports:job-download", args=[job.pk]) in partial
    listing = browser.get(reverse("exports:job-list")).content.decode()
    assert f'id="job-{job.pk}"' in listing

    download = browser.get(reverse("exports:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    browser.get(reverse("exports:job-download", args=[job.pk]))
    logs = AccessLog.objects.filter(resource="ledger", action="download")
    assert logs.count() == 2  # one row per download
    assert {log.reason for log in logs} == {REASON}
    assert logs.first().detail["rows"] == 3
    job.refresh_from_db()
    assert job.downloads == 2


def test_another_user_never_sees_the_job(finance_officer, other_finance, ledger_entries, monkeypatch):
    monkeypatch.setattr(views, "DIRECT_MAX_ROWS", 1)
    job = services.export_job_create(
        actor=finance_officer.user, kind="ledger", file_format="csv", params={}, reason=REASON
    )
    services.export_job_execute(job_id=job.pk)
    from tests.signin import otp_device, verified_client

    other = verified_client(other_finance, device=otp_device(other_finance))
    for name in ("exports:job-detail", "exports:job-progress", "exports:job-download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert str(job.pk) not in other.get(reverse("exports:job-list")).content.decode()
    assert not AccessLog.objects.exists()


def test_expired_or_unfinished_jobs_are_not_downloadable(finance_officer, ledger_entries):
    job = services.export_job_create(
        actor=finance_officer.user, kind="ledger", file_format="csv", params={}, reason=REASON
    )
    browser = finance_officer.browser()
    url = reverse("exports:job-download", args=[job.pk])
    assert browser.get(url).status_code == 404  # still queued
    services.export_job_execute(job_id=job.pk)
    assert browser.get(url).status_code == 200
    job.refresh_from_db()
    services.export_jobs_expire(now=job.expires_at)
    assert browser.get(url).status_code == 404
    assert ExportJob.objects.get().status == JobStatus.EXPIRED
    assert AccessLog.objects.count() == 1
