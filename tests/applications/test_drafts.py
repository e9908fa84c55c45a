"""Starting and editing drafts: a happy path and one test per refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications import services as s
from applications.models import Application, ApplicationStatus
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from programs.models import CallStatus
from tests import factories as f


def test_sme_starts_a_draft_for_its_workplace(sme_owner, open_call):
    app = s.application_create_draft(
        actor=sme_owner.user, call=open_call, workplace=sme_owner.workplace, target_level=f.target_level()
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT
    assert (app.company, app.region, app.created_by) == (
        sme_owner.company,
        sme_owner.workplace.region,
        sme_owner.user,
    )
    assert not app.history.exists()


def test_draft_for_another_companys_workplace_is_refused(sme_owner, other_sme, open_call):
    with pytest.raises(PermissionDenied):
        s.application_create_draft(
            actor=sme_owner.user, call=open_call, workplace=other_sme.workplace, target_level=f.target_level()
        )
    assert not Application.objects.exists()


@pytest.mark.parametrize("persona", ["official", "regional_officer", "supplier_user", "auditor"])
def test_only_the_companys_sme_users_start_drafts(request, sme_owner, open_call, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.application_create_draft(
            actor=actor, call=open_call, workplace=sme_owner.workplace, target_level=f.target_level()
        )
    assert not Application.objects.exists()


@pytest.mark.parametrize("status", [CallStatus.DRAFT, CallStatus.CANCELLED])
def test_draft_for_an_unpublished_call_is_refused(sme_owner, status):
    call = f.CallFactory(fiscal_year=2026, status=status)
    with pytest.raises(Conflict) as exc:
        s.application_create_draft(
            actor=sme_owner.user, call=call, workplace=sme_owner.workplace, target_level=f.target_level()
        )
    assert exc.value.code == "call_not_published"
    assert not Application.objects.exists()


def test_draft_for_a_closed_call_is_refused(sme_owner):
    now = timezone.now()
    call = f.CallFactory(
        fiscal_year=2026, opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(1)
    )
    with pytest.raises(Conflict) as exc:
        s.application_create_draft(
            actor=sme_owner.user, call=call, workplace=sme_owner.workplace, target_level=f.target_level()
        )
    assert exc.value.code == "call_closed"


def test_second_application_of_a_workplace_to_a_call_is_refused(sme_owner, open_call):
    kwargs = {"call": open_call, "workplace": sme_owner.workplace, "target_level": f.target_level()}
    first = s.application_create_draft(actor=sme_owner.user, **kwargs)
    with pytest.raises(Conflict) as exc:
        s.application_create_draft(
            actor=sme_owner.user, **(kwargs | {"target_level": f.target_level("advanced1")})
        )
    assert exc.value.code == "already_applied"
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_withdrawn_application_does_not_block_a_new_one(draft, sme_owner):
    s.application_transition(application=draft, actor=sme_owner.user, action="withdraw")
    second = s.application_create_draft(
        actor=sme_owner.user, call=draft.call, workplace=draft.workplace, target_level=f.target_level()
    )
    assert second.pk != draft.pk


def test_an_incomplete_draft_can_be_withdrawn(sme_owner, open_call):
    empty = s.application_create_draft(
        actor=sme_owner.user, call=open_call, workplace=sme_owner.workplace, target_level=f.target_level()
    )
    s.application_transition(application=empty, actor=sme_owner.user, action="withdraw")
    assert Application.objects.get(pk=empty.pk).status == ApplicationStatus.WITHDRAWN


# --- application_update_draft ---------------------------------------------------------------------


@pytest.fixture
def empty_draft(sme_owner, open_call):
    return s.application_create_draft(
        actor=sme_owner.user, call=open_call, workplace=sme_owner.workplace, target_level=f.target_level()
    )


def test_sme_saves_draft_fields_step_by_step(empty_draft, sme_owner):
    supplier = f.SupplierFactory()
    s.application_update_draft(
        application=empty_draft, actor=sme_owner.user, title=" MES 구축 ", summary="계획"
    )
    s.application_update_draft(
        application=empty_draft,
        actor=sme_owner.user,
        supplier=supplier,
        current_level=f.level("L2"),
        target_level=f.target_level("advanced1"),
        total_cost_krw=100_000_000,
        gov_amount_krw=50_000_000,
        sme_amount_krw=50_000_000,
    )
    app = Application.objects.get(pk=empty_draft.pk)
    assert (app.title, app.summary, app.supplier, app.current_level.code, app.target_level.code) == (
        "MES 구축",
        "계획",
        supplier,
        "L2",
        "advanced1",
    )
    assert (app.total_cost_krw, app.gov_amount_krw, app.sme_amount_krw) == (
        100_000_000,
        50_000_000,
        50_000_000,
    )


def test_a_submitted_application_cannot_be_edited(draft, sme_owner):
    s.application_submit(application=draft, actor=sme_owner.user)
    with pytest.raises(IllegalTransition):
        s.application_update_draft(application=draft, actor=sme_owner.user, title="바뀐 제목")
    assert Application.objects.get(pk=draft.pk).title == "생산관리 MES 구축"


@pytest.mark.parametrize("persona", ["other_sme", "official", "supplier_user"])
def test_only_the_applicant_edits_a_draft(request, draft, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.application_update_draft(application=draft, actor=actor, title="x")
    assert Application.objects.get(pk=draft.pk).title == "생산관리 MES 구축"


@pytest.mark.parametrize(
    "field", ["status", "evaluation_score", "company", "call", "workplace", "size_class"]
)
def test_unknown_or_protected_fields_are_refused(draft, sme_owner, field):
    before = Application.objects.values().get(pk=draft.pk)
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(application=draft, actor=sme_owner.user, **{field: None})
    assert field in exc.value.fields
    assert Application.objects.values().get(pk=draft.pk) == before


@pytest.mark.parametrize("value", [-1, 1.0, 1500000.5, "1500000", True, None, 10**13 + 1, 10**30], ids=repr)
@pytest.mark.parametrize("field", ["total_cost_krw", "gov_amount_krw", "local_amount_krw"])
def test_amounts_must_be_whole_won(draft, sme_owner, field, value):
    before = Application.objects.values().get(pk=draft.pk)
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(application=draft, actor=sme_owner.user, **{field: value})
    assert field in exc.value.fields
    assert Application.objects.values().get(pk=draft.pk) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("supplier", "7"), ("current_level", 1), ("target_level", "basic"), ("target_level", None)],
)
def test_references_must_be_objects_of_the_right_kind(draft, sme_owner, field, value):
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(application=draft, actor=sme_owner.user, **{field: value})
    assert field in exc.value.fields


def test_an_inactive_supplier_is_refused(draft, sme_owner):
    supplier = f.SupplierFactory(is_active=False)
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(application=draft, actor=sme_owner.user, supplier=supplier)
    assert "supplier" in exc.value.fields


def test_the_plan_cannot_end_before_it_starts(draft, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(
            application=draft, actor=sme_owner.user, planned_end=draft.planned_start - dt.timedelta(days=1)
        )
    assert "planned_end" in exc.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "가" * 201}, "title"),
        ({"summary": 5}, "summary"),
        ({"planned_start": "2026-12-01"}, "planned_start"),
        ({"planned_end": dt.datetime(2027, 1, 1, tzinfo=dt.UTC)}, "planned_end"),
    ],
)
def test_update_draft_refuses_values_the_database_would_not_hold(draft, sme_owner, changes, field):
    before = Application.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(ValidationFailed) as exc:
        s.application_update_draft(application=draft, actor=sme_owner.user, **changes)
    assert field in exc.value.fields
    assert Application.objects.filter(pk=draft.pk).values().get() == before
