"""Call services: a happy path and one test per refusal (STYLE.md §22). Only officials run calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from programs import services as s
from programs.models import Call, CallStatus, FundingRule, NationalTarget, ProgramType, RubricCriterion
from tests import factories as f
from tests import flow

NON_OFFICIALS = ["sme_owner", "regional_officer", "evaluator", "finance_officer", "auditor", "partner"]


def call_values(**overrides):
    now = timezone.now()
    values = {
        "fiscal_year": 2027,
        "round": 1,
        "program_type": ProgramType.WINWIN_TYPE1,
        "title_ko": " 2027년 상생형 스마트공장 구축 지원 ",
        "budget_krw": 5_000_000_000,
        "target_count": 50,
        "opens_at": now,
        "closes_at": now + dt.timedelta(days=30),
        "eligible_size_codes": ["small", "medium", "small"],
        "eligible_ksic": [f.ksic("29")],
        "eligible_regions": [f.region("gyeonggi")],
        "excluded_conditions": ["tax_arrears"],
    }
    return values | overrides


def criteria(*weights):
    return [
        {"code": f"c{i}", "name_ko": f"항목{i}", "weight": w, "max_score": 10} for i, w in enumerate(weights)
    ]


@pytest.fixture
def draft_call(db):
    return f.CallFactory(status=CallStatus.DRAFT, rules=False, fiscal_year=2027, round=3)


@pytest.fixture
def actor_of(request, db):
    def get(persona: str):
        return request.getfixturevalue(persona).user

    return get


# --- call_create / call_update --------------------------------------------------------------------


def test_official_creates_a_draft_call(official):
    call = s.call_create(actor=official.user, **call_values())
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert call.title_ko == "2027년 상생형 스마트공장 구축 지원"
    assert call.eligible_size_codes == ["medium", "small"]
    assert [k.code for k in call.eligible_ksic.all()] == ["29"]
    assert call.created_by == official.user


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_create_calls(actor_of, persona):
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.call_create(actor=actor, **call_values())
    assert not Call.objects.exists()


def test_create_refuses_a_second_call_of_the_same_round(official):
    s.call_create(actor=official.user, **call_values())
    with pytest.raises(Conflict) as exc:
        s.call_create(actor=official.user, **call_values(title_ko="다른 제목"))
    assert exc.value.code == "call_exists"
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("closes_at", timezone.now() - dt.timedelta(days=1)),
        ("fiscal_year", 2013),
        ("budget_krw", 0),
        ("target_count", 0),
        ("program_type", "lottery"),
        ("eligible_size_codes", ["giant"]),
        ("excluded_conditions", ["bad_mood"]),
        ("pass_score", Decimal("100.01")),
        ("title_ko", "  "),
    ],
)
def test_create_refuses_bad_values(official, field, value):
    with pytest.raises(ValidationFailed) as exc:
        s.call_create(actor=official.user, **call_values(**{field: value}))
    assert field in exc.value.fields
    assert not Call.objects.exists()


def test_official_updates_a_call(official, open_call):
    s.call_update(call=open_call, actor=official.user, budget_krw=2_000_000_000, title_en="Renamed")
    open_call.refresh_from_db()
    assert (open_call.budget_krw, open_call.title_en) == (2_000_000_000, "Renamed")


def test_update_refuses_a_budget_below_the_committed_amount(official, open_call):
    Call.objects.filter(pk=open_call.pk).update(committed_krw=600_000_000, selected_count=3)
    with pytest.raises(Conflict) as exc:
        s.call_update(call=open_call, actor=official.user, budget_krw=599_999_999)
    assert exc.value.code == "budget_below_committed"
    assert Call.objects.get(pk=open_call.pk).budget_krw == 1_000_000_000
    # Exactly the committed amount is fine.
    s.call_update(call=open_call, actor=official.user, budget_krw=600_000_000)
    assert Call.objects.get(pk=open_call.pk).budget_krw == 600_000_000


def test_update_refuses_a_target_below_the_selected_count(official, open_call):
    Call.objects.filter(pk=open_call.pk).update(selected_count=3)
    with pytest.raises(Conflict) as exc:
        s.call_update(call=open_call, actor=official.user, target_count=2)
    assert exc.value.code == "target_below_selected"


def test_update_refuses_unknown_fields(official, open_call):
    with pytest.raises(ValidationFailed) as exc:
        s.call_update(call=open_call, actor=official.user, committed_krw=0, status="draft")
    assert set(exc.value.fields) == {"committed_krw", "status"}


def test_update_refuses_a_new_program_type_once_published(official, open_call):
    with pytest.raises(Conflict) as exc:
        s.call_update(call=open_call, actor=official.user, program_type=ProgramType.WINWIN_TYPE1)
    assert exc.value.code == "call_published"


def test_update_refuses_a_cancelled_call(official, open_call):
    s.call_cancel(call=open_call, actor=official.user)
    with pytest.raises(Conflict) as exc:
        s.call_update(call=open_call, actor=official.user, title_en="x")
    assert exc.value.code == "call_cancelled"


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_update_calls(actor_of, persona, open_call):
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.call_update(call=open_call, actor=actor, budget_krw=1)
    assert Call.objects.get(pk=open_call.pk).budget_krw == 1_000_000_000


# --- publish / cancel -----------------------------------------------------------------------------


def _ready(call, official):
    s.funding_rule_set(call=call, actor=official.user, target_level=f.target_level("basic"), **_gov_only())
    s.rubric_set(call=call, actor=official.user, criteria=criteria(30, 40, 30))


def _gov_only():
    return {"gov_cap_krw": 50_000_000, "gov_max_bp": 5000}


def test_official_publishes_a_ready_call(official, draft_call):
    _ready(draft_call, official)
    s.call_publish(call=draft_call, actor=official.user)
    assert Call.objects.get(pk=draft_call.pk).status == CallStatus.PUBLISHED


def test_publish_refuses_a_call_without_funding_rules(official, draft_call):
    s.rubric_set(call=draft_call, actor=official.user, criteria=criteria(100))
    with pytest.raises(ValidationFailed) as exc:
        s.call_publish(call=draft_call, actor=official.user)
    assert exc.value.code == "call_incomplete"
    assert set(exc.value.fields) == {"funding_rules"}
    assert Call.objects.get(pk=draft_call.pk).status == CallStatus.DRAFT


@pytest.mark.parametrize("weights", [(), (30, 40, 29), (30, 40, 31)])
def test_publish_refuses_a_rubric_whose_weights_are_not_100(official, draft_call, weights):
    s.funding_rule_set(
        call=draft_call, actor=official.user, target_level=f.target_level("basic"), **_gov_only()
    )
    for i, weight in enumerate(weights):
        RubricCriterion.objects.create(
            call=draft_call, code=f"c{i}", name_ko="항목", name_en="c", weight=weight
        )
    with pytest.raises(ValidationFailed) as exc:
        s.call_publish(call=draft_call, actor=official.user)
    assert set(exc.value.fields) == {"rubric"}
    assert Call.objects.get(pk=draft_call.pk).status == CallStatus.DRAFT


def test_publish_refuses_a_published_call(official, open_call):
    with pytest.raises(Conflict):
        s.call_publish(call=open_call, actor=official.user)


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_publish(actor_of, persona, official, draft_call):
    _ready(draft_call, official)
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.call_publish(call=draft_call, actor=actor)
    assert Call.objects.get(pk=draft_call.pk).status == CallStatus.DRAFT


def test_official_cancels_a_call(official, open_call):
    s.call_cancel(call=open_call, actor=official.user)
    assert Call.objects.get(pk=open_call.pk).status == CallStatus.CANCELLED
    with pytest.raises(Conflict):
        s.call_cancel(call=open_call, actor=official.user)


def test_cancel_refuses_a_call_with_selections(official, draft, sme_owner, evaluator):
    flow.to_selected(draft, sme_owner.user, official.user, evaluator.user)
    with pytest.raises(Conflict) as exc:
        s.call_cancel(call=draft.call, actor=official.user)
    assert exc.value.code == "call_has_selections"
    assert Call.objects.get(pk=draft.call_id).status == CallStatus.PUBLISHED


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_cancel(actor_of, persona, open_call):
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.call_cancel(call=open_call, actor=actor)
    assert Call.objects.get(pk=open_call.pk).status == CallStatus.PUBLISHED


# --- funding rules, rubric, national targets ------------------------------------------------------


def test_funding_rule_set_creates_then_replaces(official, draft_call):
    basic = f.target_level("basic")
    s.funding_rule_set(call=draft_call, actor=official.user, target_level=basic, **_gov_only())
    s.funding_rule_set(
        call=draft_call,
        actor=official.user,
        target_level=basic,
        gov_cap_krw=42_000_000,
        gov_max_bp=3000,
        partner_min_bp=3000,
        sme_max_bp=4000,
    )
    s.funding_rule_set(
        call=draft_call, actor=official.user, target_level=basic, size_code="micro", **_gov_only()
    )
    rules = {r.size_code: r for r in FundingRule.objects.filter(call=draft_call)}
    assert set(rules) == {"", "micro"}
    assert (rules[""].gov_cap_krw, rules[""].partner_min_bp, rules[""].sme_max_bp) == (42_000_000, 3000, 4000)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"gov_max_bp": 10_001}, "gov_max_bp"),
        ({"sme_max_bp": -1}, "sme_max_bp"),
        ({"gov_cap_krw": 0}, "gov_cap_krw"),
        ({"total_cap_krw": 0}, "total_cap_krw"),
        ({"gov_min_bp": 6000}, "gov_min_bp"),
        ({"size_code": "giant"}, "size_code"),
    ],
)
def test_funding_rule_set_refuses_bad_values(official, draft_call, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        s.funding_rule_set(
            call=draft_call,
            actor=official.user,
            target_level=f.target_level("basic"),
            **(_gov_only() | overrides),
        )
    assert field in exc.value.fields
    assert not FundingRule.objects.filter(call=draft_call).exists()


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_set_funding_rules(actor_of, persona, draft_call):
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.funding_rule_set(call=draft_call, actor=actor, target_level=f.target_level("basic"), **_gov_only())
    assert not FundingRule.objects.exists()


def test_rubric_set_replaces_the_rubric(official, open_call):
    created = s.rubric_set(call=open_call, actor=official.user, criteria=criteria(50, 50))
    assert [(c.code, c.order, c.weight) for c in created] == [("c0", 1, 50), ("c1", 2, 50)]
    assert list(open_call.rubric.values_list("code", flat=True)) == ["c0", "c1"]


@pytest.mark.parametrize("rubric", [[], criteria(50, 40), criteria(50, 50, 0), criteria(60, 40)[:1] * 2])
def test_rubric_set_refuses_bad_rubrics(official, open_call, rubric):
    with pytest.raises(ValidationFailed):
        s.rubric_set(call=open_call, actor=official.user, criteria=rubric)
    assert open_call.rubric.count() == 3


def test_rubric_set_refuses_once_scores_exist(official, draft, sme_owner, evaluator):
    flow.to_scored(draft, sme_owner.user, official.user, evaluator.user)
    before = list(draft.call.rubric.values_list("pk", "code", "weight"))
    with pytest.raises(Conflict) as exc:
        s.rubric_set(call=draft.call, actor=official.user, criteria=criteria(100))
    assert exc.value.code == "rubric_in_use"
    assert list(draft.call.rubric.values_list("pk", "code", "weight")) == before


@pytest.mark.parametrize("persona", NON_OFFICIALS)
def test_only_officials_set_rubrics(actor_of, persona, open_call):
    actor = actor_of(persona)
    with pytest.raises(PermissionDenied):
        s.rubric_set(call=open_call, actor=actor, criteria=criteria(100))
    assert open_call.rubric.count() == 3


def _target(**overrides):
    values = {
        "metric": "deployments",
        "label_ko": "스마트공장 3만개 보급",
        "label_en": "30,000 smart factories",
        "target_value": Decimal(30_000),
        "unit": "count",
        "counts_from": dt.date(2014, 1, 1),
        "deadline": dt.date(2022, 12, 31),
    }
    return values | overrides


def test_national_target_save_creates_and_updates(official):
    s.national_target_save(actor=official.user, code="sf-2030", **_target())
    s.national_target_save(actor=official.user, code="sf-2030", **_target(target_value=Decimal(35_000)))
    assert NationalTarget.objects.get(code="sf-2030").target_value == 35_000


def test_national_target_save_refuses_a_deadline_before_the_start(official):
    with pytest.raises(ValidationFailed):
        s.national_target_save(actor=official.user, code="x", **_target(deadline=dt.date(2013, 1, 1)))
    assert not NationalTarget.objects.filter(code="x").exists()


def test_only_officials_save_national_targets(auditor):
    with pytest.raises(PermissionDenied):
        s.national_target_save(actor=auditor.user, code="x", **_target())


def test_funding_rules_freeze_once_a_published_call_opens(official, open_call):
    before = list(open_call.funding_rules.values())
    with pytest.raises(Conflict) as exc:
        s.funding_rule_set(
            call=open_call, actor=official.user, target_level=f.target_level("basic"), **_gov_only()
        )
    assert exc.value.code == "call_rules_frozen"
    assert list(open_call.funding_rules.values()) == before


def test_funding_rules_of_a_published_call_can_change_before_it_opens(official, open_call):
    Call.objects.filter(pk=open_call.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=5), closes_at=timezone.now() + dt.timedelta(days=30)
    )
    open_call.refresh_from_db()
    rule = s.funding_rule_set(
        call=open_call,
        actor=official.user,
        target_level=f.target_level("basic"),
        gov_cap_krw=60_000_000,
        gov_max_bp=5000,
    )
    assert rule.gov_cap_krw == 60_000_000


def test_partner_minimum_cannot_exceed_maximum(official, draft_call):
    with pytest.raises(ValidationFailed) as exc:
        s.funding_rule_set(
            call=draft_call,
            actor=official.user,
            target_level=f.target_level("basic"),
            gov_cap_krw=10_000_000,
            gov_max_bp=5000,
            partner_min_bp=6000,
            partner_max_bp=5000,
        )
    assert "partner_min_bp" in exc.value.fields
    assert not draft_call.funding_rules.exists()
