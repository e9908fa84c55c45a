"""Completing a project records its factory in the same transaction: happy path and each refusal
(nothing changes on a refusal)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.agreements import application_complete
from applications.models import ApplicationStatus
from core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from factories.models import ConfirmationKind, Factory, FactoryOrigin, LevelConfirmation
from factories.services import factory_record_completion
from programs.models import ProgramType
from tests import factories as f
from tests import flow
from tests.factory_records.conftest import in_final_inspection, register_state, selected

S = ApplicationStatus


def complete(app, actor, **values):
    args = {
        "completed_on": timezone.localdate(),
        "level": "L3",
        "confirming_body": "경기스마트제조혁신센터",
    } | values
    return factory_record_completion(application=app, actor=actor, **args)


def test_completion_records_the_factory_and_its_level(inspected, official, sme_owner):
    day = timezone.localdate()
    made = complete(inspected, official.user, completed_on=day, level="L3", note="최종점검 통과")
    inspected.refresh_from_db()
    assert inspected.status == S.COMPLETED
    change = inspected.history.order_by("-at", "-id").first()
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "complete",
        S.FINAL_INSPECTION,
        S.COMPLETED,
        official.user,
    )
    assert made.origin == FactoryOrigin.SUPPORTED
    assert (made.workplace, made.company, made.region, made.ksic) == (
        sme_owner.workplace,
        sme_owner.company,
        sme_owner.workplace.region,
        sme_owner.workplace.ksic,
    )
    assert (made.application, made.call, made.program_type) == (
        inspected,
        inspected.call,
        inspected.call.program_type,
    )
    assert (made.support_year, made.completed_on, made.completion_year) == (
        inspected.call.fiscal_year,
        day,
        day.year,
    )
    assert made.level.code == "L3"
    assert made.counted is True
    assert made.partner is None
    assert made.created_by == official.user
    [level] = LevelConfirmation.objects.filter(workplace=sme_owner.workplace)
    assert (level.kind, level.factory, level.level.code, level.confirmed_on, level.confirming_body) == (
        ConfirmationKind.FINAL_INSPECTION,
        made,
        "L3",
        day,
        "경기스마트제조혁신센터",
    )
    assert level.self_built is False
    # Its outcome reports fall due yearly for three years from completion (the default schedule).
    reports = list(made.outcome_reports.order_by("sequence"))
    assert [r.sequence for r in reports] == [1, 2, 3]
    assert {r.status for r in reports} == {"due"}
    assert reports[0].period_start == day


def test_a_regional_officer_completes_projects_of_their_region(inspected, regional_officer):
    made = complete(inspected, regional_officer.user)
    assert made.created_by == regional_officer.user


def test_a_cofunded_project_names_its_partner_firm(official, evaluator):
    call = f.CallFactory(fiscal_year=2026, program_type=ProgramType.WINWIN_TYPE1)
    app = f.ApplicationFactory(
        call=call,
        total_cost_krw=100_000_000,
        gov_amount_krw=30_000_000,
        partner_amount_krw=30_000_000,
        sme_amount_krw=40_000_000,
    )
    flow.cofund(app)
    sme = f.UserFactory()
    f.member(sme, app.company.organisation, "sme")
    flow.to_selected(app, sme, official.user, evaluator.user)
    flow.to_final_inspection(app, official.user)
    made = complete(app, official.user)
    assert made.partner_id == app.partner_agreement.consortium.partner_id
    assert made.program_type == ProgramType.WINWIN_TYPE1


def test_the_support_year_is_the_calls_fiscal_year(sme_owner, official):
    app = in_final_inspection(sme_owner.workplace, official.user, fiscal_year=2025)
    made = complete(app, official.user)
    assert (made.support_year, made.completion_year) == (2025, timezone.localdate().year)


# --- refusals: nothing changes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"completed_on": timezone.localdate() + dt.timedelta(days=1)}, "completed_on", "date_in_future"),
        ({"completed_on": dt.date(2020, 1, 1)}, "completed_on", "completed_before_agreement"),
        ({"level": "L9"}, "level", "unknown_level"),
        ({"level": ""}, "level", "unknown_level"),
        ({"confirming_body": "  "}, "confirming_body", "invalid"),
        ({"confirming_body": "x" * 201}, "confirming_body", "invalid"),
    ],
)
def test_bad_input_is_refused(inspected, official, values, field, code):
    before = register_state()
    with pytest.raises(ValidationFailed) as exc:
        complete(inspected, official.user, **values)
    assert exc.value.code == code
    assert field in exc.value.fields
    assert register_state() == before


def test_a_completion_before_the_support_year_is_refused(sme_owner, official):
    # The agreement of a 2026 call started (oddly) in 2025: completion in 2025 still precedes the
    # support year.
    app = in_final_inspection(sme_owner.workplace, official.user, starts_on=dt.date(2025, 6, 1))
    before = register_state()
    with pytest.raises(ValidationFailed) as exc:
        complete(app, official.user, completed_on=dt.date(2025, 12, 1))
    assert exc.value.code == "completed_before_support_year"
    assert register_state() == before


def test_a_project_not_in_final_inspection_is_a_409(sme_owner, official):
    app = selected(sme_owner.workplace)
    flow.sign(app, official.user, starts_on=dt.date(2026, 1, 5))
    before = register_state()
    with pytest.raises(IllegalTransition):
        complete(app, official.user)
    assert register_state() == before


def test_completing_twice_is_a_409(factory, official):
    before = register_state()
    with pytest.raises(IllegalTransition):
        complete(factory.application, official.user)
    assert register_state() == before
    assert Factory.objects.count() == 1


@pytest.mark.parametrize("persona", ["sme_owner", "auditor", "finance_officer", "busan_officer", "partner"])
def test_only_officials_and_the_regional_center_complete(request, inspected, persona):
    before = register_state()
    with pytest.raises(PermissionDenied):
        complete(inspected, request.getfixturevalue(persona).user)
    assert register_state() == before


def test_the_applications_service_alone_records_no_factory(inspected, official):
    # Only for the money tests; pages and the API always go through factory_record_completion.
    application_complete(application=inspected, actor=official.user)
    inspected.refresh_from_db()
    assert inspected.status == S.COMPLETED
    assert not Factory.objects.exists()
