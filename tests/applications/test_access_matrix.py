"""Who may reach which application, flag and assignment through the API.

One shared setup (`world`) serves the owner's success case and every denied case of each endpoint:
another party gets 404 (never a hint that the object exists), anonymous gets 401, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services as s
from applications.models import (
    SUPPORTED_STATES,
    Application,
    ApplicationStatus,
    DuplicateFlag,
    EvaluatorAssignment,
)
from tests import factories as f
from tests import flow
from tests.applications.support import assert_error_body, db_state
from tests.conftest import Persona

S = ApplicationStatus


@dataclass
class World:
    draft: Application
    screening: Application  # the evaluator's assignment here is not declared yet
    evaluating: Application  # an open duplicate flag; the evaluator declared no conflict and scored
    flag: DuplicateFlag
    pending: EvaluatorAssignment
    scored: EvaluatorAssignment
    other_evaluator_id: int


@pytest.fixture
def world(make_app, official, evaluator, other_evaluator) -> World:
    draft = make_app(S.DRAFT)
    screening = make_app(S.SCREENING, call=f.CallFactory(fiscal_year=2026))
    pending = s.evaluator_assign(application=screening, actor=official.user, evaluator=evaluator.user)
    evaluating = make_app(S.EVALUATION, call=f.CallFactory(fiscal_year=2026))
    earlier = make_app(S.COMPLETED, call=f.CallFactory(fiscal_year=2025))
    flag = DuplicateFlag.objects.create(
        application=evaluating, earlier_application=earlier, basis="workplace"
    )
    scored = flow.score(evaluating, official.user, evaluator.user, Decimal("0.8"))
    return World(draft, screening, evaluating, flag, pending, scored, other_evaluator.user.pk)


def _scores(w: World):
    return {"scores": [{"criterion": c.pk, "score": "9"} for c in w.evaluating.call.rubric.all()]}


A = "/api/v1/applications"
# name: (method, url, payload, owner persona, owner's status)
ENDPOINTS = {
    "detail": ("get", lambda w: f"{A}/{w.draft.pk}/", None, "sme_owner", 200),
    "update": (
        "patch",
        lambda w: f"{A}/{w.draft.pk}/update/",
        lambda w: {"title": "새 제목"},
        "sme_owner",
        200,
    ),
    "submit": ("post", lambda w: f"{A}/{w.draft.pk}/submit/", lambda w: {}, "sme_owner", 200),
    "withdraw": (
        "post",
        lambda w: f"{A}/{w.draft.pk}/transition/",
        lambda w: {"action": "withdraw"},
        "sme_owner",
        200,
    ),
    "pass-screening": (
        "post",
        lambda w: f"{A}/{w.screening.pk}/pass-screening/",
        lambda w: {},
        "official",
        200,
    ),
    "select": ("post", lambda w: f"{A}/{w.evaluating.pk}/select/", lambda w: {}, "official", 200),
    "history": ("get", lambda w: f"{A}/{w.evaluating.pk}/history/", None, "sme_owner", 200),
    "flags": ("get", lambda w: f"{A}/{w.evaluating.pk}/duplicate-flags/", None, "official", 200),
    "assignments": ("get", lambda w: f"{A}/{w.evaluating.pk}/assignments/", None, "official", 200),
    "assign": (
        "post",
        lambda w: f"{A}/{w.evaluating.pk}/assignments/create/",
        lambda w: {"evaluator": w.other_evaluator_id},
        "official",
        201,
    ),
    "override": (
        "post",
        lambda w: f"/api/v1/duplicate-flags/{w.flag.pk}/override/",
        lambda w: {"reason": "다른 라인"},
        "official",
        200,
    ),
    "assignment": ("get", lambda w: f"/api/v1/assignments/{w.scored.pk}/", None, "evaluator", 200),
    "declare": (
        "post",
        lambda w: f"/api/v1/assignments/{w.pending.pk}/declaration/",
        lambda w: {"has_conflict": False},
        "evaluator",
        200,
    ),
    "score": ("post", lambda w: f"/api/v1/assignments/{w.scored.pk}/scores/", _scores, "evaluator", 200),
}
OUTSIDERS = ["other_sme", "other_evaluator", "partner", "supplier_user", "busan_officer", "finance_officer"]
# Flags and assignments are internal to reviewers: even the applicant cannot reach them by id.
REVIEWER_ONLY = {"override", "assignment", "declare", "score"}
READS = [name for name, (method, *_rest) in ENDPOINTS.items() if method == "get"]
WRITES = [name for name in ENDPOINTS if name not in READS]


def call(persona, name: str, w: World):
    method, url, payload, _owner, _status = ENDPOINTS[name]
    client = persona.api()
    if payload is None:
        return getattr(client, method)(url(w))
    return getattr(client, method)(url(w), payload(w), format="json")


def denied_cases():
    for name in ENDPOINTS:
        for persona in OUTSIDERS + (["sme_owner"] if name in REVIEWER_ONLY else []):
            yield pytest.param(name, persona, id=f"{name}-{persona}")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_owner_succeeds(request, world, name, official):
    owner, expected = ENDPOINTS[name][3], ENDPOINTS[name][4]
    if name == "select":
        # Selection is refused while the duplicate-support flag is open; the official reviews it first.
        s.duplicate_flag_override(flag=world.flag, actor=official.user, reason="다른 생산라인")
    response = call(request.getfixturevalue(owner), name, world)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("name", "persona"), list(denied_cases()))
def test_other_parties_get_404_and_change_nothing(request, world, name, persona):
    outsider = request.getfixturevalue(persona)
    before = db_state()
    response = call(outsider, name, world)
    assert_error_body(response, 404, "not_found")
    assert db_state() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = db_state()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert db_state() == before


@pytest.mark.parametrize("persona", ["official", "auditor"])
@pytest.mark.parametrize("name", READS)
def test_officials_and_auditors_read_everything(request, world, persona, name):
    assert call(request.getfixturevalue(persona), name, world).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_auditors_cannot_write(world, auditor, name):
    before = db_state()
    assert_error_body(call(auditor, name, world), 403, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # SME A's draft is not visible to the center until it is submitted.
        ("detail", 404),
        ("update", 404),
        ("submit", 404),
        # Submitted applications of its region are: it reads them and screens them …
        ("history", 200),
        ("flags", 200),
        ("assignments", 200),
        ("pass-screening", 200),
        # … but selection, evaluator assignment and flag overrides are the ministry's.
        ("select", 403),
        ("assign", 403),
        ("override", 403),
        ("declare", 403),
    ],
)
def test_own_region_officer(world, regional_officer, name, expected):
    before = db_state()
    response = call(regional_officer, name, world)
    assert response.status_code == expected, response.content
    if expected != 200:
        assert db_state() == before


def test_the_supplier_on_an_application_can_read_it_but_not_change_it(world):
    supplier_user = f.UserFactory()
    f.member(supplier_user, world.draft.supplier.organisation, "supplier")
    persona = Persona(supplier_user)
    assert call(persona, "detail", world).status_code == 200
    before = db_state()
    assert call(persona, "update", world).status_code == 403
    assert call(persona, "submit", world).status_code == 403
    assert db_state() == before
    assert "evaluation_score" not in persona.api().get(f"{A}/{world.evaluating.pk}/").json()


# --- what applicants never see --------------------------------------------------------------------


def test_applicants_never_see_scores_flags_or_assignments(world, sme_owner):
    client = sme_owner.api()
    detail = client.get(f"{A}/{world.evaluating.pk}/").json()
    assert "evaluation_score" not in detail
    listed = client.get(f"{A}/").json()["results"]
    assert listed
    assert all("evaluation_score" not in row for row in listed)
    assert client.get(f"{A}/{world.evaluating.pk}/duplicate-flags/").json() == []
    assert client.get(f"{A}/{world.evaluating.pk}/assignments/").json() == []
    assert client.get("/api/v1/assignments/").json()["results"] == []


def test_reviewers_see_scores_flags_and_assignments(world, official):
    client = official.api()
    assert client.get(f"{A}/{world.evaluating.pk}/").json()["evaluation_score"] == "80.00"
    [flag] = client.get(f"{A}/{world.evaluating.pk}/duplicate-flags/").json()
    assert (flag["id"], flag["basis"]) == (world.flag.pk, "workplace")
    [assignment] = client.get(f"{A}/{world.evaluating.pk}/assignments/").json()
    assert assignment["total_score"] == "80.00"


# --- scoped lists ---------------------------------------------------------------------------------


def listed_ids(persona, url=f"{A}/"):
    response = persona.api().get(url, {"page_size": 500})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def b_apps(other_sme):
    """SME B (Busan) has a submitted application and a selected project."""
    return {
        f.ApplicationFactory(workplace=other_sme.workplace, status=status, submitted_at=timezone.now())
        for status in (S.SUBMITTED, S.SELECTED)
    }


def test_sme_lists_only_its_own_applications(world, b_apps, sme_owner, other_sme):
    a_ids = {world.draft.pk, world.screening.pk, world.evaluating.pk} | set(
        Application.objects.filter(company=sme_owner.company).values_list("pk", flat=True)
    )
    assert listed_ids(sme_owner) == a_ids
    assert listed_ids(other_sme) == {app.pk for app in b_apps}


def test_regional_officer_lists_own_region_submitted_applications(
    world, b_apps, regional_officer, busan_officer
):
    gyeonggi = set(
        Application.objects.filter(region__slug="gyeonggi")
        .exclude(status=S.DRAFT)
        .values_list("pk", flat=True)
    )
    assert world.draft.pk not in gyeonggi
    assert listed_ids(regional_officer) == gyeonggi
    assert listed_ids(busan_officer) == {app.pk for app in b_apps}


def test_evaluator_lists_an_application_only_after_declaring_no_conflict(world, evaluator, other_evaluator):
    assert listed_ids(evaluator) == {world.evaluating.pk}
    assert evaluator.api().get(f"{A}/{world.screening.pk}/").status_code == 404
    s.assignment_declare(assignment=world.pending, actor=evaluator.user, has_conflict=False)
    assert listed_ids(evaluator) == {world.evaluating.pk, world.screening.pk}
    assert evaluator.api().get(f"{A}/{world.screening.pk}/").status_code == 200
    assert listed_ids(other_evaluator) == set()


def test_an_evaluator_who_declares_a_conflict_never_sees_the_application(world, evaluator):
    s.assignment_declare(assignment=world.pending, actor=evaluator.user, has_conflict=True, note="지인 회사")
    assert world.screening.pk not in listed_ids(evaluator)
    assert evaluator.api().get(f"{A}/{world.screening.pk}/").status_code == 404


def test_evaluators_list_their_own_assignments(
    world, evaluator, other_evaluator, official, auditor, sme_owner
):
    url = "/api/v1/assignments/"
    assert listed_ids(evaluator, url) == {world.pending.pk, world.scored.pk}
    assert listed_ids(other_evaluator, url) == set()
    assert listed_ids(sme_owner, url) == set()
    assert listed_ids(official, url) == listed_ids(auditor, url) == {world.pending.pk, world.scored.pk}


def test_finance_officers_list_supported_projects_only(world, b_apps, finance_officer):
    supported = set(Application.objects.filter(status__in=SUPPORTED_STATES).values_list("pk", flat=True))
    assert len(supported) == 2  # SME B's selected project and SME A's earlier completed one
    assert listed_ids(finance_officer) == supported


def test_finance_officers_still_see_a_terminated_project(world, b_apps, finance_officer):
    """A terminated agreement may still hold payments to reverse or recover."""
    supported = set(Application.objects.filter(status__in=SUPPORTED_STATES).values_list("pk", flat=True))
    ended = min(supported)
    Application.objects.filter(pk=ended).update(status=ApplicationStatus.TERMINATED)
    assert Application.objects.exclude(pk__in=supported).exists()  # drafts, rejected … stay hidden
    assert listed_ids(finance_officer) == supported


@pytest.mark.parametrize("persona", ["partner", "other_partner", "supplier_user", "anonymous"])
def test_outsiders_list_nothing(request, world, b_apps, persona):
    response = request.getfixturevalue(persona).api().get(f"{A}/")
    if persona == "anonymous":
        assert response.status_code == 401
    else:
        assert response.json()["results"] == []


def test_a_draft_withdrawn_before_submission_stays_with_the_applicant(make_app, sme_owner, regional_officer):
    never_submitted = make_app(S.DRAFT)
    s.application_transition(application=never_submitted, actor=sme_owner.user, action="withdraw")
    after_submission = make_app(S.SUBMITTED, call=f.CallFactory(fiscal_year=2026))
    s.application_transition(application=after_submission, actor=sme_owner.user, action="withdraw")
    assert listed_ids(regional_officer) == {after_submission.pk}
    assert regional_officer.api().get(f"{A}/{never_submitted.pk}/").status_code == 404
    assert listed_ids(sme_owner) == {never_submitted.pk, after_submission.pk}
