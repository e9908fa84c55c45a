"""A worker killed (SIGKILL) in the middle of an export: the job still finishes, exactly once.

The task is acknowledged late, so RabbitMQ hands the unacknowledged message to the next worker as soon
as the dead one's connection drops. That worker finds the job still running under the dead run's claim;
once the claim is stale it takes the job over, writes the file again from the start and finishes it.
One file, one finish, no partial file left behind.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def test_a_worker_killed_mid_export_is_replaced_and_the_job_finishes_once(faults):
    faults.harness("setup", "--log-rows", "400000", "--tag", "killed")
    [job_id] = faults.harness("enqueue", "--count", "1", "--format", "xlsx", "--tag", "killed")
    first = faults.start_worker("first")

    def job() -> dict:
        return next(j for j in faults.jobs() if j["id"] == job_id)

    faults.wait("the export to start writing", lambda: job()["progress_done"] > 0, timeout=120, every=0.2)
    assert job()["status"] == "running"
    faults.kill(first)
    assert job()["status"] == "running"  # the dead run's claim is still there

    faults.start_worker("second")
    faults.wait("the job to finish", lambda: job()["status"] in ("done", "failed"), timeout=300)
    done = job()
    assert done["status"] == "done", done["error"]
    assert done["attempts"] == 2
    assert done["row_count"] >= 400_000
    # Exactly one file: the finished one; the dead run's partial file was removed.
    assert faults.files() == [done["file_path"]]
