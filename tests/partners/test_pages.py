"""Every win-win page renders for the roles that use it and refuses the others; the forms drive the
services (assertions on ids, CSS hooks and the database, not on translated text)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    AgreementStatus,
    Consortium,
    Match,
    MatchStatus,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from tests import factories as f
from tests.factories import make_brn
from tests.partners.conftest import World, partner_db_state

PARTNERSHIP_ROLES = ["partner", "institution", "official", "auditor"]
OTHER_ROLES = ["sme_owner", "regional_officer", "evaluator", "supplier_user", "finance_officer"]


def url(name: str, w: World) -> str:
    return {
        "agreement-list": reverse("partners:agreement-list"),
        "agreement-detail": reverse("partners:agreement-detail", args=[w.agreement.pk]),
        "agreement-new": reverse("partners:agreement-new"),
        "agreement-edit": reverse("partners:agreement-edit", args=[w.agreement.pk]),
        "match-propose": reverse("partners:match-propose", args=[w.agreement.pk]),
        "consortium-list": reverse("partners:consortium-list"),
        "consortium-new": reverse("partners:consortium-new"),
        "tie-list": reverse("partners:tie-list") + f"?partner={w.consortium.partner_id}",
        "mentor-list": reverse("partners:mentor-list"),
        "mentor-edit": reverse("partners:mentor-edit", args=[w.mentor.pk]),
        "match-list": reverse("partners:match-list"),
        "match-detail": reverse("partners:match-detail", args=[w.accepted.pk]),
        "proposal-detail": reverse("partners:match-detail", args=[w.proposed.pk]),
        "portfolio": reverse("portfolio:portfolio"),
        "portfolio-agreement": reverse("portfolio:portfolio") + f"?agreement={w.agreement.pk}",
        "comparison": reverse("portfolio:comparison"),
    }[name]


# page: (who gets 200, who gets 403, who gets 404)
ACCESS = {
    "agreement-list": (PARTNERSHIP_ROLES, OTHER_ROLES, []),
    "agreement-detail": (PARTNERSHIP_ROLES, [], ["other_partner", "other_institution", *OTHER_ROLES]),
    "agreement-new": (["official", "institution"], ["partner", "auditor", *OTHER_ROLES], []),
    "agreement-edit": (["official", "institution"], ["partner", "auditor"], ["other_partner", "sme_owner"]),
    "match-propose": (["partner", "official"], ["institution", "auditor"], ["other_partner", "sme_owner"]),
    "consortium-list": (PARTNERSHIP_ROLES, OTHER_ROLES, []),
    "consortium-new": (["official"], ["partner", "institution", "auditor", *OTHER_ROLES], []),
    "tie-list": (PARTNERSHIP_ROLES, OTHER_ROLES, ["other_partner", "other_institution"]),
    "mentor-list": (["partner", "official", "auditor"], ["institution", *OTHER_ROLES], []),
    "mentor-edit": (["partner", "official"], ["auditor"], ["other_partner", "institution"]),
    "match-list": (
        [*PARTNERSHIP_ROLES, "sme_owner", "other_sme"],
        ["regional_officer", "evaluator", "supplier_user"],
        [],
    ),
    "match-detail": (PARTNERSHIP_ROLES, [], ["other_partner", "other_institution", "sme_owner", "other_sme"]),
    "proposal-detail": ([*PARTNERSHIP_ROLES, "sme_owner"], [], ["other_partner", "other_sme"]),
    "portfolio": (PARTNERSHIP_ROLES, OTHER_ROLES, []),
    "portfolio-agreement": (PARTNERSHIP_ROLES, OTHER_ROLES, ["other_partner", "other_institution"]),
    "comparison": (["official", "auditor"], ["partner", "institution", "other_partner", *OTHER_ROLES], []),
}


def cases():
    for page, (ok, forbidden, missing) in ACCESS.items():
        for persona in ok:
            yield pytest.param(page, persona, 200, id=f"{page}-{persona}-200")
        for persona in forbidden:
            yield pytest.param(page, persona, 403, id=f"{page}-{persona}-403")
        for persona in missing:
            yield pytest.param(page, persona, 404, id=f"{page}-{persona}-404")


@pytest.mark.parametrize(("page", "persona", "expected"), list(cases()))
def test_page_access(request, world, other_institution, page, persona, expected):
    response = request.getfixturevalue(persona).browser().get(url(page, world))
    assert response.status_code == expected, (page, persona)


@pytest.mark.parametrize("page", ACCESS)
def test_anonymous_is_sent_to_login(world, anonymous, page):
    response = anonymous.browser().get(url(page, world))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- navigation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("partner", ["portfolio:portfolio", "partners:agreement-list"], ["portfolio:comparison"]),
        ("institution", ["partners:agreement-list"], ["portfolio:comparison", "portfolio:portfolio"]),
        ("sme_owner", ["partners:match-list"], ["partners:agreement-list"]),
        ("official", ["partners:agreement-list", "portfolio:comparison"], []),
        ("auditor", ["partners:agreement-list", "portfolio:comparison"], []),
        ("evaluator", [], ["partners:agreement-list", "partners:match-list"]),
    ],
)
def test_navigation_entries(db, request, persona, expected, absent):
    html = request.getfixturevalue(persona).browser().get(reverse("programs:call-list")).content.decode()
    nav = re.search(r'<nav class="app-nav".*?</nav>', html, re.S).group(0)
    for name in expected:
        assert f'href="{reverse(name)}"' in nav, name
    for name in absent:
        assert f'href="{reverse(name)}"' not in nav, name


# --- consortia and agreements ----------------------------------------------------------------------


def test_official_forms_a_consortium_then_records_its_agreement(official, partner, institution):
    client = official.browser()
    response = client.post(
        reverse("partners:consortium-new"),
        {
            "partner": partner.organisation.pk,
            "institution": institution.organisation.pk,
            "name_ko": "삼성전자·재단 컨소시엄",
            "established_on": "2019-07-02",
        },
    )
    consortium = Consortium.objects.get()
    assert response["Location"] == reverse("partners:agreement-new") + f"?consortium={consortium.pk}"
    form = client.get(response["Location"]).content.decode()
    assert f'<option value="{consortium.pk}" selected>' in form
    response = client.post(
        reverse("partners:agreement-new"),
        {
            "consortium": consortium.pk,
            "fiscal_year": 2026,
            "pledged_krw": "1,200,000,000",
            "mentee_quota": 30,
            "tracks": ["winwin_type1", "partner_track"],
            "signed_on": "2026-01-15",
            "regions": [f.region("gyeonggi").pk],
            "industries": [f.ksic("29").pk],
        },
    )
    agreement = WinWinAgreement.objects.get()
    assert response["Location"] == reverse("partners:agreement-detail", args=[agreement.pk])
    assert (agreement.pledged_krw, agreement.tracks) == (1_200_000_000, ["partner_track", "winwin_type1"])
    assert [r.slug for r in agreement.regions.all()] == ["gyeonggi"]


def test_duplicate_consortium_is_a_form_error(world, official):
    before = partner_db_state()
    response = official.browser().post(
        reverse("partners:consortium-new"),
        {
            "partner": world.consortium.partner_id,
            "institution": world.consortium.institution_id,
            "name_ko": "또",
            "established_on": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert 'class="app-errors"' in response.content.decode()
    assert partner_db_state() == before


def test_institution_only_chooses_its_own_consortia(world, institution):
    html = institution.browser().get(reverse("partners:agreement-new")).content.decode()
    assert f'value="{world.consortium.pk}"' in html
    assert f'value="{world.other_consortium.pk}"' not in html
    response = institution.browser().post(
        reverse("partners:agreement-new"),
        {
            "consortium": world.other_consortium.pk,
            "fiscal_year": 2027,
            "pledged_krw": "100",
            "mentee_quota": 1,
            "tracks": ["winwin_type1"],
            "signed_on": "2027-01-01",
        },
    )
    assert response.status_code == 200  # not a valid choice
    assert not WinWinAgreement.objects.filter(fiscal_year=2027).exists()


def test_edit_agreement_keeps_the_pledge_above_what_is_committed(world, institution):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(committed_krw=500_000_000)
    client = institution.browser()
    edit = reverse("partners:agreement-edit", args=[world.agreement.pk])
    values = {
        "pledged_krw": "400,000,000",
        "mentee_quota": 10,
        "tracks": list(world.agreement.tracks),
        "signed_on": "2026-01-15",
        "status": "active",
    }
    response = client.post(edit, values)
    assert response.status_code == 200
    assert 'class="form-hint-invalid"' in response.content.decode()
    world.agreement.refresh_from_db()
    assert world.agreement.pledged_krw == 1_000_000_000
    response = client.post(edit, {**values, "pledged_krw": "600,000,000", "status": "closed"})
    assert response.status_code == 302
    world.agreement.refresh_from_db()
    assert (world.agreement.pledged_krw, world.agreement.status) == (600_000_000, AgreementStatus.CLOSED)


def test_agreement_detail_shows_pledge_quota_matches_and_actions(world, partner, institution):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(committed_krw=250_000_000)
    html = partner.browser().get(url("agreement-detail", world)).content.decode()
    assert 'id="pledge-meter"' in html
    assert 'max="1000000000" value="250000000"' in html
    assert 'id="quota-meter"' in html
    assert f'id="match-{world.proposed.pk}"' in html
    assert f'id="match-{world.accepted.pk}"' in html
    assert 'id="propose-match"' in html
    assert 'id="agreement-edit"' not in html
    html = institution.browser().get(url("agreement-detail", world)).content.decode()
    assert 'id="agreement-edit"' in html
    assert 'id="propose-match"' not in html


def test_agreement_list_shows_only_visible_rows(world, partner, official):
    html = partner.browser().get(url("agreement-list", world)).content.decode()
    assert f'id="agreement-{world.agreement.pk}"' in html
    assert f'id="agreement-{world.other_agreement.pk}"' not in html
    html = official.browser().get(url("agreement-list", world) + "?fiscal_year=2025").content.decode()
    assert f'id="agreement-{world.agreement.pk}"' not in html
    html = official.browser().get(url("agreement-list", world) + f"?consortium={world.other_consortium.pk}")
    assert f'id="agreement-{world.other_agreement.pk}"' in html.content.decode()
    assert f'id="agreement-{world.agreement.pk}"' not in html.content.decode()


# --- supply-chain ties -----------------------------------------------------------------------------


def test_ties_textarea_adds_lines_or_names_the_bad_ones(world, partner):
    client = partner.browser()
    good = make_brn()
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    page = reverse("partners:tie-list")
    before = partner_db_state()
    response = client.post(page, {"lines": f"{good}, 협력정밀\n\n{bad}, 오타정밀\n"})
    assert response.status_code == 200
    html = response.content.decode()
    # The error names the bad line by its number in the pasted text (3: the blank line counts) and its BRN.
    errors = re.findall(r'<p class="form-hint-invalid" role="alert">([^<]*)</p>', html)
    assert any("3" in e and bad in e for e in errors), errors
    assert not any(good in e for e in errors)
    assert partner_db_state() == before
    response = client.post(page, {"lines": f"{good}, 협력정밀\n{world.free_company.brn}\t등록기업"})
    assert response.status_code == 302
    assert SupplyChainTie.objects.filter(partner=world.consortium.partner, brn=good, name="협력정밀").exists()
    html = client.get(response["Location"]).content.decode()
    assert f"{good[:3]}-{good[3:5]}-{good[5:]}" in html


def test_ties_can_be_removed_by_the_partner_only(world, partner, institution):
    remove = reverse("partners:tie-remove", args=[world.tie.pk])
    assert institution.browser().post(remove).status_code == 403
    assert partner.browser().post(remove).status_code == 302
    assert not SupplyChainTie.objects.filter(pk=world.tie.pk).exists()


def test_institution_reads_ties_without_a_form(world, institution):
    html = institution.browser().get(url("tie-list", world)).content.decode()
    assert f'id="tie-{world.tie.pk}"' in html
    assert 'id="ties-form"' not in html
    assert institution.browser().post(url("tie-list", world), {"lines": make_brn()}).status_code == 403


# --- proposing, the inbox and the match page --------------------------------------------------------


def test_propose_from_the_supply_chain_list_or_by_number(world, partner):
    SupplyChainTie.objects.create(partner=world.consortium.partner, brn=world.free_company.brn)
    client = partner.browser()
    page = url("match-propose", world)
    html = client.get(page).content.decode()
    assert f'value="{world.free_company.pk}"' in html  # a registered tie without a match
    assert f'value="{world.proposed.company_id}"' not in html  # already matched
    response = client.post(page, {"brn": make_brn()})
    assert response.status_code == 200
    assert not Match.objects.filter(company=world.free_company).exists()
    response = client.post(page, {"candidate": world.free_company.pk, "score": 88, "note": "함께해요"})
    match = Match.objects.get(company=world.free_company)
    assert response["Location"] == reverse("partners:match-detail", args=[match.pk])
    assert (match.status, match.score) == (MatchStatus.PROPOSED, 88)
    assert match.history.get().note == "함께해요"


def test_proposing_beyond_the_quota_is_a_form_error(world, partner):
    WinWinAgreement.objects.filter(pk=world.agreement.pk).update(mentee_quota=2)
    response = partner.browser().post(url("match-propose", world), {"brn": world.free_company.brn})
    assert response.status_code == 200
    assert 'class="app-errors"' in response.content.decode()
    assert not Match.objects.filter(company=world.free_company).exists()


def test_sme_inbox_accepts_and_declines(world, sme_owner):
    world.proposed.reasons = [
        {"code": "supply_chain", "label": "협력사 관계", "points": 30},
        {"code": "region", "label": "지역 불일치", "points": 0},
    ]
    world.proposed.save(update_fields=["reasons"])
    client = sme_owner.browser()
    html = client.get(reverse("partners:match-list")).content.decode()
    assert f'id="accept-{world.proposed.pk}"' in html
    assert f'id="decline-{world.proposed.pk}"' in html
    assert "협력사 관계 (+30)" in html
    assert "지역 불일치" not in html  # criteria the pair does not meet are not reasons
    assert "삼성전자" in html
    response = client.post(
        reverse("partners:match-act", args=[world.proposed.pk]),
        {"action": "accept", "next": reverse("partners:match-list")},
    )
    assert response["Location"] == reverse("partners:match-list")
    world.proposed.refresh_from_db()
    assert world.proposed.status == MatchStatus.ACCEPTED
    html = client.get(reverse("partners:match-list")).content.decode()
    assert f'id="accept-{world.proposed.pk}"' not in html
    assert f'id="match-{world.proposed.pk}"' in html


def test_sme_decline_ends_the_match(world, sme_owner):
    sme_owner.browser().post(reverse("partners:match-act", args=[world.proposed.pk]), {"action": "decline"})
    world.proposed.refresh_from_db()
    assert world.proposed.status == MatchStatus.ENDED


def test_act_refuses_other_parties_and_offsite_redirects(world, partner, other_partner, sme_owner):
    act = reverse("partners:match-act", args=[world.proposed.pk])
    assert other_partner.browser().post(act, {"action": "end", "note": "x"}).status_code == 404
    assert partner.browser().post(act, {"action": "accept"}).status_code == 403
    assert partner.browser().post(act, {"action": "fly"}).status_code == 400
    assert partner.browser().get(act).status_code == 400
    response = sme_owner.browser().post(act, {"action": "accept", "next": "https://evil.example/"})
    assert response["Location"] == reverse("partners:match-detail", args=[world.proposed.pk])


def test_partner_ends_a_match_only_with_a_reason(world, partner):
    client = partner.browser()
    detail = url("match-detail", world)
    html = client.get(detail).content.decode()
    assert 'id="note-end"' in html
    assert 'id="action-start"' in html
    client.post(reverse("partners:match-act", args=[world.accepted.pk]), {"action": "end", "note": ""})
    world.accepted.refresh_from_db()
    assert world.accepted.status == MatchStatus.ACCEPTED
    client.post(reverse("partners:match-act", args=[world.accepted.pk]), {"action": "end", "note": "폐업"})
    world.accepted.refresh_from_db()
    assert world.accepted.status == MatchStatus.ENDED
    html = client.get(detail).content.decode()
    assert 'data-action="end"' in html
    assert "폐업" in html


def test_partner_logs_mentoring_on_the_match_page(world, partner):
    client = partner.browser()
    detail = url("match-detail", world)
    assert 'id="activity-form"' in client.get(detail).content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    values = {"mentor": world.mentor.pk, "kind": "visit", "hours": "3.5", "notes": "라인 점검"}
    response = client.post(detail, {**values, "date": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "form-hint-invalid" in response.content.decode()
    assert MentoringActivity.objects.count() == 2
    response = client.post(detail, {**values, "date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    activity = MentoringActivity.objects.latest("id")
    assert (activity.match_id, activity.hours, activity.notes) == (world.accepted.pk, 3.5, "라인 점검")
    html = client.get(detail).content.decode()
    assert f'id="activity-{activity.pk}"' in html


def test_no_mentoring_form_for_the_sme_others_or_a_proposed_match(world, partner, sme_owner, institution):
    assert 'id="activity-form"' not in partner.browser().get(url("proposal-detail", world)).content.decode()
    assert 'id="activity-form"' not in sme_owner.browser().get(url("proposal-detail", world)).content.decode()
    html = institution.browser().get(url("match-detail", world)).content.decode()
    assert 'id="activity-form"' not in html
    assert f'id="activity-{world.activity.pk}"' in html
    response = institution.browser().post(
        url("match-detail", world),
        {"mentor": world.mentor.pk, "kind": "visit", "date": "2026-10-01", "hours": "1"},
    )
    assert response.status_code == 403


def test_match_list_filters_for_partners(world, partner):
    html = partner.browser().get(url("match-list", world) + "?status=proposed").content.decode()
    assert f'id="match-{world.proposed.pk}"' in html
    assert f'id="match-{world.accepted.pk}"' not in html
    assert f'id="match-{world.other_match.pk}"' not in html


# --- mentors ----------------------------------------------------------------------------------------


def test_partner_adds_and_retires_a_mentor(world, partner):
    client = partner.browser()
    response = client.post(reverse("partners:mentor-list"), {"name": "최멘토", "expertise": "자동화"})
    assert response.status_code == 302
    mentor = Mentor.objects.get(name="최멘토")
    assert mentor.partner_id == world.consortium.partner_id
    response = client.post(
        reverse("partners:mentor-edit", args=[mentor.pk]), {"name": "최멘토", "expertise": "자동화"}
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.is_active is False
    html = client.get(reverse("partners:mentor-list")).content.decode()
    assert f'id="mentor-{mentor.pk}"' in html
    assert f'id="mentor-{world.other_mentor.pk}"' not in html


def test_official_chooses_the_partner_firm_of_a_mentor(world, official):
    client = official.browser()
    assert 'name="partner"' in client.get(reverse("partners:mentor-list")).content.decode()
    client.post(
        reverse("partners:mentor-list"), {"partner": world.other_consortium.partner_id, "name": "정멘토"}
    )
    assert Mentor.objects.get(name="정멘토").partner_id == world.other_consortium.partner_id


# --- portfolio and comparison -----------------------------------------------------------------------


def test_portfolio_page_has_headline_tables_and_totals(world, partner):
    html = partner.browser().get(url("portfolio", world)).content.decode()
    for hook in (
        'id="headline"',
        'id="headline-pledged"',
        'id="portfolio-agreements"',
        'id="portfolio-total"',
        'id="portfolio-matches"',
        'id="portfolio-applications"',
        'id="portfolio-levels"',
        'id="portfolio-mentees"',
        f'id="mentee-{world.accepted.pk}"',
    ):
        assert hook in html, hook
    assert f'id="mentee-{world.other_match.pk}"' not in html
    assert "<strong>1,000.0</strong>" in html  # pledged total in 백만원
    assert "합계" in html


def test_official_narrows_the_national_portfolio_to_a_firm(world, official):
    html = (
        official.browser()
        .get(url("portfolio", world) + f"?fiscal_year=2026&partner={world.other_consortium.partner_id}")
        .content.decode()
    )
    assert f'id="mentee-{world.other_match.pk}"' in html
    assert f'id="mentee-{world.accepted.pk}"' not in html


def test_comparison_page_sorts_and_totals(world, official):
    biggest = f.AgreementFactory(fiscal_year=2026, pledged_krw=5_000_000_000).consortium.partner_id
    samsung, posco = world.consortium.partner_id, world.other_consortium.partner_id
    client = official.browser()

    def order(query: str = "") -> list[int]:
        html = client.get(url("comparison", world) + query).content.decode()
        return [int(pk) for pk in re.findall(r'<tr data-partner="(\d+)">', html)]

    html = client.get(url("comparison", world)).content.decode()
    assert 'id="comparison-total"' in html
    assert "<strong>7,000.0</strong>" in html  # pledged total in 백만원
    assert "합계" in html
    assert 'aria-sort="descending"' in html
    assert order() == [biggest, samsung, posco]  # largest pledge first; ties by name
    assert order("?ordering=partner") == [samsung, biggest, posco]  # 삼성전자, 주관기관…, 포스코
    assert order("?ordering=-partner") == [posco, biggest, samsung]
    assert (
        'aria-sort="ascending"' in client.get(url("comparison", world) + "?ordering=pledged").content.decode()
    )
    # An unknown column falls back to the default order rather than failing.
    assert client.get(url("comparison", world) + "?ordering=salary").status_code == 200
