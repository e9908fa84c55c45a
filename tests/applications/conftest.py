"""Fixtures for the application tests: another region's officer, and applications in a given state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from tests import factories as f
from tests.applications.support import busan_officer_persona


@pytest.fixture
def busan_officer(db):
    """A regional center officer serving Busan: another region than SME A's Gyeonggi workplace."""
    return busan_officer_persona()


@pytest.fixture
def make_app(sme_owner, open_call):
    """Build an application of SME A (by default) directly in a status, bypassing the workflow."""

    def make(status: str = ApplicationStatus.DRAFT, **values) -> Application:
        values.setdefault("call", open_call)
        values.setdefault("workplace", sme_owner.workplace)
        values.setdefault("created_by", sme_owner.user)
        if status != ApplicationStatus.DRAFT:
            values.setdefault("submitted_at", timezone.now())
        return f.ApplicationFactory(status=status, **values)

    return make


@pytest.fixture
def scored_app(open_call):
    """An application of a new company in evaluation with a given score and government amount."""

    def make(score: str, gov: int, call=None, status: str = ApplicationStatus.EVALUATION) -> Application:
        return f.ApplicationFactory(
            call=call or open_call,
            status=status,
            evaluation_score=Decimal(score),
            total_cost_krw=gov * 2,
            gov_amount_krw=gov,
            sme_amount_krw=gov,
            submitted_at=timezone.now(),
        )

    return make
