"""Scheduling outcome reports: the periods and due dates, a call's own schedule, the default, idempotency,
self-built and closed factories, and setting a call's schedule (officials only)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import PermissionDenied, ValidationFailed
from factories.models import FactoryOrigin, OutcomeReport, OutcomeSchedule, OutcomeStatus
from factories.outcomes_services import (
    add_months,
    outcome_reports_schedule,
    outcome_schedule_set,
    schedule_for_call,
    schedule_outcome_reports,
)
from tests import factories as f
from tests.outcomes.conftest import make_factory

pytestmark = pytest.mark.django_db


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 14) == dt.date(2026, 1, 15)


def test_default_schedule_is_yearly_for_three_years_due_30_days_after_each_period(sme_owner):
    factory = make_factory(sme_owner, completed_on=dt.date(2024, 3, 1))
    reports = outcome_reports_schedule(factory=factory)
    rows = [(r.sequence, r.period_start, r.period_end, r.due_on, r.status) for r in reports]
    assert rows == [
        (1, dt.date(2024, 3, 1), dt.date(2025, 2, 28), dt.date(2025, 3, 30), OutcomeStatus.DUE),
        (2, dt.date(2025, 3, 1), dt.date(2026, 2, 28), dt.date(2026, 3, 30), OutcomeStatus.DUE),
        (3, dt.date(2026, 3, 1), dt.date(2027, 2, 28), dt.date(2027, 3, 30), OutcomeStatus.DUE),
    ]


def test_a_calls_schedule_is_used(sme_owner, official):
    call = f.CallFactory(fiscal_year=2024)
    outcome_schedule_set(call=call, actor=official.user, reports=2, interval_months=6, due_days=10)
    factory = make_factory(sme_owner, completed_on=dt.date(2024, 8, 31), call=call)
    reports = schedule_outcome_reports(factory)
    assert [(r.period_start, r.period_end, r.due_on) for r in reports] == [
        (dt.date(2024, 8, 31), dt.date(2025, 2, 27), dt.date(2025, 3, 9)),
        (dt.date(2025, 2, 28), dt.date(2025, 8, 30), dt.date(2025, 9, 9)),
    ]


def test_scheduling_twice_creates_nothing_new(sme_owner):
    factory = make_factory(sme_owner)
    first = outcome_reports_schedule(factory=factory)
    second = outcome_reports_schedule(factory=factory)
    assert [r.pk for r in first] == [r.pk for r in second]
    assert OutcomeReport.objects.filter(factory=factory).count() == 3


def test_scheduling_fills_in_only_missing_reports(sme_owner):
    factory = make_factory(sme_owner)
    reports = outcome_reports_schedule(factory=factory)
    OutcomeReport.objects.filter(pk=reports[2].pk).delete()
    again = outcome_reports_schedule(factory=factory)
    assert [r.pk for r in again[:2]] == [r.pk for r in reports[:2]]
    assert [r.sequence for r in again] == [1, 2, 3]


def test_self_built_factories_get_no_reports_unless_an_official_asks(sme_owner, official):
    factory = make_factory(sme_owner, origin=FactoryOrigin.SELF_BUILT)
    assert schedule_outcome_reports(factory) == []
    assert outcome_reports_schedule(factory=factory) == []
    reports = outcome_reports_schedule(factory=factory, actor=official.user)
    assert len(reports) == 3


def test_the_regions_officer_may_schedule_a_self_built_factory(sme_owner, regional_officer):
    factory = make_factory(sme_owner, origin=FactoryOrigin.SELF_BUILT)
    assert len(outcome_reports_schedule(factory=factory, actor=regional_officer.user)) == 3


@pytest.mark.parametrize("who", ["sme_owner", "auditor", "evaluator"])
def test_others_may_not_schedule_a_self_built_factory(request, sme_owner, who):
    factory = make_factory(sme_owner, origin=FactoryOrigin.SELF_BUILT)
    with pytest.raises(PermissionDenied):
        outcome_reports_schedule(factory=factory, actor=request.getfixturevalue(who).user)
    assert not OutcomeReport.objects.exists()


def test_another_regions_officer_may_not_schedule(other_sme, regional_officer):
    factory = make_factory(other_sme, origin=FactoryOrigin.SELF_BUILT)
    with pytest.raises(PermissionDenied):
        outcome_reports_schedule(factory=factory, actor=regional_officer.user)


def test_a_closed_factory_gets_no_new_reports(sme_owner):
    factory = make_factory(sme_owner)
    factory.closed_on = factory.completed_on + dt.timedelta(days=30)
    factory.closure_reason = "business_closed"
    factory.save()
    assert outcome_reports_schedule(factory=factory) == []


# --- setting a call's schedule -----------------------------------------------------------------------


def test_an_official_sets_and_changes_a_calls_schedule(official):
    call = f.CallFactory()
    assert schedule_for_call(call).is_default
    outcome_schedule_set(call=call, actor=official.user, reports=5, interval_months=12, due_days=60)
    outcome_schedule_set(call=call, actor=official.user, reports=2, interval_months=24, due_days=0)
    row = OutcomeSchedule.objects.get(call=call)
    assert (row.reports, row.interval_months, row.due_days) == (2, 24, 0)
    assert not schedule_for_call(call).is_default


@pytest.mark.parametrize("who", ["regional_officer", "sme_owner", "auditor", "finance_officer"])
def test_only_officials_set_a_schedule(request, who):
    call = f.CallFactory()
    with pytest.raises(PermissionDenied):
        outcome_schedule_set(
            call=call, actor=request.getfixturevalue(who).user, reports=2, interval_months=6, due_days=10
        )
    assert not OutcomeSchedule.objects.exists()


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("reports", {"reports": 0, "interval_months": 12, "due_days": 30}),
        ("reports", {"reports": 11, "interval_months": 12, "due_days": 30}),
        ("interval_months", {"reports": 3, "interval_months": 0, "due_days": 30}),
        ("interval_months", {"reports": 3, "interval_months": 37, "due_days": 30}),
        ("due_days", {"reports": 3, "interval_months": 12, "due_days": -1}),
        ("due_days", {"reports": 3, "interval_months": 12, "due_days": 366}),
        ("reports", {"reports": True, "interval_months": 12, "due_days": 30}),
        ("reports", {"reports": "3", "interval_months": 12, "due_days": 30}),
    ],
)
def test_schedule_numbers_out_of_bounds_are_refused(official, field, values):
    call = f.CallFactory()
    with pytest.raises(ValidationFailed) as exc:
        outcome_schedule_set(call=call, actor=official.user, **values)
    assert set(exc.value.fields) == {field}
    assert not OutcomeSchedule.objects.exists()
