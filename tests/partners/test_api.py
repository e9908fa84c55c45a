"""The partners API and the portfolio/comparison API: payloads, filters, refusals as error bodies,
aggregates, constant query counts and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from applications.models import Application, ApplicationStatus
from core.models import User
from core.roles import Role
from partners.models import (
    AgreementStatus,
    Match,
    MatchStatus,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from tests import factories as f
from tests.applications.support import assert_error_body
from tests.factories import make_brn
from tests.partners.conftest import partner_db_state

P = "/api/v1/partners"
S = ApplicationStatus
VALID_BRN = make_brn()


def _dashed(brn: str) -> str:
    return f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"


# --- consortia and agreements -----------------------------------------------------------------------


def test_official_forms_a_consortium(official, partner, institution):
    response = official.api().post(
        f"{P}/consortia/create/",
        {
            "partner": partner.organisation.pk,
            "institution": institution.organisation.pk,
            "name_ko": "삼성전자·재단 상생 컨소시엄",
            "established_on": "2019-07-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["partner_name"], body["institution_id"]) == ("삼성전자", institution.organisation.pk)
    again = official.api().post(
        f"{P}/consortia/create/",
        {
            "partner": partner.organisation.pk,
            "institution": institution.organisation.pk,
            "name_ko": "다시",
            "established_on": "2019-07-02",
        },
        format="json",
    )
    assert_error_body(again, 409, "consortium_exists")


def test_consortium_refuses_wrong_kinds_and_unknown_ids(official, partner, institution):
    response = official.api().post(
        f"{P}/consortia/create/",
        {
            "partner": institution.organisation.pk,
            "institution": partner.organisation.pk,
            "name_ko": "거꾸로",
            "established_on": "2019-07-02",
        },
        format="json",
    )
    assert set(assert_error_body(response, 400, "invalid")["fields"]) == {"partner", "institution"}
    response = official.api().post(
        f"{P}/consortia/create/",
        {"partner": 999_999, "institution": "3", "name_ko": "x", "established_on": "2019-07-02"},
        format="json",
    )
    assert set(assert_error_body(response, 400)["fields"]) == {"institution"}


def test_agreement_detail_has_money_quota_live_matches_regions_and_industries(world, partner):
    world.agreement.regions.set([f.region("gyeonggi")])
    world.agreement.industries.set([f.ksic("29")])
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(committed_krw=250_000_000)
    f.MatchFactory(agreement=world.agreement, status=MatchStatus.ENDED)
    body = partner.api().get(f"{P}/agreements/{world.agreement.pk}/").json()
    assert body["pledged_krw"] == 1_000_000_000
    assert body["committed_krw"] == 250_000_000
    assert body["remaining_krw"] == 750_000_000
    assert body["execution_bp"] == 2500
    assert (body["mentee_quota"], body["live_matches"]) == (10, 2)
    assert [r["slug"] for r in body["regions"]] == ["gyeonggi"]
    assert [k["code"] for k in body["industries"]] == ["29"]
    assert (body["can_edit"], body["can_propose"]) == (False, True)


def test_agreement_create_and_update_through_the_api(world, institution):
    client = institution.api()
    response = client.post(
        f"{P}/consortia/{world.consortium.pk}/agreements/create/",
        {
            "fiscal_year": 2027,
            "pledged_krw": "1,500,000,000",
            "mentee_quota": 40,
            "tracks": ["winwin_type2", "winwin_type1"],
            "signed_on": "2027-01-05",
            "regions": ["busan", "ulsan"],
            "industries": ["29"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["pledged_krw"], body["tracks"], body["can_edit"]) == (
        1_500_000_000,
        ["winwin_type1", "winwin_type2"],
        True,
    )
    assert {r["slug"] for r in body["regions"]} == {"busan", "ulsan"}
    response = client.patch(
        f"{P}/agreements/{body['id']}/update/", {"status": "closed", "regions": []}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["regions"]) == ("closed", [])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"pledged_krw": 1.5}, "pledged_krw"),
        ({"pledged_krw": "1e9"}, "pledged_krw"),
        ({"pledged_krw": -1}, "pledged_krw"),
        ({"mentee_quota": "3"}, "mentee_quota"),
        ({"mentee_quota": 0}, "mentee_quota"),
        ({"tracks": ["government_only"]}, "tracks[0]"),
        ({"tracks": []}, "tracks"),
        ({"regions": ["atlantis"]}, "regions"),
        ({"status": "signed"}, "status"),
    ],
)
def test_agreement_update_refuses_bad_values(world, official, payload, field):
    before = partner_db_state()
    response = official.api().patch(f"{P}/agreements/{world.agreement.pk}/update/", payload, format="json")
    body = assert_error_body(response, 400, "invalid")
    assert any(key.startswith(field.split("[")[0]) for key in body["fields"]), body
    assert partner_db_state() == before


def test_pledge_and_quota_floors_are_409(world, official):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(committed_krw=300_000_000)
    client = official.api()
    url = f"{P}/agreements/{world.agreement.pk}/update/"
    body = assert_error_body(client.patch(url, {"pledged_krw": 200_000_000}, format="json"), 409)
    assert body["code"] == "pledge_below_committed"
    assert "pledged_krw" in body["fields"]
    body = assert_error_body(client.patch(url, {"mentee_quota": 1}, format="json"), 409)
    assert body["code"] == "quota_below_matches"


def test_agreement_list_filters(world, official):
    f.AgreementFactory(consortium=world.consortium, fiscal_year=2025, status=AgreementStatus.CLOSED)
    client = official.api()

    def ids(**params):
        return {row["id"] for row in client.get(f"{P}/agreements/", params).json()["results"]}

    assert len(ids()) == 3
    assert ids(fiscal_year=2026) == {world.agreement.pk, world.other_agreement.pk}
    assert len(ids(status="closed")) == 1
    assert ids(consortium=world.other_consortium.pk) == {world.other_agreement.pk}
    assert ids(partner=world.consortium.partner_id, fiscal_year=2026) == {world.agreement.pk}
    assert_error_body(client.get(f"{P}/agreements/", {"status": "nope"}), 400, "invalid")


# --- supply-chain ties -------------------------------------------------------------------------------


def test_bulk_ties_add_with_the_partners_own_firm_by_default(world, partner):
    first, second = make_brn(), make_brn()
    response = partner.api().post(
        f"{P}/ties/add/",
        {
            "entries": [
                {"brn": _dashed(first), "name": "협력1"},
                {"brn": second},
                {"brn": world.free_company.brn},
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rows = {row["brn"].replace("-", ""): row for row in response.json()}
    assert set(rows) == {first, second, world.free_company.brn}
    assert rows[world.free_company.brn]["registered"] is True
    assert rows[first]["registered"] is False
    assert rows[first]["name"] == "협력1"


def test_bulk_ties_are_all_or_nothing_naming_the_bad_line(world, partner):
    before = partner_db_state()
    response = partner.api().post(
        f"{P}/ties/add/",
        {"entries": [{"brn": make_brn()}, {"brn": "123-45-67890"}, {"brn": "12"}]},
        format="json",
    )
    body = assert_error_body(response, 400, "invalid")
    assert set(body["fields"]) == {"line 2", "line 3"}
    assert partner_db_state() == before


def test_an_official_names_the_partner_firm_of_ties(world, official):
    response = official.api().post(f"{P}/ties/add/", {"entries": [{"brn": make_brn()}]}, format="json")
    assert "partner" in assert_error_body(response, 400)["fields"]
    response = official.api().post(
        f"{P}/ties/add/",
        {"partner": world.other_consortium.partner_id, "entries": [{"brn": make_brn()}]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()[0]["partner_id"] == world.other_consortium.partner_id


def test_tie_list_filters_and_removal(world, partner):
    client = partner.api()
    SupplyChainTie.objects.create(partner=world.consortium.partner, brn=make_brn(), name="미등록 협력사")
    rows = client.get(f"{P}/ties/", {"registered": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [world.tie.pk]
    assert client.get(f"{P}/ties/", {"q": "미등록"}).json()["count"] == 1
    assert client.get(f"{P}/ties/", {"q": world.tie.brn[:5]}).json()["count"] >= 1
    assert client.post(f"{P}/ties/{world.tie.pk}/remove/").status_code == 204
    assert_error_body(client.post(f"{P}/ties/{world.tie.pk}/remove/"), 404, "not_found")


# --- matches -----------------------------------------------------------------------------------------


def test_propose_by_registration_number_then_the_sme_accepts(world, partner):
    owner = f.UserFactory()
    f.member(owner, world.free_company.organisation, Role.SME)
    response = partner.api().post(
        f"{P}/agreements/{world.agreement.pk}/propose/",
        {
            "brn": _dashed(world.free_company.brn),
            "score": 77,
            "reasons": [{"code": "region", "label": "같은 지역", "points": 20}],
            "note": "MES 고도화를 함께 하고 싶습니다",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["score"], body["company_id"]) == ("proposed", 77, world.free_company.pk)
    assert body["reasons"] == [{"code": "region", "label": "같은 지역", "points": 20}]
    assert [h["action"] for h in body["history"]] == ["propose"]
    assert [(a["action"], a["note_required"]) for a in body["available_actions"]] == [("end", True)]

    sme = APIClient()
    sme.force_authenticate(owner)
    inbox = sme.get(f"{P}/matches/", {"status": "proposed"}).json()
    assert [m["id"] for m in inbox["results"]] == [body["id"]]
    detail = sme.get(f"{P}/matches/{body['id']}/").json()
    assert [a["action"] for a in detail["available_actions"]] == ["accept", "decline"]
    accepted = sme.post(f"{P}/matches/{body['id']}/transition/", {"action": "accept"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert [h["to_status"] for h in accepted.json()["history"]] == ["proposed", "accepted"]


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"brn": "123-45-67890"}, 400, "invalid", "brn"),  # bad check digit
        ({"brn": "1234"}, 400, "invalid", "brn"),
        ({}, 400, "invalid", "company"),
        ({"company": 1, "brn": VALID_BRN}, 400, "invalid", "company"),
        ({"score": 101, "brn": "X"}, 400, "invalid", None),
        ({"company": "1"}, 400, "invalid", "company"),
    ],
)
def test_propose_refuses_bad_input(world, partner, payload, status, code, field):
    before = partner_db_state()
    response = partner.api().post(f"{P}/agreements/{world.agreement.pk}/propose/", payload, format="json")
    body = assert_error_body(response, status, code)
    if field:
        assert field in body["fields"], body
    assert partner_db_state() == before


def test_propose_refuses_unregistered_numbers_and_invisible_companies(world, partner, other_sme):
    client = partner.api()
    url = f"{P}/agreements/{world.agreement.pk}/propose/"
    body = assert_error_body(client.post(url, {"brn": make_brn()}, format="json"), 400)
    assert "brn" in body["fields"]
    # A partner firm cannot see the registry: an id is refused like one that does not exist.
    body = assert_error_body(client.post(url, {"company": other_sme.company.pk}, format="json"), 400)
    assert "company" in body["fields"]


def test_official_proposes_by_company_id(world, official):
    response = official.api().post(
        f"{P}/agreements/{world.agreement.pk}/propose/", {"company": world.free_company.pk}, format="json"
    )
    assert response.status_code == 201, response.content


def test_propose_conflicts(world, partner, sme_owner):
    client = partner.api()
    url = f"{P}/agreements/{world.agreement.pk}/propose/"
    body = assert_error_body(client.post(url, {"brn": sme_owner.company.brn}, format="json"), 409)
    assert body["code"] == "already_matched"
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(mentee_quota=2)
    body = assert_error_body(client.post(url, {"brn": world.free_company.brn}, format="json"), 409)
    assert body["code"] == "mentee_quota_reached"
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(
        mentee_quota=10, status=AgreementStatus.CLOSED
    )
    body = assert_error_body(client.post(url, {"brn": world.free_company.brn}, format="json"), 409)
    assert body["code"] == "agreement_not_active"


def test_transitions_through_the_api(world, partner, sme_owner):
    client = partner.api()
    url = f"{P}/matches/{world.accepted.pk}/transition/"
    assert client.post(url, {"action": "start"}, format="json").json()["status"] == "active"
    assert_error_body(client.post(url, {"action": "start"}, format="json"), 409, "illegal_transition")
    assert_error_body(client.post(url, {"action": "end"}, format="json"), 400, "note_required")
    assert_error_body(client.post(url, {"action": "fly"}, format="json"), 400, "invalid")
    body = client.post(url, {"action": "end", "note": "사업 중단"}, format="json").json()
    assert body["status"] == "ended"
    assert body["history"][-1]["note"] == "사업 중단"
    decline = sme_owner.api().post(
        f"{P}/matches/{world.proposed.pk}/transition/", {"action": "decline"}, format="json"
    )
    assert decline.json()["status"] == "ended"


def test_match_list_filters(world, official):
    f.MatchFactory(
        agreement=f.AgreementFactory(consortium=world.consortium, fiscal_year=2025),
        company=world.free_company,
        status=MatchStatus.COMPLETED,
    )
    client = official.api()

    def ids(**params):
        return {row["id"] for row in client.get(f"{P}/matches/", params).json()["results"]}

    assert ids(status="proposed") == {world.proposed.pk}
    assert ids(status=["accepted", "proposed"], agreement=world.agreement.pk) == {
        world.proposed.pk,
        world.accepted.pk,
    }
    assert ids(company=world.other_match.company_id) == {world.other_match.pk}
    assert len(ids(fiscal_year=2025)) == 1
    assert ids(partner=world.other_consortium.partner_id) == {world.other_match.pk}


# --- mentors and mentoring ---------------------------------------------------------------------------


def test_mentors_create_update_and_list(world, partner):
    client = partner.api()
    created = client.post(f"{P}/mentors/create/", {"name": "이멘토", "expertise": "물류"}, format="json")
    assert created.status_code == 201, created.content
    mentor_id = created.json()["id"]
    assert created.json()["partner_id"] == world.consortium.partner_id
    updated = client.patch(f"{P}/mentors/{mentor_id}/update/", {"is_active": False}, format="json")
    assert updated.json()["is_active"] is False
    assert {m["id"] for m in client.get(f"{P}/mentors/", {"is_active": "true"}).json()["results"]} == {
        world.mentor.pk
    }
    assert_error_body(client.post(f"{P}/mentors/create/", {"name": ""}, format="json"), 400, "invalid")


def test_mentoring_create_and_list_filters(world, partner):
    client = partner.api()
    url = f"{P}/matches/{world.accepted.pk}/activities/create/"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "mentor": world.mentor.pk,
            "kind": "training",
            "date": yesterday.isoformat(),
            "hours": "4.5",
            "notes": "교육",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["hours"], response.json()["kind"]) == ("4.5", "training")

    def ids(**params):
        return {row["id"] for row in client.get(f"{P}/activities/", params).json()["results"]}

    assert len(ids()) == 2
    assert ids(kind="visit") == {world.activity.pk}
    assert ids(date_from=yesterday.isoformat()) == {response.json()["id"]}
    assert ids(date_to="2026-03-02", match=world.accepted.pk, mentor=world.mentor.pk) == {world.activity.pk}
    detail = client.get(f"{P}/matches/{world.accepted.pk}/").json()
    assert detail["mentoring_hours"] == "7.5"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"hours": "0"}, 400, "hours"),
        ({"hours": "25"}, 400, "hours"),
        ({"hours": "NaN"}, 400, "hours"),
        ({"date": "2099-01-01"}, 400, "date"),
        ({"kind": "dinner"}, 400, "kind"),
        ({"mentor": 999_999}, 400, "mentor"),
        ({"mentor": "1"}, 400, "mentor"),
    ],
)
def test_mentoring_refuses_bad_input(world, partner, changes, status, field):
    payload = {"mentor": world.mentor.pk, "kind": "visit", "date": "2026-10-01", "hours": "2"}
    payload.update(changes)
    before = partner_db_state()
    response = partner.api().post(
        f"{P}/matches/{world.accepted.pk}/activities/create/", payload, format="json"
    )
    assert field in assert_error_body(response, status)["fields"]
    assert partner_db_state() == before


def test_mentoring_on_a_proposed_match_is_409_and_another_firms_mentor_400(world, partner, official):
    payload = {"mentor": world.mentor.pk, "kind": "visit", "date": "2026-10-01", "hours": "2"}
    response = partner.api().post(
        f"{P}/matches/{world.proposed.pk}/activities/create/", payload, format="json"
    )
    assert_error_body(response, 409, "match_not_active")
    payload["mentor"] = world.other_mentor.pk
    response = official.api().post(
        f"{P}/matches/{world.accepted.pk}/activities/create/", payload, format="json"
    )
    assert "mentor" in assert_error_body(response, 400)["fields"]


# --- portfolio and comparison ------------------------------------------------------------------------


def _cofunded(agreement: WinWinAgreement, status: str, *, confirmed: int | None = None, level: str = "L1"):
    app = f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=agreement.fiscal_year, program_type="winwin_type1"),
        partner_agreement=agreement,
        status=status,
        submitted_at=None if status == S.DRAFT else timezone.now(),
        current_level=f.level(level),
        target_level=f.target_level("advanced1"),
        total_cost_krw=100_000_000,
        gov_amount_krw=30_000_000,
        partner_amount_krw=30_000_000,
        sme_amount_krw=40_000_000,
    )
    if confirmed:
        Application.objects.filter(pk=app.pk).update(
            partner_confirmed_krw=confirmed,
            partner_confirmed_at=timezone.now(),
            partner_confirmed_by=app.created_by,
        )
    return app


@pytest.fixture
def portfolio_world(world):
    """World plus co-funded applications of the first agreement in several states."""
    a = world.agreement
    _cofunded(a, S.DRAFT, confirmed=30_000_000)
    _cofunded(a, S.EVALUATION, confirmed=30_000_000)
    _cofunded(a, S.SELECTED, confirmed=30_000_000, level="L2")
    _cofunded(a, S.COMPLETED, confirmed=30_000_000)
    _cofunded(a, S.SETTLED, confirmed=30_000_000)
    _cofunded(a, S.WITHDRAWN)
    _cofunded(world.other_agreement, S.CLOSED, confirmed=50_000_000)
    WinWinAgreement.objects.filter(pk=a.pk).update(committed_krw=150_000_000)
    WinWinAgreement.objects.filter(pk=world.other_agreement.pk).update(
        committed_krw=50_000_000, pledged_krw=200_000_000
    )
    Match.objects.filter(pk=world.accepted.pk).update(status=MatchStatus.COMPLETED)
    MentoringActivity.objects.create(
        match=world.accepted,
        mentor=world.mentor,
        kind="remote",
        date=dt.date(2026, 4, 1),
        hours=Decimal("1.5"),
        created_by=world.activity.created_by,
    )
    return world


def test_portfolio_of_an_agreement(portfolio_world, partner):
    w = portfolio_world
    body = partner.api().get(f"{P}/portfolio/", {"agreement": w.agreement.pk}).json()
    assert body["fiscal_year"] == 2026
    assert [a["id"] for a in body["agreements"]] == [w.agreement.pk]
    assert (body["pledged_krw"], body["committed_krw"], body["remaining_krw"]) == (
        1_000_000_000,
        150_000_000,
        850_000_000,
    )
    assert body["execution_bp"] == 1500
    assert (body["confirmed_krw"], body["confirmed_applications"]) == (150_000_000, 5)
    assert (body["mentee_quota"], body["live_matches"], body["quota_bp"]) == (10, 2, 2000)
    by_status = {row["status"]: row["count"] for row in body["matches_by_status"]}
    assert by_status == {"proposed": 1, "accepted": 0, "active": 0, "completed": 1, "ended": 0}
    apps = {row["status"]: row["count"] for row in body["applications_by_status"]}
    assert apps == {"draft": 1, "evaluation": 1, "selected": 1, "completed": 1, "settled": 1, "withdrawn": 1}
    assert (body["cofunded_applications"], body["draft_applications"]) == (5, 1)
    assert (body["supported_projects"], body["completed_projects"]) == (3, 2)
    levels = {
        (line["before_code"], line["after_code"], line["after_basis"]): line["count"]
        for line in body["levels"]
    }
    assert levels == {("L1", "L3", "target"): 2, ("L2", "L3", "target"): 1}
    assert (body["mentoring_hours"], body["mentoring_sessions"], body["mentees_mentored"]) == ("4.5", 2, 1)


def test_portfolio_mentees_have_hours_and_applications(portfolio_world, partner):
    w = portfolio_world
    rows = partner.api().get(f"{P}/portfolio/mentees/", {"fiscal_year": 2026}).json()["results"]
    by_match = {row["match_id"]: row for row in rows}
    assert set(by_match) == {w.proposed.pk, w.accepted.pk}
    assert (by_match[w.accepted.pk]["mentoring_hours"], by_match[w.accepted.pk]["mentoring_sessions"]) == (
        "4.5",
        2,
    )
    assert by_match[w.proposed.pk]["mentoring_hours"] == "0.0"


def test_portfolio_of_a_year_defaults_to_the_latest(portfolio_world, partner, official):
    f.AgreementFactory(consortium=portfolio_world.consortium, fiscal_year=2025)
    body = partner.api().get(f"{P}/portfolio/").json()
    assert body["fiscal_year"] == 2026
    assert len(partner.api().get(f"{P}/portfolio/", {"fiscal_year": 2025}).json()["agreements"]) == 1
    national = official.api().get(f"{P}/portfolio/", {"fiscal_year": 2026}).json()
    assert len(national["agreements"]) == 2
    one = (
        official.api()
        .get(f"{P}/portfolio/", {"fiscal_year": 2026, "partner": portfolio_world.other_consortium.partner_id})
        .json()
    )
    assert [a["id"] for a in one["agreements"]] == [portfolio_world.other_agreement.pk]
    assert_error_body(partner.api().get(f"{P}/portfolio/", {"fiscal_year": "x"}), 400, "invalid")


def test_an_empty_portfolio(partner):
    body = partner.api().get(f"{P}/portfolio/").json()
    assert (body["fiscal_year"], body["agreements"], body["pledged_krw"]) == (None, [], 0)


def test_comparison_rows_totals_and_sorting(portfolio_world, official):
    w = portfolio_world
    client = official.api()
    body = client.get(f"{P}/comparison/").json()
    assert body["fiscal_year"] == 2026
    assert body["ordering"] == "-pledged"
    rows = {row["partner_id"]: row for row in body["rows"]}
    mine, theirs = rows[w.consortium.partner_id], rows[w.other_consortium.partner_id]
    assert (mine["pledged_krw"], mine["committed_krw"], mine["execution_bp"]) == (
        1_000_000_000,
        150_000_000,
        1500,
    )
    assert (mine["mentee_quota"], mine["live_matches"], mine["completed_matches"]) == (10, 2, 1)
    assert (mine["cofunded_applications"], mine["selected_projects"], mine["completed_projects"]) == (5, 3, 2)
    assert mine["mentoring_hours"] == "4.5"
    assert (theirs["execution_bp"], theirs["completed_projects"], theirs["mentoring_hours"]) == (
        2500,
        1,
        "2.0",
    )
    totals = body["totals"]
    assert totals["pledged_krw"] == 1_200_000_000
    assert totals["committed_krw"] == 200_000_000
    assert totals["execution_bp"] == 1667
    assert totals["mentoring_hours"] == "6.5"
    assert [r["partner_id"] for r in body["rows"]] == [w.consortium.partner_id, w.other_consortium.partner_id]
    by_rate = client.get(f"{P}/comparison/", {"ordering": "-execution"}).json()
    assert [r["partner_id"] for r in by_rate["rows"]] == [
        w.other_consortium.partner_id,
        w.consortium.partner_id,
    ]
    by_name = client.get(f"{P}/comparison/", {"ordering": "partner"}).json()
    assert [r["partner_name"] for r in by_name["rows"]] == sorted(r["partner_name"] for r in body["rows"])
    assert (
        "ordering" in assert_error_body(client.get(f"{P}/comparison/", {"ordering": "salary"}), 400)["fields"]
    )
    empty = client.get(f"{P}/comparison/", {"fiscal_year": 2030}).json()
    assert (empty["rows"], empty["totals"]["pledged_krw"]) == ([], 0)


def test_comparison_defaults_to_the_latest_year(world, official):
    f.AgreementFactory(consortium=world.consortium, fiscal_year=2024)
    assert official.api().get(f"{P}/comparison/").json()["years"] == [2026, 2024]


# --- constant query counts ---------------------------------------------------------------------------

ROWS = 6


def count_queries(user: User, url: str, params: dict) -> tuple[int, dict]:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))  # nothing cached from an earlier request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


@pytest.fixture
def many(world, partner):
    """ROWS more of everything under the first agreement."""
    for i in range(ROWS):
        company = f.CompanyFactory()
        match = f.MatchFactory(agreement=world.agreement, company=company, status=MatchStatus.ACTIVE)
        MentoringActivity.objects.create(
            match=match,
            mentor=world.mentor,
            kind="visit",
            date=dt.date(2026, 5, 1 + i),
            hours=Decimal(2),
            created_by=partner.user,
        )
        SupplyChainTie.objects.create(partner=world.consortium.partner, brn=company.brn)
        f.AgreementFactory(consortium=world.consortium, fiscal_year=2019 + i)
        f.ConsortiumFactory(partner=world.consortium.partner)
        Mentor.objects.create(partner=world.consortium.partner, name=f"멘토{i}")
        _cofunded(world.agreement, S.SELECTED, confirmed=1_000_000)
    return world


LIST_PATHS = ["consortia", "agreements", "ties", "matches", "mentors", "activities", "portfolio/mentees"]


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        (persona, path)
        for persona in ("partner", "institution", "official", "sme_owner")
        for path in LIST_PATHS
        if not (persona == "sme_owner" and path == "portfolio/mentees")  # SMEs have no portfolio
    ],
)
def test_list_query_count_does_not_grow_with_the_page(request, many, persona, path):
    user = request.getfixturevalue(persona).user
    url = f"{P}/{path}/"
    small, body_small = count_queries(user, url, {"page_size": 1})
    large, body_large = count_queries(user, url, {"page_size": 50})
    assert small == large, (small, large)
    if body_large["count"] > 1:
        assert len(body_large["results"]) > len(body_small["results"])


@pytest.mark.parametrize("persona", ["partner", "official"])
def test_portfolio_and_comparison_take_a_fixed_number_of_queries(request, world, persona, official):
    user = request.getfixturevalue(persona).user
    before_portfolio, _ = count_queries(user, f"{P}/portfolio/", {"fiscal_year": 2026})
    before_comparison, _ = count_queries(official.user, f"{P}/comparison/", {})
    for _i in range(ROWS):
        f.AgreementFactory(fiscal_year=2026)  # another partner firm each time
    many_world = request.getfixturevalue("many")
    _cofunded(many_world.other_agreement, S.COMPLETED)
    after_portfolio, _body = count_queries(user, f"{P}/portfolio/", {"fiscal_year": 2026})
    after_comparison, comparison = count_queries(official.user, f"{P}/comparison/", {})
    assert after_portfolio == before_portfolio
    assert after_comparison == before_comparison
    assert len(comparison["rows"]) == 2 + ROWS
    assert after_portfolio <= 10


# --- OpenAPI -----------------------------------------------------------------------------------------


@pytest.fixture
def schema(db):
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_documents_every_partners_operation(schema):
    validate_schema(schema)
    ops = [
        (method, path, op)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/partners/")
        for method, op in item.items()
        if method in {"get", "post", "patch", "put", "delete"}
    ]
    assert len(ops) == 22
    assert [f"{m} {p}" for m, p, op in ops if not (op.get("summary") or op.get("description"))] == []
    ids = [op["operationId"] for _m, _p, op in ops]
    assert len(ids) == len(set(ids))
    agreement = schema["components"]["schemas"]["AgreementDetailOutput"]["properties"]["pledged_krw"]
    assert (agreement["type"], agreement["format"]) == ("integer", "int64")
