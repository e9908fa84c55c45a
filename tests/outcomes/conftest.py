"""Fixtures of the outcome tests: supported factories of SME A (Gyeonggi) and SME B (Busan), built
directly (the completion service is tested in tests/factories_*), with their outcome reports scheduled
so that report 1 is overdue, report 2's period has not ended and report 3 lies in the future."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from core.models import User
from factories.models import Factory, FactoryOrigin, OutcomeReport, OutcomeStatus
from factories.outcomes_services import add_months, outcome_report_accept, outcome_reports_schedule
from programs.models import Call
from tests import factories as f
from tests.conftest import Persona

TODAY = timezone.localdate


def make_factory(
    persona: Persona,
    *,
    completed_on: dt.date | None = None,
    call: Call | None = None,
    origin: str = FactoryOrigin.SUPPORTED,
    workplace: Any = None,
) -> Factory:
    """A recorded factory of the persona's company (supported: with a project of its own)."""
    workplace = workplace or persona.workplace
    completed_on = completed_on or add_months(timezone.localdate(), -14)
    user = persona.user
    assert user is not None
    fields: dict[str, Any] = {}
    if origin == FactoryOrigin.SUPPORTED:
        call = call or f.CallFactory(fiscal_year=completed_on.year - 1)
        app = f.ApplicationFactory(call=call, workplace=workplace, created_by=user)
        fields = {
            "application": app,
            "call": call,
            "program_type": call.program_type,
            "support_year": call.fiscal_year,
        }
    return Factory.objects.create(
        workplace=workplace,
        company=workplace.company,
        region=workplace.region,
        ksic=workplace.ksic,
        origin=origin,
        completed_on=completed_on,
        completion_year=completed_on.year,
        level=f.level("L3"),
        created_by=user,
        **fields,
    )


GOOD_VALUES: dict[str, Any] = {
    "productivity_before": Decimal("100.00"),
    "productivity_after": Decimal("125.50"),
    "defect_rate_before": Decimal("4.20"),
    "defect_rate_after": Decimal("2.10"),
    "cost_before": 1_000_000_000,
    "cost_after": 900_000_000,
    "on_time_delivery_before": Decimal("90.00"),
    "on_time_delivery_after": Decimal("97.50"),
    "sales_before": 8_500_000_000,
    "sales_after": 9_100_000_000,
    "employees_before": 35,
    "employees_after": 38,
    "accidents_before": 2,
    "accidents_after": 0,
}

GOOD_JSON: dict[str, Any] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in GOOD_VALUES.items()}


@dataclass
class Reports:
    factory: Factory
    overdue: OutcomeReport  # report 1: period ended, due date passed
    running: OutcomeReport  # report 2: period not ended
    future: OutcomeReport  # report 3


def scheduled(persona: Persona, **kwargs: Any) -> Reports:
    factory = make_factory(persona, **kwargs)
    reports = outcome_reports_schedule(factory=factory)
    assert [r.sequence for r in reports] == [1, 2, 3]
    return Reports(factory, *reports)


@pytest.fixture
def mine(sme_owner) -> Reports:
    """SME A's factory in Gyeonggi."""
    return scheduled(sme_owner)


@pytest.fixture
def theirs(other_sme) -> Reports:
    """SME B's factory in Busan."""
    return scheduled(other_sme)


def set_status(report: OutcomeReport, status: str, submitter: User) -> OutcomeReport:
    """Put a report in a status directly (the services are tested on their own)."""
    fields: dict[str, Any] = {"status": status}
    if status != OutcomeStatus.DUE:
        fields |= {"submitted_by": submitter, "submitted_at": timezone.now(), **GOOD_VALUES}
    OutcomeReport.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def accepted(report: OutcomeReport, submitter: User, reviewer: User, **values: Any) -> OutcomeReport:
    set_status(report, OutcomeStatus.SUBMITTED, submitter)
    if values:
        OutcomeReport.objects.filter(pk=report.pk).update(**values)
    return outcome_report_accept(report=report, actor=reviewer)


def report_state() -> list[dict[str, Any]]:
    return list(OutcomeReport.objects.order_by("pk").values())
