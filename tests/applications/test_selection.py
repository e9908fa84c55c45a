"""Selection one by one and as a previewed top-N within the call's budget and target count."""

from __future__ import annotations

import pytest

from applications import services as s
from applications.models import Application, ApplicationStatus
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from programs.models import Call
from tests.applications.support import assert_error_body, db_state

S = ApplicationStatus
M = 1_000_000


def call_totals(call):
    return Call.objects.values_list("committed_krw", "selected_count").get(pk=call.pk)


def set_call(call, **values):
    Call.objects.filter(pk=call.pk).update(**values)
    call.refresh_from_db()


# --- application_select ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.EVALUATION, S.WAITLISTED])
def test_official_selects_within_budget(scored_app, open_call, official, status):
    set_call(open_call, committed_krw=100 * M, selected_count=2)
    app = scored_app("80", 40 * M, status=status)
    s.application_select(application=app, actor=official.user, note="우수")
    app = Application.objects.get(pk=app.pk)
    assert app.status == S.SELECTED
    assert app.decided_at is not None
    assert call_totals(open_call) == (140 * M, 3)
    [change] = app.history.all()
    assert (change.from_status, change.to_status, change.note, change.actor) == (
        status,
        S.SELECTED,
        "우수",
        official.user,
    )


def test_the_last_won_of_the_budget_can_be_committed(scored_app, open_call, official):
    set_call(open_call, committed_krw=960 * M)
    app = scored_app("80", 40 * M)
    s.application_select(application=app, actor=official.user)
    assert call_totals(open_call) == (1_000 * M, 1)


@pytest.mark.parametrize(
    ("call_values", "score", "code"),
    [
        ({"committed_krw": 960 * M + 1}, "80", "call_budget_exceeded"),
        ({"target_count": 3, "selected_count": 3}, "80", "call_target_count_reached"),
        ({}, "69.99", "below_pass_score"),
        ({}, None, "not_evaluated"),
    ],
)
def test_selection_refusals(scored_app, open_call, official, call_values, score, code):
    set_call(open_call, **call_values)
    app = scored_app(score or "0", 40 * M)
    if score is None:
        Application.objects.filter(pk=app.pk).update(evaluation_score=None)
    before = db_state()
    with pytest.raises(Conflict) as exc:
        s.application_select(application=app, actor=official.user)
    assert exc.value.code == code
    assert db_state() == before


def test_exactly_the_pass_score_is_enough(scored_app, official):
    app = scored_app("70.00", 40 * M)
    s.application_select(application=app, actor=official.user)
    assert Application.objects.get(pk=app.pk).status == S.SELECTED


@pytest.mark.parametrize("persona", ["regional_officer", "auditor", "evaluator", "finance_officer"])
def test_only_officials_select(request, scored_app, open_call, persona):
    app = scored_app("90", 40 * M)
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.application_select(application=app, actor=actor)
    assert call_totals(open_call) == (0, 0)


def test_a_selected_application_cannot_be_selected_again(scored_app, open_call, official):
    app = scored_app("90", 40 * M)
    s.application_select(application=app, actor=official.user)
    with pytest.raises(IllegalTransition):
        s.application_select(application=app, actor=official.user)
    assert call_totals(open_call) == (40 * M, 1)


# --- selection_preview / selection_apply ----------------------------------------------------------


@pytest.fixture
def candidates(scored_app, open_call):
    """Budget 100 million, 4 slots. By score: A 95 (50M), B 90 (60M), C 85 (30M), D 80 (20M), E 60 (1M)."""
    set_call(open_call, budget_krw=100 * M, target_count=4)
    return {
        "A": scored_app("95", 50 * M),
        "B": scored_app("90", 60 * M),
        "C": scored_app("85", 30 * M),
        "D": scored_app("80", 20 * M, status=S.WAITLISTED),
        "E": scored_app("60", 1 * M),
    }


def ids(candidates, names):
    return [candidates[name].pk for name in names]


def test_preview_takes_by_score_and_skips_what_does_not_fit(candidates, open_call, official):
    before = db_state()
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=10)
    assert db_state() == before  # a preview changes nothing
    assert [line.application_id for line in preview.lines] == ids(candidates, "ABCDE")
    assert {line.application_id: line.reason for line in preview.lines} == dict(
        zip(
            ids(candidates, "ABCDE"),
            ["included", "over_budget", "included", "included", "below_pass_score"],
            strict=True,
        )
    )
    assert preview.included_ids == ids(candidates, "ACD")
    assert (preview.total_gov_krw, preview.remaining_before_krw, preview.remaining_after_krw) == (
        100 * M,
        100 * M,
        0,
    )
    assert preview.slots_before == 4


def test_preview_respects_top_n(candidates, open_call, official):
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=2)
    assert preview.included_ids == ids(candidates, "AC")
    assert [line.reason for line in preview.lines] == [
        "included",
        "over_budget",
        "included",
        "beyond_top_n",
        "below_pass_score",
    ]


def test_preview_respects_the_remaining_slots(candidates, open_call, official):
    set_call(open_call, target_count=5, selected_count=4, budget_krw=500 * M)
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=10)
    assert preview.included_ids == ids(candidates, "A")
    assert [line.reason for line in preview.lines][1:4] == ["no_slots"] * 3


def test_apply_selects_exactly_the_previewed_applications(candidates, open_call, official):
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=10)
    applied = s.selection_apply(
        call=open_call, actor=official.user, top_n=10, fingerprint=preview.fingerprint
    )
    assert applied.included_ids == preview.included_ids
    selected = set(Application.objects.filter(status=S.SELECTED).values_list("pk", flat=True))
    assert selected == set(preview.included_ids)
    assert call_totals(open_call) == (100 * M, 3)
    for app_id in preview.included_ids:
        assert Application.objects.get(pk=app_id).history.get().to_status == S.SELECTED


@pytest.mark.parametrize("change", ["new score", "new amount", "single selection", "budget", "withdrawal"])
def test_apply_refuses_a_stale_preview(candidates, open_call, official, sme_owner, change):
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=10)
    if change == "new score":
        Application.objects.filter(pk=candidates["C"].pk).update(evaluation_score=99)
    elif change == "new amount":
        Application.objects.filter(pk=candidates["B"].pk).update(
            gov_amount_krw=10 * M, sme_amount_krw=110 * M
        )
    elif change == "single selection":
        s.application_select(application=candidates["D"], actor=official.user)
    elif change == "budget":
        set_call(open_call, budget_krw=90 * M)
    else:
        Application.objects.filter(pk=candidates["C"].pk).update(status=S.WITHDRAWN)
    before = db_state()
    with pytest.raises(Conflict) as exc:
        s.selection_apply(call=open_call, actor=official.user, top_n=10, fingerprint=preview.fingerprint)
    assert exc.value.code == "selection_preview_stale"
    assert db_state() == before


def test_apply_refuses_when_nothing_fits(scored_app, open_call, official):
    set_call(open_call, budget_krw=10 * M)
    scored_app("90", 20 * M)
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=5)
    assert preview.included_ids == []
    with pytest.raises(Conflict) as exc:
        s.selection_apply(call=open_call, actor=official.user, top_n=5, fingerprint=preview.fingerprint)
    assert exc.value.code == "nothing_to_select"


@pytest.mark.parametrize("top_n", [0, -1, True, 1.0, "3", None])
def test_top_n_must_be_a_positive_integer(candidates, open_call, official, top_n):
    with pytest.raises(ValidationFailed) as exc:
        s.selection_preview(call=open_call, actor=official.user, top_n=top_n)
    assert "top_n" in exc.value.fields


@pytest.mark.parametrize("persona", ["regional_officer", "auditor", "sme_owner"])
def test_only_officials_preview_and_apply(request, candidates, open_call, official, persona):
    fingerprint = s.selection_preview(call=open_call, actor=official.user, top_n=10).fingerprint
    actor = request.getfixturevalue(persona).user
    before = db_state()
    with pytest.raises(PermissionDenied):
        s.selection_preview(call=open_call, actor=actor, top_n=10)
    with pytest.raises(PermissionDenied):
        s.selection_apply(call=open_call, actor=actor, top_n=10, fingerprint=fingerprint)
    assert db_state() == before


def test_nothing_is_selected_in_a_cancelled_call(candidates, open_call, official):
    fingerprint = s.selection_preview(call=open_call, actor=official.user, top_n=10).fingerprint
    set_call(open_call, status="cancelled")
    before = db_state()
    with pytest.raises(Conflict) as exc:
        s.application_select(application=candidates["A"], actor=official.user)
    assert exc.value.code == "call_cancelled"
    with pytest.raises(Conflict):
        s.selection_preview(call=open_call, actor=official.user, top_n=10)
    with pytest.raises(Conflict):
        s.selection_apply(call=open_call, actor=official.user, top_n=10, fingerprint=fingerprint)
    assert db_state() == before


# --- through the API ------------------------------------------------------------------------------


def test_preview_then_apply_through_the_api(candidates, open_call, official):
    client = official.api()
    url = f"/api/v1/calls/{open_call.pk}/selection/"
    preview = client.post(url + "preview/", {"top_n": 10}, format="json").json()
    assert preview["included_ids"] == ids(candidates, "ACD")
    assert preview["total_gov_krw"] == 100 * M
    applied = client.post(url + "apply/", {"top_n": 10, "fingerprint": preview["fingerprint"]}, format="json")
    assert applied.status_code == 200, applied.content
    assert set(Application.objects.filter(status=S.SELECTED).values_list("pk", flat=True)) == set(
        preview["included_ids"]
    )
    stale = client.post(url + "apply/", {"top_n": 10, "fingerprint": preview["fingerprint"]}, format="json")
    assert_error_body(stale, 409, "selection_preview_stale")


@pytest.mark.parametrize("payload", [{"top_n": "3"}, {"top_n": 0}, {"top_n": 2.0}, {}])
def test_preview_refuses_a_malformed_top_n(open_call, official, payload):
    response = official.api().post(f"/api/v1/calls/{open_call.pk}/selection/preview/", payload, format="json")
    assert "top_n" in assert_error_body(response, 400)["fields"]


def test_budget_refusal_through_the_api(scored_app, open_call, official):
    set_call(open_call, committed_krw=960 * M + 1)
    app = scored_app("80", 40 * M)
    before = db_state()
    response = official.api().post(f"/api/v1/applications/{app.pk}/select/", {}, format="json")
    body = assert_error_body(response, 409, "call_budget_exceeded")
    assert "39,999,999" in body["message"]
    assert db_state() == before


# --- duplicate support found at selection ---------------------------------------------------------


def _same_company(*apps: Application) -> None:
    """Move the applications to one company, each at its own workplace."""
    from tests import factories as f

    company = f.CompanyFactory()
    for i, app in enumerate(apps, start=1):
        workplace = f.WorkplaceFactory(company=company, name=f"제{i}공장")
        Application.objects.filter(pk=app.pk).update(workplace=workplace, company=company)
        app.refresh_from_db()


def test_selection_flags_the_companys_pending_applications_elsewhere(scored_app, official):
    from tests import factories as f

    here = scored_app("90", 20 * M)
    elsewhere = scored_app("85", 20 * M, call=f.CallFactory(fiscal_year=2026))
    other_level = scored_app("85", 20 * M, call=f.CallFactory(fiscal_year=2026))
    _same_company(here, elsewhere, other_level)
    Application.objects.filter(pk=other_level.pk).update(target_level=f.target_level("advanced1"))

    s.application_select(application=here, actor=official.user)

    [flag] = elsewhere.duplicate_flags.all()
    assert (flag.earlier_application_id, flag.basis, flag.is_open) == (here.pk, "company", True)
    assert not other_level.duplicate_flags.exists()
    before = db_state()
    with pytest.raises(Conflict) as exc:
        s.application_select(application=elsewhere, actor=official.user)
    assert exc.value.code == "duplicate_support_unresolved"
    assert here.number in str(exc.value.message)
    assert db_state() == before
    s.duplicate_flag_override(flag=flag, actor=official.user, reason="별도 공정, 현장 확인")
    assert s.application_select(application=elsewhere, actor=official.user).status == S.SELECTED


def test_preview_takes_one_project_per_company_and_level(scored_app, open_call, official):
    best = scored_app("95", 10 * M)
    sibling = scored_app("90", 10 * M)
    third = scored_app("80", 10 * M)
    _same_company(best, sibling)
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=5)
    reasons = {line.application_id: line.reason for line in preview.lines}
    assert reasons == {best.pk: "included", sibling.pk: "duplicate_support", third.pk: "included"}
    s.selection_apply(call=open_call, actor=official.user, top_n=5, fingerprint=preview.fingerprint)
    assert Application.objects.get(pk=sibling.pk).duplicate_flags.get().earlier_application_id == best.pk


def test_preview_skips_applications_with_open_flags(scored_app, open_call, official, make_app):
    from applications.models import DuplicateFlag
    from tests import factories as f

    flagged = scored_app("99", 10 * M)
    earlier = make_app(S.COMPLETED, call=f.CallFactory(fiscal_year=2025))
    DuplicateFlag.objects.create(application=flagged, earlier_application=earlier, basis="company")
    preview = s.selection_preview(call=open_call, actor=official.user, top_n=5)
    assert [(line.application_id, line.reason) for line in preview.lines] == [
        (flagged.pk, "duplicate_support")
    ]
