"""Optimal allocation of SMEs to partner firms: the most total fit under every partner's quota.

A maximum-weight b-matching, solved exactly as a min-cost flow with OR-Tools' C++ solver:

    source ─(cap 1, cost 0)→ company ─(cap 1, cost −w(c, p))→ partner ─(cap = quota)→ sink
                              company ─(cap 1, cost 0, "left unassigned")──────────→ sink

Every company sends its one unit either through exactly one partner or straight to the sink, so the
minimum cost is minus the best total weight, each company gets at most one partner and each partner at
most its capacity. Only pairs with a positive score have an arc.

Ties. The weight of a pair is `score × K + bonus(c, p)` with bonus(c, p) = (n − 1 − i) × m + (m − 1 − j)
for the i-th of n companies and the j-th of m partners in id order (0 … B = n·m − 1): it favours lower
company ids, then lower partner ids. K = L × B + 1 with L the most pairs any allocation can hold. The bonuses
of a whole allocation add up to at most L × B < K, so one point of score always outweighs them: the
allocation has the best possible total score, and among allocations with that total it has the largest
total bonus. Nodes and arcs are built in sorted id order, so the same input gives the same output
however it is ordered. (If the scaled costs would overflow the solver's 64-bit arithmetic, which needs
far more than national scale, the bonus is dropped; the result is still optimal and deterministic.)

Size. Each partner keeps only its L best pairs (by that weight) before solving: an allocation that gave
a partner a company outside its L best leaves one of them free (at most L − 1 are placed elsewhere),
which could take the place for at least the same weight, so the optimum is unchanged. At national scale
(20 partners, 30,000 SMEs, 957 places) this cuts 570,000 pairs to 19,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
from ortools.graph.python import min_cost_flow

# The cost-scaling solver multiplies costs by about the number of nodes; stay well inside int64.
_COST_LIMIT = 2**62


class Assignment(NamedTuple):
    allocation: dict[int, int]  # company id → partner id
    total_score: int


def _bonus_scale(n_companies: int, n_partners: int, most_pairs: int, top_score: int) -> tuple[int, int]:
    """(K, B): the score multiplier and the largest bonus; (1, 0) when the bonus would not fit."""
    bonus_max = n_companies * n_partners - 1
    scale = most_pairs * bonus_max + 1
    biggest = top_score * scale + bonus_max
    if biggest * (n_companies + n_partners + 3) >= _COST_LIMIT:
        return 1, 0
    return scale, bonus_max


def assign(
    candidates: Iterable[int],
    partners: Iterable[int],
    capacity: Mapping[int, int],
    fits: Mapping[tuple[int, int], int],
) -> Assignment:
    """Allocate companies to partners to maximise the total score.

    `fits[(company, partner)]` is the pair's integer score; only pairs present with a score above zero
    (and whose company and partner are listed) may be chosen. `capacity[partner]` is how many more
    companies the partner may take (missing or below zero = none). A company may stay unassigned.
    Returns the allocation (company → partner) and its total score. Deterministic: see the module
    docstring for the tie-breaking rule.
    """
    company_set = set(candidates)
    partner_set = set(partners)
    kept = []
    for (company, partner), points in fits.items():
        if isinstance(points, bool) or not isinstance(points, int | np.integer):
            raise TypeError(f"score of {(company, partner)} must be an integer, not {points!r}")
        if company in company_set and partner in partner_set:
            kept.append((company, partner, int(points)))
    count = len(kept)
    return assign_pairs(
        np.fromiter((c for c, _p, _s in kept), dtype=np.int64, count=count),
        np.fromiter((p for _c, p, _s in kept), dtype=np.int64, count=count),
        np.fromiter((s for _c, _p, s in kept), dtype=np.int64, count=count),
        {p: capacity.get(p, 0) for p in partner_set},
    )


def assign_pairs(
    companies: np.ndarray, partners: np.ndarray, scores: np.ndarray, capacity: Mapping[int, int]
) -> Assignment:
    """`assign` on parallel int64 arrays of candidate pairs (company id, partner id, score), for callers
    that score many pairs at once. Each (company, partner) pair appears at most once (ValueError
    otherwise); pairs with a score of zero or less, or whose partner has no capacity, are ignored."""
    companies = np.asarray(companies, dtype=np.int64)
    partners = np.asarray(partners, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.int64)
    if not len(companies) == len(partners) == len(scores):
        raise ValueError("companies, partners and scores must have the same length")
    open_partners = np.array(sorted(p for p, n in capacity.items() if int(n) > 0), dtype=np.int64)
    keep = (scores > 0) & np.isin(partners, open_partners)
    companies, partners, scores = companies[keep], partners[keep], scores[keep]
    if not len(scores):
        return Assignment({}, 0)
    # Sorted by (company, partner): the solver sees the same graph however the input was ordered.
    order = np.lexsort((partners, companies))
    companies, partners, scores = companies[order], partners[order], scores[order]
    same = (companies[1:] == companies[:-1]) & (partners[1:] == partners[:-1])
    if same.any():
        raise ValueError("a (company, partner) pair is listed twice")
    company_ids, company_rank = np.unique(companies, return_inverse=True)
    partner_ids, partner_rank = np.unique(partners, return_inverse=True)
    n, m = len(company_ids), len(partner_ids)
    caps = np.array([int(capacity[int(p)]) for p in partner_ids], dtype=np.int64)
    most_pairs = min(n, int(caps.sum()))
    scale, bonus_max = _bonus_scale(n, m, most_pairs, int(scores.max()))
    weights = scores * scale + ((n - 1 - company_rank) * m + (m - 1 - partner_rank) if bonus_max else 0)

    # Pruning that cannot change the optimum: a partner needs only its `most_pairs` best pairs. If an
    # allocation gave it a company outside that list, at most most_pairs − 1 companies of the list are
    # placed, so one of them is free and can take that place for at least the same weight.
    by_weight = np.lexsort((-weights, partner_rank))
    group_start = np.searchsorted(partner_rank[by_weight], partner_rank[by_weight], side="left")
    kept = np.zeros(len(weights), dtype=bool)
    kept[by_weight[np.arange(len(weights)) - group_start < most_pairs]] = True
    companies, partners, scores, weights = companies[kept], partners[kept], scores[kept], weights[kept]
    _company_ids, pair_company = np.unique(companies, return_inverse=True)
    kept_partner_ids, pair_partner = np.unique(partners, return_inverse=True)
    n, m, k = int(pair_company.max()) + 1, int(pair_partner.max()) + 1, len(weights)
    caps = np.array([int(capacity[int(p)]) for p in kept_partner_ids], dtype=np.int64)

    source, sink = 0, n + m + 1
    company_node = np.arange(1, n + 1, dtype=np.int64)
    partner_node = np.arange(n + 1, n + m + 1, dtype=np.int64)
    # Arc order: source → companies, companies → partners (the pairs sorted by company, partner),
    # partners → sink, then the "unassigned" arcs. The pair arcs are the second block, where the flows
    # are read.
    tails = np.concatenate(
        [np.full(n, source, dtype=np.int64), company_node[pair_company], partner_node, company_node]
    )
    heads = np.concatenate(
        [company_node, partner_node[pair_partner], np.full(m, sink, dtype=np.int64), np.full(n, sink)]
    )
    arc_caps = np.concatenate([np.ones(n + k, dtype=np.int64), caps, np.ones(n, dtype=np.int64)])
    costs = np.concatenate([np.zeros(n, dtype=np.int64), -weights, np.zeros(m + n, dtype=np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, arc_caps, costs)
    solver.set_node_supply(source, n)
    solver.set_node_supply(sink, -n)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"the min-cost flow solver did not find the optimum (status {status})")

    chosen = np.flatnonzero(solver.flows(np.arange(n, n + k, dtype=np.int64)))
    allocation = {int(c): int(p) for c, p in zip(companies[chosen], partners[chosen], strict=True)}
    return Assignment(allocation, int(scores[chosen].sum()))
