"""Overdue detection and the reminder task: one email per overdue report, however often and however
concurrently the task runs; none for submitted, accepted or not-yet-due reports; beat runs it daily."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from core.roles import Role
from factories.models import OutcomeReport, OutcomeStatus
from factories.outcomes_selectors import outcome_report_list_for_user, overdue_reports
from factories.outcomes_services import outcome_reminder_send
from factories.tasks import send_outcome_reminders
from tests import factories as f
from tests.outcomes.conftest import scheduled, set_status


def _due_on(report: OutcomeReport, day: dt.date) -> None:
    OutcomeReport.objects.filter(pk=report.pk).update(due_on=day)


@pytest.mark.django_db
def test_overdue_means_due_or_returned_past_its_due_date(mine, sme_owner, official):
    today = timezone.localdate()
    assert list(overdue_reports(today)) == [mine.overdue]
    # due today is not overdue yet
    _due_on(mine.overdue, today)
    assert not overdue_reports(today).exists()
    _due_on(mine.overdue, today - dt.timedelta(days=1))
    set_status(mine.overdue, OutcomeStatus.RETURNED, sme_owner.user)
    assert list(overdue_reports(today)) == [mine.overdue]
    for status in (OutcomeStatus.SUBMITTED, OutcomeStatus.ACCEPTED):
        set_status(mine.overdue, status, sme_owner.user)
        assert not overdue_reports(today).exists()


@pytest.mark.django_db
def test_lists_carry_the_overdue_flag_and_put_overdue_first(mine, sme_owner):
    rows = list(outcome_report_list_for_user(sme_owner.user))
    assert [(r.sequence, r.is_overdue) for r in rows] == [(1, True), (2, False), (3, False)]


@pytest.mark.django_db
def test_the_task_reminds_the_smes_users_once(mine, sme_owner):
    colleague = f.UserFactory(email="colleague@example.kr")
    f.member(colleague, sme_owner.organisation, Role.SME)
    assert send_outcome_reminders.delay().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([sme_owner.user.email, colleague.email])
    name = mine.factory.workplace.name
    assert name in message.subject
    # Korean first, then English (the lead adds the Korean translations; both paragraphs are there).
    assert message.body.count(name) == 2
    assert message.body.rstrip().endswith("Please submit it in the smart factory system.")
    assert mine.overdue.due_on.isoformat() in message.body
    mine.overdue.refresh_from_db()
    assert mine.overdue.reminded_at is not None
    # a second run, the next day, sends nothing more
    assert send_outcome_reminders() == 0
    assert send_outcome_reminders(today=(timezone.localdate() + dt.timedelta(days=1)).isoformat()) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_reminder_for_submitted_accepted_or_not_yet_due_reports(mine, theirs, sme_owner, other_sme):
    set_status(mine.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    set_status(theirs.overdue, OutcomeStatus.ACCEPTED, other_sme.user)
    assert send_outcome_reminders() == 0
    assert mail.outbox == []
    assert not OutcomeReport.objects.exclude(reminded_at=None).exists()


@pytest.mark.django_db
def test_a_returned_overdue_report_is_reminded(mine, sme_owner):
    set_status(mine.overdue, OutcomeStatus.RETURNED, sme_owner.user)
    assert send_outcome_reminders() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_task_skips_a_report_that_was_submitted_after_listing(mine, sme_owner):
    """The claim re-checks the status: a report submitted meanwhile is not reminded."""
    set_status(mine.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    assert outcome_reminder_send(report_id=mine.overdue.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_task_daily():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "factories.tasks.send_outcome_reminders"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.hour == {9}
    assert schedule.minute == {0}
    assert "factories.tasks.send_outcome_reminders" in celery_app.tasks
    task = celery_app.tasks["factories.tasks.send_outcome_reminders"]
    assert task.soft_time_limit
    assert task.time_limit


@pytest.mark.usefixtures("transactional_db")
def test_concurrent_runs_send_one_reminder_per_report(sme_owner, other_sme):
    reports = [scheduled(sme_owner).overdue, scheduled(other_sme).overdue]
    barrier = threading.Barrier(3)
    results: list[object] = [None] * 3

    def run(i: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results[i] = send_outcome_reminders()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2  # type: ignore[arg-type]
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sme_owner.user.email, other_sme.user.email])
    assert (
        OutcomeReport.objects.filter(pk__in=[r.pk for r in reports], reminded_at__isnull=False).count() == 2
    )
