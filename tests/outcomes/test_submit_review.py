"""Submitting an outcome report (the factory's SME) and reviewing it (officials, the region's officers):
the happy paths, every refusal leaving the report unchanged, and the audit history of status changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from factories.models import OutcomeReport, OutcomeStatus
from factories.outcomes_selectors import outcome_report_history
from factories.outcomes_services import (
    outcome_report_accept,
    outcome_report_return,
    outcome_report_submit,
)
from tests.outcomes.conftest import GOOD_VALUES, report_state, set_status

pytestmark = pytest.mark.django_db

EVENTS = OutcomeReport.events.field.model  # type: ignore[attr-defined]


def submit(report, actor, values=None, **kwargs):
    return outcome_report_submit(report=report, actor=actor, values=dict(values or GOOD_VALUES), **kwargs)


def test_the_sme_submits_a_report(mine, sme_owner):
    report = submit(mine.overdue, sme_owner.user, note="MES 도입 후 1년")
    report.refresh_from_db()
    assert report.status == OutcomeStatus.SUBMITTED
    assert report.submitted_by == sme_owner.user
    assert report.submitted_at is not None
    assert report.productivity_after == Decimal("125.50")
    assert report.cost_after == 900_000_000
    assert report.employees_after == 38
    assert report.note == "MES 도입 후 1년"


def test_only_productivity_or_defect_rate_is_required(mine, sme_owner):
    submit(mine.overdue, sme_owner.user, {"defect_rate_before": "3.5", "defect_rate_after": "1.25"})
    mine.overdue.refresh_from_db()
    assert mine.overdue.defect_rate_after == Decimal("1.25")
    assert mine.overdue.productivity_before is None


def test_an_after_value_without_baseline_is_accepted(mine, sme_owner):
    values = {"productivity_before": 10, "productivity_after": 12, "employees_after": 40}
    submit(mine.overdue, sme_owner.user, values)
    mine.overdue.refresh_from_db()
    assert mine.overdue.employees_after == 40


def test_submission_writes_history_with_the_actor(mine, sme_owner):
    submit(mine.overdue, sme_owner.user)
    event = EVENTS.objects.filter(pgh_obj_id=mine.overdue.pk).order_by("-pgh_id").first()
    assert event.status == OutcomeStatus.SUBMITTED
    assert event.pgh_context.metadata["user"] == sme_owner.user.pk
    assert event.pgh_context.metadata["service"] == "outcome_report_submit"


@pytest.mark.parametrize("who", ["other_sme", "official", "regional_officer", "auditor"])
def test_only_the_factorys_sme_submits(request, mine, who):
    before = report_state()
    with pytest.raises(PermissionDenied):
        submit(mine.overdue, request.getfixturevalue(who).user)
    assert report_state() == before


def test_a_report_whose_period_has_not_ended_is_refused(mine, sme_owner):
    before = report_state()
    with pytest.raises(Conflict) as exc:
        submit(mine.running, sme_owner.user)
    assert exc.value.code == "period_not_ended"
    assert report_state() == before


def test_the_last_day_of_the_period_is_too_early(mine, sme_owner):
    with pytest.raises(Conflict):
        submit(mine.overdue, sme_owner.user, today=mine.overdue.period_end)
    submit(mine.overdue, sme_owner.user, today=mine.overdue.period_end + dt.timedelta(days=1))


def test_a_submitted_report_awaits_review(mine, sme_owner):
    submit(mine.overdue, sme_owner.user)
    before = report_state()
    with pytest.raises(IllegalTransition):
        submit(mine.overdue, sme_owner.user)
    assert report_state() == before


def test_an_accepted_report_cannot_be_changed(mine, sme_owner, official):
    submit(mine.overdue, sme_owner.user)
    outcome_report_accept(report=mine.overdue, actor=official.user)
    before = report_state()
    with pytest.raises(Conflict) as exc:
        submit(mine.overdue, sme_owner.user, {**GOOD_VALUES, "productivity_after": Decimal("999")})
    assert exc.value.code == "outcome_accepted"
    assert exc.value.status_code == 409
    assert report_state() == before


def test_a_returned_report_is_resubmitted(mine, sme_owner, official):
    submit(mine.overdue, sme_owner.user)
    outcome_report_return(report=mine.overdue, actor=official.user, note="불량률 산정 근거를 보완하세요")
    submit(mine.overdue, sme_owner.user, {**GOOD_VALUES, "defect_rate_after": Decimal("2.50")})
    mine.overdue.refresh_from_db()
    assert mine.overdue.status == OutcomeStatus.SUBMITTED
    assert mine.overdue.defect_rate_after == Decimal("2.50")


BAD_VALUES: list[tuple[str, dict[str, Any]]] = [
    ("defect_rate_after", {"defect_rate_after": Decimal("100.01")}),
    ("defect_rate_after", {"defect_rate_after": Decimal("-0.01")}),
    ("defect_rate_after", {"defect_rate_after": Decimal("2.125")}),
    ("on_time_delivery_before", {"on_time_delivery_before": "abc"}),
    ("on_time_delivery_before", {"on_time_delivery_before": 95.5}),
    ("cost_after", {"cost_after": -1}),
    ("cost_after", {"cost_after": 1.5}),
    ("cost_after", {"cost_after": "1000"}),
    ("sales_before", {"sales_before": 10**14}),
    ("employees_after", {"employees_after": -3}),
    ("employees_after", {"employees_after": True}),
    ("accidents_after", {"accidents_after": Decimal("1.5")}),
    ("productivity_after", {"productivity_after": Decimal("-1")}),
    ("productivity_after", {"productivity_after": Decimal("NaN")}),
    ("bogus", {"bogus": 1}),
]


@pytest.mark.parametrize(("field", "change"), BAD_VALUES)
def test_bad_values_are_refused_and_nothing_changes(mine, sme_owner, field, change):
    before = report_state()
    with pytest.raises(ValidationFailed) as exc:
        submit(mine.overdue, sme_owner.user, {**GOOD_VALUES, **change})
    assert field in exc.value.fields
    assert report_state() == before


def test_a_baseline_needs_its_after_value(mine, sme_owner):
    values = {**GOOD_VALUES, "sales_after": None}
    with pytest.raises(ValidationFailed) as exc:
        submit(mine.overdue, sme_owner.user, values)
    assert set(exc.value.fields) == {"sales_after"}


def test_productivity_or_defect_rate_is_required(mine, sme_owner):
    values = {"employees_before": 30, "employees_after": 31}
    with pytest.raises(ValidationFailed) as exc:
        submit(mine.overdue, sme_owner.user, values)
    assert set(exc.value.fields) == {"productivity_after"}


def test_half_a_productivity_pair_is_not_enough(mine, sme_owner):
    with pytest.raises(ValidationFailed):
        submit(mine.overdue, sme_owner.user, {"productivity_after": 12})


# --- review ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "regional_officer"])
def test_a_reviewer_accepts(request, mine, sme_owner, who):
    reviewer = request.getfixturevalue(who).user
    submit(mine.overdue, sme_owner.user)
    outcome_report_accept(report=mine.overdue, actor=reviewer, note="확인")
    mine.overdue.refresh_from_db()
    assert mine.overdue.status == OutcomeStatus.ACCEPTED
    assert mine.overdue.reviewed_by == reviewer
    assert mine.overdue.review_note == "확인"
    steps = [s.status for s in outcome_report_history(mine.overdue)]
    assert steps == [OutcomeStatus.DUE, OutcomeStatus.SUBMITTED, OutcomeStatus.ACCEPTED]


def test_a_reviewer_returns_with_a_note(mine, sme_owner, official):
    submit(mine.overdue, sme_owner.user)
    outcome_report_return(report=mine.overdue, actor=official.user, note=" 매출 증빙 첨부 필요 ")
    mine.overdue.refresh_from_db()
    assert mine.overdue.status == OutcomeStatus.RETURNED
    assert mine.overdue.review_note == "매출 증빙 첨부 필요"
    history = outcome_report_history(mine.overdue)
    assert history[-1].status == OutcomeStatus.RETURNED
    assert history[-1].actor == str(official.user)


@pytest.mark.parametrize("note", ["", "   "])
def test_returning_needs_a_note(mine, sme_owner, official, note):
    submit(mine.overdue, sme_owner.user)
    before = report_state()
    with pytest.raises(ValidationFailed) as exc:
        outcome_report_return(report=mine.overdue, actor=official.user, note=note)
    assert set(exc.value.fields) == {"note"}
    assert report_state() == before


@pytest.mark.parametrize("who", ["sme_owner", "auditor", "finance_officer", "evaluator"])
def test_others_may_not_review(request, mine, sme_owner, who):
    submit(mine.overdue, sme_owner.user)
    before = report_state()
    actor = request.getfixturevalue(who).user
    with pytest.raises(PermissionDenied):
        outcome_report_accept(report=mine.overdue, actor=actor)
    with pytest.raises(PermissionDenied):
        outcome_report_return(report=mine.overdue, actor=actor, note="x")
    assert report_state() == before


def test_another_regions_officer_may_not_review(theirs, other_sme, regional_officer):
    submit(theirs.overdue, other_sme.user)
    with pytest.raises(PermissionDenied):
        outcome_report_accept(report=theirs.overdue, actor=regional_officer.user)


@pytest.mark.parametrize("status", [OutcomeStatus.DUE, OutcomeStatus.RETURNED])
def test_only_submitted_reports_are_reviewed(mine, sme_owner, official, status):
    set_status(mine.overdue, status, sme_owner.user)
    before = report_state()
    with pytest.raises(IllegalTransition):
        outcome_report_accept(report=mine.overdue, actor=official.user)
    with pytest.raises(IllegalTransition):
        outcome_report_return(report=mine.overdue, actor=official.user, note="x")
    assert report_state() == before


def test_an_accepted_report_is_final(mine, sme_owner, official):
    submit(mine.overdue, sme_owner.user)
    outcome_report_accept(report=mine.overdue, actor=official.user)
    before = report_state()
    for action in (outcome_report_accept, outcome_report_return):
        with pytest.raises(Conflict) as exc:
            action(report=mine.overdue, actor=official.user, note="x")
        assert exc.value.code == "outcome_accepted"
    assert report_state() == before
