"""Co-funding rules: exact limits (one won over fails, exactly at passes) for every program type."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.models import FundingRule, ProgramType
from programs.rules import FundingSplit, check_split
from tests.factories import RULES

M = 1_000_000


def rule(program_type: str, level: str = "basic") -> FundingRule:
    return FundingRule(**RULES[program_type][level])


def codes(r: FundingRule, total: int, gov: int, partner: int, sme: int, local: int = 0) -> set[str]:
    return {f.code for f in check_split(r, FundingSplit(total, gov, partner, sme, local))}


def levels(program_type: str) -> list[tuple[str, str]]:
    return [(program_type, level) for level in RULES[program_type]]


# (program type, total, gov, partner, sme, local, codes expected). Splits of 100 million won unless noted.
GOV_ONLY = ProgramType.GOVERNMENT_ONLY
WINWIN1 = ProgramType.WINWIN_TYPE1
WINWIN2 = ProgramType.WINWIN_TYPE2
TRACK = ProgramType.PARTNER_TRACK
CASES = [
    # Government-only: gov ≤ 50 %, no partner money, no local top-up.
    ("gov-only compliant", GOV_ONLY, 80 * M, 32 * M, 0, 48 * M, 0, set()),
    ("gov-only gov share at 50 %", GOV_ONLY, 80 * M, 40 * M, 0, 40 * M, 0, set()),
    ("gov-only gov share +1", GOV_ONLY, 80 * M, 40 * M + 1, 0, 40 * M - 1, 0, {"gov_share_exceeded"}),
    ("gov-only partner money", GOV_ONLY, 80 * M, 32 * M, 1, 48 * M - 1, 0, {"partner_share_exceeded"}),
    ("gov-only local top-up", GOV_ONLY, 80 * M, 32 * M, 0, 48 * M - 1, 1, {"local_top_up_not_allowed"}),
    ("gov-only split +1", GOV_ONLY, 80 * M, 32 * M, 0, 48 * M + 1, 0, {"split_sum_mismatch"}),
    ("gov-only split -1", GOV_ONLY, 80 * M, 32 * M, 0, 48 * M - 1, 0, {"split_sum_mismatch"}),
    # Win-win type 1: gov ≤ 30 %, partner ≥ 30 %, SME ≤ 40 %.
    ("type1 compliant", WINWIN1, 100 * M, 25 * M, 40 * M, 35 * M, 0, set()),
    ("type1 every share at its limit", WINWIN1, 100 * M, 30 * M, 30 * M, 40 * M, 0, set()),
    ("type1 gov share +1", WINWIN1, 100 * M, 30 * M + 1, 35 * M - 1, 35 * M, 0, {"gov_share_exceeded"}),
    ("type1 SME share +1", WINWIN1, 100 * M, 25 * M, 35 * M - 1, 40 * M + 1, 0, {"sme_share_exceeded"}),
    # gov ≤ 30 % and SME ≤ 40 % leave partner ≥ 30 %: a won missing there must show up elsewhere.
    (
        "type1 partner share -1",
        WINWIN1,
        100 * M,
        30 * M,
        30 * M - 1,
        40 * M + 1,
        0,
        {"partner_share_too_low", "sme_share_exceeded"},
    ),
    ("type1 local top-up", WINWIN1, 100 * M, 25 * M, 40 * M - 1, 35 * M, 1, {"local_top_up_not_allowed"}),
    # Win-win type 2: gov = partner = 50 %, no SME share, 10 million gov and 20 million total caps.
    ("type2 at both caps", WINWIN2, 20 * M, 10 * M, 10 * M, 0, 0, set()),
    ("type2 smaller project", WINWIN2, 10 * M, 5 * M, 5 * M, 0, 0, set()),
    (
        "type2 gov share +1",
        WINWIN2,
        10 * M,
        5 * M + 1,
        5 * M - 1,
        0,
        0,
        {"gov_share_exceeded", "partner_share_too_low"},
    ),
    (
        "type2 gov share -1",
        WINWIN2,
        10 * M,
        5 * M - 1,
        5 * M + 1,
        0,
        0,
        {"gov_share_too_low", "partner_share_exceeded"},
    ),
    (
        "type2 SME share",
        WINWIN2,
        10 * M,
        5 * M,
        5 * M - 1,
        1,
        0,
        {"sme_share_exceeded", "partner_share_too_low"},
    ),
    (
        "type2 gov cap +1",
        WINWIN2,
        20 * M + 2,
        10 * M + 1,
        10 * M + 1,
        0,
        0,
        {"gov_cap_exceeded", "total_cap_exceeded"},
    ),
    (
        "type2 total cap +1",
        WINWIN2,
        20 * M + 1,
        10 * M,
        10 * M + 1,
        0,
        0,
        {"total_cap_exceeded", "gov_share_too_low", "partner_share_exceeded"},
    ),
    # Partner track: gov ≤ 30 %, gov + partner ≤ 60 %.
    ("track compliant", TRACK, 100 * M, 20 * M, 30 * M, 50 * M, 0, set()),
    ("track at limits", TRACK, 100 * M, 30 * M, 30 * M, 40 * M, 0, set()),
    ("track gov share +1", TRACK, 50 * M, 15 * M + 1, 10 * M, 25 * M - 1, 0, {"gov_share_exceeded"}),
    (
        "track combined +1",
        TRACK,
        100 * M,
        20 * M,
        40 * M + 1,
        40 * M - 1,
        0,
        {"combined_support_exceeded"},
    ),
    ("track local top-up", TRACK, 100 * M, 20 * M, 30 * M, 50 * M - 1, 1, {"local_top_up_not_allowed"}),
]


@pytest.mark.parametrize(
    ("program_type", "total", "gov", "partner", "sme", "local", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_split_against_rule(program_type, total, gov, partner, sme, local, expected):
    assert codes(rule(program_type), total, gov, partner, sme, local) == expected


@pytest.mark.parametrize(("program_type", "level"), levels(GOV_ONLY) + levels(WINWIN1) + levels(TRACK))
def test_government_cap_at_and_one_won_over(program_type, level):
    """A project five times the cap keeps every share comfortable, so only the cap can fail."""
    r = rule(program_type, level)
    cap = r.gov_cap_krw
    partner = 2 * cap if r.partner_min_bp else cap if r.combined_max_bp else 0
    assert codes(r, 5 * cap, cap, partner, 4 * cap - partner) == set()
    assert codes(r, 5 * cap, cap + 1, partner, 4 * cap - partner - 1) == {"gov_cap_exceeded"}


@pytest.mark.parametrize("level", list(RULES[WINWIN1]))
def test_type1_caps_differ_by_target_level(level):
    r = rule(WINWIN1, level)
    expected_cap = {"basic": 42 * M, "advanced1": 120 * M, "advanced2": 240 * M}[level]
    assert r.gov_cap_krw == expected_cap


def test_local_top_up_within_its_own_limit():
    r = FundingRule(gov_cap_krw=100 * M, gov_max_bp=5000, local_max_bp=1000)
    assert codes(r, 100 * M, 50 * M, 0, 40 * M, 10 * M) == set()
    assert codes(r, 100 * M, 50 * M, 0, 40 * M - 1, 10 * M + 1) == {"local_share_exceeded"}


def test_missing_total_and_negative_amounts():
    r = rule(GOV_ONLY)
    assert codes(r, 0, 0, 0, 0) == {"total_cost_missing"}
    assert codes(r, 10 * M, -1, 0, 10 * M + 1) == {"amount_negative"}


def test_failure_names_the_rule_and_the_field():
    [failure] = check_split(rule(GOV_ONLY), FundingSplit(80 * M, 40 * M + 1, 0, 40 * M - 1))
    assert failure.field == "gov_amount_krw"
    assert "50%" in str(failure.message)


# --- Property: check_split agrees with a plain re-check in exact fractions. ---------------------------


def expected_codes(r: FundingRule, s: FundingSplit) -> set[str]:
    if s.gov + s.partner + s.sme + s.local != s.total:
        return {"split_sum_mismatch"}
    share = {name: Fraction(getattr(s, name), s.total) for name in ("gov", "partner", "sme", "local")}

    def bp(value: int) -> Fraction:
        return Fraction(value, 10_000)

    out = set()
    if s.gov > r.gov_cap_krw:
        out.add("gov_cap_exceeded")
    if r.total_cap_krw is not None and s.total > r.total_cap_krw:
        out.add("total_cap_exceeded")
    if share["gov"] > bp(r.gov_max_bp):
        out.add("gov_share_exceeded")
    if r.gov_min_bp is not None and share["gov"] < bp(r.gov_min_bp):
        out.add("gov_share_too_low")
    if r.partner_min_bp is not None and share["partner"] < bp(r.partner_min_bp):
        out.add("partner_share_too_low")
    if r.partner_max_bp is not None and share["partner"] > bp(r.partner_max_bp):
        out.add("partner_share_exceeded")
    if r.sme_max_bp is not None and share["sme"] > bp(r.sme_max_bp):
        out.add("sme_share_exceeded")
    if r.combined_max_bp is not None and share["gov"] + share["partner"] > bp(r.combined_max_bp):
        out.add("combined_support_exceeded")
    if s.local > 0 and r.local_max_bp is None:
        out.add("local_top_up_not_allowed")
    if s.local > 0 and r.local_max_bp is not None and share["local"] > bp(r.local_max_bp):
        out.add("local_share_exceeded")
    return out


ALL_RULES = [values for by_level in RULES.values() for values in by_level.values()]
optional_bp = st.one_of(st.none(), st.integers(0, 10_000))


@st.composite
def rules(draw) -> FundingRule:
    if draw(st.booleans()):
        return FundingRule(**draw(st.sampled_from(ALL_RULES)))
    gov_max = draw(st.integers(0, 10_000))
    gov_min = draw(st.one_of(st.none(), st.integers(0, gov_max)))
    return FundingRule(
        gov_cap_krw=draw(st.integers(1, 10**12)),
        total_cap_krw=draw(st.one_of(st.none(), st.integers(1, 10**12))),
        gov_max_bp=gov_max,
        gov_min_bp=gov_min,
        partner_min_bp=draw(optional_bp),
        partner_max_bp=draw(optional_bp),
        sme_max_bp=draw(optional_bp),
        combined_max_bp=draw(optional_bp),
        local_max_bp=draw(optional_bp),
    )


@st.composite
def splits(draw, r: FundingRule) -> FundingSplit:
    total = draw(st.one_of(st.integers(1, 10**12), st.sampled_from([10 * M, 20 * M, 80 * M, 100 * M])))

    def near(bp: int | None) -> int:
        # Amounts right at, just under and just over a share limit, where rounding bugs would show.
        if bp is None or not draw(st.booleans()):
            return draw(st.integers(0, total))
        return max(0, total * bp // 10_000 + draw(st.integers(-2, 2)))

    gov = min(near(r.gov_max_bp), total)
    partner = min(near(r.partner_min_bp), total - gov)
    local = draw(st.sampled_from([0, 0, 0, 1, total // 10]))
    local = min(local, total - gov - partner)
    sme = total - gov - partner - local
    mismatch = draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
    return FundingSplit(
        total=total + mismatch if total + mismatch > 0 else total,
        gov=gov,
        partner=partner,
        sme=sme,
        local=local,
    )


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_check_split_agrees_with_exact_arithmetic(data):
    r = data.draw(rules())
    s = data.draw(splits(r))
    got = {f.code for f in check_split(r, s)}
    assert got == expected_codes(r, s)
    assert (got == set()) == (expected_codes(r, s) == set())
