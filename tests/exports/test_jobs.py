"""Export jobs through their services and task: create → run → done → expired; claim once; stale reclaim;
refusals that save nothing."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from exports import services
from exports.models import ExportJob, JobStatus
from exports.services import export_job_create, export_job_execute, export_jobs_expire
from exports.tasks import export_job_run
from tests.exports.conftest import FORMULA

REASON = "월간 집행 점검"


def create(user, **overrides):
    kwargs = {"actor": user, "kind": "ledger", "file_format": "xlsx", "params": {}, "reason": REASON}
    kwargs.update(overrides)
    return export_job_create(**kwargs)


def files(root: Path) -> list[Path]:
    return sorted(root.iterdir()) if root.exists() else []


def test_lifecycle_create_run_done_then_expired(
    finance_officer, ledger_entries, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = create(finance_officer.user, params={"kind": "payment"})
    assert len(callbacks) == 1  # queued once, after commit; eager Celery ran it
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.row_count == 3 == job.progress_done == job.progress_total
    assert job.attempts == 1
    assert job.personal_data
    assert job.reason == REASON
    assert job.expires_at == job.finished_at + dt.timedelta(hours=settings.EXPORT_TTL_HOURS)
    assert job.file_name.endswith(".xlsx")
    path = Path(settings.EXPORTS_ROOT) / job.file_path
    assert files(Path(settings.EXPORTS_ROOT)) == [path]
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    notes = [row[12] for row in rows[1:]]
    assert "'" + FORMULA in notes
    amounts = sorted(row[8] for row in rows[1:])
    assert amounts == [1_000_000, 2_500_000, 3_000_000]

    assert export_jobs_expire(now=job.expires_at - dt.timedelta(seconds=1)) == 0
    assert export_jobs_expire(now=job.expires_at + dt.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert files(Path(settings.EXPORTS_ROOT)) == []


def test_csv_job(finance_officer, ledger_entries, settings):
    job = create(finance_officer.user, file_format="csv")
    export_job_execute(job_id=job.pk)
    job.refresh_from_db()
    data = (Path(settings.EXPORTS_ROOT) / job.file_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text
    assert job.row_count == 3


def test_running_the_task_twice_makes_one_file_and_finishes_once(finance_officer, ledger_entries, settings):
    job = create(finance_officer.user)
    assert export_job_run.apply(args=[str(job.pk)]).get() == "done"
    job.refresh_from_db()
    finished = job.finished_at
    assert export_job_run.apply(args=[str(job.pk)]).get() == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.finished_at == finished
    assert len(files(Path(settings.EXPORTS_ROOT))) == 1


def test_a_second_run_while_the_first_runs_is_a_no_op(finance_officer, ledger_entries, settings, monkeypatch):
    """The second delivery arrives while the first run is writing: it finds the job running (and not
    stale) and does nothing; the first run finishes the job alone."""
    job = create(finance_officer.user)
    second: list[object] = []
    original = services.export_write

    def write_and_meanwhile_run_again(**kwargs):
        second.append(export_job_execute(job_id=job.pk))
        return original(**kwargs)

    monkeypatch.setattr(services, "export_write", write_and_meanwhile_run_again)
    finished = export_job_execute(job_id=job.pk)
    assert second == [None]
    assert finished is not None
    assert finished.status == JobStatus.DONE
    assert finished.attempts == 1
    assert len(files(Path(settings.EXPORTS_ROOT))) == 1


def test_a_stale_running_job_is_reclaimed_and_the_old_run_cannot_finish(
    finance_officer, ledger_entries, settings, monkeypatch
):
    """A worker died mid-run (the job stays running with an old start); the redelivered task reclaims it.
    If the old run comes back to life, its progress report finds its claim gone and it stops, leaving
    no file and not finishing the job a second time."""
    job = create(finance_officer.user)
    old_start = timezone.now() - services.STALE_AFTER - dt.timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=old_start, attempts=1)
    # Not stale yet: nothing happens.
    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    assert export_job_execute(job_id=job.pk) is None
    ExportJob.objects.filter(pk=job.pk).update(started_at=old_start)

    done = export_job_execute(job_id=job.pk)
    assert done is not None
    assert done.status == JobStatus.DONE
    assert done.attempts == 2
    assert len(files(Path(settings.EXPORTS_ROOT))) == 1

    # A run whose claim was taken over stops at its first progress report and keeps no file.
    job2 = create(finance_officer.user)
    original = services.export_write

    def taken_over(**kwargs):
        ExportJob.objects.filter(pk=job2.pk).update(started_at=timezone.now() + dt.timedelta(seconds=1))
        return original(**kwargs)

    monkeypatch.setattr(services, "export_write", taken_over)
    assert export_job_execute(job_id=job2.pk) is None
    job2.refresh_from_db()
    assert job2.status == JobStatus.RUNNING  # still the other run's
    assert job2.finished_at is None
    assert len(files(Path(settings.EXPORTS_ROOT))) == 1


def test_reason_is_required_for_personal_data_and_nothing_is_saved(finance_officer, ledger_entries):
    with pytest.raises(ValidationFailed) as refused:
        create(finance_officer.user, reason="   ")
    assert "reason" in refused.value.fields
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "not-a-kind"}, "kind"),
        ({"agreement": "abc"}, "agreement"),
        ({"bogus": "1"}, "bogus"),
        ({"source": {"nested": 1}}, "source"),
    ],
)
def test_invalid_filters_are_refused_and_nothing_is_saved(finance_officer, params, field):
    with pytest.raises(ValidationFailed) as refused:
        create(finance_officer.user, params=params)
    assert field in refused.value.fields
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona", ["sme_owner", "partner", "evaluator", "regional_officer"])
def test_a_user_who_may_not_see_the_ledger_cannot_export_it(request, db, persona):
    user = request.getfixturevalue(persona).user
    with pytest.raises(ValidationFailed) as refused:
        create(user)
    assert "kind" in refused.value.fields
    assert not ExportJob.objects.exists()


def test_unknown_kind_and_format_are_refused(finance_officer):
    with pytest.raises(ValidationFailed) as refused:
        create(finance_officer.user, kind="nope")
    assert "kind" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        create(finance_officer.user, file_format="pdf")
    assert "format" in refused.value.fields
    assert not ExportJob.objects.exists()


def test_at_most_three_unfinished_jobs_per_user(finance_officer, auditor):
    for _ in range(services.MAX_UNFINISHED_JOBS):
        create(finance_officer.user)
    with pytest.raises(Conflict):
        create(finance_officer.user)
    assert ExportJob.objects.count() == services.MAX_UNFINISHED_JOBS
    create(auditor.user)  # another user's jobs do not count
    ExportJob.objects.filter(requested_by=finance_officer.user).update(status=JobStatus.DONE)
    create(finance_officer.user)


def test_a_user_who_lost_the_role_gets_a_failed_job_not_a_file(finance_officer, ledger_entries, settings):
    job = create(finance_officer.user)
    finance_officer.user.memberships.all().delete()
    done = export_job_execute(job_id=job.pk)
    assert done is not None
    assert done.status == JobStatus.FAILED
    assert done.error
    assert files(Path(settings.EXPORTS_ROOT)) == []


def test_a_crash_in_the_writer_fails_the_job_with_a_readable_message(
    finance_officer, ledger_entries, settings, monkeypatch
):
    job = create(finance_officer.user)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "export_write", broken)
    done = export_job_execute(job_id=job.pk)
    assert done is not None
    assert done.status == JobStatus.FAILED
    assert "disk on fire" not in done.error
    assert done.error
    assert files(Path(settings.EXPORTS_ROOT)) == []


def test_a_malformed_or_unknown_job_id_is_a_no_op(db):
    assert export_job_execute(job_id="not-a-uuid") is None
    assert export_job_execute(job_id="00000000-0000-0000-0000-000000000000") is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_finish_once(finance_officer, ledger_entries, settings, monkeypatch):
    """Two workers take the same job at the same moment (real threads, own connections)."""
    monkeypatch.setattr(export_job_run, "delay", lambda *args, **kwargs: None)
    job = create(finance_officer.user)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(export_job_execute(job_id=job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2
    assert sum(1 for r in results if r is not None) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert len(files(Path(settings.EXPORTS_ROOT))) == 1


def test_export_write_streams_into_a_file_object(finance_officer, ledger_entries):
    from exports.datasets.base import dataset_get

    dataset = dataset_get("ledger")
    buffer = io.BytesIO()
    count = services.export_write(
        dataset=dataset, queryset=dataset.queryset(finance_officer.user, {}), file_format="json", out=buffer
    )
    assert count == 3


def test_a_csv_job_of_many_rows_finishes(auditor, settings):
    """More rows than one progress step: the CSV is made by PostgreSQL's COPY, and the job's progress
    (a write on the same connection) waits until the COPY is over instead of waiting for ever."""
    from core.models import AccessAction, AccessLog

    AccessLog.objects.bulk_create(
        AccessLog(username="clerk", ip="10.0.0.1", action=AccessAction.VIEW, resource="bulk")
        for _ in range(12_000)
    )
    job = create(auditor.user, kind="access_log", file_format="csv", params={"resource": "bulk"})
    done = export_job_execute(job_id=job.pk)
    assert done is not None
    assert done.status == JobStatus.DONE
    assert done.row_count == done.progress_done == 12_000
    data = (Path(settings.EXPORTS_ROOT) / done.file_path).read_bytes()
    assert data.count(b"\r\n") == 12_001
