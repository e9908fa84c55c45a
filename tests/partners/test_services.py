"""Each partners service: its happy path and one test per refusal (STYLE.md §22)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import KsicDivision, Region
from core.money import MAX_KRW
from core.roles import OrganisationKind
from partners import services as s
from partners.models import (
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
from tests import factories as f
from tests.factories import make_brn
from tests.partners.conftest import institution_persona, partner_db_state

M = MatchStatus


def _dashed(brn: str) -> str:
    return f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"


def _bad_check_digit(brn: str) -> str:
    return brn[:9] + str((int(brn[9]) + 1) % 10)


# --- consortia ------------------------------------------------------------------------------------


@pytest.fixture
def institution_org(db):
    return f.OrganisationFactory(kind=OrganisationKind.INSTITUTION, name_ko="중소기업중앙회")


def test_official_forms_a_consortium(official, partner, institution_org):
    consortium = s.consortium_create(
        actor=official.user,
        partner=partner.organisation,
        institution=institution_org,
        name_ko="  삼성전자·중기중앙회 상생 컨소시엄 ",
        established_on=dt.date(2019, 7, 2),
    )
    assert consortium.name_ko == "삼성전자·중기중앙회 상생 컨소시엄"
    assert (consortium.partner, consortium.institution) == (partner.organisation, institution_org)


@pytest.mark.parametrize("persona", ["partner", "institution", "auditor", "sme_owner"])
def test_only_officials_form_consortia(request, persona, partner, institution_org):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.consortium_create(
            actor=actor,
            partner=partner.organisation,
            institution=institution_org,
            name_ko="컨소시엄",
            established_on=dt.date(2020, 1, 1),
        )
    assert not Consortium.objects.exists()


def test_consortium_refuses_organisations_of_the_wrong_kind(official, partner, institution_org, sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        s.consortium_create(
            actor=official.user,
            partner=sme_owner.organisation,
            institution=partner.organisation,
            name_ko=" ",
            established_on=dt.date(2020, 1, 1),
        )
    assert set(exc.value.fields) == {"partner", "institution", "name_ko"}
    assert not Consortium.objects.exists()


def test_a_second_consortium_of_the_same_pair_is_a_conflict(official, partner, institution_org):
    values = {
        "actor": official.user,
        "partner": partner.organisation,
        "institution": institution_org,
        "established_on": dt.date(2020, 1, 1),
    }
    s.consortium_create(name_ko="첫째", **values)
    with pytest.raises(Conflict) as exc:
        s.consortium_create(name_ko="둘째", **values)
    assert exc.value.code == "consortium_exists"
    assert Consortium.objects.count() == 1


# --- agreements -----------------------------------------------------------------------------------


def _agreement_values(**changes):
    values = {
        "fiscal_year": 2027,
        "pledged_krw": 2_000_000_000,
        "mentee_quota": 30,
        "tracks": ["winwin_type1", "winwin_type1", "partner_track"],
        "signed_on": dt.date(2027, 1, 10),
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("persona", ["official", "institution"])
def test_official_or_the_consortium_institution_records_an_agreement(request, world, persona):
    actor = request.getfixturevalue(persona).user
    regions = list(Region.objects.filter(slug__in=["gyeonggi", "busan"]))
    industries = list(KsicDivision.objects.filter(code__in=["29", "30"]))
    agreement = s.agreement_create(
        actor=actor,
        consortium=world.consortium,
        regions=regions,
        industries=industries,
        **_agreement_values(),
    )
    assert agreement.tracks == ["partner_track", "winwin_type1"]
    assert agreement.committed_krw == 0
    assert agreement.status == AgreementStatus.ACTIVE
    assert set(agreement.regions.all()) == set(regions)
    assert set(agreement.industries.all()) == set(industries)


@pytest.mark.parametrize("persona", ["partner", "other_partner", "auditor", "sme_owner"])
def test_others_cannot_record_an_agreement(request, world, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.agreement_create(actor=actor, consortium=world.consortium, **_agreement_values())
    assert WinWinAgreement.objects.count() == 2


def test_another_institution_cannot_record_an_agreement(world):
    stranger = institution_persona("institution_b", "대한상공회의소")
    with pytest.raises(PermissionDenied):
        s.agreement_create(actor=stranger.user, consortium=world.consortium, **_agreement_values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pledged_krw", 0),
        ("pledged_krw", -5),
        ("pledged_krw", MAX_KRW + 1),
        ("pledged_krw", True),
        ("pledged_krw", 1.5),
        ("mentee_quota", 0),
        ("mentee_quota", True),
        ("tracks", []),
        ("tracks", ["government_only"]),
        ("fiscal_year", 2013),
        ("fiscal_year", 2101),
    ],
)
def test_agreement_values_are_checked(world, official, field, value):
    with pytest.raises(ValidationFailed) as exc:
        s.agreement_create(
            actor=official.user, consortium=world.consortium, **_agreement_values(**{field: value})
        )
    assert field in exc.value.fields
    assert WinWinAgreement.objects.count() == 2


def test_one_agreement_per_consortium_and_year(world, official):
    with pytest.raises(Conflict) as exc:
        s.agreement_create(
            actor=official.user, consortium=world.consortium, **_agreement_values(fiscal_year=2026)
        )
    assert exc.value.code == "agreement_exists"


def test_agreement_update_changes_values_and_regions(world, institution):
    s.agreement_update(
        agreement=world.agreement,
        actor=institution.user,
        pledged_krw=1_500_000_000,
        mentee_quota=12,
        status=AgreementStatus.CLOSED,
        regions=[Region.objects.get(slug="ulsan")],
    )
    world.agreement.refresh_from_db()
    assert (world.agreement.pledged_krw, world.agreement.mentee_quota) == (1_500_000_000, 12)
    assert world.agreement.status == AgreementStatus.CLOSED
    assert [r.slug for r in world.agreement.regions.all()] == ["ulsan"]


def test_the_pledge_never_drops_below_what_is_committed(world, official):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(committed_krw=400_000_000)
    with pytest.raises(Conflict) as exc:
        s.agreement_update(agreement=world.agreement, actor=official.user, pledged_krw=399_999_999)
    assert exc.value.code == "pledge_below_committed"
    assert "pledged_krw" in exc.value.fields
    s.agreement_update(agreement=world.agreement, actor=official.user, pledged_krw=400_000_000)
    world.agreement.refresh_from_db()
    assert world.agreement.pledged_krw == 400_000_000


def test_the_quota_never_drops_below_the_live_matches(world, official):
    # Two live matches (one proposed, one accepted); an ended one does not count.
    f.MatchFactory(agreement=world.agreement, status=M.ENDED)
    with pytest.raises(Conflict) as exc:
        s.agreement_update(agreement=world.agreement, actor=official.user, mentee_quota=1)
    assert exc.value.code == "quota_below_matches"
    s.agreement_update(agreement=world.agreement, actor=official.user, mentee_quota=2)
    world.agreement.refresh_from_db()
    assert world.agreement.mentee_quota == 2


def test_agreement_update_refuses_unknown_fields_and_values(world, official):
    with pytest.raises(ValidationFailed) as exc:
        s.agreement_update(agreement=world.agreement, actor=official.user, committed_krw=0)
    assert "committed_krw" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        s.agreement_update(agreement=world.agreement, actor=official.user, status="signed")
    assert "status" in exc.value.fields


@pytest.mark.parametrize("persona", ["partner", "other_partner", "auditor"])
def test_agreement_update_refused_to_others(request, world, persona):
    with pytest.raises(PermissionDenied):
        s.agreement_update(
            agreement=world.agreement, actor=request.getfixturevalue(persona).user, mentee_quota=40
        )
    world.agreement.refresh_from_db()
    assert world.agreement.mentee_quota == 10


# --- supply-chain ties ----------------------------------------------------------------------------


def test_partner_records_supply_chain_ties(world, partner):
    first, second = make_brn(), make_brn()
    ties = s.supply_chain_ties_add(
        actor=partner.user,
        partner=partner.organisation,
        entries=[
            (_dashed(first), " 협력정밀 "),
            (second, "협력금속"),
            (first, "중복 행"),
            (world.tie.brn, "새 이름"),
        ],
    )
    assert {t.brn for t in ties} == {first, second, world.tie.brn}
    assert SupplyChainTie.objects.get(brn=first).name == "협력정밀"
    # A number already recorded keeps its name.
    world.tie.refresh_from_db()
    assert world.tie.name == "에이정밀"


def test_ties_are_all_or_nothing_and_name_the_bad_line(partner):
    good = make_brn()
    with pytest.raises(ValidationFailed) as exc:
        s.supply_chain_ties_add(
            actor=partner.user,
            partner=partner.organisation,
            entries=[(good, "좋음"), (_bad_check_digit(make_brn()), "검증숫자"), ("12345", "짧음")],
        )
    assert set(exc.value.fields) == {"line 2", "line 3"}
    assert not SupplyChainTie.objects.exists()


@pytest.mark.parametrize("persona", ["other_partner", "institution", "auditor", "sme_owner"])
def test_ties_of_a_partner_are_its_own(request, world, partner, persona):
    with pytest.raises(PermissionDenied):
        s.supply_chain_ties_add(
            actor=request.getfixturevalue(persona).user,
            partner=partner.organisation,
            entries=[(make_brn(), "")],
        )
    with pytest.raises(PermissionDenied):
        s.supply_chain_tie_remove(actor=request.getfixturevalue(persona).user, tie=world.tie)
    assert SupplyChainTie.objects.count() == 2


def test_ties_belong_to_a_partner_firm(official, institution):
    with pytest.raises(ValidationFailed) as exc:
        s.supply_chain_ties_add(
            actor=official.user, partner=institution.organisation, entries=[(make_brn(), "")]
        )
    assert "partner" in exc.value.fields


def test_partner_removes_a_tie(world, partner):
    s.supply_chain_tie_remove(actor=partner.user, tie=world.tie)
    assert not SupplyChainTie.objects.filter(pk=world.tie.pk).exists()


# --- match proposals ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["partner", "official"])
def test_partner_or_official_proposes_a_match(request, world, persona):
    actor = request.getfixturevalue(persona).user
    reasons = [{"code": "supply_chain", "label": "협력사", "points": 30}]
    match = s.match_propose(
        actor=actor,
        agreement=world.agreement,
        company=f.CompanyFactory(),
        score=82,
        reasons=reasons,
        note=" 제안 ",
    )
    assert (match.status, match.score, match.reasons, match.proposed_by) == (M.PROPOSED, 82, reasons, actor)
    change = MatchStatusChange.objects.get(match=match)
    assert (change.action, change.to_status, change.actor, change.note) == (
        "propose",
        M.PROPOSED,
        actor,
        "제안",
    )


@pytest.mark.parametrize("persona", ["other_partner", "institution", "auditor", "sme_owner"])
def test_others_cannot_propose(request, world, persona, other_sme):
    with pytest.raises(PermissionDenied):
        s.match_propose(
            actor=request.getfixturevalue(persona).user, agreement=world.agreement, company=other_sme.company
        )
    assert Match.objects.count() == 3


def test_no_proposal_beyond_the_quota(world, partner):
    newcomer = f.CompanyFactory()
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(mentee_quota=2)
    with pytest.raises(Conflict) as exc:
        s.match_propose(actor=partner.user, agreement=world.agreement, company=newcomer)
    assert exc.value.code == "mentee_quota_reached"
    # An ended match gives its place back.
    s.match_transition(match=world.accepted, actor=partner.user, action="end", note="폐업")
    s.match_propose(actor=partner.user, agreement=world.agreement, company=newcomer)


def test_a_company_has_one_partner_firm_a_year(world, partner, other_partner):
    """A company matched with one partner this year is not proposed to another; an ended match frees it."""
    company = f.CompanyFactory()
    first = s.match_propose(actor=partner.user, agreement=world.agreement, company=company)
    other = f.AgreementFactory(consortium=f.ConsortiumFactory(partner=other_partner.organisation))
    before = partner_db_state()
    with pytest.raises(Conflict) as exc:
        s.match_propose(actor=other_partner.user, agreement=other, company=company)
    assert exc.value.code == "company_matched_this_year"
    assert partner_db_state() == before
    next_year = f.AgreementFactory(consortium=other.consortium, fiscal_year=2027)
    assert s.match_propose(actor=other_partner.user, agreement=next_year, company=company).pk
    s.match_transition(match=first, actor=partner.user, action="end", note="다른 주관기관 선택")
    assert s.match_propose(actor=other_partner.user, agreement=other, company=company).pk


def test_bulk_proposals_are_all_or_nothing(world, partner):
    newcomers = [f.CompanyFactory() for _ in range(3)]
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(mentee_quota=4)
    proposals = [s.Proposal(world.agreement.pk, c.pk, 70 + i) for i, c in enumerate(newcomers)]
    before = partner_db_state()
    with pytest.raises(Conflict) as exc:  # 2 live matches + 3 new > 4
        s.matches_propose(actor=partner.user, proposals=proposals)
    assert exc.value.code == "mentee_quota_reached"
    assert partner_db_state() == before
    made = s.matches_propose(actor=partner.user, proposals=proposals[:2], note="매칭 실행")
    assert [m.score for m in made] == [70, 71]
    assert MatchStatusChange.objects.filter(match__in=made, action="propose", note="매칭 실행").count() == 2
    with pytest.raises(ValidationFailed):
        s.matches_propose(actor=partner.user, proposals=[proposals[2], proposals[2]])


@pytest.mark.parametrize("status", [AgreementStatus.DRAFT, AgreementStatus.CLOSED])
def test_no_proposal_under_an_agreement_not_in_force(world, partner, other_sme, status):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(status=status)
    with pytest.raises(Conflict) as exc:
        s.match_propose(actor=partner.user, agreement=world.agreement, company=other_sme.company)
    assert exc.value.code == "agreement_not_active"


def test_one_live_match_per_company_and_agreement(world, partner, sme_owner):
    with pytest.raises(Conflict) as exc:
        s.match_propose(actor=partner.user, agreement=world.agreement, company=sme_owner.company)
    assert exc.value.code == "already_matched"
    # Once the company declined, a new proposal may follow.
    s.match_transition(match=world.proposed, actor=sme_owner.user, action="decline")
    again = s.match_propose(actor=partner.user, agreement=world.agreement, company=sme_owner.company)
    assert again.status == M.PROPOSED


def test_fit_score_is_between_0_and_100(world, partner, other_sme):
    with pytest.raises(ValidationFailed) as exc:
        s.match_propose(actor=partner.user, agreement=world.agreement, company=other_sme.company, score=101)
    assert "score" in exc.value.fields


# --- match transitions ----------------------------------------------------------------------------


def _at(world, status: str) -> Match:
    Match.objects.filter(pk=world.accepted.pk).update(status=status)
    world.accepted.refresh_from_db()
    return world.accepted


@pytest.mark.parametrize(
    ("start", "action", "actor", "target"),
    [
        (M.PROPOSED, "accept", "sme_owner", M.ACCEPTED),
        (M.PROPOSED, "decline", "sme_owner", M.ENDED),
        (M.ACCEPTED, "start", "partner", M.ACTIVE),
        (M.ACCEPTED, "start", "official", M.ACTIVE),
        (M.ACTIVE, "complete", "partner", M.COMPLETED),
        (M.ACTIVE, "complete", "official", M.COMPLETED),
        (M.PROPOSED, "end", "partner", M.ENDED),
        (M.ACCEPTED, "end", "partner", M.ENDED),
        (M.ACTIVE, "end", "official", M.ENDED),
    ],
)
def test_every_match_transition(request, world, start, action, actor, target):
    match = world.proposed
    Match.objects.filter(pk=match.pk).update(status=start)
    match.refresh_from_db()
    user = request.getfixturevalue(actor).user
    done = s.match_transition(match=match, actor=user, action=action, note="사유")
    assert done.status == target
    last = match.history.order_by("-at", "-id").first()
    assert (last.action, last.from_status, last.to_status, last.actor) == (action, start, target, user)


def test_the_sme_declining_ends_the_match_and_frees_the_quota(world, sme_owner):
    s.match_transition(match=world.proposed, actor=sme_owner.user, action="decline")
    world.proposed.refresh_from_db()
    assert world.proposed.status == M.ENDED
    assert world.agreement.matches.exclude(status=M.ENDED).count() == 1


@pytest.mark.parametrize(
    ("start", "action", "actor"),
    [
        (M.PROPOSED, "accept", "partner"),  # the SME answers, not the partner
        (M.PROPOSED, "accept", "official"),
        (M.PROPOSED, "accept", "other_sme"),
        (M.PROPOSED, "decline", "partner"),
        (M.ACCEPTED, "start", "sme_owner"),  # the partner runs the match
        (M.ACCEPTED, "start", "other_partner"),
        (M.ACCEPTED, "start", "institution"),
        (M.ACTIVE, "complete", "sme_owner"),
        (M.ACTIVE, "end", "sme_owner"),
        (M.ACTIVE, "end", "auditor"),
    ],
)
def test_wrong_actor_is_refused(request, world, start, action, actor):
    Match.objects.filter(pk=world.proposed.pk).update(status=start)
    world.proposed.refresh_from_db()
    with pytest.raises(PermissionDenied):
        s.match_transition(
            match=world.proposed, actor=request.getfixturevalue(actor).user, action=action, note="사유"
        )
    world.proposed.refresh_from_db()
    assert world.proposed.status == start
    assert world.proposed.history.count() == 1


@pytest.mark.parametrize(
    ("start", "action", "actor"),
    [
        (M.ACCEPTED, "accept", "sme_owner"),
        (M.ENDED, "decline", "sme_owner"),
        (M.PROPOSED, "start", "partner"),
        (M.ACCEPTED, "complete", "partner"),
        (M.COMPLETED, "end", "partner"),
        (M.ENDED, "end", "partner"),
    ],
)
def test_illegal_transition_is_a_conflict(request, world, start, action, actor):
    Match.objects.filter(pk=world.proposed.pk).update(status=start)
    world.proposed.refresh_from_db()
    with pytest.raises(IllegalTransition):
        s.match_transition(
            match=world.proposed, actor=request.getfixturevalue(actor).user, action=action, note="사유"
        )
    world.proposed.refresh_from_db()
    assert world.proposed.status == start


def test_ending_needs_a_reason(world, partner):
    with pytest.raises(ValidationFailed) as exc:
        s.match_transition(match=world.accepted, actor=partner.user, action="end", note="  ")
    assert exc.value.code == "note_required"
    world.accepted.refresh_from_db()
    assert world.accepted.status == M.ACCEPTED


def test_unknown_action(world, partner):
    with pytest.raises(ValidationFailed) as exc:
        s.match_transition(match=world.accepted, actor=partner.user, action="approve")
    assert exc.value.code == "unknown_action"


# --- mentors --------------------------------------------------------------------------------------


def test_partner_adds_and_changes_a_mentor(partner):
    mentor = s.mentor_create(
        actor=partner.user, partner=partner.organisation, name=" 이멘토 ", expertise=" 품질 "
    )
    assert (mentor.name, mentor.expertise, mentor.is_active) == ("이멘토", "품질", True)
    s.mentor_update(mentor=mentor, actor=partner.user, is_active=False, name="이멘토(퇴직)")
    mentor.refresh_from_db()
    assert (mentor.name, mentor.is_active) == ("이멘토(퇴직)", False)


@pytest.mark.parametrize("persona", ["other_partner", "institution", "auditor", "sme_owner"])
def test_mentors_of_a_partner_are_its_own(request, world, partner, persona):
    actor = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        s.mentor_create(actor=actor, partner=partner.organisation, name="침입자")
    with pytest.raises(PermissionDenied):
        s.mentor_update(mentor=world.mentor, actor=actor, name="침입자")
    world.mentor.refresh_from_db()
    assert world.mentor.name == "김멘토"
    assert Mentor.objects.count() == 2


def test_mentor_needs_a_name_and_a_partner_firm(partner, official, institution):
    with pytest.raises(ValidationFailed) as exc:
        s.mentor_create(actor=partner.user, partner=partner.organisation, name="  ")
    assert "name" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        s.mentor_create(actor=official.user, partner=institution.organisation, name="이름")
    assert "partner" in exc.value.fields


def test_mentor_update_refuses_other_fields_and_an_empty_name(world, partner, other_partner):
    with pytest.raises(ValidationFailed) as exc:
        s.mentor_update(mentor=world.mentor, actor=partner.user, partner=other_partner.organisation)
    assert "partner" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        s.mentor_update(mentor=world.mentor, actor=partner.user, name=" ")
    assert "name" in exc.value.fields


# --- mentoring activity ---------------------------------------------------------------------------


def _log(world, actor, match=None, **changes):
    values = {
        "mentor": world.mentor,
        "kind": "consulting",
        "date": timezone.localdate() - dt.timedelta(days=1),
        "hours": Decimal("2.5"),
        "notes": " 공정 진단 ",
    }
    values.update(changes)
    return s.mentoring_activity_log(actor=actor, match=match or world.accepted, **values)


@pytest.mark.parametrize("status", [M.ACCEPTED, M.ACTIVE])
def test_partner_logs_mentoring_of_an_accepted_or_active_match(world, partner, status):
    match = _at(world, status)
    activity = _log(world, partner.user, match=match)
    assert (activity.hours, activity.notes, activity.created_by) == (
        Decimal("2.5"),
        "공정 진단",
        partner.user,
    )


@pytest.mark.parametrize("status", [M.PROPOSED, M.COMPLETED, M.ENDED])
def test_no_mentoring_before_acceptance_or_after_the_end(world, partner, status):
    match = _at(world, status)
    with pytest.raises(IllegalTransition) as exc:
        _log(world, partner.user, match=match)
    assert exc.value.code == "match_not_active"
    assert MentoringActivity.objects.count() == 2


def test_the_mentor_must_be_the_partner_firms_own_and_active(world, partner):
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user, mentor=world.other_mentor)
    assert "mentor" in exc.value.fields
    Mentor.objects.filter(pk=world.mentor.pk).update(is_active=False)
    world.mentor.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user)
    assert "mentor" in exc.value.fields


def test_no_mentoring_in_the_future(world, partner):
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user, date=timezone.localdate() + dt.timedelta(days=1))
    assert set(exc.value.fields) == {"date"}
    _log(world, partner.user, date=timezone.localdate())


@pytest.mark.parametrize(
    "hours", [Decimal(0), Decimal("0.04"), Decimal(25), Decimal("-1"), "abc", Decimal("NaN")]
)
def test_hours_are_between_a_tenth_and_24(world, partner, hours):
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user, hours=hours)
    assert set(exc.value.fields) == {"hours"}
    assert MentoringActivity.objects.count() == 2


def test_unknown_kind(world, partner):
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user, kind="dinner")
    assert "kind" in exc.value.fields


@pytest.mark.parametrize("persona", ["other_partner", "institution", "auditor", "sme_owner"])
def test_only_the_partner_or_an_official_logs_mentoring(request, world, persona):
    with pytest.raises(PermissionDenied):
        _log(world, request.getfixturevalue(persona).user)
    assert MentoringActivity.objects.count() == 2


def test_official_logs_mentoring_too(world, official):
    assert _log(world, official.user, hours=Decimal(24)).hours == Decimal("24.0")


def test_no_mentoring_dated_before_the_sme_accepted(world, partner, sme_owner):
    company = f.CompanyFactory()
    f.member(sme_owner.user, company.organisation, "sme")
    match = s.match_propose(actor=partner.user, agreement=world.agreement, company=company)
    match = s.match_transition(match=match, actor=sme_owner.user, action="accept")
    accepted_on = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        _log(world, partner.user, match=match, date=accepted_on - dt.timedelta(days=1))
    assert set(exc.value.fields) == {"date"}
    assert _log(world, partner.user, match=match, date=accepted_on).pk
