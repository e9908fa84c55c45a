"""Screening actions, evaluator assignment, conflict-of-interest declarations and scoring."""

from __future__ import annotations

from decimal import Decimal

import pytest

from applications import services as s
from applications.models import (
    Application,
    ApplicationStatus,
    ConflictStatus,
    EvaluationScore,
    EvaluatorAssignment,
)
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.roles import OrganisationKind, Role
from programs.models import RubricCriterion
from tests import factories as f
from tests import flow

S = ApplicationStatus


@pytest.fixture
def in_evaluation(draft, sme_owner, official):
    return flow.to_evaluation(draft, sme_owner.user, official.user)


@pytest.fixture
def assignment(in_evaluation, official, evaluator):
    return s.evaluator_assign(application=in_evaluation, actor=official.user, evaluator=evaluator.user)


@pytest.fixture
def declared(assignment, evaluator):
    return s.assignment_declare(assignment=assignment, actor=evaluator.user, has_conflict=False)


def all_max(app, fraction="1") -> dict[int, Decimal]:
    return {c.pk: Decimal(c.max_score) * Decimal(fraction) for c in app.call.rubric.all()}


# --- evaluator_assign -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.SCREENING, S.EVALUATION])
def test_official_assigns_an_evaluator(make_app, official, evaluator, status):
    app = make_app(status)
    assignment = s.evaluator_assign(application=app, actor=official.user, evaluator=evaluator.user)
    assignment.refresh_from_db()
    assert (assignment.evaluator, assignment.assigned_by, assignment.conflict_status) == (
        evaluator.user,
        official.user,
        ConflictStatus.PENDING,
    )


@pytest.mark.parametrize("employer", ["company", "supplier"])
def test_evaluator_employed_by_the_applicant_or_its_supplier_is_refused(make_app, official, employer):
    app = make_app(S.EVALUATION)
    insider = f.UserFactory()
    org = app.company.organisation if employer == "company" else app.supplier.organisation
    f.member(insider, org, Role.EVALUATOR)
    with pytest.raises(Conflict) as exc:
        s.evaluator_assign(application=app, actor=official.user, evaluator=insider)
    assert exc.value.code == "evaluator_conflict_of_interest"
    assert not EvaluatorAssignment.objects.exists()


def test_evaluator_with_any_role_at_the_applicant_is_refused(make_app, official, evaluator):
    app = make_app(S.EVALUATION)
    f.member(evaluator.user, app.company.organisation, Role.SME)
    with pytest.raises(Conflict):
        s.evaluator_assign(application=app, actor=official.user, evaluator=evaluator.user)


@pytest.mark.parametrize("persona", ["other_sme", "partner", "supplier_user", "auditor"])
def test_a_user_without_the_evaluator_role_is_refused(request, make_app, official, persona):
    app = make_app(S.EVALUATION)
    user = request.getfixturevalue(persona).user
    with pytest.raises(ValidationFailed) as exc:
        s.evaluator_assign(application=app, actor=official.user, evaluator=user)
    assert "evaluator" in exc.value.fields
    assert not EvaluatorAssignment.objects.exists()


def test_an_inactive_evaluator_is_refused(make_app, official, evaluator):
    app = make_app(S.EVALUATION)
    type(evaluator.user).objects.filter(pk=evaluator.user.pk).update(is_active=False)
    evaluator.user.refresh_from_db()
    with pytest.raises(ValidationFailed):
        s.evaluator_assign(application=app, actor=official.user, evaluator=evaluator.user)


def test_an_evaluator_is_assigned_once(assignment, official, evaluator):
    with pytest.raises(Conflict) as exc:
        s.evaluator_assign(application=assignment.application, actor=official.user, evaluator=evaluator.user)
    assert exc.value.code == "already_assigned"
    assert EvaluatorAssignment.objects.count() == 1


def test_an_official_cannot_assign_themselves(make_app, official, kosmo):
    f.member(official.user, f.OrganisationFactory(kind=OrganisationKind.OTHER), Role.EVALUATOR)
    app = make_app(S.EVALUATION)
    with pytest.raises(Conflict) as exc:
        s.evaluator_assign(application=app, actor=official.user, evaluator=official.user)
    assert exc.value.code == "self_assignment"


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.SELECTED, S.REJECTED, S.WITHDRAWN, S.WAITLISTED])
def test_evaluators_are_assigned_only_in_screening_or_evaluation(make_app, official, evaluator, status):
    app = make_app(status)
    with pytest.raises(IllegalTransition):
        s.evaluator_assign(application=app, actor=official.user, evaluator=evaluator.user)
    assert not EvaluatorAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["regional_officer", "auditor", "evaluator", "sme_owner"])
def test_only_officials_assign_evaluators(request, make_app, other_evaluator, persona):
    app = make_app(S.EVALUATION)
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.evaluator_assign(application=app, actor=actor, evaluator=other_evaluator.user)
    assert not EvaluatorAssignment.objects.exists()


# --- assignment_declare ---------------------------------------------------------------------------


def test_evaluator_declares_no_conflict(assignment, evaluator):
    s.assignment_declare(assignment=assignment, actor=evaluator.user, has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.conflict_status == ConflictStatus.NO_CONFLICT
    assert assignment.declared_at is not None


def test_evaluator_declares_a_conflict_with_a_note(assignment, evaluator):
    s.assignment_declare(assignment=assignment, actor=evaluator.user, has_conflict=True, note=" 전 직장 ")
    assignment.refresh_from_db()
    assert (assignment.conflict_status, assignment.conflict_note) == (ConflictStatus.CONFLICT, "전 직장")


@pytest.mark.parametrize("note", ["", "  "])
def test_a_declared_conflict_needs_a_note(assignment, evaluator, note):
    with pytest.raises(ValidationFailed) as exc:
        s.assignment_declare(assignment=assignment, actor=evaluator.user, has_conflict=True, note=note)
    assert "note" in exc.value.fields
    assert EvaluatorAssignment.objects.get(pk=assignment.pk).conflict_status == ConflictStatus.PENDING


def test_a_declaration_is_made_once(declared, evaluator):
    with pytest.raises(Conflict) as exc:
        s.assignment_declare(assignment=declared, actor=evaluator.user, has_conflict=True, note="바꿈")
    assert exc.value.code == "already_declared"
    assert EvaluatorAssignment.objects.get(pk=declared.pk).conflict_status == ConflictStatus.NO_CONFLICT


@pytest.mark.parametrize("persona", ["other_evaluator", "official", "sme_owner"])
def test_only_the_assigned_evaluator_declares(request, assignment, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.assignment_declare(assignment=assignment, actor=actor, has_conflict=False)
    assert EvaluatorAssignment.objects.get(pk=assignment.pk).conflict_status == ConflictStatus.PENDING


# --- assignment_submit_scores ---------------------------------------------------------------------


def test_scores_before_declaring_are_refused(assignment, evaluator):
    with pytest.raises(Conflict) as exc:
        s.assignment_submit_scores(
            assignment=assignment, actor=evaluator.user, scores=all_max(assignment.application)
        )
    assert exc.value.code == "declaration_required"
    assert not EvaluationScore.objects.exists()


def test_scores_after_declaring_a_conflict_are_refused(assignment, evaluator):
    s.assignment_declare(assignment=assignment, actor=evaluator.user, has_conflict=True, note="친척")
    with pytest.raises(Conflict):
        s.assignment_submit_scores(
            assignment=assignment, actor=evaluator.user, scores=all_max(assignment.application)
        )


def _invalid_scores(app):
    first, second, third = app.call.rubric.all()
    full = {c.pk: Decimal(5) for c in (first, second, third)}
    return {
        "missing criterion": ({first.pk: Decimal(5), second.pk: Decimal(5)}, third.code),
        "above maximum": (full | {second.pk: Decimal("10.01")}, second.code),
        "negative": (full | {first.pk: Decimal("-0.01")}, first.code),
        "unknown criterion": (full | {999_999: Decimal(5)}, "999999"),
    }


@pytest.mark.parametrize("case", ["missing criterion", "above maximum", "negative", "unknown criterion"])
def test_invalid_scores_are_refused(declared, evaluator, case):
    scores, field = _invalid_scores(declared.application)[case]
    with pytest.raises(ValidationFailed) as exc:
        s.assignment_submit_scores(assignment=declared, actor=evaluator.user, scores=scores)
    assert field in exc.value.fields
    assert not EvaluationScore.objects.exists()
    assert Application.objects.get(pk=declared.application_id).evaluation_score is None


def test_a_criterion_of_another_call_is_unknown(declared, evaluator):
    foreign = f.CallFactory(fiscal_year=2025).rubric.first()
    scores = all_max(declared.application) | {foreign.pk: Decimal(1)}
    with pytest.raises(ValidationFailed) as exc:
        s.assignment_submit_scores(assignment=declared, actor=evaluator.user, scores=scores)
    assert str(foreign.pk) in exc.value.fields


@pytest.mark.parametrize("persona", ["other_evaluator", "official", "sme_owner"])
def test_only_the_assigned_evaluator_scores(request, declared, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.assignment_submit_scores(assignment=declared, actor=actor, scores=all_max(declared.application))
    assert not EvaluationScore.objects.exists()


def test_scores_only_while_in_evaluation(declared, evaluator, official):
    s.assignment_submit_scores(
        assignment=declared, actor=evaluator.user, scores=all_max(declared.application)
    )
    s.application_select(application=declared.application, actor=official.user)
    with pytest.raises(IllegalTransition):
        s.assignment_submit_scores(
            assignment=declared, actor=evaluator.user, scores=all_max(declared.application, "0.1")
        )
    assert EvaluatorAssignment.objects.get(pk=declared.pk).total_score == 100


def _rubric(call, *criteria):
    call.rubric.all().delete()
    return [
        RubricCriterion.objects.create(
            call=call, order=i, code=f"c{i}", name_ko="항목", name_en="c", weight=weight, max_score=max_score
        )
        for i, (weight, max_score) in enumerate(criteria)
    ]


def test_weighted_total_is_score_over_maximum_times_weight(declared, evaluator):
    a, b, c = _rubric(declared.application.call, (30, 5), (40, 10), (30, 20))
    s.assignment_submit_scores(
        assignment=declared,
        actor=evaluator.user,
        scores={a.pk: Decimal(4), b.pk: Decimal("7.5"), c.pk: Decimal(13)},
        comment=" 실현 가능성 높음 ",
    )
    declared.refresh_from_db()
    # 4/5·30 + 7.5/10·40 + 13/20·30 = 24 + 30 + 19.5
    assert declared.total_score == Decimal("73.50")
    assert declared.comment == "실현 가능성 높음"
    assert declared.submitted_at is not None
    stored = dict(EvaluationScore.objects.filter(assignment=declared).values_list("criterion_id", "score"))
    assert stored == {a.pk: Decimal(4), b.pk: Decimal("7.5"), c.pk: Decimal(13)}
    assert Application.objects.get(pk=declared.application_id).evaluation_score == Decimal("73.50")


def test_weighted_total_rounds_half_up(declared, evaluator):
    a, b = _rubric(declared.application.call, (99, 10), (1, 8))
    s.assignment_submit_scores(
        assignment=declared, actor=evaluator.user, scores={a.pk: Decimal(10), b.pk: Decimal("0.04")}
    )
    declared.refresh_from_db()
    assert declared.total_score == Decimal("99.01")  # 99.005 → 99.01 (banker's rounding would give 99.00)


def test_application_score_is_the_mean_of_submitted_totals(declared, evaluator, other_evaluator, official):
    app = declared.application
    a, b = _rubric(app.call, (50, 10), (50, 10))
    s.assignment_submit_scores(assignment=declared, actor=evaluator.user, scores={a.pk: 8, b.pk: 8})
    assert Application.objects.get(pk=app.pk).evaluation_score == Decimal("80.00")

    second = s.evaluator_assign(application=app, actor=official.user, evaluator=other_evaluator.user)
    s.assignment_declare(assignment=second, actor=other_evaluator.user, has_conflict=False)
    # A pending, undeclared third evaluator does not count.
    third = f.UserFactory()
    f.member(third, f.OrganisationFactory(), Role.EVALUATOR)
    s.evaluator_assign(application=app, actor=official.user, evaluator=third)
    s.assignment_submit_scores(
        assignment=second, actor=other_evaluator.user, scores={a.pk: Decimal("7.5"), b.pk: Decimal("7.51")}
    )
    second.refresh_from_db()
    assert second.total_score == Decimal("75.05")  # 37.5 + 37.55
    # (80.00 + 75.05) / 2 = 77.525 → 77.53, half-up (banker's rounding would give 77.52).
    assert Application.objects.get(pk=app.pk).evaluation_score == Decimal("77.53")

    # Revising scores recomputes the application's score.
    s.assignment_submit_scores(assignment=declared, actor=evaluator.user, scores={a.pk: 10, b.pk: 10})
    assert Application.objects.get(pk=app.pk).evaluation_score == Decimal("87.53")
    assert EvaluationScore.objects.filter(assignment=declared).count() == 2
