"""Submission: one test per rule it checks, and the duplicate-support flags it raises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services as s
from applications.models import Application, ApplicationStatus, DuplicateFlag
from companies.models import BusinessStatus
from companies.services import workplace_update
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from programs.models import Call, CallStatus, ExclusionCondition, FundingRule, ProgramType
from tests import factories as f
from tests import flow

S = ApplicationStatus


def refusal(app, actor) -> ValidationFailed:
    """Submit and return the refusal, checking that the application stayed an untouched draft."""
    before = Application.objects.values().get(pk=app.pk)
    with pytest.raises(ValidationFailed) as exc:
        s.application_submit(application=app, actor=actor)
    assert Application.objects.values().get(pk=app.pk) == before
    assert not app.history.exists()
    return exc.value


def test_a_complete_draft_is_submitted(draft, sme_owner):
    s.application_submit(application=draft, actor=sme_owner.user)
    app = Application.objects.get(pk=draft.pk)
    assert app.status == S.SUBMITTED
    assert app.submitted_at is not None
    assert app.size_class == sme_owner.company.size_class
    [change] = app.history.all()
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "submit",
        S.DRAFT,
        S.SUBMITTED,
        sme_owner.user,
    )


@pytest.mark.parametrize("persona", ["other_sme", "official", "supplier_user"])
def test_only_the_applicant_submits(request, draft, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.application_submit(application=draft, actor=actor)
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


def test_a_submitted_application_cannot_be_submitted_again(draft, sme_owner):
    s.application_submit(application=draft, actor=sme_owner.user)
    with pytest.raises(IllegalTransition):
        s.application_submit(application=draft, actor=sme_owner.user)
    assert draft.history.count() == 1


# --- the call window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opens", "closes", "status", "code"),
    [
        (-30, -1, CallStatus.PUBLISHED, "call_closed"),
        (1, 30, CallStatus.PUBLISHED, "call_not_open_yet"),
        (-10, 20, CallStatus.CANCELLED, "call_not_published"),
    ],
)
def test_submission_only_while_the_call_is_open(draft, sme_owner, opens, closes, status, code):
    now = timezone.now()
    Call.objects.filter(pk=draft.call_id).update(
        opens_at=now + dt.timedelta(days=opens), closes_at=now + dt.timedelta(days=closes), status=status
    )
    draft.refresh_from_db()
    error = refusal(draft, sme_owner.user)
    assert error.code == code
    assert "call" in error.fields


# --- completeness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"title": " "}, "title_missing", "title"),
        ({"summary": ""}, "summary_missing", "summary"),
        ({"supplier": None}, "supplier_missing", "supplier"),
        ({"planned_start": None}, "period_missing", "planned_start"),
        ({"planned_end": None}, "period_missing", "planned_start"),
        ({"current_level": None}, "current_level_missing", "current_level"),
        (
            {"total_cost_krw": 0, "gov_amount_krw": 0, "sme_amount_krw": 0},
            "total_cost_missing",
            "total_cost_krw",
        ),
    ],
)
def test_an_incomplete_draft_is_refused(draft, sme_owner, changes, code, field):
    Application.objects.filter(pk=draft.pk).update(**changes)
    draft.refresh_from_db()
    error = refusal(draft, sme_owner.user)
    assert error.code == code
    assert list(error.fields) == [field]


def test_every_broken_rule_is_reported_at_once(draft, sme_owner):
    Application.objects.filter(pk=draft.pk).update(title="", summary="", supplier=None)
    draft.refresh_from_db()
    error = refusal(draft, sme_owner.user)
    assert error.code == "submission_checks_failed"
    assert set(error.fields) == {"title", "summary", "supplier"}


# --- eligibility ----------------------------------------------------------------------------------


def test_size_class_must_be_eligible(draft, sme_owner):
    Call.objects.filter(pk=draft.call_id).update(eligible_size_codes=["medium", "micro"])
    draft.refresh_from_db()
    assert refusal(draft, sme_owner.user).code == "size_not_eligible"
    Call.objects.filter(pk=draft.call_id).update(eligible_size_codes=["small"])
    draft.refresh_from_db()
    s.application_submit(application=draft, actor=sme_owner.user)


def test_industry_must_be_eligible(draft, sme_owner):
    draft.call.eligible_ksic.set([f.ksic("10"), f.ksic("20")])
    assert refusal(draft, sme_owner.user).code == "industry_not_eligible"
    draft.call.eligible_ksic.add(f.ksic("29"))
    s.application_submit(application=draft, actor=sme_owner.user)


def test_region_must_be_eligible(draft, sme_owner):
    draft.call.eligible_regions.set([f.region("busan")])
    assert refusal(draft, sme_owner.user).code == "region_not_eligible"
    draft.call.eligible_regions.add(f.region("gyeonggi"))
    s.application_submit(application=draft, actor=sme_owner.user)


def test_workplace_must_be_active(draft, sme_owner):
    type(sme_owner.workplace).objects.filter(pk=sme_owner.workplace.pk).update(is_active=False)
    draft.refresh_from_db()
    assert refusal(draft, sme_owner.user).code == "workplace_inactive"


@pytest.mark.parametrize(
    ("condition", "company_change"),
    [
        (ExclusionCondition.TAX_ARREARS, {"has_tax_arrears": True}),
        (ExclusionCondition.INSOLVENCY, {"in_insolvency": True}),
        (ExclusionCondition.CLOSED_OR_SUSPENDED, {"business_status": BusinessStatus.CLOSED}),
        (ExclusionCondition.CLOSED_OR_SUSPENDED, {"business_status": BusinessStatus.SUSPENDED}),
        (ExclusionCondition.FINANCIAL_DELINQUENCY, {"has_financial_delinquency": True}),
    ],
)
def test_excluded_conditions_refuse_the_firm(draft, sme_owner, condition, company_change):
    type(sme_owner.company).objects.filter(pk=sme_owner.company.pk).update(**company_change)
    draft.refresh_from_db()
    # The firm's situation only matters when the call excludes it.
    other_conditions = [c for c in ExclusionCondition.values if c != condition]
    Call.objects.filter(pk=draft.call_id).update(excluded_conditions=other_conditions)
    draft.refresh_from_db()
    s.application_submit(application=draft, actor=sme_owner.user)

    second = f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2026, excluded_conditions=[condition]),
        workplace=sme_owner.workplace,
        target_level=f.target_level("advanced1"),
        total_cost_krw=100_000_000,
        gov_amount_krw=50_000_000,
        sme_amount_krw=50_000_000,
    )
    error = refusal(second, sme_owner.user)
    assert error.code == f"excluded_{condition}"
    assert "company" in error.fields


def _project(company_workplace, status, *, fiscal_year=2026, level="advanced2"):
    return f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=fiscal_year),
        workplace=company_workplace,
        status=status,
        target_level=f.target_level(level),
        submitted_at=timezone.now(),
    )


def test_too_many_concurrent_projects(draft, sme_owner):
    _project(sme_owner.workplace, S.BUILDING)
    _project(sme_owner.workplace, S.COMPLETED)  # finished: does not count
    _project(sme_owner.workplace, S.SUBMITTED)  # not under way: does not count
    s.application_submit(application=draft, actor=sme_owner.user)

    second_workplace = f.WorkplaceFactory(company=sme_owner.company)
    _project(second_workplace, S.AGREED)
    other = f.ApplicationFactory(call=f.CallFactory(fiscal_year=2026), workplace=second_workplace)
    error = refusal(other, sme_owner.user)
    assert error.code == "too_many_concurrent_projects"


def test_target_level_not_offered_for_the_firms_size(sme_owner):
    call = f.CallFactory(fiscal_year=2026, rules=False)
    FundingRule.objects.create(
        call=call,
        target_level=f.target_level("advanced1"),
        size_code="medium",
        gov_cap_krw=10**9,
        gov_max_bp=5000,
    )
    app = f.ApplicationFactory(
        call=call, workplace=sme_owner.workplace, target_level=f.target_level("advanced1")
    )
    error = refusal(app, sme_owner.user)  # SME A is a small firm
    assert error.code == "target_level_not_offered"
    assert list(error.fields) == ["target_level"]


def test_a_size_specific_rule_wins_over_the_general_rule(draft, sme_owner):
    FundingRule.objects.create(
        call=draft.call,
        target_level=f.target_level("basic"),
        size_code="small",
        gov_cap_krw=10**9,
        gov_max_bp=3000,
    )
    assert refusal(draft, sme_owner.user).code == "gov_share_exceeded"  # 40 % > 30 % for small firms


# --- the funding rule, through submission ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "amounts", "code"),
    [
        ({"gov_cap_krw": 32_000_000}, {}, None),
        ({"gov_cap_krw": 31_999_999}, {}, "gov_cap_exceeded"),
        ({"gov_max_bp": 4000}, {}, None),
        ({"gov_max_bp": 3999}, {}, "gov_share_exceeded"),
        ({"gov_min_bp": 4001}, {}, "gov_share_too_low"),
        ({"total_cap_krw": 79_999_999}, {}, "total_cap_exceeded"),
        ({"sme_max_bp": 5999}, {}, "sme_share_exceeded"),
        ({"partner_min_bp": 1}, {}, "partner_share_too_low"),
        (
            {"partner_max_bp": 0},
            {"partner_amount_krw": 1, "sme_amount_krw": 47_999_999},
            "partner_share_exceeded",
        ),
        (
            {"combined_max_bp": 4000},
            {"partner_amount_krw": 1, "sme_amount_krw": 47_999_999},
            "combined_support_exceeded",
        ),
        ({}, {"local_amount_krw": 1, "sme_amount_krw": 47_999_999}, "local_top_up_not_allowed"),
        (
            {"local_max_bp": 1000},
            {"local_amount_krw": 8_000_001, "sme_amount_krw": 39_999_999},
            "local_share_exceeded",
        ),
        ({}, {"sme_amount_krw": 48_000_001}, "split_sum_mismatch"),
        ({}, {"sme_amount_krw": 47_999_999}, "split_sum_mismatch"),
    ],
)
def test_funding_rule_through_submission(sme_owner, rule, amounts, code):
    """A draft of 80 million won with 32 million (40 %) from the government against one rule each."""
    call = f.CallFactory(fiscal_year=2026, rules=False)
    FundingRule.objects.create(
        call=call, target_level=f.target_level(), **({"gov_cap_krw": 50_000_000, "gov_max_bp": 5000} | rule)
    )
    app = f.ApplicationFactory(call=call, workplace=sme_owner.workplace, **amounts)
    if code is None:
        s.application_submit(application=app, actor=sme_owner.user)
        assert Application.objects.get(pk=app.pk).status == S.SUBMITTED
    else:
        assert refusal(app, sme_owner.user).code == code


@pytest.mark.parametrize(
    ("program_type", "level", "amounts", "code"),
    [
        (ProgramType.WINWIN_TYPE1, "basic", (100, 30, 30, 40), None),
        (ProgramType.WINWIN_TYPE1, "basic", (100, 30, 35, 35), None),
        (ProgramType.WINWIN_TYPE1, "advanced1", (100, 31, 34, 35), "gov_share_exceeded"),
        (ProgramType.WINWIN_TYPE2, "basic", (20, 10, 10, 0), None),
        (ProgramType.WINWIN_TYPE2, "basic", (22, 11, 11, 0), "submission_checks_failed"),
        (ProgramType.PARTNER_TRACK, "basic", (100, 30, 30, 40), None),
        (ProgramType.PARTNER_TRACK, "advanced1", (100, 25, 36, 39), "combined_support_exceeded"),
        (ProgramType.GOVERNMENT_ONLY, "advanced2", (800, 400, 0, 400), None),
        (ProgramType.GOVERNMENT_ONLY, "advanced2", (1000, 401, 0, 599), "gov_cap_exceeded"),
    ],
)
def test_program_type_rules_through_submission(sme_owner, program_type, level, amounts, code):
    total, gov, partner, sme = (amount * 1_000_000 for amount in amounts)
    app = f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2026, program_type=program_type),
        workplace=sme_owner.workplace,
        target_level=f.target_level(level),
        total_cost_krw=total,
        gov_amount_krw=gov,
        partner_amount_krw=partner,
        sme_amount_krw=sme,
    )
    if partner:
        flow.cofund(app)
    if code is None:
        s.application_submit(application=app, actor=sme_owner.user)
    else:
        assert refusal(app, sme_owner.user).code == code


# --- duplicate-support flags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "year", "level", "same_workplace", "basis"),
    [
        (S.COMPLETED, 2025, "basic", True, "workplace"),
        (S.SELECTED, 2026, "basic", True, "workplace"),
        (S.CLOSED, 2024, "basic", True, "workplace"),  # first year of the 3-year period (2024–2026)
        (S.FOLLOW_UP, 2025, "basic", False, "company"),
        (S.BUILDING, 2024, "basic", False, "company"),
        (S.COMPLETED, 2023, "basic", True, None),  # before the period
        (S.COMPLETED, 2020, "basic", False, None),
        (S.COMPLETED, 2025, "advanced1", True, None),  # another target level
        (S.REJECTED, 2025, "basic", True, None),  # never supported
        (S.WITHDRAWN, 2025, "basic", True, None),
        (S.TERMINATED, 2025, "basic", True, None),
        (S.EVALUATION, 2025, "basic", False, None),
    ],
)
def test_duplicate_support_flags(draft, sme_owner, status, year, level, same_workplace, basis):
    workplace = sme_owner.workplace if same_workplace else f.WorkplaceFactory(company=sme_owner.company)
    earlier = _project(workplace, status, fiscal_year=year, level=level)
    s.application_submit(application=draft, actor=sme_owner.user)
    flags = list(DuplicateFlag.objects.filter(application=draft).values_list("earlier_application", "basis"))
    assert flags == ([(earlier.pk, basis)] if basis else [])


def test_another_companys_support_raises_no_flag(draft, other_sme):
    _project(other_sme.workplace, S.COMPLETED, fiscal_year=2025, level="basic")
    s.application_submit(application=draft, actor=draft.created_by)
    assert not DuplicateFlag.objects.exists()


def test_no_flags_when_the_call_has_no_exclusion_period(draft, sme_owner):
    Call.objects.filter(pk=draft.call_id).update(prior_support_exclusion_years=0)
    draft.refresh_from_db()
    _project(sme_owner.workplace, S.COMPLETED, fiscal_year=2026, level="basic")
    s.application_submit(application=draft, actor=sme_owner.user)
    assert not DuplicateFlag.objects.exists()


@pytest.fixture
def flagged(draft, sme_owner, official):
    """SME A's application in screening with an open flag for an earlier project of its workplace."""
    _project(sme_owner.workplace, S.COMPLETED, fiscal_year=2025, level="basic")
    s.application_submit(application=draft, actor=sme_owner.user)
    s.application_transition(application=draft, actor=official.user, action="start_screening")
    return DuplicateFlag.objects.get(application=draft)


def test_screening_cannot_pass_until_an_official_overrides_the_flag(flagged, official):
    app = flagged.application
    with pytest.raises(Conflict) as exc:
        s.application_pass_screening(application=app, actor=official.user)
    assert exc.value.code == "duplicate_support_unresolved"
    assert Application.objects.get(pk=app.pk).status == S.SCREENING

    s.duplicate_flag_override(flag=flagged, actor=official.user, reason=" 다른 공정 라인 구축 ")
    flag = DuplicateFlag.objects.get(pk=flagged.pk)
    assert (flag.overridden_by, flag.override_reason) == (official.user, "다른 공정 라인 구축")
    assert flag.overridden_at is not None

    s.application_pass_screening(application=app, actor=official.user)
    assert Application.objects.get(pk=app.pk).status == S.EVALUATION


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_needs_a_reason(flagged, official, reason):
    with pytest.raises(ValidationFailed) as exc:
        s.duplicate_flag_override(flag=flagged, actor=official.user, reason=reason)
    assert "reason" in exc.value.fields
    assert DuplicateFlag.objects.get(pk=flagged.pk).is_open


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "evaluator", "auditor"])
def test_only_officials_override(request, flagged, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.duplicate_flag_override(flag=flagged, actor=actor, reason="사유")
    assert DuplicateFlag.objects.get(pk=flagged.pk).is_open


def test_a_flag_is_overridden_once(flagged, official):
    s.duplicate_flag_override(flag=flagged, actor=official.user, reason="첫 검토")
    with pytest.raises(Conflict) as exc:
        s.duplicate_flag_override(flag=flagged, actor=official.user, reason="두 번째")
    assert exc.value.code == "already_overridden"
    assert DuplicateFlag.objects.get(pk=flagged.pk).override_reason == "첫 검토"


def test_the_full_flow_still_reaches_selection_after_an_override(flagged, official, evaluator):
    s.duplicate_flag_override(flag=flagged, actor=official.user, reason="검토 완료")
    app = flagged.application
    s.application_pass_screening(application=app, actor=official.user)
    flow.score(app, official.user, evaluator.user, fraction=Decimal("0.9"))
    app.refresh_from_db()
    s.application_select(application=app, actor=official.user)
    assert Application.objects.get(pk=app.pk).status == S.SELECTED


def test_submission_follows_a_corrected_workplace_region(draft, sme_owner, regional_officer, busan_officer):
    """The draft copied Gyeonggi; the SME then corrected the workplace to Busan before submitting."""
    workplace_update(workplace=sme_owner.workplace, actor=sme_owner.user, region=f.region("busan"))
    draft.refresh_from_db()
    s.application_submit(application=draft, actor=sme_owner.user)
    assert Application.objects.get(pk=draft.pk).region.slug == "busan"
    assert busan_officer.api().get(f"/api/v1/applications/{draft.pk}/").status_code == 200
    assert regional_officer.api().get(f"/api/v1/applications/{draft.pk}/").status_code == 404


def test_support_granted_after_submission_is_flagged_when_screening_starts(draft, sme_owner, official):
    """Another application of the workplace is selected while this one waits for screening."""
    s.application_submit(application=draft, actor=sme_owner.user)
    assert not DuplicateFlag.objects.exists()
    _project(sme_owner.workplace, S.SELECTED, fiscal_year=2026, level="basic")
    s.application_transition(application=draft, actor=official.user, action="start_screening")
    assert DuplicateFlag.objects.filter(application=draft, basis="workplace").count() == 1
    with pytest.raises(Conflict) as exc:
        s.application_pass_screening(application=draft, actor=official.user)
    assert exc.value.code == "duplicate_support_unresolved"
