"""`manage.py seed_demo` at small scale: the demo it promises, consistent data, the same data for the
same seed, and a reset that keeps reference data.

The seed runs once for the module and is committed (a few seconds); every test reads it inside its own
rolled-back transaction, and the module's teardown empties the seeded tables again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from applications import services as app_services
from applications.models import (
    AGREEMENT_STATES,
    SUPPORTED_STATES,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ChangeRequest,
    ChangeRequestStatus,
    ConflictStatus,
    DuplicateFlag,
    EvaluatorAssignment,
    ProjectAgreement,
)
from applications.selectors import application_list_for_user, cofunding_agreements_for
from applications.workflow import TRANSITIONS
from companies.models import Company, Supplier, Workplace
from core.identifiers import brn_is_valid, crn_is_valid
from core.models import (
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    RegionCode,
    TargetLevel,
    User,
)
from core.roles import OrganisationKind, Role
from core.selectors import user_access
from demo.seed.reset import reset_seeded_data
from funding.models import DisbursementRequest, DisbursementStatus, LedgerEntry, LedgerKind
from funding.reconciliation import reconcile
from partners import services as partner_services
from partners.models import (
    LIVE_MATCH_STATES,
    WINWIN_TRACKS,
    AgreementStatus,
    Consortium,
    Match,
    MatchStatus,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from partners.selectors import consortium_list_for_user, match_list_for_user
from partners.workflow import MATCH_TRANSITIONS
from programs.models import Call, FundingRule, NationalTarget, ProgramType, RubricCriterion
from programs.rules import FundingSplit, check_split
from programs.selectors import funding_rule_for
from tests.signin import verified_client

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed_demo")]

PASSWORD = "demo-pass-2026!"
EXPECTED_ROLES = {
    "sme": Role.SME,
    "sme2": Role.SME,
    "supplier": Role.SUPPLIER,
    "partner": Role.PARTNER,
    "institution": Role.INSTITUTION,
    "officer": Role.REGIONAL_OFFICER,
    "evaluator": Role.EVALUATOR,
    "official": Role.OFFICIAL,
    "finance": Role.FINANCE,
    "auditor": Role.AUDITOR,
}
REFERENCE_MODELS = [Region, RegionCode, KsicDivision, Level, TargetLevel, FirmSizeClass, NationalTarget]
PARTNERS_2019 = {
    "삼성전자",
    "현대자동차",
    "LG전자",
    "포스코",
    "두산",
    "한국수력원자력",
    "한국남동발전",
    "한국중부발전",
}
INSTITUTIONS = {"대한상공회의소", "중소기업중앙회", "한국표준협회", "대중소기업·농어업협력재단"}
# Matches under which a company's win-win application may stand (it was submitted under an accepted or active
# one; completed afterwards is fine).
BACKING_STATES = {MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED}


def seed(seed: int = 42) -> None:
    call_command("seed_demo", scale="small", seed=seed, reset=True, verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        reset_seeded_data()


def fingerprint() -> str:
    """A digest of what the seed decides (ids, identities, amounts, states, history, scores); the
    timestamps follow the day the seed runs and are left out."""
    parts = [
        list(
            Company.objects.order_by("id").values_list(
                "id", "brn", "crn", "organisation__name_ko", "size_class__code"
            )
        ),
        list(
            Workplace.objects.order_by("id").values_list("id", "company_id", "name", "postal_code", "address")
        ),
        list(Supplier.objects.order_by("id").values_list("id", "brn", "organisation__name_ko")),
        list(
            Call.objects.order_by("id").values_list(
                "id", "title_ko", "budget_krw", "committed_krw", "selected_count"
            )
        ),
        list(
            Application.objects.order_by("id").values_list(
                "id",
                "call_id",
                "workplace_id",
                "status",
                "title",
                "total_cost_krw",
                "gov_amount_krw",
                "partner_amount_krw",
                "sme_amount_krw",
                "local_amount_krw",
                "evaluation_score",
            )
        ),
        list(
            ApplicationStatusChange.objects.order_by("id").values_list(
                "application_id", "action", "from_status", "to_status", "actor_id", "note"
            )
        ),
        list(
            EvaluatorAssignment.objects.order_by("id").values_list(
                "application_id", "evaluator_id", "total_score"
            )
        ),
        list(
            DuplicateFlag.objects.order_by("id").values_list(
                "application_id", "earlier_application_id", "basis"
            )
        ),
        list(User.objects.order_by("id").values_list("id", "username", "password")),
        list(
            WinWinAgreement.objects.order_by("id").values_list(
                "id", "consortium_id", "fiscal_year", "status", "pledged_krw", "committed_krw", "mentee_quota"
            )
        ),
        list(
            Application.objects.order_by("id").values_list(
                "id", "partner_agreement_id", "partner_confirmed_krw", "partner_confirmed_by_id"
            )
        ),
        list(Match.objects.order_by("id").values_list("id", "agreement_id", "company_id", "status", "score")),
        list(
            MatchStatusChange.objects.order_by("id").values_list(
                "match_id", "action", "to_status", "actor_id"
            )
        ),
        list(MentoringActivity.objects.order_by("id").values_list("match_id", "mentor_id", "kind", "hours")),
        list(SupplyChainTie.objects.order_by("id").values_list("partner_id", "brn", "name")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def test_every_application_status_is_present():
    present = set(Application.objects.values_list("status", flat=True).distinct())
    assert present == set(ApplicationStatus.values)


def test_small_scale_has_the_promised_size():
    assert 50 <= Company.objects.count() <= 70
    assert 80 <= Workplace.objects.count() <= 100
    assert Supplier.objects.count() == 25
    assert 350 <= Application.objects.count() <= 450


@pytest.mark.parametrize(("username", "role"), sorted(EXPECTED_ROLES.items()))
def test_demo_login_signs_in_with_its_role(username, role):
    user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=PASSWORD)
    assert user is not None
    assert user_access(user).has(role)


def test_official_reaches_the_admin():
    official = User.objects.get(username="official")
    assert official.is_staff
    assert official.is_superuser


def test_sme_demo_company_and_applications():
    sme = User.objects.get(username="sme")
    company = Company.objects.get(organisation__name_ko="(주)한빛정밀")
    assert company.organisation_id in user_access(sme).orgs(Role.SME)
    workplaces = list(company.workplaces.order_by("id"))
    assert len(workplaces) == 2
    assert {w.region.slug for w in workplaces} == {"gyeonggi"}
    statuses = set(Application.objects.filter(company=company).values_list("status", flat=True))
    assert {ApplicationStatus.BUILDING, ApplicationStatus.DRAFT} <= statuses
    gov_call = Call.objects.open_now().get(program_type="government_only")
    free = [w for w in workplaces if not Application.objects.filter(call=gov_call, workplace=w).exists()]
    assert free, "one of the workplaces can still apply to the open government-only call"


def test_open_government_only_call_is_ready_for_selection_and_evaluation():
    gov_call = Call.objects.open_now().get(program_type="government_only")
    scored = Application.objects.filter(
        call=gov_call, status=ApplicationStatus.EVALUATION, evaluation_score__isnull=False
    )
    assert scored.count() >= 5
    evaluator = User.objects.get(username="evaluator")
    mine = EvaluatorAssignment.objects.filter(evaluator=evaluator, application__call=gov_call)
    pending = mine.filter(
        conflict_status=ConflictStatus.PENDING, application__status=ApplicationStatus.EVALUATION
    )
    assert pending.count() >= 2
    assert mine.filter(submitted_at__isnull=False).count() >= 1


def test_call_totals_equal_their_supported_applications():
    counts = dict(
        Application.objects.filter(status__in=SUPPORTED_STATES)
        .values("call_id")
        .annotate(n=Count("id"))
        .values_list("call_id", "n")
        .order_by()
    )
    for call in Call.objects.all():
        assert call.selected_count == counts.get(call.pk, 0), call.code
        assert call.committed_krw <= call.budget_krw
        assert call.selected_count <= call.target_count


def test_money_reconciles_everywhere():
    """Committed support, paid and outstanding figures all agree with the projects, requests and ledger."""
    result = reconcile()
    assert result.agreements_checked > 0
    assert result.calls_checked == Call.objects.count()
    assert result.winwin_checked == WinWinAgreement.objects.count()
    assert result.mismatches == []


def test_agreements_have_money_in_every_state():
    """The demo shows every state of the money: requests requested, approved, paid and rejected,
    payments, reversals and recoveries, and change requests waiting, approved and rejected."""
    assert set(DisbursementRequest.objects.values_list("status", flat=True)) == set(DisbursementStatus.values)
    assert set(LedgerEntry.objects.values_list("kind", flat=True)) == set(LedgerKind.values)
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeRequestStatus.values)
    assert set(ProjectAgreement.objects.values_list("application__status", flat=True)) == set(
        AGREEMENT_STATES
    )
    assert not Application.objects.filter(status__in=AGREEMENT_STATES, agreement__isnull=True).exists()


def test_the_demo_smes_agreement_waits_for_the_finance_officer():
    """The `sme` login's own project: the advances paid, an interim payment waiting for approval (which
    the `finance` login may give), another approved and waiting for payment, a change request open."""
    agreement = ProjectAgreement.objects.get(
        application__company__organisation__name_ko="(주)한빛정밀",
        application__status=ApplicationStatus.BUILDING,
    )
    requests = DisbursementRequest.objects.filter(agreement=agreement)
    assert set(requests.values_list("status", flat=True)) == {
        DisbursementStatus.REQUESTED,
        DisbursementStatus.APPROVED,
        DisbursementStatus.PAID,
    }
    finance = User.objects.get(username="finance")
    waiting = requests.get(status=DisbursementStatus.REQUESTED)
    assert waiting.requested_by_id != finance.pk
    assert ChangeRequest.objects.filter(agreement=agreement, status=ChangeRequestStatus.REQUESTED).exists()
    assert reconcile(agreement_id=agreement.pk).mismatches == []


def test_calls_have_rules_and_rubrics_adding_up_to_100():
    for call in Call.objects.all():
        assert FundingRule.objects.filter(call=call).exists()
        weights = list(RubricCriterion.objects.filter(call=call).values_list("weight", flat=True))
        assert 3 <= len(weights) <= 4
        assert sum(weights) == 100


def test_history_runs_from_draft_to_the_current_status():
    steps = defaultdict(list)
    for change in ApplicationStatusChange.objects.order_by("at", "id"):
        steps[change.application_id].append(change)
    for app in Application.objects.all():
        history = steps.get(app.pk, [])
        if app.status == ApplicationStatus.DRAFT:
            assert history == []
            continue
        assert history[0].from_status == ApplicationStatus.DRAFT
        assert history[-1].to_status == app.status
        for before, after in itertools.pairwise(history):
            assert before.to_status == after.from_status
            assert before.at < after.at
        for change in history:
            transition = TRANSITIONS[change.action]
            assert change.from_status in transition.sources
            assert change.to_status == transition.target
            assert change.actor_id is not None


def test_application_fields_agree_with_history():
    decided_states = {ApplicationStatus.SELECTED, ApplicationStatus.REJECTED, ApplicationStatus.WAITLISTED}
    for app in Application.objects.prefetch_related("history"):
        history = sorted(app.history.all(), key=lambda c: (c.at, c.pk))
        if app.status == ApplicationStatus.DRAFT:
            assert app.submitted_at is None
            continue
        assert app.submitted_at == history[0].at
        assert app.size_class_id is not None
        decisions = [c.at for c in history if c.to_status in decided_states]
        assert app.decided_at == (decisions[-1] if decisions else None)
        if any(c.action == "select" for c in history):
            assert app.evaluation_score is not None


def test_amounts_keep_to_the_call_rule():
    for app in Application.objects.exclude(status=ApplicationStatus.DRAFT).select_related(
        "call", "size_class"
    ):
        rule = funding_rule_for(app.call, app.target_level_id, app.size_class.code)
        assert rule is not None
        split = FundingSplit(
            app.total_cost_krw,
            app.gov_amount_krw,
            app.partner_amount_krw,
            app.sme_amount_krw,
            app.local_amount_krw,
        )
        assert check_split(rule, split) == [], app.pk


def test_evaluation_scores_are_the_mean_of_submitted_totals():
    totals = defaultdict(list)
    for assignment in EvaluatorAssignment.objects.filter(submitted_at__isnull=False):
        totals[assignment.application_id].append(assignment.total_score)
    for app in Application.objects.filter(pk__in=totals):
        mean = (sum(totals[app.pk], Decimal(0)) / len(totals[app.pk])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert app.evaluation_score == mean


def test_open_duplicate_flags_only_before_screening_passed():
    assert DuplicateFlag.objects.exists()
    for flag in DuplicateFlag.objects.filter(overridden_at__isnull=True).select_related("application"):
        assert not flag.application.history.filter(action="pass_screening").exists()


def test_business_registration_numbers_are_valid_and_unique():
    company_brns = list(Company.objects.values_list("brn", flat=True))
    supplier_brns = list(Supplier.objects.values_list("brn", flat=True))
    assert all(brn_is_valid(b) for b in company_brns + supplier_brns)
    assert len(set(company_brns)) == len(company_brns)
    assert len(set(supplier_brns)) == len(supplier_brns)
    assert all(crn_is_valid(c) for c in Company.objects.exclude(crn="").values_list("crn", flat=True))


# Win-win partnerships ---------------------------------------------------------------------------------------


def partner_org(name_ko: str) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.PARTNER, name_ko=name_ko)


def samsung_2026() -> WinWinAgreement:
    return WinWinAgreement.objects.get(consortium__partner=partner_org("삼성전자"), fiscal_year=2026)


def test_partner_firms_institutions_and_consortia():
    partners = set(
        Organisation.objects.filter(kind=OrganisationKind.PARTNER).values_list("name_ko", flat=True)
    )
    assert partners == PARTNERS_2019
    institutions = set(
        Organisation.objects.filter(kind=OrganisationKind.INSTITUTION).values_list("name_ko", flat=True)
    )
    assert institutions == INSTITUTIONS
    pairs = set(Consortium.objects.values_list("partner__name_ko", "institution__name_ko"))
    assert ("삼성전자", "중소기업중앙회") in pairs
    assert ("포스코", "중소기업중앙회") in pairs
    assert ("현대자동차", "대한상공회의소") in pairs
    assert ("한국수력원자력", "대중소기업·농어업협력재단") in pairs
    assert {p for p, _i in pairs} == PARTNERS_2019
    for partner in partners:
        member = Membership.objects.filter(organisation__name_ko=partner, role=Role.PARTNER, is_active=True)
        assert member.exists(), partner


def test_agreements_every_year_with_the_tracks_of_that_year():
    call_types = defaultdict(set)
    for year, program in Call.objects.values_list("fiscal_year", "program_type"):
        call_types[year].add(program)
    for consortium in Consortium.objects.all():
        years = sorted(consortium.agreements.values_list("fiscal_year", flat=True))
        assert years == list(range(2018, 2027)), consortium
    for agreement in WinWinAgreement.objects.all():
        assert agreement.status == (
            AgreementStatus.ACTIVE if agreement.fiscal_year == 2026 else AgreementStatus.CLOSED
        )
        assert set(agreement.tracks) <= set(WINWIN_TRACKS) & call_types[agreement.fiscal_year], agreement
        assert ProgramType.WINWIN_TYPE1 in agreement.tracks
        if agreement.fiscal_year < 2022:
            assert agreement.tracks == [ProgramType.WINWIN_TYPE1]
        assert 0 <= agreement.committed_krw <= agreement.pledged_krw
        assert agreement.signed_on.year == agreement.fiscal_year - 1
    assert samsung_2026().pledged_krw == 10_000_000_000  # 100억 a year
    posco = WinWinAgreement.objects.filter(consortium__partner__name_ko="포스코", fiscal_year=2026).get()
    assert set(posco.regions.values_list("slug", flat=True)) == {"gyeongbuk", "jeonnam"}
    assert set(posco.industries.values_list("code", flat=True)) == {"24", "25"}


def test_every_winwin_application_names_a_backing_agreement():
    backed = {
        (agreement, company)
        for agreement, company in Match.objects.filter(status__in=BACKING_STATES).values_list(
            "agreement_id", "company_id"
        )
    }
    winwin = 0
    for app in Application.objects.select_related("call", "partner_agreement"):
        if app.call.program_type not in WINWIN_TRACKS:
            assert app.partner_agreement_id is None, app.pk
            assert app.partner_amount_krw == 0, app.pk
            assert app.partner_confirmed_krw is None, app.pk
            continue
        winwin += 1
        agreement = app.partner_agreement
        assert agreement is not None, app.pk
        assert agreement.fiscal_year == app.call.fiscal_year, app.pk
        assert app.call.program_type in agreement.tracks, app.pk
        assert (agreement.pk, app.company_id) in backed, app.pk
    assert winwin > 50


def test_partner_confirmations_stand_until_the_share_is_released():
    partner_users = {
        (org, user)
        for org, user in Membership.objects.filter(role=Role.PARTNER, is_active=True).values_list(
            "organisation_id", "user_id"
        )
    }
    accepted_at = {
        (agreement, company): at
        for agreement, company, at in MatchStatusChange.objects.filter(action="accept").values_list(
            "match__agreement_id", "match__company_id", "at"
        )
    }
    drafts = Counter()
    apps = Application.objects.filter(partner_agreement__isnull=False).select_related(
        "partner_agreement__consortium"
    )
    for app in apps:
        confirmed = (app.partner_confirmed_krw, app.partner_confirmed_at, app.partner_confirmed_by_id)
        if app.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED):
            assert confirmed == (None, None, None), app.pk
            continue
        if app.status == ApplicationStatus.DRAFT:
            drafts[app.partner_confirmed_krw is not None] += 1
            if app.partner_confirmed_krw is None:
                assert confirmed == (None, None, None), app.pk
                continue
        assert app.partner_confirmed_krw == app.partner_amount_krw > 0, app.pk
        partner = app.partner_agreement.consortium.partner_id
        assert (partner, app.partner_confirmed_by_id) in partner_users, app.pk
        assert app.partner_confirmed_at > accepted_at[(app.partner_agreement_id, app.company_id)], app.pk
        assert app.partner_confirmed_at >= app.created_at, app.pk
        if app.submitted_at is not None:
            assert app.partner_confirmed_at < app.submitted_at, app.pk
    assert drafts[True] >= 1
    assert drafts[False] >= 1


def test_live_matches_within_quota_and_one_per_company():
    live = Match.objects.filter(status__in=LIVE_MATCH_STATES)
    counts = dict(live.values("agreement_id").annotate(n=Count("id")).values_list("agreement_id", "n"))
    for agreement in WinWinAgreement.objects.all():
        assert counts.get(agreement.pk, 0) <= agreement.mentee_quota, agreement
    pairs = Counter(live.values_list("agreement_id", "company_id"))
    assert max(pairs.values()) == 1
    assert set(Match.objects.values_list("status", flat=True)) == set(MatchStatus.values)
    ended = MatchStatusChange.objects.filter(to_status=MatchStatus.ENDED)
    assert ended.filter(action="decline").exists()
    assert ended.filter(action="end").exists()


def test_match_history_is_consistent():
    steps = defaultdict(list)
    for change in MatchStatusChange.objects.order_by("at", "id"):
        steps[change.match_id].append(change)
    partner_users = set(
        Membership.objects.filter(role=Role.PARTNER).values_list("organisation_id", "user_id")
    )
    sme_users = set(Membership.objects.filter(role=Role.SME).values_list("organisation_id", "user_id"))
    matches = Match.objects.select_related("agreement__consortium", "company")
    for match in matches:
        history = steps[match.pk]
        assert history, match.pk
        first = history[0]
        assert (first.action, first.from_status, first.to_status) == ("propose", "proposed", "proposed")
        assert first.at == match.created_at
        assert history[-1].to_status == match.status, match.pk
        assert history[-1].at == match.updated_at, match.pk
        assert match.score == sum(r["points"] for r in match.reasons) <= 100, match.pk
        assert all(r["code"] and r["label"] for r in match.reasons), match.pk
        partner = match.agreement.consortium.partner_id
        assert (partner, first.actor_id) in partner_users
        assert (partner, match.proposed_by_id) in partner_users
        for before, after in itertools.pairwise(history):
            assert before.to_status == after.from_status, match.pk
            assert before.at < after.at, match.pk
        for change in history[1:]:
            transition = MATCH_TRANSITIONS[change.action]
            assert change.from_status in transition.sources
            assert change.to_status == transition.target
            if change.action in ("accept", "decline"):
                assert (match.company.organisation_id, change.actor_id) in sme_users
            else:
                assert (partner, change.actor_id) in partner_users
            if transition.note_required:
                assert change.note
        assert all(c.at < timezone.now() for c in history)


def test_mentoring_only_on_running_matches_within_their_time():
    today = timezone.localdate()
    accepted = {
        match: timezone.localtime(at).date()
        for match, at in MatchStatusChange.objects.filter(action="accept").values_list("match_id", "at")
    }
    completed = {
        match: timezone.localtime(at).date()
        for match, at in MatchStatusChange.objects.filter(action="complete").values_list("match_id", "at")
    }
    activities = MentoringActivity.objects.select_related("match__agreement__consortium", "mentor")
    assert activities.count() > 100
    for activity in activities:
        match = activity.match
        assert match.status in BACKING_STATES, activity.pk
        assert accepted[match.pk] <= activity.date <= today, activity.pk
        if match.pk in completed:
            assert activity.date <= completed[match.pk], activity.pk
        assert activity.mentor.partner_id == match.agreement.consortium.partner_id
        assert Decimal("1.0") <= activity.hours <= Decimal("8.0")
        assert activity.notes
    for partner in Organisation.objects.filter(kind=OrganisationKind.PARTNER):
        assert Mentor.objects.filter(partner=partner, is_active=True).count() >= 2, partner


def test_supply_chain_ties_by_valid_brn():
    ties = list(SupplyChainTie.objects.all())
    assert ties
    assert all(brn_is_valid(t.brn) for t in ties)
    registered = set(Company.objects.values_list("brn", flat=True))
    assert any(t.brn in registered for t in ties)
    assert any(t.brn not in registered for t in ties)
    samsung = partner_org("삼성전자")
    hanbit = Company.objects.get(organisation__name_ko="(주)한빛정밀")
    assert SupplyChainTie.objects.filter(partner=samsung, brn=hanbit.brn).exists()


def test_partner_login_sees_its_portfolio():
    user = User.objects.get(username="partner")
    samsung = partner_org("삼성전자")
    matches = match_list_for_user(user)
    assert matches.exists()
    assert set(matches.values_list("agreement__consortium__partner_id", flat=True)) == {samsung.pk}
    assert matches.count() < Match.objects.count()
    agreement = samsung_2026()
    assert agreement.status == AgreementStatus.ACTIVE
    states = Counter(agreement.matches.values_list("status", flat=True))
    assert all(states[s] >= 2 for s in MatchStatus.values), states
    assert MentoringActivity.objects.filter(match__agreement=agreement).aggregate(h=Sum("hours"))["h"] > 0
    cofunded = application_list_for_user(user).filter(partner_agreement=agreement)
    statuses = set(cofunded.values_list("status", flat=True))
    assert {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED} <= statuses
    assert len(statuses) >= 4
    assert cofunded.filter(status=ApplicationStatus.DRAFT, partner_confirmed_krw__isnull=True).exists()


def test_institution_login_administers_samsungs_consortium():
    user = User.objects.get(username="institution")
    consortia = consortium_list_for_user(user)
    assert consortia.filter(partner__name_ko="삼성전자").exists()
    assert set(consortia.values_list("institution__name_ko", flat=True)) == {"중소기업중앙회"}


def test_sme_has_a_partner_to_apply_with():
    sme = User.objects.get(username="sme")
    hanbit = Company.objects.get(organisation__name_ko="(주)한빛정밀")
    mine = match_list_for_user(sme)
    assert set(mine.values_list("company_id", flat=True)) == {hanbit.pk}
    assert mine.filter(agreement=samsung_2026(), status=MatchStatus.ACCEPTED).exists()
    winwin_call = Call.objects.open_now().get(program_type=ProgramType.WINWIN_TYPE1)
    probe = Application(call=winwin_call, company=hanbit)
    assert samsung_2026() in cofunding_agreements_for(probe)


def test_sme2_has_a_proposal_to_answer():
    sme2 = User.objects.get(username="sme2")
    daesung = Company.objects.get(organisation__name_ko="대성금속(주)")
    mine = match_list_for_user(sme2)
    assert set(mine.values_list("company_id", flat=True)) == {daesung.pk}
    proposal = mine.get(status=MatchStatus.PROPOSED)
    assert proposal.agreement == samsung_2026()
    assert proposal.proposed_by == User.objects.get(username="partner")
    accepted = partner_services.match_transition(match=proposal, actor=sme2, action="accept")
    assert accepted.status == MatchStatus.ACCEPTED


def test_a_company_has_one_partner_firm_a_year():
    live = Counter(
        Match.objects.filter(status__in=LIVE_MATCH_STATES).values_list("company_id", "agreement__fiscal_year")
    )
    assert max(live.values()) == 1
    winwin = Application.objects.filter(partner_agreement__isnull=False)
    partners = defaultdict(set)
    for company, year, agreement in winwin.values_list(
        "company_id", "call__fiscal_year", "partner_agreement_id"
    ):
        partners[(company, year)].add(agreement)
    assert all(len(agreements) == 1 for agreements in partners.values())


def test_partner_confirms_the_waiting_draft_and_the_sme_submits_it():
    partner = User.objects.get(username="partner")
    sme = User.objects.get(username="sme")
    draft = Application.objects.get(
        company__organisation__name_ko="(주)한빛정밀",
        partner_agreement=samsung_2026(),
        status=ApplicationStatus.DRAFT,
        partner_confirmed_krw__isnull=True,
    )
    before = samsung_2026().committed_krw
    app_services.application_partner_confirm(application=draft, actor=partner)
    assert samsung_2026().committed_krw == before + draft.partner_amount_krw
    submitted = app_services.application_submit(application=draft, actor=sme)
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_partnership_times_are_in_the_past():
    now = timezone.now()
    assert not Match.objects.filter(Q(created_at__gte=now) | Q(updated_at__gte=now)).exists()
    assert not MatchStatusChange.objects.filter(at__gte=now).exists()
    assert not Application.objects.filter(partner_confirmed_at__gte=now).exists()
    assert not MentoringActivity.objects.filter(date__gt=timezone.localdate()).exists()
    assert (
        WinWinAgreement.objects.filter(signed_on__lt=dt.date(2018, 1, 1)).count()
        == Consortium.objects.count()
    )


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    before = fingerprint()
    seed(42)
    assert fingerprint() == before
    seed(7)
    assert fingerprint() != before


def test_reset_keeps_reference_data():
    counts = {model: model.objects.count() for model in REFERENCE_MODELS}
    assert all(counts.values())
    seed(42)
    assert {model: model.objects.count() for model in REFERENCE_MODELS} == counts


def test_reset_empties_the_partnership_tables_too():
    also = reset_seeded_data()
    assert not [t for t in also if t.startswith("partners_")]
    for model in (
        Consortium,
        WinWinAgreement,
        SupplyChainTie,
        Match,
        MatchStatusChange,
        Mentor,
        MentoringActivity,
    ):
        assert not model.objects.exists(), model
    assert all(model.objects.exists() for model in REFERENCE_MODELS)


def test_seeding_again_without_reset_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", scale="small", seed=42, verbosity=0)


def test_the_dashboards_have_figures_and_the_official_lands_on_them():
    from kpi.models import Snapshot, SnapshotKind
    from kpi.selectors import current_snapshot, total

    live = current_snapshot()
    assert live is not None
    official = Snapshot.objects.get(kind=SnapshotKind.OFFICIAL)
    assert official.as_of < live.as_of
    # Every seeded factory counted outside the imported years, plus the imported figures.
    assert total(live, "deployments") > 25_039
    client = verified_client(User.objects.get(username="official"))
    response = client.get("/")
    assert response["Location"] == reverse("kpi:dashboard")
    assert client.get(response["Location"]).status_code == 200


def test_the_demo_official_downloads_the_ministry_workbook():
    """The demo's official finds the latest official KPI snapshot on the reports page and downloads its
    workbook with all nine sheets."""
    import io

    from python_calamine import CalamineWorkbook

    from exports.ministry import SHEETS
    from kpi.models import Snapshot

    official = verified_client(User.objects.get(username="official"))
    page = official.get(reverse("exports:workbook"))
    assert page.status_code == 200
    latest = Snapshot.objects.filter(kind="official").order_by("-as_of", "-pk").first()
    assert latest is not None
    url = reverse("exports:ministry-workbook", args=[latest.pk])
    assert url in page.content.decode()
    response = official.get(url)
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert tuple(book.sheet_names) == tuple(SHEETS)
    assert (
        book.get_sheet_by_name("요약")
        .to_python()[1][0]
        .startswith(f"기준일: {latest.as_of.strftime('%Y. %m. %d.')}")
    )
