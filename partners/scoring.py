"""How well an SME fits a partner firm's win-win agreement for a call: a score of 0–100 with its reasons.

Pure functions on plain data (no ORM): the selectors build `CandidateFeatures` and `PartnerProfile`
rows in a few set-based queries, and the same scoring serves one partner's ranked suggestions and the
assignment run over every partner of a call.

A pair is *not eligible* (`score` returns None) when
- the firm's size is not eligible for the call's track: win-win type 2 is for small firms only (size
  codes "small" and "micro", further narrowed by the call's eligible sizes when it names any); other
  tracks take the call's eligible sizes (none named = every size);
- the SME has conflicting prior support: a supported project at the same target level within the call's
  exclusion period, or a live match under another agreement of the same fiscal year;
- the partner's agreement does not fund the call's track.

Otherwise the score is the sum of these points (at most 100):

| Reason                        | Points | When                                                             |
|-------------------------------|-------:|------------------------------------------------------------------|
| Supply-chain tie              |     30 | the SME's business registration number is in the partner's ties  |
| Industry fit                  |     20 | the partner serves the SME's KSIC division specifically          |
|                               |     10 | the partner serves every industry (no list in the agreement)     |
|                               |      0 | the partner serves other industries                              |
| Region served                 |     15 | the partner serves a region of one of the SME's active workplaces|
|                               |      8 | the partner serves every region                                  |
|                               |      0 | the partner serves other regions                                 |
| Firm size eligible            |     10 | always, for an eligible pair (shown so the list is complete)     |
| Current level                 |     10 | below the target level's reference level, or at Level 1          |
|                               |      5 | unknown (no self-assessment on an application yet)               |
|                               |      0 | already at or above the target level                             |
| Staff to run the system       |      5 | 10 regular employees or more                                     |
| Operating workplace           |      5 | at least one active workplace                                    |
| No conflicting prior support  |      5 | always, for an eligible pair                                     |

Why these weights: a supply-chain tie is what win-win programs exist for (the partner mentors its own
suppliers), so it weighs most; industry and region decide whether the partner's engineers can help
and reach the workplace; level and readiness separate firms that gain from the project from those
that would not. The two constant reasons (size, no prior support) keep every eligible pair above zero,
so the assignment may always place an SME with a partner that has room.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.models import ProgramType

# Firm sizes win-win type 2 is meant for (소기업·소상공인).
SMALL_FIRM_SIZE_CODES = frozenset({"small", "micro"})
# Regular employees from which a firm has the staff to run a smart-factory system.
READY_EMPLOYEES = 10

POINTS_TIE = 30
POINTS_INDUSTRY_MATCH = 20
POINTS_INDUSTRY_ALL = 10
POINTS_REGION_MATCH = 15
POINTS_REGION_ALL = 8
POINTS_SIZE = 10
POINTS_LEVEL_BELOW = 10
POINTS_LEVEL_UNKNOWN = 5
POINTS_STAFFED = 5
POINTS_WORKPLACE = 5
POINTS_NO_PRIOR = 5
MAX_SCORE = (
    POINTS_TIE
    + POINTS_INDUSTRY_MATCH
    + POINTS_REGION_MATCH
    + POINTS_SIZE
    + POINTS_LEVEL_BELOW
    + POINTS_STAFFED
    + POINTS_WORKPLACE
    + POINTS_NO_PRIOR
)

# Reason codes and their labels (lazy: rendered in the reader's language).
LABELS: dict[str, Promise] = {
    "supply_chain_tie": _("In the partner firm's supply chain"),
    "no_supply_chain_tie": _("Not in the partner firm's supply chain"),
    "industry_match": _("Industry served by the partner firm"),
    "industry_all": _("The partner firm serves every industry"),
    "industry_other": _("Industry not served by the partner firm"),
    "region_match": _("Region served by the partner firm"),
    "region_all": _("The partner firm serves every region"),
    "region_other": _("Region not served by the partner firm"),
    "size_eligible": _("Firm size eligible for the call's track"),
    "level_below_target": _("Current level below the target level"),
    "level_unknown": _("Current level not yet assessed"),
    "level_at_target": _("Already at or above the target level"),
    "staffed": _("Enough staff to run the system"),
    "small_staff": _("Fewer than 10 regular employees"),
    "active_workplace": _("Has an operating workplace"),
    "no_active_workplace": _("No operating workplace"),
    "no_prior_support": _("No conflicting prior support"),
}


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """What the scoring needs to know about one SME."""

    company_id: int
    brn: str
    ksic: str
    region_slugs: frozenset[str]
    size_code: str
    level_rank: int | None
    active_workplaces: int
    employees: int
    has_conflicting_prior_support: bool = False


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """What the scoring needs to know about one partner firm's agreement for the year."""

    agreement_id: int
    partner_id: int
    tie_brns: frozenset[str]
    industries: frozenset[str]  # KSIC codes; empty = every industry
    regions: frozenset[str]  # region slugs; empty = every region
    tracks: frozenset[str]
    remaining_quota: int


@dataclass(frozen=True, slots=True)
class Fit:
    """A pair's score and the reasons that add up to it (every criterion, with 0 points where it fails)."""

    score: int
    reasons: list[dict[str, Any]] = field(default_factory=list)


def eligible_sizes(call_track: str, call_size_codes: Collection[str] = ()) -> frozenset[str] | None:
    """The size codes a track admits; None means every size."""
    named = frozenset(call_size_codes)
    if call_track == ProgramType.WINWIN_TYPE2:
        return SMALL_FIRM_SIZE_CODES & named if named else SMALL_FIRM_SIZE_CODES
    return named or None


def _components(
    candidate: CandidateFeatures,
    partner: PartnerProfile,
    call_track: str,
    target_level_rank: int,
    sizes: frozenset[str] | None,
) -> tuple[str, str, str, str, str, str] | None:
    """The reason code of every variable criterion, or None when the pair is not eligible."""
    if call_track not in partner.tracks:
        return None
    if sizes is not None and candidate.size_code not in sizes:
        return None
    if candidate.has_conflicting_prior_support:
        return None
    tie = "supply_chain_tie" if candidate.brn in partner.tie_brns else "no_supply_chain_tie"
    if not partner.industries:
        industry = "industry_all"
    elif candidate.ksic in partner.industries:
        industry = "industry_match"
    else:
        industry = "industry_other"
    if not partner.regions:
        region = "region_all"
    elif partner.regions.isdisjoint(candidate.region_slugs):
        region = "region_other"
    else:
        region = "region_match"
    rank = candidate.level_rank
    if rank is None:
        level = "level_unknown"
    elif rank < target_level_rank or rank == 1:
        level = "level_below_target"
    else:
        level = "level_at_target"
    staff = "staffed" if candidate.employees >= READY_EMPLOYEES else "small_staff"
    workplace = "active_workplace" if candidate.active_workplaces > 0 else "no_active_workplace"
    return tie, industry, region, level, staff, workplace


POINTS: dict[str, int] = {
    "supply_chain_tie": POINTS_TIE,
    "no_supply_chain_tie": 0,
    "industry_match": POINTS_INDUSTRY_MATCH,
    "industry_all": POINTS_INDUSTRY_ALL,
    "industry_other": 0,
    "region_match": POINTS_REGION_MATCH,
    "region_all": POINTS_REGION_ALL,
    "region_other": 0,
    "size_eligible": POINTS_SIZE,
    "level_below_target": POINTS_LEVEL_BELOW,
    "level_unknown": POINTS_LEVEL_UNKNOWN,
    "level_at_target": 0,
    "staffed": POINTS_STAFFED,
    "small_staff": 0,
    "active_workplace": POINTS_WORKPLACE,
    "no_active_workplace": 0,
    "no_prior_support": POINTS_NO_PRIOR,
}
_CONSTANT = POINTS_SIZE + POINTS_NO_PRIOR


def fit_points(
    candidate: CandidateFeatures,
    partner: PartnerProfile,
    call_track: str,
    target_level_rank: int,
    *,
    sizes: frozenset[str] | None = None,
) -> int | None:
    """The score alone (what `score` returns as `Fit.score`), without building the reasons: the
    assignment run scores every candidate against every partner, national scale is 400,000 pairs.
    `sizes` is `eligible_sizes(call_track, call's eligible size codes)`, computed once per call."""
    parts = _components(candidate, partner, call_track, target_level_rank, sizes)
    if parts is None:
        return None
    return _CONSTANT + sum(POINTS[code] for code in parts)


def reasons_for(codes: Collection[str]) -> list[dict[str, Any]]:
    """Reason dicts {code, label, points} for reason codes (e.g. stored on a match)."""
    return [{"code": code, "label": LABELS[code], "points": POINTS[code]} for code in codes]


def score(
    candidate: CandidateFeatures,
    partner: PartnerProfile,
    call_track: str,
    target_level_rank: int,
    *,
    call_size_codes: Collection[str] = (),
) -> Fit | None:
    """The fit of an SME with a partner's agreement for a call's track and target level (the target
    level's reference level rank), or None when the pair is not eligible (see the module docstring).
    `call_size_codes` are the call's eligible firm-size codes (empty = every size)."""
    sizes = eligible_sizes(call_track, call_size_codes)
    parts = _components(candidate, partner, call_track, target_level_rank, sizes)
    if parts is None:
        return None
    tie, industry, region, level, staff, workplace = parts
    codes = [tie, industry, region, "size_eligible", level, staff, workplace, "no_prior_support"]
    reasons = reasons_for(codes)
    return Fit(score=sum(r["points"] for r in reasons), reasons=reasons)


class FitTable(NamedTuple):
    """The eligible pairs of many candidates and partners as parallel arrays (int64): positions in the
    candidate and partner sequences, and each pair's score (what `fit_points` gives). Pairs are ordered by
    partner position, then candidate position."""

    candidate: np.ndarray
    partner: np.ndarray
    points: np.ndarray


def fit_table(
    candidates: Sequence[CandidateFeatures],
    partners: Sequence[PartnerProfile],
    call_track: str,
    target_level_rank: int,
    *,
    sizes: frozenset[str] | None = None,
) -> FitTable:
    """`fit_points` for every (candidate, partner) pair at once, with numpy: the assignment run of a
    national call scores 20,000+ SMEs against 20 partners, which pair by pair in Python takes seconds.
    The per-candidate part (size, prior support, level, staff, workplaces) is computed once; each partner
    adds its tie, industry and region points as vector operations. Same results as `fit_points` (a
    property test holds them together)."""
    n = len(candidates)
    empty = np.zeros(0, dtype=np.int64)
    if n == 0 or not partners:
        return FitTable(empty, empty, empty)
    eligible = np.fromiter(
        (not c.has_conflicting_prior_support and (sizes is None or c.size_code in sizes) for c in candidates),
        dtype=bool,
        count=n,
    )
    base = np.fromiter(
        (
            _CONSTANT
            + POINTS[
                "level_unknown"
                if c.level_rank is None
                else "level_below_target"
                if c.level_rank < target_level_rank or c.level_rank == 1
                else "level_at_target"
            ]
            + (POINTS_STAFFED if c.employees >= READY_EMPLOYEES else 0)
            + (POINTS_WORKPLACE if c.active_workplaces > 0 else 0)
            for c in candidates
        ),
        dtype=np.int64,
        count=n,
    )
    ksic_codes: dict[str, int] = {}
    ksic = np.fromiter((ksic_codes.setdefault(c.ksic, len(ksic_codes)) for c in candidates), np.int64, n)
    region_bits: dict[str, int] = {}
    masks = [
        sum(1 << region_bits.setdefault(s, len(region_bits)) for s in c.region_slugs) for c in candidates
    ]
    # One bit per region seen: 17 regions in Korea fit an int64; Python ints keep any number exact.
    region_mask = np.array(masks, dtype=np.int64 if len(region_bits) < 63 else object)
    positions: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        positions.setdefault(c.brn, []).append(i)

    out_c, out_p, out_s = [], [], []
    for j, partner in enumerate(partners):
        if call_track not in partner.tracks:
            continue
        points = base.copy()
        if not partner.industries:
            points += POINTS_INDUSTRY_ALL
        else:
            served = [ksic_codes[k] for k in partner.industries if k in ksic_codes]
            points += np.where(np.isin(ksic, served), POINTS_INDUSTRY_MATCH, 0)
        if not partner.regions:
            points += POINTS_REGION_ALL
        else:
            wanted = sum(1 << region_bits[s] for s in partner.regions if s in region_bits)
            points += np.where((region_mask & wanted) != 0, POINTS_REGION_MATCH, 0).astype(np.int64)
        tied = [i for b in partner.tie_brns for i in positions.get(b, ())]
        if tied:
            points[np.array(tied, dtype=np.int64)] += POINTS_TIE
        chosen = np.flatnonzero(eligible & (points > 0))
        out_c.append(chosen.astype(np.int64))
        out_p.append(np.full(len(chosen), j, dtype=np.int64))
        out_s.append(points[chosen])
    if not out_c:
        return FitTable(empty, empty, empty)
    return FitTable(np.concatenate(out_c), np.concatenate(out_p), np.concatenate(out_s))
