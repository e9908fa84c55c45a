"""Fit scores of an SME with a partner firm's agreement: every reason's points and the ineligible pairs."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from partners import scoring
from partners.scoring import (
    CandidateFeatures,
    PartnerProfile,
    eligible_sizes,
    fit_points,
    fit_table,
    score,
)
from programs.models import ProgramType

T1 = ProgramType.WINWIN_TYPE1
T2 = ProgramType.WINWIN_TYPE2
BASIC_RANK = 1  # the basic target level's reference level (L1)
ADVANCED1_RANK = 3  # upgrade 1 → L3


def sme(**changes) -> CandidateFeatures:
    values = {
        "company_id": 1,
        "brn": "1018100001",
        "ksic": "29",
        "region_slugs": frozenset({"gyeonggi"}),
        "size_code": "small",
        "level_rank": 2,
        "active_workplaces": 1,
        "employees": 35,
        "has_conflicting_prior_support": False,
    }
    values.update(changes)
    return CandidateFeatures(**values)


def partner(**changes) -> PartnerProfile:
    values = {
        "agreement_id": 10,
        "partner_id": 100,
        "tie_brns": frozenset(),
        "industries": frozenset(),
        "regions": frozenset(),
        "tracks": frozenset({T1, T2, ProgramType.PARTNER_TRACK}),
        "remaining_quota": 5,
    }
    values.update(changes)
    return PartnerProfile(**values)


def points(fit, code: str) -> int:
    (reason,) = [r for r in fit.reasons if r["code"] == code]
    return reason["points"]


def codes(fit) -> list[str]:
    return [r["code"] for r in fit.reasons]


def test_weights_add_up_to_100():
    assert scoring.MAX_SCORE == 100
    best = score(
        sme(level_rank=1),
        partner(
            tie_brns=frozenset({"1018100001"}), industries=frozenset({"29"}), regions=frozenset({"gyeonggi"})
        ),
        T1,
        ADVANCED1_RANK,
    )
    assert best is not None
    assert best.score == 100


def test_every_criterion_is_listed_once_and_the_points_add_up():
    fit = score(sme(), partner(), T1, ADVANCED1_RANK)
    assert fit is not None
    assert codes(fit) == [
        "no_supply_chain_tie",
        "industry_all",
        "region_all",
        "size_eligible",
        "level_below_target",
        "staffed",
        "active_workplace",
        "no_prior_support",
    ]
    assert fit.score == sum(r["points"] for r in fit.reasons) == 0 + 10 + 8 + 10 + 10 + 5 + 5 + 5
    assert 0 <= fit.score <= 100


def test_supply_chain_tie():
    tied = score(sme(), partner(tie_brns=frozenset({"1018100001"})), T1, ADVANCED1_RANK)
    untied = score(sme(), partner(tie_brns=frozenset({"9999999999"})), T1, ADVANCED1_RANK)
    assert points(tied, "supply_chain_tie") == 30
    assert points(untied, "no_supply_chain_tie") == 0
    assert tied.score - untied.score == 30


@pytest.mark.parametrize(
    ("industries", "code", "expected"),
    [
        (frozenset({"29", "30"}), "industry_match", 20),
        (frozenset(), "industry_all", 10),
        (frozenset({"10"}), "industry_other", 0),
    ],
)
def test_industry_fit(industries, code, expected):
    fit = score(sme(ksic="29"), partner(industries=industries), T1, ADVANCED1_RANK)
    assert points(fit, code) == expected


@pytest.mark.parametrize(
    ("regions", "code", "expected"),
    [
        (frozenset({"busan", "gyeonggi"}), "region_match", 15),
        (frozenset(), "region_all", 8),
        (frozenset({"busan"}), "region_other", 0),
    ],
)
def test_region_served(regions, code, expected):
    candidate = sme(region_slugs=frozenset({"gyeonggi", "incheon"}))
    fit = score(candidate, partner(regions=regions), T1, ADVANCED1_RANK)
    assert points(fit, code) == expected


def test_region_of_any_active_workplace_counts():
    fit = score(sme(region_slugs=frozenset({"seoul", "ulsan"})), partner(regions=frozenset({"ulsan"})), T1, 3)
    assert points(fit, "region_match") == 15


def test_size_and_no_prior_support_are_constant_reasons_of_an_eligible_pair():
    fit = score(sme(), partner(), T1, ADVANCED1_RANK)
    assert points(fit, "size_eligible") == 10
    assert points(fit, "no_prior_support") == 5


@pytest.mark.parametrize(
    ("level_rank", "target_rank", "code", "expected"),
    [
        (2, ADVANCED1_RANK, "level_below_target", 10),
        (3, ADVANCED1_RANK, "level_at_target", 0),
        (4, ADVANCED1_RANK, "level_at_target", 0),
        (None, ADVANCED1_RANK, "level_unknown", 5),
        # Every basic project starts from Level 1: a firm at L1 has room to grow.
        (1, BASIC_RANK, "level_below_target", 10),
        (2, BASIC_RANK, "level_at_target", 0),
    ],
)
def test_current_level(level_rank, target_rank, code, expected):
    fit = score(sme(level_rank=level_rank), partner(), T1, target_rank)
    assert points(fit, code) == expected


@pytest.mark.parametrize(
    ("employees", "code", "expected"), [(10, "staffed", 5), (250, "staffed", 5), (9, "small_staff", 0)]
)
def test_staff_readiness(employees, code, expected):
    assert points(score(sme(employees=employees), partner(), T1, ADVANCED1_RANK), code) == expected


def test_operating_workplace():
    assert points(score(sme(active_workplaces=2), partner(), T1, 3), "active_workplace") == 5
    assert points(score(sme(active_workplaces=0), partner(), T1, 3), "no_active_workplace") == 0


def test_type2_is_for_small_firms_only():
    for size_code in ("small", "micro"):
        assert score(sme(size_code=size_code), partner(), T2, BASIC_RANK) is not None
    for size_code in ("medium", "mid_sized"):
        assert score(sme(size_code=size_code), partner(), T2, BASIC_RANK) is None
        assert (
            fit_points(sme(size_code=size_code), partner(), T2, BASIC_RANK, sizes=eligible_sizes(T2)) is None
        )


def test_type2_narrowed_by_the_calls_sizes():
    assert score(sme(size_code="small"), partner(), T2, BASIC_RANK, call_size_codes=["micro"]) is None
    assert score(sme(size_code="micro"), partner(), T2, BASIC_RANK, call_size_codes=["micro"]) is not None


def test_other_tracks_follow_the_calls_eligible_sizes():
    medium = sme(size_code="medium")
    assert score(medium, partner(), T1, ADVANCED1_RANK) is not None  # none named: every size
    assert score(medium, partner(), T1, ADVANCED1_RANK, call_size_codes=["medium", "small"]) is not None
    assert score(medium, partner(), T1, ADVANCED1_RANK, call_size_codes=["small", "micro"]) is None


def test_conflicting_prior_support_is_not_eligible():
    assert score(sme(has_conflicting_prior_support=True), partner(), T1, ADVANCED1_RANK) is None


def test_partner_that_does_not_fund_the_track_is_not_eligible():
    assert score(sme(), partner(tracks=frozenset({T2})), T1, ADVANCED1_RANK) is None
    assert fit_points(sme(), partner(tracks=frozenset({T2})), T1, ADVANCED1_RANK) is None


def test_labels_follow_the_language():
    fit = score(sme(), partner(), T1, ADVANCED1_RANK)
    label = next(r["label"] for r in fit.reasons if r["code"] == "size_eligible")
    with translation.override("en"):
        assert str(label) == "Firm size eligible for the call's track"


SIZES = st.sampled_from(["mid_sized", "medium", "small", "micro"])
TRACKS = st.sampled_from([T1, T2, ProgramType.PARTNER_TRACK])
SLUGS = st.frozensets(st.sampled_from(["seoul", "busan", "gyeonggi", "ulsan"]), max_size=3)
CODES = st.frozensets(st.sampled_from(["10", "20", "29", "30"]), max_size=3)
CANDIDATES = st.builds(
    CandidateFeatures,
    company_id=st.integers(1, 10),
    brn=st.sampled_from(["1018100001", "2208100002", "3308100003"]),
    ksic=st.sampled_from(["10", "29", "33"]),
    region_slugs=SLUGS,
    size_code=SIZES,
    level_rank=st.none() | st.integers(1, 5),
    active_workplaces=st.integers(0, 3),
    employees=st.integers(0, 500),
    has_conflicting_prior_support=st.booleans(),
)
PROFILES = st.builds(
    PartnerProfile,
    agreement_id=st.integers(1, 5),
    partner_id=st.integers(1, 5),
    tie_brns=st.frozensets(st.sampled_from(["1018100001", "3308100003", "4408100004"]), max_size=2),
    industries=CODES,
    regions=SLUGS,
    tracks=st.frozensets(TRACKS, min_size=1),
    remaining_quota=st.integers(0, 5),
)


@given(
    candidate=CANDIDATES,
    profile=PROFILES,
    track=TRACKS,
    target_rank=st.integers(1, 5),
    call_sizes=st.lists(SIZES, max_size=3),
)
def test_fit_points_equals_the_score_with_reasons(candidate, profile, track, target_rank, call_sizes):
    fit = score(candidate, profile, track, target_rank, call_size_codes=call_sizes)
    fast = fit_points(candidate, profile, track, target_rank, sizes=eligible_sizes(track, call_sizes))
    if fit is None:
        assert fast is None
    else:
        assert fast == fit.score
        assert 15 <= fit.score <= 100
        assert all(set(r) == {"code", "label", "points"} for r in fit.reasons)


@given(
    candidates=st.lists(CANDIDATES, max_size=8),
    profiles=st.lists(PROFILES, max_size=3),
    track=TRACKS,
    target_rank=st.integers(1, 5),
    call_sizes=st.lists(SIZES, max_size=3),
)
def test_the_table_of_all_pairs_equals_scoring_pair_by_pair(
    candidates, profiles, track, target_rank, call_sizes
):
    sizes = eligible_sizes(track, call_sizes)
    table = fit_table(candidates, profiles, track, target_rank, sizes=sizes)
    got = [(int(c), int(p), int(s)) for c, p, s in zip(*table, strict=True)]
    expected = [
        (i, j, points)
        for j, profile in enumerate(profiles)
        for i, candidate in enumerate(candidates)
        if (points := fit_points(candidate, profile, track, target_rank, sizes=sizes))
    ]
    assert got == expected


def test_the_table_of_no_pairs_is_empty():
    assert all(len(a) == 0 for a in fit_table([], [partner()], T1, 1))
    assert all(len(a) == 0 for a in fit_table([sme()], [], T1, 1))
    assert all(len(a) == 0 for a in fit_table([sme()], [partner(tracks=frozenset({T2}))], T1, 1))


def test_features_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        sme().employees = 3  # type: ignore[misc]
