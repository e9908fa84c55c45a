"""Fixtures of the factory register tests: projects in final inspection built with the real services
(a selected application, its agreement started in the past, build-out, final inspection), and a
snapshot of every table the register writes, to compare before and after a refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from applications.models import Application, ApplicationStatus, ApplicationStatusChange
from companies.models import Workplace
from core.models import User
from factories.models import Factory, LevelConfirmation
from programs.models import Call
from tests import factories as f
from tests import flow
from tests.applications.support import busan_officer_persona
from tests.conftest import Persona

S = ApplicationStatus
REGISTER_MODELS = (Application, ApplicationStatusChange, Factory, LevelConfirmation)


def register_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the factory register writes."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in REGISTER_MODELS}


def selected(workplace: Workplace, *, fiscal_year: int = 2026, **values: Any) -> Application:
    """A selected application of a call of its own, its government support committed like a selection
    would (built directly: selection is tested in tests/applications)."""
    call = values.pop("call", None) or f.CallFactory(fiscal_year=fiscal_year)
    app = f.ApplicationFactory(
        call=call, workplace=workplace, status=S.SELECTED, submitted_at=timezone.now(), **values
    )
    Call.objects.filter(pk=call.pk).update(
        committed_krw=F("committed_krw") + app.gov_amount_krw, selected_count=F("selected_count") + 1
    )
    return app


def in_final_inspection(
    workplace: Workplace, official: User, *, fiscal_year: int = 2026, starts_on: dt.date | None = None
) -> Application:
    """A project of the workplace in final inspection; its agreement started `starts_on` (by default
    on 5 January of the fiscal year)."""
    app = selected(workplace, fiscal_year=fiscal_year)
    flow.to_final_inspection(app, official, starts_on=starts_on or dt.date(fiscal_year, 1, 5))
    return Application.objects.get(pk=app.pk)


@pytest.fixture
def busan_officer(db) -> Persona:
    return busan_officer_persona()


@pytest.fixture
def inspected(sme_owner, official) -> Application:
    """SME A's project (Gyeonggi) in final inspection."""
    return in_final_inspection(sme_owner.workplace, official.user)


@pytest.fixture
def factory(inspected, official) -> Factory:
    """SME A's completed project's factory (completed today, L3)."""
    return flow.to_completed(inspected, official.user)
