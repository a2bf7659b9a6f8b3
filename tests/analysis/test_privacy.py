"""Tests for analysis.privacy: threshold, reasons, the exact oracle (cells and unions), optimal and greedy
suppression, suppression against what was published, the ledger and live participation counts."""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import privacy
from analysis.privacy import (
    EXPLAIN_PROTECTS_OTHER,
    EXPLAIN_TOO_FEW,
    REASON_COMPLEMENTARY,
    REASON_DISCLOSIVE,
    REASON_PROTECTS_OTHER,
    REASON_TOO_FEW,
    DisclosureError,
    Ledger,
    LiveCounts,
    computable_cells,
    describe,
    disclosed_respondents,
    distribution_min_size,
    floor_count,
    is_disclosive,
    is_safe,
    release_live_counts,
    small_computable_sets,
    suppress_groups,
    validate_min_group_size,
)
from tests.analysis.test_engagement_equivalence import ref_suppress_groups

PROTECTS = REASON_PROTECTS_OTHER
#: The union search by enumeration, before any test replaces it.
ENUMERATE = privacy._Oracle._enumerate_unions


# --- references -----------------------------------------------------------------------------


def fraction_rref(groups, cols):
    """Rows of the reduced row echelon form of the 0/1 membership matrix, plain Fraction elimination."""
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
    return rows[:r]


def in_row_space(rref, cols, subset):
    """Whether the indicator of ``subset`` is a combination of the RREF rows (exact)."""
    x = [Fraction(int(c in subset)) for c in cols]
    for row in rref:
        p = next(i for i, v in enumerate(row) if v != 0)
        if x[p] != 0:
            f = x[p]
            x = [a - f * b for a, b in zip(x, row)]
    return not any(x)


def fraction_disclosed(groups, universe):
    """Reference: unit vectors in the row space."""
    cols = list(universe)
    out = set()
    for row in fraction_rref(groups, cols):
        nz = [c for c, x in enumerate(row) if x != 0]
        if len(nz) == 1:
            out.add(cols[nz[0]])
    return frozenset(out)


def ref_small_sets(groups, k):
    """Every set of 1..k-1 people in the row space, by enumeration (small universes only)."""
    cols = sorted(frozenset().union(*groups), key=repr) if groups else []
    rref = fraction_rref(groups, cols)
    return [frozenset(s) for size in range(1, k) for s in combinations(cols, size) if in_row_space(rref, cols, s)]


def visible_sets(groups, decisions):
    return [groups[name] for name, reason in decisions.items() if reason is None]


def brute_force_fewest_hidden(groups, k, published=()):
    """The fewest names that must be hidden (beyond those under k) for the reference oracle to find nothing."""
    free = [n for n, g in groups.items() if len(g) >= k and g not in set(published)]
    for count in range(len(free) + 1):
        for hide in combinations(free, count):
            shown = [*published, *(g for n, g in groups.items() if len(g) >= k and n not in hide)]
            if not ref_small_sets(list(dict.fromkeys(shown)), k):
                return count
    raise AssertionError("hiding everything is always safe")


# --- minimum group size and reasons ---------------------------------------------------------


def test_k_below_three_is_refused():
    with pytest.raises(ValueError):
        validate_min_group_size(2)
    with pytest.raises(ValueError):
        suppress_groups({"all": frozenset(range(10))}, k=2)
    assert validate_min_group_size(3) == 3


def test_k_must_be_an_integer():
    with pytest.raises(ValueError):
        validate_min_group_size(4.5)
    with pytest.raises(ValueError):
        validate_min_group_size(True)


def test_distributions_need_twice_k():
    assert distribution_min_size(5) == 10
    assert distribution_min_size(3) == 6


def test_two_distinct_reasons_each_defined_once_with_an_explanation():
    assert REASON_TOO_FEW == "fewer than k responses"
    assert REASON_PROTECTS_OTHER == "hidden so that another group can't be worked out"
    assert privacy.REASONS == (REASON_TOO_FEW, REASON_PROTECTS_OTHER)
    assert privacy.EXPLANATIONS == {REASON_TOO_FEW: EXPLAIN_TOO_FEW, REASON_PROTECTS_OTHER: EXPLAIN_PROTECTS_OTHER}
    # The former internal names are the same reason now.
    assert REASON_COMPLEMENTARY is REASON_PROTECTS_OTHER and REASON_DISCLOSIVE is REASON_PROTECTS_OTHER
    assert all("\n" not in text for text in privacy.EXPLANATIONS.values())


def test_describe_writes_k_out():
    label, text = describe(REASON_TOO_FEW, 5)
    assert label == "fewer than 5 responses"
    assert text == ("Fewer than 5 people are in this group, and numbers are shown only for groups of at "
                    "least 5.")
    label, text = describe(REASON_PROTECTS_OTHER, 4)
    assert label == REASON_PROTECTS_OTHER
    assert "fewer than 4 people" in text and " k " not in text
    with pytest.raises(ValueError, match="unknown reason 'not enough responses'"):
        describe("not enough responses", 5)
    with pytest.raises(ValueError):
        describe(REASON_TOO_FEW, 2)


@pytest.mark.parametrize("method", privacy.METHODS)
def test_group_of_four_is_too_few(method):
    result = suppress_groups({"team": frozenset("abcd"), "all": frozenset("abcdefghijklmnop")}, k=5, method=method)
    assert result["team"] == REASON_TOO_FEW
    assert result["all"] is None


@pytest.mark.parametrize("method", privacy.METHODS)
def test_empty_group_is_suppressed(method):
    assert suppress_groups({"nobody": frozenset()}, k=3, method=method)["nobody"] == REASON_TOO_FEW


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        suppress_groups({"all": frozenset(range(10))}, method="magic")


# --- differencing ---------------------------------------------------------------------------


def test_threshold_alone_is_disclosive_for_team_of_six_in_department_of_seven():
    dept, team = frozenset(range(7)), frozenset(range(6))
    assert is_disclosive([dept, team])
    assert disclosed_respondents([dept, team]) == {6}
    assert small_computable_sets([dept, team], 5) == [frozenset({6})]
    assert not is_safe([dept, team], 5)


@pytest.mark.parametrize("method", privacy.METHODS)
def test_differencing_attack_hides_one_of_the_two(method):
    groups = {"department": frozenset(range(7)), "team": frozenset(range(6))}
    result = suppress_groups(groups, k=5, method=method)
    assert result == {"department": None, "team": PROTECTS}
    assert not is_disclosive(visible_sets(groups, result))


@pytest.mark.parametrize("method", privacy.METHODS)
def test_difference_of_exactly_k_is_allowed(method):
    groups = {"department": frozenset(range(10)), "team": frozenset(range(5))}
    assert suppress_groups(groups, k=5, method=method) == {"department": None, "team": None}


def test_greedy_applies_the_pairwise_rule_to_overlapping_filters():
    a = frozenset(range(0, 12))
    b = frozenset(range(2, 20))  # a \ b has 2 people
    result = suppress_groups({"a": a, "b": b}, k=5, method="greedy")
    assert result == {"a": PROTECTS, "b": None}


def test_optimal_shows_two_overlapping_filters_when_nothing_follows_from_them():
    # a \ b has 2 people, but with only a and b shown neither a \ b nor a & b can be computed.
    a, b = frozenset(range(0, 12)), frozenset(range(2, 20))
    assert small_computable_sets([a, b], 5) == []
    assert suppress_groups({"a": a, "b": b}, k=5) == {"a": None, "b": None}
    # ...unless their union is shown too: then the three together give a \ b away.
    groups = {"a": a, "b": b, "a or b": a | b}
    result = suppress_groups(groups, k=5)
    assert sum(r is not None for r in result.values()) == 1
    assert is_safe(visible_sets(groups, result), 5)


@pytest.mark.parametrize("method", privacy.METHODS)
def test_same_members_under_two_names_is_one_aggregate(method):
    g = frozenset(range(8))
    assert suppress_groups({"team": g, "filter": g}, k=5, method=method) == {"team": None, "filter": None}
    # Hidden together too.
    groups = {"all": frozenset(range(9)), "team": g, "filter": g}
    result = suppress_groups(groups, k=5, method=method)
    assert result["team"] == result["filter"]
    assert is_safe(visible_sets(groups, result), 5)


@pytest.mark.parametrize("method", privacy.METHODS)
def test_three_group_differencing_is_caught_by_the_exact_check(method):
    # Department of 12 with teams of 6 and 5: every pair is fine, but D - A - B is one person.
    groups = {"D": frozenset(range(12)), "A": frozenset(range(6)), "B": frozenset(range(6, 11))}
    assert is_disclosive(list(groups.values()))
    result = suppress_groups(groups, k=5, method=method)
    assert sum(r is not None for r in result.values()) == 1
    assert not is_disclosive(visible_sets(groups, result))
    if method == "greedy":  # the smallest group holding the exposed person: the department
        assert result == {"D": PROTECTS, "A": None, "B": None}


@pytest.mark.parametrize("method", privacy.METHODS)
def test_sum_of_a_small_clique_is_not_left_computable(method):
    # U minus a group leaves a cell of 2 people: no unit vector, but a sum of 2 under k=5.
    groups = {"all": frozenset(range(20)), "east": frozenset(range(10)), "west": frozenset(range(10, 18))}
    result = suppress_groups(groups, k=5, method=method)
    assert all(len(c) >= 5 for c in computable_cells(visible_sets(groups, result)))
    assert sum(r is not None for r in result.values()) == 1
    if method == "greedy":
        assert result["all"] == PROTECTS


def test_greedy_applies_the_pairwise_rule_against_published_groups():
    published = frozenset(range(0, 12))
    groups = {"b": frozenset(range(2, 20)), "c": frozenset(range(30, 40))}  # b \ published: 8, published \ b: 2
    assert suppress_groups(groups, 5, published=[published], method="greedy") == {"b": PROTECTS, "c": None}
    assert suppress_groups(groups, 5, published=[published]) == {"b": None, "c": None}
    # The other way round: the published group is the larger one of the pair.
    groups = {"small": frozenset(range(0, 9))}  # inside the published 12, three short: computable anyway
    assert suppress_groups(groups, 5, published=[published], method="greedy") == {"small": PROTECTS}
    groups = {"wide": frozenset(range(3, 40))}  # published \ wide: 3 people
    assert suppress_groups(groups, 5, published=[published], method="greedy") == {"wide": PROTECTS}
    assert suppress_groups(groups, 5, published=[published]) == {"wide": None}


def test_greedy_hides_the_smallest_new_group_when_only_published_groups_hold_the_exposed_set():
    # Published: the department and team A. New: team B. D - A - B is one person, held by D only.
    published = [frozenset(range(12)), frozenset(range(6))]
    result = suppress_groups({"B": frozenset(range(6, 11)), "other": frozenset(range(40, 50))}, 5,
                             published=published, method="greedy")
    assert result == {"B": PROTECTS, "other": None}


def test_optimal_keeps_the_whole_scope_with_a_weight():
    groups = {"all": frozenset(range(20)), "east": frozenset(range(10)), "west": frozenset(range(10, 18))}
    assert suppress_groups(groups, 5)["west"] == PROTECTS  # ties: the smaller group goes
    assert suppress_groups(groups, 5, weights={"west": 5.0, "east": 5.0})["all"] == PROTECTS
    assert suppress_groups(groups, 5, weights={"all": 10.0})["all"] is None


def test_a_partition_hides_two_small_cells_or_none():
    # Regions of 7, 6, 5 and 2 people under the whole scope: the 2 are hidden for being too few, and
    # the whole scope minus the other regions would give them away, so one more region goes.
    regions = {"N": range(0, 7), "S": range(7, 13), "E": range(13, 18), "W": range(18, 20)}
    groups = {"all": frozenset(range(20)), **{f"region={r}": frozenset(m) for r, m in regions.items()}}
    result = suppress_groups(groups, 5)
    assert result["region=W"] == REASON_TOO_FEW
    assert result["all"] is None
    assert [n for n, r in result.items() if r == PROTECTS] == ["region=E"]  # the smallest other region


# --- unions of small cells -------------------------------------------------------------------


def test_a_union_of_two_single_cells_is_found():
    # a + b - c = {8, 9}: two people in different cells, neither cell computable on its own.
    a, b, c = frozenset(range(0, 4)) | {8}, frozenset(range(4, 8)) | {9}, frozenset(range(0, 8))
    groups = [a, b, c]
    assert computable_cells(groups) == []
    assert small_computable_sets(groups, 3) == [frozenset({8, 9})]
    assert small_computable_sets(groups, 3, unions=False) == []
    assert ref_small_sets(groups, 3) == [frozenset({8, 9})]


def test_suppression_removes_a_computable_union():
    a, b, c = frozenset(range(0, 4)) | {8}, frozenset(range(4, 8)) | {9}, frozenset(range(0, 8))
    groups = {"a": a, "b": b, "c": c}
    result = suppress_groups(groups, 3)
    assert result["c"] is None and sorted(r is None for r in (result["a"], result["b"])) == [False, True]
    assert not ref_small_sets(visible_sets(groups, result), 3)
    # The earlier check (single cells only) leaves it.
    assert suppress_groups(groups, 3, unions=False) == dict.fromkeys(groups)
    # Greedy: the pairwise rule hides a and b (c minus each of them is one person short of a and b).
    assert suppress_groups(groups, 3, method="greedy") == {"a": PROTECTS, "b": PROTECTS, "c": None}


# --- exactness -----------------------------------------------------------------------------

matrices = st.lists(
    st.lists(st.booleans(), min_size=8, max_size=8), min_size=1, max_size=7
).map(lambda rows: [frozenset(i for i, b in enumerate(row) if b) for row in rows])


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_disclosed_respondents_match_fraction_elimination(groups):
    assert disclosed_respondents(groups, range(8)) == fraction_disclosed(groups, range(8))


def assert_support_is_exact(oracle, members, cells):
    """The combination ``support`` gives of the visible sets sums to exactly ``members``."""
    total: dict = {}
    for g, coef in oracle.support(cells).items():
        for person in oracle.sets[g]:
            total[person] = total.get(person, 0) + coef
    assert {p for p, v in total.items() if v} == members and all(v == 1 for v in total.values() if v)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=matrices, k=st.integers(3, 5), search=st.sampled_from(["enumeration", "integer program"]))
def test_small_computable_sets_match_enumeration(monkeypatch, groups, k, search):
    monkeypatch.setattr(privacy._Oracle, "_enumerate_unions",
                        lambda self, *args: ENUMERATE(self, *args, most=256 if search == "enumeration" else 0))
    found = small_computable_sets(groups, k)
    expected = ref_small_sets(groups, k)
    assert set(found) <= set(expected)
    assert bool(found) == bool(expected)
    cells = {c for c in computable_cells(groups) if len(c) < k}
    if cells:  # single cells come first, all of them
        assert set(found) == cells
    oracle = privacy._Oracle(groups, track=True)
    for members, cell_list in oracle.violations(k):
        assert len(members) < k
        assert_support_is_exact(oracle, members, cell_list)


def fraction_rank(m):
    m = [list(map(Fraction, r)) for r in m]
    rk = 0
    for c in range(len(m[0]) if m else 0):
        piv = next((i for i in range(rk, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[rk], m[piv] = m[piv], m[rk]
        for i in range(len(m)):
            if i != rk and m[i][c] != 0:
                f = m[i][c] / m[rk][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[rk])]
        rk += 1
    return rk


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=6, max_size=6), min_size=1, max_size=6),
       st.lists(st.integers(-2, 2), min_size=6, max_size=6))
def test_row_space_matches_fractions_on_integer_rows(rows, vector):
    # Entries other than 0/1 drive the non-unit pivots and the gcd steps of the elimination.
    space = privacy._RowSpace(track=True)
    pivots = [space.add_vector({c: v for c, v in enumerate(row) if v}, i) for i, row in enumerate(rows)]
    assert sum(p is not None for p in pivots) == len(space.rows) == fraction_rank(rows)
    inside = fraction_rank(rows + [vector]) == fraction_rank(rows)
    assert space.contains({c: v for c, v in enumerate(vector) if v}) == inside
    for q, row in space.rows.items():
        assert row[q] > 0
        assert all(q not in other for p, other in space.rows.items() if p != q)  # reduced
        combination = [sum(Fraction(coef) * rows[g][c] for g, coef in space.hist[q].items()) for c in range(6)]
        assert combination == [row.get(c, 0) for c in range(6)]  # the history is exact


def test_support_is_an_exact_combination_of_the_visible_sets():
    groups = [frozenset(range(12)), frozenset(range(6)), frozenset(range(6, 11)), frozenset({0, 6, 11})]
    oracle = privacy._Oracle(groups, track=True)
    for members, cells in oracle.violations(5):
        y = oracle.support(cells)
        total = {}
        for g, coef in y.items():
            for person in groups[g]:
                total[person] = total.get(person, 0) + coef
        assert {p for p, v in total.items() if v} == members and all(v == 1 for v in total.values() if v)


def test_universe_must_hold_every_member():
    with pytest.raises(ValueError):
        is_disclosive([frozenset({1, 2})], universe=[1])


def test_respondents_outside_every_group_are_never_disclosed():
    assert not is_disclosive([frozenset(range(5))], universe=range(10))
    assert computable_cells([frozenset(range(5))], universe=range(10)) == [frozenset(range(5))]


def test_no_groups_nothing_computable():
    assert computable_cells([]) == [] and small_computable_sets([], 5) == [] and is_safe([], 5)


def test_cells_fall_back_to_the_exact_grouping_on_a_hash_collision(monkeypatch):
    groups = [frozenset({1, 2, 3}), frozenset({3, 4}), frozenset({5})]
    universe = [1, 2, 3, 4, 5, 6]
    expected = privacy._cells_exact(groups, universe)
    assert privacy._cells(groups, universe) == expected
    assert expected == [((0,), [1, 2]), ((0, 1), [3]), ((1,), [4]), ((2,), [5]), ((), [6])]

    class Constant:
        def integers(self, low, high, size, dtype):
            return np.full(size, 7, dtype=dtype)  # every group the same code: 2 memberships collide

    monkeypatch.setattr(np.random, "default_rng", lambda seed: Constant())
    assert privacy._cells(groups, universe) == expected


# --- optimality -----------------------------------------------------------------------------


@st.composite
def small_problems(draw):
    n = draw(st.integers(4, 9))
    k = draw(st.integers(3, 4))
    sets = draw(st.lists(st.frozensets(st.integers(0, n - 1), min_size=1), min_size=1, max_size=6))
    groups = {f"g{i}": s for i, s in enumerate(dict.fromkeys(sets))}
    return groups, k


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimal_hides_the_fewest_groups(problem):
    groups, k = problem
    result = suppress_groups(groups, k)
    assert all((r == REASON_TOO_FEW) == (len(groups[n]) < k) for n, r in result.items())
    assert not ref_small_sets(visible_sets(groups, result), k)
    hidden = sum(r == PROTECTS for r in result.values())
    assert hidden == brute_force_fewest_hidden(groups, k)
    greedy = suppress_groups(groups, k, method="greedy")
    assert not ref_small_sets(visible_sets(groups, greedy), k)
    assert sum(r == PROTECTS for r in greedy.values()) >= hidden


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
        groups.setdefault(f"team={p['manager']}", set()).add(p["key"])
        m = p["manager"]
        while m is not None:
            groups.setdefault(f"tree={m}", set()).add(p["key"])
            m = parent[m]
    groups = {name: frozenset(keys) for name, keys in groups.items()}
    k = draw(st.integers(min_value=3, max_value=6))
    return groups, k


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.sampled_from(privacy.METHODS))
def test_suppression_leaves_no_small_group_and_nothing_computable(org, method):
    groups, k = org
    result = suppress_groups(groups, k, method=method)
    assert set(result) == set(groups)
    visible = visible_sets(groups, result)
    assert all(len(g) >= k for g in visible)
    universe = frozenset().union(*groups.values())
    assert is_disclosive(visible, universe) is False
    assert fraction_disclosed(visible, sorted(universe)) == frozenset()
    assert is_safe(visible, k)
    if method == "greedy":
        # Every visible nested or overlapping pair differs by 0 or at least k respondents.
        for a in visible:
            for b in visible:
                if a & b:
                    assert len(a - b) == 0 or len(a - b) >= k
    else:
        # Nested pairs at least (overlapping ones only matter when something follows from them).
        for a in visible:
            for b in visible:
                if b < a:
                    assert len(a - b) >= k


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_optimal_shows_at_least_as_many_groups_as_greedy(org):
    groups, k = org
    optimal = suppress_groups(groups, k)
    greedy = suppress_groups(groups, k, method="greedy")
    assert sum(r is None for r in optimal.values()) >= sum(r is None for r in greedy.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.sampled_from(privacy.METHODS))
def test_suppression_is_deterministic(org, method):
    groups, k = org
    assert suppress_groups(groups, k, method=method) == suppress_groups(dict(reversed(list(groups.items()))), k,
                                                                        method=method)


# --- suppression against what was published ---------------------------------------------------


@pytest.mark.parametrize("method", privacy.METHODS)
def test_a_recompute_after_a_move_is_checked_against_the_first_version(method):
    team_v1 = frozenset(range(10))
    team_v2 = frozenset(range(9))  # person 9 moved away after the campaign opened
    other = frozenset(range(10, 20))
    # Each version on its own is fine...
    assert suppress_groups({"team": team_v2, "other": other}, 5, method=method) == {"team": None, "other": None}
    # ...but together they give person 9 away: the new team is hidden, the published one stays.
    result = suppress_groups({"team": team_v2, "other": other}, 5, published=[team_v1], method=method)
    assert result == {"team": PROTECTS, "other": None}
    assert is_safe([team_v1, other], 5)


@pytest.mark.parametrize("method", privacy.METHODS)
def test_a_group_equal_to_a_published_one_stays_shown(method):
    team = frozenset(range(6))
    dept = frozenset(range(7))
    # The department alone would be hidden or the team; the team was published, so the department goes.
    result = suppress_groups({"team": team, "department": dept}, 5, published=[team], method=method)
    assert result == {"team": None, "department": PROTECTS}


@pytest.mark.parametrize("method", privacy.METHODS)
def test_published_only_combinations_are_broken_by_hiding_a_new_group(method):
    # Published: all and east. New: west and south, which only together with the published ones
    # isolate the two people in neither east nor west.
    everyone, east = frozenset(range(20)), frozenset(range(10))
    groups = {"west": frozenset(range(10, 18)), "south": frozenset(range(5, 15))}
    result = suppress_groups(groups, 5, published=[everyone, east], method=method)
    assert result["west"] == PROTECTS
    assert is_safe([everyone, east, *visible_sets(groups, result)], 5)


def test_published_that_already_disclose_raise():
    with pytest.raises(DisclosureError) as err:
        suppress_groups({"x": frozenset(range(30, 40))}, 5, published=[frozenset(range(7)), frozenset(range(6))])
    assert err.value.sets == [frozenset({6})]


def test_the_ledger_keeps_everything_published_per_variable():
    ledger = Ledger()
    team = frozenset(range(10))
    assert ledger.publish("c1", {"team": team, "tiny": frozenset({1})}, 5) == {"team": None, "tiny": REASON_TOO_FEW}
    assert ledger.published("c1") == (team,)
    # Another variable (another campaign's keys) does not combine with c1.
    assert ledger.publish("c2", {"team": team - {9}}, 5) == {"team": None}
    assert ledger.publish("c1", {"team": team - {9}}, 5) == {"team": PROTECTS}
    assert ledger.publish("c1", {"again": team, "other": frozenset(range(20, 30))}, 5) == {"again": None,
                                                                                           "other": None}
    assert ledger.published("c1") == (team, frozenset(range(20, 30)))
    assert ledger.publish("c3", {"small": frozenset(range(4))}, 3) == {"small": None}  # k is passed on
    assert ledger.published("unknown") == ()


# --- live participation counts ---------------------------------------------------------------


def test_floor_count():
    assert [floor_count(c, 5) for c in (0, 4, 5, 9, 10, 23)] == [0, 0, 5, 5, 10, 20]
    assert floor_count(7, 1) == 7
    with pytest.raises(ValueError, match="need count >= 0 and batch >= 1, got 3, 0"):
        floor_count(3, 0)
    with pytest.raises(ValueError, match="got -1, 5"):
        floor_count(-1, 5)


def test_live_counts_move_only_after_a_batch_and_all_together():
    first = release_live_counts(None, {"all": 1, "team": 1}, 1, batch=5)
    assert first == LiveCounts({"all": 0, "team": 0}, 0)
    assert release_live_counts(first, {"all": 4, "team": 2}, 4, batch=5) is first
    second = release_live_counts(first, {"all": 5, "team": 2}, 5, batch=5)
    assert second == LiveCounts({"all": 5, "team": 2}, 5)
    assert release_live_counts(second, {"all": 9, "team": 6}, 9, batch=5) is second
    assert release_live_counts(second, {"all": 10, "team": 6}, 10, batch=5).counts == {"all": 10, "team": 6}
    with pytest.raises(ValueError, match="^a participation count cannot go down$"):
        release_live_counts(second, {"all": 4}, 4, batch=5)
    with pytest.raises(ValueError, match="batch must be at least 1, got 0"):
        release_live_counts(None, {}, 0, batch=0)
    # A batch of one releases every new answer (the rule, not a recommendation).
    assert release_live_counts(None, {"all": 1}, 1, batch=1) == LiveCounts({"all": 1}, 1)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(1, 6))
def test_no_release_is_moved_by_fewer_than_a_batch_of_answers(arrivals, batch):
    release, total, releases = None, 0, []
    for new in arrivals:
        total += new
        release = release_live_counts(release, {"all": total}, total, batch=batch)
        releases.append(release.total)
    steps = [b - a for a, b in zip([0, *releases], releases) if b != a]
    assert all(step >= batch for step in steps)
    assert all(r <= t for r, t in zip(releases, np.cumsum(arrivals)))


# --- internals the checks above rely on -------------------------------------------------------


def ref_cells(groups, universe):
    """Cells by a dict of per-respondent signatures, in order of first appearance."""
    member_of: dict = {}
    for gi, group in enumerate(groups):
        for r in group:
            member_of.setdefault(r, []).append(gi)
    by_signature: dict = {}
    for r in universe:
        by_signature.setdefault(tuple(member_of.get(r, ())), []).append(r)
    return list(by_signature.items())


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_both_cell_groupings_match_a_reference(data):
    universe = data.draw(st.lists(st.integers(0, 30), unique=True, max_size=25))
    pool = universe + [99]  # a member outside the universe is ignored
    groups = data.draw(st.lists(st.frozensets(st.sampled_from(pool)), max_size=10))
    expected = ref_cells(groups, universe)
    assert privacy._cells(groups, universe) == expected
    if universe and groups:
        assert privacy._cells_exact(groups, universe) == expected


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_greedy_without_unions_is_the_earlier_algorithm(data):
    people = list(range(data.draw(st.integers(0, 25))))
    named = st.dictionaries(st.text("abcdef", min_size=1, max_size=3),
                            st.frozensets(st.sampled_from(people)) if people else st.just(frozenset()), max_size=9)
    groups, k = data.draw(named), data.draw(st.integers(3, 5))
    assert list(suppress_groups(groups, k, method="greedy", unions=False).items()) == list(
        ref_suppress_groups(groups, k).items())


def _two_unions():
    """Visible sets from which exactly two disjoint pairs of people in different cells follow."""
    a, b, c = frozenset(range(0, 4)) | {8}, frozenset(range(4, 8)) | {9}, frozenset(range(0, 8))
    d, e, f = (frozenset(range(20, 24)) | {28}, frozenset(range(24, 28)) | {29}, frozenset(range(20, 28)))
    return [a, b, c, d, e, f]


@pytest.mark.parametrize("enumerate_at_most", [256, 0])
def test_union_search_by_enumeration_and_by_integer_program_agree(monkeypatch, enumerate_at_most):
    monkeypatch.setattr(privacy._Oracle, "_enumerate_unions",
                        lambda self, *args: ENUMERATE(self, *args, most=enumerate_at_most))
    oracle = privacy._Oracle(_two_unions(), track=True)
    people = [frozenset(p for c in cells for p in oracle.cells[c]) for cells in oracle.small_unions(3, limit=5)]
    assert sorted(map(sorted, people)) == [[8, 9], [28, 29]]
    assert len(oracle.small_unions(3, limit=1)) == 1
    assert oracle.small_unions(2) == [] or True  # k below 3 is never asked for; nothing breaks
    for members, cells in oracle.violations(3):
        y = oracle.support(cells)
        total: dict = {}
        for g, coef in y.items():
            for person in oracle.sets[g]:
                total[person] = total.get(person, 0) + coef
        assert {p for p, v in total.items() if v} == members and all(v == 1 for v in total.values() if v)


def test_union_search_respects_the_size_limit():
    # {8, 9} is computable, but at k = 2 it is not "fewer than k" (and single cells are not unions).
    oracle = privacy._Oracle(_two_unions()[:3])
    assert oracle.small_unions(2) == []
    assert [sorted(p for c in cells for p in oracle.cells[c]) for cells in oracle.small_unions(3)] == [[8, 9]]
    assert oracle.violations(3, unions=False) == []


def test_universe_is_passed_through_and_checked():
    groups = [frozenset({1, 2, 3, 4}), frozenset({1, 2, 3})]
    assert small_computable_sets(groups, 3, universe=range(10)) == [frozenset({4})]
    assert not is_safe(groups, 3, universe=range(10))
    with pytest.raises(ValueError):
        small_computable_sets(groups, 3, universe=[1, 2])
    with pytest.raises(ValueError):
        is_safe(groups, 3, universe=[1, 2])
    with pytest.raises(ValueError):
        small_computable_sets(groups, 2)


def test_the_ledger_records_only_shown_non_empty_new_sets_and_passes_options():
    ledger = Ledger()
    big = frozenset(range(12))
    decisions = ledger.publish("v", {"a": big, "b": big, "empty": frozenset(), "tiny": frozenset({1, 2})}, 3,
                               method="greedy")
    assert decisions == {"a": None, "b": None, "empty": REASON_TOO_FEW, "tiny": REASON_TOO_FEW}
    assert ledger.shown == {"v": [big]}
    ledger.publish("v", {"again": big}, 3)
    assert ledger.shown == {"v": [big]}
    with pytest.raises(ValueError):
        ledger.publish("v", {"x": big}, 3, method="magic")


def test_disclosure_error_lists_the_sets():
    err = DisclosureError([frozenset({1}), frozenset({2, 3})])
    assert err.sets == [frozenset({1}), frozenset({2, 3})]
    assert str(err) == "already published results disclose 2 set(s) of fewer than k people"
    assert isinstance(err, ValueError)


def _tree_and_regions(published: bool = False):
    """A manager tree (m0 over m1 and m2, m0's own team of 3) and two regions that cross it, k = 5."""
    sets = {
        "all": frozenset(range(20)),
        "manager_tree=m0": frozenset(range(18)),
        "manager=m0": frozenset({0, 1, 2}),
        "manager=m1": frozenset(range(3, 11)),
        "manager=m2": frozenset(range(11, 18)),
        "region=N": frozenset(range(10)) | {18},
        "region=S": frozenset(range(10, 18)) | {19},
    }
    pub = [sets["manager_tree=m0"]] if published else []
    var = sorted((n for n, s in sets.items() if len(s) >= 5 and s not in pub), key=lambda n: (len(sets[n]), n))
    primary = ["manager=m0"]
    order = (["manager_tree=m0"] if published else []) + var + primary
    structure = privacy._Structure(pub, [sets[n] for n in var], [sets[n] for n in primary], 5,
                                   [n.split("=", 1)[0] for n in order])
    return structure, var, order


def _named(structure_sets, var, covers):
    return {frozenset(var[i] for i in cover) for cover in covers}


def test_the_structure_finds_the_nested_family_and_the_partition_constraints():
    structure, var, order = _tree_and_regions()
    assert {order[i] for i in structure.nested} == {"all", "manager_tree=m0", "manager=m0", "manager=m1",
                                                    "manager=m2"}
    assert order[structure.parent[order.index("manager=m1")]] == "manager_tree=m0"
    assert structure.parent[order.index("all")] is None
    assert sorted(order[i] for i in structure.children[order.index("manager_tree=m0")]) == [
        "manager=m0", "manager=m1", "manager=m2"]
    assert sorted(order[i] for i in structure.tops[order.index("region=S")]) == ["manager=m2"]
    assert structure.tops[order.index("manager=m0")] == []  # too few to be shown: not a parent
    expected = {frozenset({"all", "manager_tree=m0"}),  # two people in no tree
                frozenset({"manager_tree=m0", "manager=m1", "manager=m2"}),  # m0's own team of 3
                frozenset({"region=S", "manager=m2"})}  # S minus m2: two people
    assert _named(structure, var, structure.covers()) == expected
    assert _named(structure, var, structure.remainder_cuts([False] * len(var))) == expected
    hidden = [name == "manager_tree=m0" for name in var]
    assert _named(structure, var, structure.remainder_cuts(hidden)) == {frozenset({"region=S", "manager=m2"})}
    assert [structure.var(i) for i in range(len(order))] == list(range(len(var))) + [None]


def test_the_structure_leaves_published_groups_out_of_every_constraint():
    structure, var, order = _tree_and_regions(published=True)
    assert "manager_tree=m0" not in var and structure.var(0) is None
    assert _named(structure, var, structure.covers()) == {
        frozenset({"all"}), frozenset({"manager=m1", "manager=m2"}), frozenset({"region=S", "manager=m2"})}


def test_breakdowns_that_cross_themselves_or_too_many_breakdowns_make_no_nested_family():
    a, b = frozenset(range(0, 8)), frozenset(range(4, 12))  # two filters crossing each other
    structure = privacy._Structure([], [a, b], [], 3, ["filter", "filter"])
    assert structure.nested == set()
    many = [frozenset({i, i + 1, i + 2}) | frozenset(range(100, 110)) for i in range(0, 39, 3)]
    structure = privacy._Structure([], many, [], 3, [f"p{i}" for i in range(len(many))])
    assert len(many) == 13 and structure.nested == set()
    structure = privacy._Structure([], many[:12], [], 3, [f"p{i}" for i in range(12)])
    assert len(structure.nested) == 1  # pairwise crossing: the largest group of them is one breakdown


def _pairwise_safe_union():
    """Five groups, every two of them differing by 0 or at least 3 people, and G1 + G2 - G3 - G4 + G5 = {100, 101}."""
    def block(start):
        return frozenset(range(start, start + 3))

    a, b, c, d, e, f = (block(s) for s in range(0, 18, 3))
    return {"g1": {100} | a | b, "g2": {101} | c | d, "g3": a | c | e, "g4": b | d | f, "g5": e | f}


@pytest.mark.parametrize("method", privacy.METHODS)
def test_a_union_no_pairwise_rule_sees_is_removed_by_both_methods(method):
    groups = {n: frozenset(g) for n, g in _pairwise_safe_union().items()}
    assert computable_cells(list(groups.values())) == []
    assert [members for members, _ in privacy._Oracle(list(groups.values())).violations(3)] == [frozenset({100, 101})]
    result = suppress_groups(groups, 3, method=method)
    assert sum(r is not None for r in result.values()) == 1 and is_safe(visible_sets(groups, result), 3)
    assert suppress_groups(groups, 3, method=method, unions=False) == dict.fromkeys(groups)


def test_a_published_union_is_an_earlier_disclosure():
    with pytest.raises(DisclosureError) as err:
        suppress_groups({"new": frozenset(range(50, 60))}, 3, published=list(_pairwise_safe_union().values()))
    assert err.value.sets == [frozenset({100, 101})]
    # The earlier check (cells only) does not see it.
    assert suppress_groups({"new": frozenset(range(50, 60))}, 3, published=list(_pairwise_safe_union().values()),
                           unions=False) == {"new": None}


def test_violations_come_five_at_a_time():
    sets = []
    for copy in range(7):  # seven disjoint copies of the pattern, each giving one pair away
        shift = 1000 * copy
        sets += [frozenset(p + shift for p in g) for g in _pairwise_safe_union().values()]
    oracle = privacy._Oracle(sets)
    assert len(oracle.violations(3)) == 5
    assert len(oracle.violations(3, limit=2)) == 2
    assert len(oracle.small_unions(3)) == 1


def test_optimal_solves_the_integer_program_not_its_relaxation():
    # Three groups every two of which give a small set away together: hiding one of the three is
    # not enough, two must go (the relaxation would hide half of each).
    core = frozenset(range(10))
    groups = {"all": core | {10, 11}, "a": core | {10}, "b": core | {11}, "c": core}
    # all - a, all - b, a - c, b - c are single people: a minimum cover hides two groups.
    result = suppress_groups(groups, 3)
    assert sum(r is not None for r in result.values()) == brute_force_fewest_hidden(groups, 3) == 2
    assert is_safe(visible_sets(groups, result), 3)


def test_messages_of_invalid_sizes_and_methods():
    with pytest.raises(ValueError, match="must be an integer, got 4.5"):
        validate_min_group_size(4.5)
    with pytest.raises(ValueError, match="must be at least 3, got 2"):
        validate_min_group_size(2)
    with pytest.raises(ValueError, match=r"method must be one of \('optimal', 'greedy'\), got 'magic'"):
        suppress_groups({}, method="magic")
    with pytest.raises(ValueError, match="^1 group member\\(s\\) are not in the universe$"):
        computable_cells([frozenset({1, 2})], universe=[1])
