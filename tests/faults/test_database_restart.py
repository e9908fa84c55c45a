"""PostgreSQL restarted while a hundred export tasks are queued and running: every job finishes exactly
once. Tasks that meet the database down retry with backoff; a job whose run died with its connection
is taken over once its claim is stale."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.faults
JOBS = 100


def test_a_database_restart_with_tasks_queued_loses_nothing_and_repeats_nothing(faults):
    faults.harness("setup", "--log-rows", "2000", "--tag", "restart")
    ids = set(faults.harness("enqueue", "--count", str(JOBS), "--format", "csv", "--tag", "restart"))
    assert len(ids) == JOBS

    faults.start_worker("steady")

    def finished() -> int:
        return sum(1 for j in faults.jobs() if j["id"] in ids and j["status"] == "done")

    faults.wait("the first jobs to finish", lambda: finished() >= 5, timeout=180, every=0.2)
    # The database goes away under the running worker, and comes back a few seconds later.
    faults.cluster.stop("fast")
    time.sleep(4)
    faults.cluster.start()
    faults.wait("every job to finish", lambda: finished() == JOBS, timeout=600, every=2)

    jobs = [j for j in faults.jobs() if j["id"] in ids]
    assert {j["status"] for j in jobs} == {"done"}
    assert all(j["row_count"] >= 2_000 for j in jobs)
    # One file per job, no file of a run that died, and at most one job retaken after the restart.
    assert faults.files() == sorted(j["file_path"] for j in jobs)
    assert sum(1 for j in jobs if j["attempts"] > 1) <= 1
