"""An export job from request to download with a real Celery worker in another process: the API answers
202 at once, the job is queued, then running, then done with every row, and the download is the file
with its access-log row."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def test_an_export_from_request_to_download_through_a_real_worker(faults):
    faults.harness("setup", "--log-rows", "30000", "--tag", "worker")
    faults.start_worker("exports")
    seen = faults.harness("request-download", "--tag", "worker", "--timeout", "180")
    assert seen["asked"] == 202
    assert seen["statuses"][0] == "queued"  # the request did not make the file itself
    assert seen["statuses"][-1] == "done"
    detail = seen["detail"]
    assert detail["row_count"] == 30_000
    assert detail["percent"] == 100
    assert seen["lines"] == 30_001  # the header and every row
    [log] = seen["logs"]
    assert log["action"] == "download"
    assert log["reason"] == "워커 시험 (worker test)"
    assert log["detail"]["rows"] == 30_000
    assert faults.files() == [next(j for j in faults.jobs() if j["id"] == detail["id"])["file_path"]]
