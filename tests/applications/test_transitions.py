"""The whole workflow table: every action from every state it does not start from is refused (409)
and changes nothing; every generic action from every source applies and leaves one history row."""

from __future__ import annotations

import pytest
from django.db import transaction

from applications import services as s
from applications.models import Application, ApplicationStatus
from applications.workflow import GENERIC_ACTIONS, TRANSITIONS
from core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from tests.applications.support import assert_error_body

S = ApplicationStatus
APPLICANT_ACTIONS = {"submit", "withdraw"}
# Actions with an endpoint of their own (the others go through /transition/).
ENDPOINTS = {"submit": "submit", "pass_screening": "pass-screening", "select": "select"}


def illegal_pairs(actions=None):
    return [
        pytest.param(status, action, id=f"{action}-from-{status}")
        for action, transition in TRANSITIONS.items()
        if actions is None or action in actions
        for status in S.values
        if status not in transition.sources
    ]


def legal_pairs(actions):
    return [
        pytest.param(status, action, id=f"{action}-from-{status}")
        for action in actions
        for status in sorted(TRANSITIONS[action].sources)
    ]


def apply_with_service(app: Application, action: str, actor) -> None:
    if action == "submit":
        s.application_submit(application=app, actor=actor)
    elif action == "pass_screening":
        s.application_pass_screening(application=app, actor=actor)
    elif action == "select":
        s.application_select(application=app, actor=actor)
    elif action in GENERIC_ACTIONS:
        s.application_transition(application=app, actor=actor, action=action, note="사유")
    else:
        # agree / complete / settle / terminate: their services (applications.agreements) need agreement data;
        # from a state they do not start from the transition check refuses them before anything else.
        with transaction.atomic():
            s._apply_transition(s._lock(app), action=action, actor=actor, note="사유")


def snapshot(app):
    return Application.objects.values_list("status", "updated_at").get(pk=app.pk), app.history.count()


@pytest.fixture
def actor_for(sme_owner, official):
    """Someone the action's permission predicate accepts, so that only the state can refuse it."""
    return lambda action: sme_owner if action in APPLICANT_ACTIONS else official


def test_the_table_covers_every_status_and_action():
    targets = {t.target for t in TRANSITIONS.values()}
    sources = set().union(*(t.sources for t in TRANSITIONS.values()))
    assert targets | sources == set(S.values)
    assert set(GENERIC_ACTIONS) == {
        "withdraw",
        "start_screening",
        "fail_screening",
        "waitlist",
        "reject",
        "start_build",
        "start_interim_check",
        "start_final_inspection",
        "start_follow_up",
        "close",
    }
    # Signing, settling and terminating move money: they have services of their own
    # (applications.agreements), never the generic endpoint. Completing records the factory with it
    # (factories.services.factory_record_completion).
    assert {"agree", "settle", "terminate", "complete"}.isdisjoint(GENERIC_ACTIONS)


@pytest.mark.parametrize(("status", "action"), illegal_pairs())
def test_service_refuses_an_action_from_a_state_it_does_not_start_from(make_app, actor_for, status, action):
    app = make_app(status, evaluation_score=90)
    before = snapshot(app)
    with pytest.raises(IllegalTransition) as exc:
        apply_with_service(app, action, actor_for(action).user)
    assert exc.value.code == "illegal_transition"
    assert snapshot(app) == before


@pytest.mark.parametrize(("status", "action"), illegal_pairs(set(GENERIC_ACTIONS) | set(ENDPOINTS)))
def test_api_answers_409_and_changes_nothing(make_app, actor_for, status, action):
    app = make_app(status, evaluation_score=90)
    before = snapshot(app)
    url = f"/api/v1/applications/{app.pk}/"
    if action in ENDPOINTS:
        response = actor_for(action).api().post(url + f"{ENDPOINTS[action]}/", {}, format="json")
    else:
        response = (
            actor_for(action)
            .api()
            .post(url + "transition/", {"action": action, "note": "사유"}, format="json")
        )
    assert_error_body(response, 409, "illegal_transition")
    assert snapshot(app) == before


@pytest.mark.parametrize(("status", "action"), legal_pairs(GENERIC_ACTIONS))
def test_generic_action_applies_from_each_source(make_app, actor_for, status, action):
    app = make_app(status)
    actor = actor_for(action).user
    s.application_transition(application=app, actor=actor, action=action, note=" 사유 ")
    app = Application.objects.get(pk=app.pk)
    assert app.status == TRANSITIONS[action].target
    [change] = app.history.all()
    assert (change.action, change.from_status, change.to_status, change.actor, change.note) == (
        action,
        status,
        TRANSITIONS[action].target,
        actor,
        "사유",
    )
    assert (app.decided_at is not None) == (app.status in {S.REJECTED, S.WAITLISTED})


@pytest.mark.parametrize("action", [a for a in GENERIC_ACTIONS if TRANSITIONS[a].note_required])
@pytest.mark.parametrize("note", ["", "   "])
def test_rejections_need_a_note(make_app, official, action, note):
    assert action in {"fail_screening", "reject"}
    app = make_app(sorted(TRANSITIONS[action].sources)[0])
    before = snapshot(app)
    with pytest.raises(ValidationFailed) as exc:
        s.application_transition(application=app, actor=official.user, action=action, note=note)
    assert exc.value.code == "note_required"
    assert snapshot(app) == before


@pytest.mark.parametrize("action", ["submit", "select", "pass_screening", "agree", "explode", ""])
def test_non_generic_actions_are_refused_by_the_generic_service(make_app, official, action):
    app = make_app(S.EVALUATION, evaluation_score=90)
    with pytest.raises(ValidationFailed) as exc:
        s.application_transition(application=app, actor=official.user, action=action)
    assert exc.value.code == "unknown_action"
    assert snapshot(app)[1] == 0


@pytest.mark.parametrize(
    ("status", "action", "persona"),
    [
        (S.SUBMITTED, "withdraw", "official"),
        (S.SUBMITTED, "withdraw", "other_sme"),
        (S.SUBMITTED, "start_screening", "sme_owner"),
        (S.SUBMITTED, "start_screening", "busan_officer"),
        (S.SCREENING, "fail_screening", "auditor"),
        (S.EVALUATION, "waitlist", "regional_officer"),
        (S.EVALUATION, "reject", "sme_owner"),
    ],
)
def test_the_permission_predicate_is_checked(request, make_app, status, action, persona):
    app = make_app(status)
    before = snapshot(app)
    with pytest.raises(PermissionDenied):
        s.application_transition(
            application=app, actor=request.getfixturevalue(persona).user, action=action, note="사유"
        )
    assert snapshot(app) == before


def test_a_regional_officer_screens_applications_of_their_region(make_app, regional_officer):
    app = make_app(S.SUBMITTED)
    s.application_transition(application=app, actor=regional_officer.user, action="start_screening")
    assert Application.objects.get(pk=app.pk).status == S.SCREENING
