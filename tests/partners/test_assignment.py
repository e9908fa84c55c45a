"""The assignment run is an exact optimum (checked against brute force), respects quotas, gives each
company at most one partner, and is deterministic whatever the input order."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partners.assignment import Assignment, assign, assign_pairs


def brute_force(companies, partners, capacity, fits) -> int:
    """The best total score over every feasible assignment (each company: no partner or one it fits)."""
    options = [[None] + [p for p in partners if fits.get((c, p), 0) > 0] for c in companies]
    best = 0
    for choice in itertools.product(*options):
        used: dict[int, int] = {}
        total = 0
        for company, partner in zip(companies, choice, strict=True):
            if partner is None:
                continue
            used[partner] = used.get(partner, 0) + 1
            total += fits[(company, partner)]
        if all(n <= capacity.get(p, 0) for p, n in used.items()):
            best = max(best, total)
    return best


@st.composite
def instances(draw):
    companies = draw(st.lists(st.integers(1, 60), max_size=7, unique=True))
    partners = draw(st.lists(st.integers(1, 20), max_size=3, unique=True))
    capacity = {p: draw(st.integers(0, 3)) for p in partners}
    pairs = [(c, p) for c in companies for p in partners]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    fits = {pair: draw(st.integers(1, 100)) for pair in chosen}
    return companies, partners, capacity, fits


def check_feasible(result: Assignment, companies, partners, capacity, fits) -> None:
    used: dict[int, int] = {}
    for company, partner in result.allocation.items():
        assert company in companies
        assert partner in partners
        assert (company, partner) in fits
        used[partner] = used.get(partner, 0) + 1
    for partner, n in used.items():
        assert n <= capacity[partner]
    assert result.total_score == sum(fits[(c, p)] for c, p in result.allocation.items())


@settings(max_examples=300, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_assignment_is_optimal_feasible_and_deterministic(instance, rnd):
    companies, partners, capacity, fits = instance
    result = assign(companies, partners, capacity, fits)

    check_feasible(result, companies, partners, capacity, fits)
    assert result.total_score == brute_force(companies, partners, capacity, fits)
    # The same input again, and the same input in another order, give the same allocation.
    assert assign(companies, partners, capacity, fits) == result
    shuffled_fits = list(fits.items())
    rnd.shuffle(shuffled_fits)
    shuffled = assign(
        rnd.sample(companies, len(companies)),
        rnd.sample(partners, len(partners)),
        dict(reversed(list(capacity.items()))),
        dict(shuffled_fits),
    )
    assert shuffled == result


def test_empty_inputs():
    assert assign([], [], {}, {}) == Assignment({}, 0)
    assert assign([1, 2], [], {}, {}) == Assignment({}, 0)
    assert assign([], [7], {7: 3}, {}) == Assignment({}, 0)
    assert assign([1], [7], {7: 3}, {}) == Assignment({}, 0)


def test_zero_or_missing_capacity_takes_nobody():
    assert assign([1, 2], [7, 8], {7: 0}, {(1, 7): 90, (2, 8): 80}) == Assignment({}, 0)
    assert assign([1], [7], {7: -2}, {(1, 7): 90}) == Assignment({}, 0)


def test_zero_scores_and_unlisted_ids_are_never_chosen():
    fits = {(1, 7): 0, (2, 7): 10, (3, 7): 99, (2, 9): 50}
    # Company 3 and partner 9 are not listed as candidates / partners.
    assert assign([1, 2], [7], {7: 5, 9: 5}, fits) == Assignment({2: 7}, 10)


def test_not_greedy():
    """Greedy (best pair first) would give company 1 to partner 7 (score 100) and leave company 2 with
    nothing (total 100); the optimum gives 1 → 8 and 2 → 7 (total 99 + 98 = 197)."""
    fits = {(1, 7): 100, (1, 8): 99, (2, 7): 98}
    assert assign([1, 2], [7, 8], {7: 1, 8: 1}, fits) == Assignment({1: 8, 2: 7}, 197)


def test_quota_binds_and_the_best_fits_win():
    fits = {(c, 7): s for c, s in [(1, 40), (2, 90), (3, 60), (4, 90)]}
    result = assign([1, 2, 3, 4], [7], {7: 2}, fits)
    assert result == Assignment({2: 7, 4: 7}, 180)


def test_ties_prefer_the_lower_company_then_the_lower_partner():
    assert assign([5, 3, 9], [1], {1: 1}, {(5, 1): 50, (3, 1): 50, (9, 1): 50}).allocation == {3: 1}
    assert assign([5], [2, 1], {1: 1, 2: 1}, {(5, 1): 50, (5, 2): 50}).allocation == {5: 1}


def test_scores_must_be_integers():
    with pytest.raises(TypeError):
        assign([1], [7], {7: 1}, {(1, 7): 1.5})
    with pytest.raises(TypeError):
        assign([1], [7], {7: 1}, {(1, 7): True})


def test_a_larger_random_case_is_feasible_and_beats_greedy():
    rng = random.Random(7)
    companies = list(range(1, 301))
    partners = list(range(1, 6))
    capacity = {p: rng.randint(5, 40) for p in partners}
    fits = {(c, p): rng.randint(1, 100) for c in companies for p in partners if rng.random() < 0.5}
    result = assign(companies, partners, capacity, fits)
    check_feasible(result, companies, partners, capacity, fits)
    # Greedy over pairs by score is a lower bound of the optimum.
    used = dict.fromkeys(partners, 0)
    taken: set[int] = set()
    greedy = 0
    for (c, p), s in sorted(fits.items(), key=lambda kv: -kv[1]):
        if c not in taken and used[p] < capacity[p]:
            taken.add(c)
            used[p] += 1
            greedy += s
    assert result.total_score >= greedy


def test_pairs_as_arrays():
    result = assign_pairs(
        np.array([2, 1, 1]), np.array([7, 7, 8]), np.array([98, 100, 99]), {7: 1, 8: 1, 9: 4}
    )
    assert result == Assignment({1: 8, 2: 7}, 197)
    with pytest.raises(ValueError, match="twice"):
        assign_pairs(np.array([1, 1]), np.array([7, 7]), np.array([5, 6]), {7: 1})
    with pytest.raises(ValueError, match="same length"):
        assign_pairs(np.array([1, 2]), np.array([7]), np.array([5]), {7: 1})


def test_pruning_keeps_the_optimum():
    """With 2 places in all, each partner keeps only its 2 best pairs; the best allocation needs the
    second-best company of partner 7 (company 1 is worth more at partner 8)."""
    fits = {(1, 7): 90, (2, 7): 80, (3, 7): 70, (4, 7): 60, (1, 8): 89, (2, 8): 10, (3, 8): 5}
    result = assign([1, 2, 3, 4], [7, 8], {7: 1, 8: 1}, fits)
    assert result == Assignment({1: 8, 2: 7}, 169)
    assert result.total_score == brute_force([1, 2, 3, 4], [7, 8], {7: 1, 8: 1}, fits)
