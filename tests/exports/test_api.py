"""The export API: POST → 202 with the job, list and detail of one's own jobs, the download; refusals
(bad filters, no reason, too many jobs, another user's job) change nothing."""

from __future__ import annotations

import pytest

from core.models import AccessLog
from exports import services
from exports.models import ExportJob, JobStatus

URL = "/api/v1/exports/"
REASON = "분기 점검"


def post(client, **body):
    payload = {"kind": "ledger", "format": "csv", "filters": {}, "reason": REASON}
    payload.update(body)
    return client.post(URL, payload, format="json")


def test_post_runs_the_job_and_the_file_downloads(
    finance_officer, ledger_entries, django_capture_on_commit_callbacks
):
    client = finance_officer.api()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, filters={"kind": "payment"})
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    detail = client.get(f"{URL}{job_id}/").json()
    assert detail["status"] == JobStatus.DONE
    assert detail["percent"] == 100
    assert detail["row_count"] == 3
    assert detail["download_url"] == f"{URL}{job_id}/download/"
    assert detail["filters"] == {"kind": "payment"}
    listing = client.get(URL).json()
    assert [row["id"] for row in listing["results"]] == [job_id]
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")
    log = AccessLog.objects.get()
    assert log.resource == "ledger"
    assert log.reason == REASON
    assert log.detail["rows"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": {"source": "bitcoin"}}, "source"),
        ({"filters": {"unknown": "1"}}, "unknown"),
        ({"kind": "nope"}, "kind"),
        ({"format": "pdf"}, "format"),
        ({"reason": ""}, "reason"),
        ({"filters": "kind=payment"}, "filters"),
    ],
)
def test_bad_requests_are_400_and_create_nothing(finance_officer, body, field):
    response = post(finance_officer.api(), **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ExportJob.objects.exists()


def test_too_many_unfinished_jobs_is_409(finance_officer, monkeypatch):
    monkeypatch.setattr(services, "MAX_UNFINISHED_JOBS", 2)
    client = finance_officer.api()
    assert post(client).status_code == 202
    assert post(client).status_code == 202
    response = post(client)
    assert response.status_code == 409
    assert response.json()["code"] == "too_many_exports"
    assert ExportJob.objects.count() == 2


def test_idempotency_key_replays_the_first_job(finance_officer):
    client = finance_officer.api()
    first = client.post(
        URL, {"kind": "ledger", "format": "csv", "reason": REASON}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        URL, {"kind": "ledger", "format": "csv", "reason": REASON}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert ExportJob.objects.count() == 1
    other = client.post(
        URL, {"kind": "ledger", "format": "xlsx", "reason": REASON}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409


def test_another_users_job_is_404_everywhere(finance_officer, auditor, ledger_entries):
    job = services.export_job_create(
        actor=finance_officer.user, kind="ledger", file_format="csv", params={}, reason=REASON
    )
    services.export_job_execute(job_id=job.pk)
    client = auditor.api()
    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.get(f"{URL}{job.pk}/download/").status_code == 404
    assert client.get(f"{URL}not-a-uuid/").status_code == 404
    assert client.get(URL).json()["results"] == []
    assert not AccessLog.objects.exists()


def test_sme_cannot_export_the_ledger_and_anonymous_is_refused(sme_owner, anonymous):
    assert post(sme_owner.api()).status_code == 400
    assert post(anonymous.api()).status_code in (401, 403)
    assert not ExportJob.objects.exists()
