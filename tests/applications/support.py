"""Helpers shared by the API and access tests of several apps (imported, not fixtures)."""

from __future__ import annotations

from typing import Any

from applications.models import (
    Application,
    ApplicationStatusChange,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
)
from companies.models import Company, Supplier, Workplace
from core.models import ApiToken, Membership, Organisation
from core.roles import OrganisationKind, Role
from programs.models import Call, FundingRule, NationalTarget, RubricCriterion
from tests import factories as f
from tests.conftest import Persona

WATCHED_MODELS = (
    Application,
    ApplicationStatusChange,
    DuplicateFlag,
    EvaluatorAssignment,
    EvaluationScore,
    Company,
    Workplace,
    Supplier,
    Organisation,
    Membership,
    Call,
    FundingRule,
    RubricCriterion,
    NationalTarget,
    ApiToken,
)


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a request could touch, to compare before and after a refused request."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED_MODELS}


def busan_officer_persona() -> Persona:
    user = f.UserFactory(username="officer_bs")
    center = f.OrganisationFactory(
        kind=OrganisationKind.REGIONAL_CENTER, name_ko="부산스마트제조혁신센터", region=f.region("busan")
    )
    f.member(user, center, Role.REGIONAL_OFFICER)
    return Persona(user, center)


def assert_error_body(response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
