"""Matching SMEs with the partner firms of a win-win call: candidate features in a fixed number of
queries, the preview and apply of the optimal allocation, suggestions, permissions, API and page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import matching as m
from applications.models import ApplicationStatus
from companies.models import BusinessStatus
from core.errors import Conflict, PermissionDenied, ValidationFailed
from partners.models import Match, MatchStatus, MatchStatusChange, SupplyChainTie
from partners.scoring import MAX_SCORE
from programs.models import ProgramType
from tests import factories as f
from tests.applications.support import assert_error_body


def company(
    *, region: str = "gyeonggi", size: str = "small", ksic: str = "29", employees: int = 35, **values
):
    workplace = f.WorkplaceFactory(
        region=f.region(region),
        ksic=f.ksic(ksic),
        company__size_class=f.size(size),
        company__ksic=f.ksic(ksic),
        company__employees=employees,
        **{f"company__{k}": v for k, v in values.items()},
    )
    return workplace.company


@pytest.fixture
def call(db):
    return f.CallFactory(program_type=ProgramType.WINWIN_TYPE1, fiscal_year=2026, round=1)


@pytest.fixture
def samsung(partner):
    """삼성전자's 2026 agreement: every industry and region, two places."""
    return f.AgreementFactory(consortium=f.ConsortiumFactory(partner=partner.organisation), mentee_quota=2)


@pytest.fixture
def posco(other_partner):
    """포스코's 2026 agreement: primary metals (KSIC 24) in Busan, one place."""
    agreement = f.AgreementFactory(
        consortium=f.ConsortiumFactory(partner=other_partner.organisation), mentee_quota=1
    )
    agreement.regions.set([f.region("busan")])
    agreement.industries.set([f.ksic("24")])
    return agreement


@pytest.fixture
def smes(partner, samsung, posco):
    """A: in Samsung's supply chain; B: a Busan metals firm (POSCO's field); C and D: plain."""
    a = company()
    SupplyChainTie.objects.create(partner=partner.organisation, brn=a.brn)
    b = company(region="busan", ksic="24")
    c = company()
    d = company()
    return a, b, c, d


def allocation_of(preview) -> dict[int, int]:
    return {line.company_id: alloc.agreement_id for alloc in preview.allocations for line in alloc.lines}


# --- candidate features -----------------------------------------------------------------------------


def test_candidate_features(call, samsung):
    busy = company(region="busan", employees=8)
    f.WorkplaceFactory(company=busy, region=f.region("ulsan"))
    f.WorkplaceFactory(company=busy, region=f.region("seoul"), is_active=False)
    workplace = busy.workplaces.order_by("id").first()
    older = f.CallFactory(fiscal_year=2023)
    newer = f.CallFactory(fiscal_year=2024)
    f.ApplicationFactory(call=older, workplace=workplace, current_level=f.level("L1"))
    f.ApplicationFactory(call=newer, workplace=workplace, current_level=f.level("L2"))
    f.ApplicationFactory(call=call, workplace=workplace, current_level=None)  # a draft without a level yet

    supported = company()
    f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2025),
        workplace=supported.workplaces.get(),
        status=ApplicationStatus.SELECTED,
        target_level=f.target_level("basic"),
    )
    long_ago = company()
    f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2022),
        workplace=long_ago.workplaces.get(),
        status=ApplicationStatus.COMPLETED,
        target_level=f.target_level("basic"),
    )
    other_level = company()
    f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2025),
        workplace=other_level.workplaces.get(),
        status=ApplicationStatus.COMPLETED,
        target_level=f.target_level("advanced1"),
    )

    features = {c.company_id: c for c in m.matching_candidates(call, f.target_level("basic"))}

    mine = features[busy.pk]
    assert mine.region_slugs == frozenset({"busan", "ulsan"})
    assert mine.active_workplaces == 2
    assert mine.level_rank == 2  # the most recent application that states a level
    assert (mine.brn, mine.ksic, mine.size_code, mine.employees) == (busy.brn, "29", "small", 8)
    assert not mine.has_conflicting_prior_support
    assert features[supported.pk].has_conflicting_prior_support
    assert not features[long_ago.pk].has_conflicting_prior_support  # outside the 3-year period
    assert not features[other_level.pk].has_conflicting_prior_support  # another target level
    assert features[supported.pk].level_rank == 1


def test_who_is_not_a_candidate(call, samsung):
    keep = company()
    closed = company(business_status=BusinessStatus.CLOSED)
    no_workplace = company()
    no_workplace.workplaces.update(is_active=False)
    matched = company()
    elsewhere = f.AgreementFactory(tracks=[ProgramType.PARTNER_TRACK])
    f.MatchFactory(agreement=elsewhere, company=matched, status=MatchStatus.PROPOSED)
    ended = company()
    f.MatchFactory(agreement=samsung, company=ended, status=MatchStatus.ENDED)
    last_year = company()
    f.MatchFactory(agreement=f.AgreementFactory(fiscal_year=2025), company=last_year)

    ids = {c.company_id for c in m.matching_candidates(call, f.target_level("basic"))}

    assert {keep.pk, ended.pk, last_year.pk} <= ids
    assert not {closed.pk, no_workplace.pk, matched.pk} & ids


def test_the_calls_sizes_regions_industries_and_exclusions(call, samsung):
    medium = company(size="medium")
    busan = company(region="busan")
    food = company(ksic="10")
    arrears = company(has_tax_arrears=True)
    plain = company()
    call.eligible_size_codes = ["small", "micro"]
    call.excluded_conditions = ["tax_arrears"]
    call.save()
    call.eligible_regions.set([f.region("gyeonggi")])
    call.eligible_ksic.set([f.ksic("29")])

    ids = {c.company_id for c in m.matching_candidates(call, f.target_level("basic"))}

    assert plain.pk in ids
    assert not {medium.pk, busan.pk, food.pk, arrears.pk} & ids


def test_type2_takes_small_firms_only(db):
    call = f.CallFactory(program_type=ProgramType.WINWIN_TYPE2, fiscal_year=2026, round=1)
    small, micro, medium = company(size="small"), company(size="micro"), company(size="medium")
    ids = {c.company_id for c in m.matching_candidates(call, f.target_level("basic"))}
    assert {small.pk, micro.pk} <= ids
    assert medium.pk not in ids


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _more_companies(n: int) -> None:
    for i in range(n):
        sme = company(region="busan" if i % 2 else "gyeonggi")
        f.ApplicationFactory(call=f.CallFactory(fiscal_year=2025), workplace=sme.workplaces.get())


def test_features_and_preview_take_a_fixed_number_of_queries(call, samsung, posco, official):
    level = f.target_level("basic")
    _more_companies(5)
    m.matching_preview(call=call, actor=official.user)  # the user's access is read once, then cached
    few = _queries(lambda: m.matching_candidates(call, level))
    few_preview = _queries(lambda: m.matching_preview(call=call, actor=official.user))
    _more_companies(45)
    many = _queries(lambda: m.matching_candidates(call, level))
    many_preview = _queries(lambda: m.matching_preview(call=call, actor=official.user))
    assert len(m.matching_candidates(call, level)) == 50
    assert few == many <= 10
    assert few_preview == many_preview <= 25


# --- preview and apply ------------------------------------------------------------------------------


def test_preview_is_the_optimal_allocation_within_quotas(call, smes, samsung, posco, official):
    a, b, c, _d = smes
    preview = m.matching_preview(call=call, actor=official.user)

    # A (tie, 78) and C (48; D ties with it and has the higher id) to Samsung, B (65) to POSCO.
    assert allocation_of(preview) == {a.pk: samsung.pk, b.pk: posco.pk, c.pk: samsung.pk}
    assert preview.total_score == 78 + 65 + 48
    assert (preview.allocated_count, preview.capacity_total, preview.candidate_count) == (3, 3, 4)
    assert preview.target_level == "basic"
    by_agreement = {alloc.agreement_id: alloc for alloc in preview.allocations}
    assert [line.company_id for line in by_agreement[samsung.pk].lines] == [a.pk, c.pk]
    assert by_agreement[samsung.pk].total_score == 78 + 48
    assert (by_agreement[posco.pk].allocated, by_agreement[posco.pk].capacity) == (1, 1)
    line = by_agreement[samsung.pk].lines[0]
    assert {r["code"] for r in line.reasons if r["points"]} >= {"supply_chain_tie", "size_eligible"}
    assert line.score == sum(r["points"] for r in line.reasons) <= MAX_SCORE
    assert len(preview.fingerprint) == 64
    assert Match.objects.count() == 0


def test_preview_is_deterministic(call, smes, official):
    first = m.matching_preview(call=call, actor=official.user)
    second = m.matching_preview(call=call, actor=official.user)
    assert first == second


def test_apply_proposes_the_previewed_matches(call, smes, samsung, posco, official):
    preview = m.matching_preview(call=call, actor=official.user)
    applied = m.matching_apply(call=call, actor=official.user, fingerprint=preview.fingerprint)

    assert applied.fingerprint == preview.fingerprint
    matches = Match.objects.order_by("company_id")
    assert {(x.company_id, x.agreement_id) for x in matches} == set(allocation_of(preview).items())
    for match in matches:
        assert match.status == MatchStatus.PROPOSED
        assert match.proposed_by == official.user
        assert match.score == sum(r["points"] for r in match.reasons)
        assert all(
            set(r) == {"code", "label", "points"} and isinstance(r["label"], str) for r in match.reasons
        )
    assert MatchStatusChange.objects.filter(action="propose").count() == 3
    # Everyone placed: the quotas are full and a second run has nothing to do.
    again = m.matching_preview(call=call, actor=official.user)
    assert again.allocated_count == 0
    with pytest.raises(Conflict) as exc:
        m.matching_apply(call=call, actor=official.user, fingerprint=again.fingerprint)
    assert exc.value.code == "nothing_to_match"


def test_live_matches_take_places_in_the_quota(call, smes, samsung, posco, official):
    f.MatchFactory(agreement=samsung, company=company(), status=MatchStatus.ACTIVE)
    f.MatchFactory(agreement=samsung, company=company(), status=MatchStatus.ENDED)
    preview = m.matching_preview(call=call, actor=official.user)
    by_agreement = {alloc.agreement_id: alloc for alloc in preview.allocations}
    assert (by_agreement[samsung.pk].live_matches, by_agreement[samsung.pk].capacity) == (1, 1)
    assert by_agreement[samsung.pk].allocated == 1
    assert preview.allocated_count == 2


@pytest.mark.parametrize("change", ["live_match", "agreement_closed", "new_tie"])
def test_apply_refuses_a_stale_preview(call, smes, samsung, posco, partner, official, change):
    d = smes[3]
    preview = m.matching_preview(call=call, actor=official.user)
    if change == "live_match":
        f.MatchFactory(agreement=samsung, company=company(), status=MatchStatus.ACCEPTED)
    elif change == "agreement_closed":
        posco.status = "closed"
        posco.save()
    else:  # D joins Samsung's supply chain and now beats C
        SupplyChainTie.objects.create(partner=partner.organisation, brn=d.brn)
    before = Match.objects.count()
    with pytest.raises(Conflict) as exc:
        m.matching_apply(call=call, actor=official.user, fingerprint=preview.fingerprint)
    assert exc.value.code == "matching_preview_stale"
    assert Match.objects.count() == before


def test_a_partner_previews_and_applies_its_own_agreement_only(call, smes, samsung, posco, partner):
    a, b, _c, _d = smes
    preview = m.matching_preview(call=call, actor=partner.user)
    assert [alloc.agreement_id for alloc in preview.allocations] == [samsung.pk]
    # Without POSCO in the run, B ties with C and D for Samsung's second place and has the lowest id.
    assert allocation_of(preview) == {a.pk: samsung.pk, b.pk: samsung.pk}
    with pytest.raises(PermissionDenied):
        m.matching_preview(call=call, actor=partner.user, agreements=[posco])
    with pytest.raises(PermissionDenied):
        m.matching_suggestions(call=call, agreement=posco, actor=partner.user)
    m.matching_apply(call=call, actor=partner.user, fingerprint=preview.fingerprint)
    assert set(Match.objects.values_list("agreement_id", flat=True)) == {samsung.pk}


def test_an_official_may_restrict_the_run_to_some_agreements(call, smes, samsung, posco, official):
    preview = m.matching_preview(call=call, actor=official.user, agreements=[posco])
    assert [alloc.agreement_id for alloc in preview.allocations] == [posco.pk]


@pytest.mark.parametrize(
    "persona", ["sme_owner", "regional_officer", "auditor", "evaluator", "finance_officer"]
)
def test_only_officials_and_partner_firms_match(request, call, smes, samsung, persona):
    user = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        m.matching_preview(call=call, actor=user)
    with pytest.raises(PermissionDenied):
        m.matching_apply(call=call, actor=user, fingerprint="0" * 64)
    with pytest.raises(PermissionDenied):
        m.matching_suggestions(call=call, agreement=samsung, actor=user)


def test_a_partner_without_an_agreement_for_the_call_is_refused(call, smes, other_partner, posco):
    posco.tracks = [ProgramType.PARTNER_TRACK]
    posco.save()
    with pytest.raises(PermissionDenied):
        m.matching_preview(call=call, actor=other_partner.user)


def test_an_agreement_that_takes_no_mentees_for_the_call_is_a_field_error(call, smes, official, partner):
    old = f.AgreementFactory(fiscal_year=2025, consortium=f.ConsortiumFactory(partner=partner.organisation))
    with pytest.raises(ValidationFailed) as exc:
        m.matching_preview(call=call, actor=official.user, agreements=[old])
    assert "agreements" in exc.value.fields


def test_target_level_refusals_and_other_calls(call, smes, samsung, official):
    call.funding_rules.filter(target_level__code="advanced2").delete()
    with pytest.raises(ValidationFailed) as exc:
        m.matching_preview(call=call, actor=official.user, target_level=f.target_level("advanced2"))
    assert "target_level" in exc.value.fields
    government = f.CallFactory(program_type=ProgramType.GOVERNMENT_ONLY)
    with pytest.raises(ValidationFailed) as exc:
        m.matching_preview(call=government, actor=official.user)
    assert exc.value.code == "call_not_winwin"
    call.status = "cancelled"
    call.save()
    with pytest.raises(Conflict):
        m.matching_preview(call=call, actor=official.user)


def test_a_higher_target_level_scores_the_level_gap(call, smes, samsung, official):
    a = smes[0]
    f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2024), workplace=a.workplaces.get(), current_level=f.level("L2")
    )
    basic = m.matching_suggestions(call=call, agreement=samsung, actor=official.user)
    upgrade = m.matching_suggestions(
        call=call, agreement=samsung, actor=official.user, target_level=f.target_level("advanced1")
    )
    codes = {s.target_level: {r["code"] for r in s.lines[0].reasons} for s in (basic, upgrade)}
    assert "level_at_target" in codes["basic"]
    assert "level_below_target" in codes["advanced1"]


# --- suggestions ------------------------------------------------------------------------------------


def test_suggestions_rank_every_eligible_sme_with_reasons(call, smes, samsung, posco, official):
    a, b, c, d = smes
    result = m.matching_suggestions(call=call, agreement=posco, actor=official.user)
    assert [line.company_id for line in result.lines] == [b.pk, a.pk, c.pk, d.pk]
    assert [line.score for line in result.lines] == [65, 30, 30, 30]
    assert (result.candidate_count, result.eligible_count, result.capacity) == (4, 4, 1)
    top = result.lines[0]
    assert {r["code"]: r["points"] for r in top.reasons}["industry_match"] == 20
    assert top.regions == ["부산광역시"]
    limited = m.matching_suggestions(call=call, agreement=posco, actor=official.user, limit=2)
    assert [line.company_id for line in limited.lines] == [b.pk, a.pk]
    with pytest.raises(ValidationFailed):
        m.matching_suggestions(call=call, agreement=posco, actor=official.user, limit=0)


# --- API --------------------------------------------------------------------------------------------


def url(call, op: str) -> str:
    return f"/api/v1/calls/{call.pk}/matching/{op}/"


def test_api_preview_then_apply(call, smes, samsung, posco, official):
    client = official.api()
    response = client.post(url(call, "preview"), {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["allocated_count"] == 3
    assert body["target_level"] == "basic"
    line = body["allocations"][0]["lines"][0]
    assert set(line) == {"company_id", "company_name", "brn", "regions", "score", "reasons"}
    assert set(line["reasons"][0]) == {"code", "label", "points"}

    stale = client.post(url(call, "apply"), {"fingerprint": "0" * 64}, format="json")
    assert_error_body(stale, 409, "matching_preview_stale")
    assert Match.objects.count() == 0

    applied = client.post(url(call, "apply"), {"fingerprint": body["fingerprint"]}, format="json")
    assert applied.status_code == 200, applied.content
    assert Match.objects.count() == 3


def test_api_suggestions(call, smes, samsung, posco, partner):
    response = partner.api().post(
        url(call, "suggestions"),
        {"agreement": samsung.pk, "target_level": "basic", "limit": 2},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agreement_id"] == samsung.pk
    assert [line["company_id"] for line in body["lines"]] == [smes[0].pk, smes[1].pk]


def test_api_partner_cannot_reach_another_partners_agreement(call, smes, samsung, posco, partner):
    client = partner.api()
    assert_error_body(
        client.post(url(call, "suggestions"), {"agreement": posco.pk}, format="json"), 404, "not_found"
    )
    assert_error_body(
        client.post(url(call, "preview"), {"agreements": [posco.pk]}, format="json"), 404, "not_found"
    )
    assert_error_body(
        client.post(url(call, "suggestions"), {"agreement": 999_999}, format="json"), 404, "not_found"
    )


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "auditor"])
def test_api_refuses_other_roles(request, call, smes, samsung, persona):
    client = request.getfixturevalue(persona).api()
    assert_error_body(client.post(url(call, "preview"), {}, format="json"), 403, "permission_denied")
    assert_error_body(
        client.post(url(call, "apply"), {"fingerprint": "0" * 64}, format="json"), 403, "permission_denied"
    )


def test_api_anonymous_and_unknown_call(call, anonymous, official):
    assert anonymous.api().post(url(call, "preview"), {}, format="json").status_code in (401, 403)
    response = official.api().post("/api/v1/calls/999999/matching/preview/", {}, format="json")
    assert_error_body(response, 404, "not_found")


@pytest.mark.parametrize(
    ("op", "payload", "field"),
    [
        ("preview", {"target_level": "nope"}, "target_level"),
        ("preview", {"agreements": []}, "agreements"),
        ("preview", {"agreements": ["1"]}, "agreements[0]"),
        ("apply", {"fingerprint": "short"}, "fingerprint"),
        ("suggestions", {"agreement": "x"}, "agreement"),
        ("suggestions", {"agreement": 1, "limit": 501}, "limit"),
    ],
)
def test_api_validation_errors(call, smes, official, op, payload, field):
    body = assert_error_body(official.api().post(url(call, op), payload, format="json"), 400, "invalid")
    assert any(key.startswith(field.split("[")[0]) for key in body["fields"]), body


def test_api_target_level_not_funded(call, smes, official):
    call.funding_rules.filter(target_level__code="advanced2").delete()
    body = assert_error_body(
        official.api().post(url(call, "preview"), {"target_level": "advanced2"}, format="json"), 400
    )
    assert "target_level" in body["fields"]


# --- page -------------------------------------------------------------------------------------------


def page(call) -> str:
    return f"/calls/{call.pk}/matching/"


@pytest.mark.parametrize("persona", ["official", "partner"])
def test_page_renders_for_officials_and_partners(request, call, smes, samsung, posco, persona):
    response = request.getfixturevalue(persona).browser().get(page(call))
    assert response.status_code == 200
    assert "applications/matching.html" in [t.name for t in response.templates]
    assert samsung.consortium.name.encode() in response.content


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "auditor", "other_partner"])
def test_page_refuses_others(request, call, samsung, persona):
    """The other partner firm has no agreement for this call (no POSCO agreement in this test)."""
    assert request.getfixturevalue(persona).browser().get(page(call)).status_code == 403


def test_page_preview_suggest_and_apply(call, smes, samsung, posco, official):
    client = official.browser()
    level = f.target_level("basic").pk
    preview = client.post(page(call), {"target_level": level, "preview": "1"}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert preview.templates[0].name == "applications/matching_results.html"
    fingerprint = preview.context["preview"].fingerprint
    assert fingerprint.encode() in preview.content
    assert smes[0].name.encode() in preview.content

    suggest = client.post(
        page(call),
        {"target_level": level, "agreement": posco.pk, "limit": 3, "suggest": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert suggest.status_code == 200
    assert len(suggest.context["suggestions"].lines) == 3

    missing = client.post(page(call), {"target_level": level, "suggest": "1"}, HTTP_HX_REQUEST="true")
    assert missing.context["suggestions"] is None
    assert missing.context["form"].errors["agreement"]

    stale = client.post(page(call), {"target_level": level, "fingerprint": "0" * 64, "apply": "1"})
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()
    assert Match.objects.count() == 0

    applied = client.post(page(call), {"target_level": level, "fingerprint": fingerprint, "apply": "1"})
    assert applied.status_code == 302
    assert Match.objects.count() == 3
