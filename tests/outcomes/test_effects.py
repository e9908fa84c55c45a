"""The outcome effects summary: mean change per measure over accepted reports only, relative for rates,
money and productivity, absolute for counts; filters and groupings; one query whatever the size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories.models import OutcomeStatus
from factories.outcomes_selectors import outcome_effects_summary
from programs.models import ProgramType
from tests import factories as f
from tests.outcomes.conftest import accepted, scheduled, set_status

pytestmark = pytest.mark.django_db

NONE = {
    "productivity_before": None,
    "productivity_after": None,
    "defect_rate_before": None,
    "defect_rate_after": None,
    "cost_before": None,
    "cost_after": None,
    "on_time_delivery_before": None,
    "on_time_delivery_after": None,
    "sales_before": None,
    "sales_after": None,
    "employees_before": None,
    "employees_after": None,
    "accidents_before": None,
    "accidents_after": None,
}


def by_measure(group):
    return {m.measure: m for m in group.measures}


@pytest.fixture
def two_accepted(sme_owner, other_sme, official):
    a = scheduled(sme_owner)
    b = scheduled(other_sme, call=f.CallFactory(fiscal_year=2024, program_type=ProgramType.WINWIN_TYPE1))
    accepted(
        a.overdue,
        sme_owner.user,
        official.user,
        **{
            **NONE,
            "productivity_before": Decimal(100),
            "productivity_after": Decimal(120),
            "defect_rate_before": Decimal(10),
            "defect_rate_after": Decimal(5),
            "cost_before": 0,  # no baseline: left out of the relative change
            "cost_after": 100,
            "employees_before": 10,
            "employees_after": 12,
        },
    )
    accepted(
        b.overdue,
        other_sme.user,
        official.user,
        **{
            **NONE,
            "productivity_before": Decimal(100),
            "productivity_after": Decimal(140),
            "employees_before": 20,
            "employees_after": 18,
            "cost_before": 1000,
            "cost_after": 800,
        },
    )
    # submitted but not accepted: never counted
    set_status(a.running, OutcomeStatus.SUBMITTED, sme_owner.user)
    return a, b


def test_mean_changes_over_accepted_reports(two_accepted):
    [group] = outcome_effects_summary()
    assert group.key is None
    assert group.reports == 2
    m = by_measure(group)
    assert (m["productivity"].mean_change, m["productivity"].reports, m["productivity"].unit) == (
        30.0,
        2,
        "percent",
    )
    assert (m["defect_rate"].mean_change, m["defect_rate"].reports) == (-50.0, 1)
    assert (m["cost"].mean_change, m["cost"].reports) == (-20.0, 1)
    assert (m["employees"].mean_change, m["employees"].reports, m["employees"].unit) == (0.0, 2, "count")
    assert (m["sales"].mean_change, m["sales"].reports) == (None, 0)


def test_filters_and_groupings(two_accepted):
    a, b = two_accepted
    [only_b] = outcome_effects_summary(call_id=b.factory.call_id)
    assert by_measure(only_b)["productivity"].mean_change == 40.0
    [winwin] = outcome_effects_summary(program_type=ProgramType.WINWIN_TYPE1)
    assert winwin.reports == 1
    [by_year] = outcome_effects_summary(year=a.factory.completion_year, by="year")
    assert by_year.key == a.factory.completion_year
    assert by_year.reports == 2
    groups = {g.key: g for g in outcome_effects_summary(by="program_type")}
    assert set(groups) == {ProgramType.GOVERNMENT_ONLY, ProgramType.WINWIN_TYPE1}
    assert by_measure(groups[ProgramType.GOVERNMENT_ONLY])["employees"].mean_change == 2.0
    assert outcome_effects_summary(year=1999)[0].reports == 0
    with pytest.raises(ValueError):
        outcome_effects_summary(by="region")


def test_the_summary_is_one_query(two_accepted):
    for by in (None, "call", "program_type", "year"):
        with CaptureQueriesContext(connection) as ctx:
            outcome_effects_summary(by=by)
        assert len(ctx.captured_queries) == 1
