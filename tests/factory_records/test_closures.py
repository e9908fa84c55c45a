"""Closing a factory: the date and reason are recorded, it stays counted, its support is sunk; every
refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from factories.models import ClosureReason, Factory
from factories.selectors import active_factory_count, deployment_counts
from factories.services import factory_close
from tests.factory_records.conftest import register_state

TODAY = timezone.localdate


def close(factory, actor, **values):
    args = {"closed_on": TODAY(), "reason": ClosureReason.BUSINESS_CLOSED, "note": "폐업 신고"} | values
    return factory_close(factory=factory, actor=actor, **args)


def test_closing_records_date_reason_and_who(factory, regional_officer):
    closed = close(factory, regional_officer.user, note=" 폐업 ")
    factory.refresh_from_db()
    assert (factory.closed_on, factory.closure_reason, factory.closure_note, factory.closed_by) == (
        TODAY(),
        ClosureReason.BUSINESS_CLOSED,
        "폐업",
        regional_officer.user,
    )
    assert closed.counted is True
    assert active_factory_count() == 0
    assert [r["count"] for r in deployment_counts()] == [1]


def test_closing_twice_is_a_409(factory, official):
    close(factory, official.user)
    before = register_state()
    with pytest.raises(Conflict) as exc:
        close(factory, official.user, reason=ClosureReason.OTHER, note="다시")
    assert exc.value.code == "already_closed"
    assert register_state() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"closed_on": TODAY() + dt.timedelta(days=1)}, "closed_on"),
        ({"closed_on": TODAY() - dt.timedelta(days=1)}, "closed_on"),  # before completion (today)
        ({"reason": ""}, "reason"),
        ({"reason": "bankrupt"}, "reason"),
        ({"reason": ClosureReason.OTHER, "note": " "}, "note"),
    ],
)
def test_bad_input_is_refused(factory, official, values, field):
    before = register_state()
    with pytest.raises(ValidationFailed) as exc:
        close(factory, official.user, **values)
    assert field in exc.value.fields
    assert register_state() == before
    assert Factory.objects.get(pk=factory.pk).closed_on is None


@pytest.mark.parametrize("persona", ["sme_owner", "auditor", "finance_officer", "busan_officer", "partner"])
def test_only_officials_and_the_regional_center_close(request, factory, persona):
    before = register_state()
    with pytest.raises(PermissionDenied):
        close(factory, request.getfixturevalue(persona).user)
    assert register_state() == before
