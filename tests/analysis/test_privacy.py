"""Tests for analysis.privacy: threshold, complementary suppression and the exact disclosure check."""

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import privacy
from analysis.privacy import (
    REASON_COMPLEMENTARY,
    REASON_TOO_FEW,
    computable_cells,
    disclosed_respondents,
    distribution_min_size,
    is_disclosive,
    suppress_groups,
    validate_min_group_size,
)


def fraction_disclosed(groups, universe):
    """Reference: unit vectors in the row space, by plain Fraction Gauss-Jordan elimination."""
    cols = list(universe)
    rows = [[Fraction(int(c in g)) for c in cols] for g in groups]
    r = 0
    for c in range(len(cols)):
        piv = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        rows[r] = [x / rows[r][c] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        r += 1
    out = set()
    for row in rows[:r]:
        nz = [c for c, x in enumerate(row) if x != 0]
        if len(nz) == 1:
            out.add(cols[nz[0]])
    return frozenset(out)


def visible_sets(groups, decisions):
    return [groups[name] for name, reason in decisions.items() if reason is None]


# --- minimum group size -------------------------------------------------------------------


def test_k_below_three_is_refused():
    with pytest.raises(ValueError):
        validate_min_group_size(2)
    with pytest.raises(ValueError):
        suppress_groups({"all": frozenset(range(10))}, k=2)


def test_k_must_be_an_integer():
    with pytest.raises(ValueError):
        validate_min_group_size(4.5)


def test_distributions_need_twice_k():
    assert distribution_min_size(5) == 10
    assert distribution_min_size(3) == 6


def test_group_of_four_shows_not_enough_responses():
    result = suppress_groups({"team": frozenset("abcd"), "all": frozenset("abcdefghijklmnop")}, k=5)
    assert result["team"] == REASON_TOO_FEW == "not enough responses"
    assert result["all"] is None


def test_empty_group_is_suppressed():
    assert suppress_groups({"nobody": frozenset()}, k=3)["nobody"] == REASON_TOO_FEW


# --- differencing --------------------------------------------------------------------------


def test_threshold_alone_is_disclosive_for_team_of_six_in_department_of_seven():
    dept, team = frozenset(range(7)), frozenset(range(6))
    assert is_disclosive([dept, team])
    assert disclosed_respondents([dept, team]) == {6}


def test_differencing_attack_suppresses_the_team():
    groups = {"department": frozenset(range(7)), "team": frozenset(range(6))}
    result = suppress_groups(groups, k=5)
    assert result == {"department": None, "team": REASON_COMPLEMENTARY}
    assert not is_disclosive(visible_sets(groups, result))


def test_difference_of_exactly_k_is_allowed():
    groups = {"department": frozenset(range(10)), "team": frozenset(range(5))}
    assert suppress_groups(groups, k=5) == {"department": None, "team": None}


def test_overlapping_filters_with_a_small_difference_suppress_the_smaller():
    a = frozenset(range(0, 12))
    b = frozenset(range(2, 20))  # a \ b has 2 people
    result = suppress_groups({"a": a, "b": b}, k=5)
    assert result["a"] == REASON_COMPLEMENTARY
    assert result["b"] is None


def test_same_members_under_two_names_is_one_aggregate():
    g = frozenset(range(8))
    assert suppress_groups({"team": g, "filter": g}, k=5) == {"team": None, "filter": None}


def test_three_group_differencing_is_caught_by_the_exact_check():
    # Department of 12 with teams of 6 and 5: every pair is fine, but D - A - B is one person.
    groups = {"D": frozenset(range(12)), "A": frozenset(range(6)), "B": frozenset(range(6, 11))}
    assert is_disclosive(list(groups.values()))
    result = suppress_groups(groups, k=5)
    assert sum(r is not None for r in result.values()) >= 1
    assert not is_disclosive(visible_sets(groups, result))


def test_sum_of_a_small_clique_is_not_left_computable():
    # U minus a group leaves a cell of 2 people: no unit vector, but a sum of 2 under k=5.
    groups = {"all": frozenset(range(20)), "east": frozenset(range(10)), "west": frozenset(range(10, 18))}
    result = suppress_groups(groups, k=5)
    cells = computable_cells(visible_sets(groups, result))
    assert all(len(c) >= 5 for c in cells)


def test_universe_must_hold_every_member():
    with pytest.raises(ValueError):
        is_disclosive([frozenset({1, 2})], universe=[1])


def test_respondents_outside_every_group_are_never_disclosed():
    assert not is_disclosive([frozenset(range(5))], universe=range(10))


# --- exactness -----------------------------------------------------------------------------

matrices = st.lists(
    st.lists(st.booleans(), min_size=8, max_size=8), min_size=1, max_size=7
).map(lambda rows: [frozenset(i for i, b in enumerate(row) if b) for row in rows])


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_disclosed_respondents_match_fraction_elimination(groups):
    assert disclosed_respondents(groups, range(8)) == fraction_disclosed(groups, range(8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(matrices)
def test_big_integer_path_matches_fraction_elimination(monkeypatch, groups):
    monkeypatch.setattr(privacy, "_SAFE", 2)  # force the unbounded-integer branch
    assert disclosed_respondents(groups, range(8)) == fraction_disclosed(groups, range(8))


# --- generated organisations (ANON-4) ------------------------------------------------------


@st.composite
def organisations(draw):
    n = draw(st.integers(min_value=0, max_value=40))
    n_managers = draw(st.integers(min_value=1, max_value=7))
    parent = {0: None}
    for m in range(1, n_managers):
        parent[m] = draw(st.integers(min_value=0, max_value=m - 1))
    people = []
    for i in range(n):
        people.append(
            {
                "key": f"r{i}",
                "region": draw(st.sampled_from("NSEW"[: draw(st.integers(1, 4))])),
                "department": draw(st.sampled_from(["sales", "ops", "cs"])),
                "tenure": draw(st.sampled_from(["<1y", "1-3y", "3y+"])),
                "manager": draw(st.integers(min_value=0, max_value=n_managers - 1)),
            }
        )
    groups = {"all": frozenset(p["key"] for p in people)}
    for attr in ("region", "department", "tenure"):
        for p in people:
            groups.setdefault(f"{attr}={p[attr]}", set()).add(p["key"])
    for p in people:
        m = p["manager"]
        while m is not None:
            groups.setdefault(f"tree={m}", set()).add(p["key"])
            m = parent[m]
    groups = {name: frozenset(keys) for name, keys in groups.items()}
    k = draw(st.integers(min_value=3, max_value=6))
    return groups, k


@settings(max_examples=120, deadline=None)
@given(organisations())
def test_suppression_leaves_no_small_group_and_nothing_disclosive(org):
    groups, k = org
    result = suppress_groups(groups, k)
    assert set(result) == set(groups)
    visible = visible_sets(groups, result)
    assert all(len(g) >= k for g in visible)
    universe = frozenset().union(*groups.values())
    assert is_disclosive(visible, universe) is False
    assert fraction_disclosed(visible, sorted(universe)) == frozenset()
    # Every visible nested or overlapping pair differs by 0 or at least k respondents.
    for a in visible:
        for b in visible:
            if a & b:
                assert len(a - b) == 0 or len(a - b) >= k


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_suppression_is_deterministic(org):
    groups, k = org
    assert suppress_groups(groups, k) == suppress_groups(dict(reversed(list(groups.items()))), k)
