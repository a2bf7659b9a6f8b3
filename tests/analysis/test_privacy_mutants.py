"""Decisions of analysis.privacy that mutation testing found unprotected by the other test files.

Each test pins something a caller relies on -- which groups are hidden and why, the exact sets the
oracle reports, the optimal (fewest) number of hidden groups, the equality of the fast path with the
plain one, the exact covering constraints of ``_Structure`` -- on small hand-built families where
the answer can be worked out by hand:

- the greedy method's pairwise rule against published sets (every difference of 1..k-1 people
  hides the new group, a difference of 0 or of k does not), which exposed set it repairs first and
  with which group;
- the optimal method: the cheapest group goes (weights against the default 1), ties do not depend
  on the input order, the integer program is solved where its relaxation is fractional, the
  shortcut and the remainder cuts spare the exact oracle, and unions=False repairs single cells only;
- an earlier disclosure (a cell or a union) is refused by both methods;
- ``_Structure``: the nested family (the largest group of non-crossing breakdowns), parents below a
  published scope, the partition tried first, the remainder cuts (published groups count as shown,
  a remainder of one person is a cut);
- the union search: by enumeration without the solver when small, the integer program finding the
  same unions (fractional rows, unions sharing cells), a first union is one;
- cells: the exact grouping keeps universe order, the hash grouping needs no fallback, keys of
  mixed types are accepted.

Mutants that no behaviour distinguishes (a fast path re-checked exactly, a bound of a loop that
ends earlier anyway, a numpy option with no effect on the data) are not forced here.
"""

from __future__ import annotations

import pytest

from analysis import privacy
from analysis.privacy import (
    REASON_PROTECTS_OTHER,
    suppress_groups,
)
from tests.analysis.test_privacy import ref_small_sets

PROTECTS = REASON_PROTECTS_OTHER


def people(prefix, n):
    return frozenset(f"{prefix}{i:02d}" for i in range(n))


# --- greedy: the pairwise rule against published sets -------------------------------------------

COMMON = people("c", 10)


@pytest.mark.parametrize("new_only, published_only", [
    (0, 3), (0, 4), (1, 3), (2, 3), (3, 3), (3, 0), (4, 0), (3, 1), (3, 2), (3, 4), (1, 1)])
def test_greedy_hides_a_new_group_differing_from_a_published_one_by_1_to_k_minus_1(new_only, published_only):
    # A new group and a published one share 10 people; each has some more of its own (k = 3).
    new = COMMON | people("n", new_only)
    published = COMMON | people("p", published_only)
    hidden = 0 < new_only < 3 or 0 < published_only < 3
    result = suppress_groups({"new": new, "other": people("o", 8)}, 3, published=[published], method="greedy")
    assert result == {"new": PROTECTS if hidden else None, "other": None}


def test_greedy_checks_the_new_group_against_every_published_set():
    # Only the second published set is one person away from the new group.
    published = [people("z", 10), COMMON | people("p", 4)]
    groups = {"new": COMMON | {"n00"}, "other": people("o", 8)}
    assert suppress_groups(groups, 3, published=published, method="greedy") == {"new": PROTECTS, "other": None}
    # With only the first one, nothing is wrong.
    assert suppress_groups(groups, 3, published=published[:1], method="greedy") == {"new": None, "other": None}


def test_greedy_keeps_groups_equal_to_published_ones_however_close_they_are():
    # Two published sets two people apart stay shown (they are safe together: two rows, three cells),
    # and so do new groups with the same members as either (no new aggregate).
    first, second = COMMON | people("p", 2), COMMON | people("q", 6)
    assert privacy.is_safe([first, second], 3)
    groups = {"first again": first, "second again": second, "other": people("o", 8)}
    for method in privacy.METHODS:
        assert suppress_groups(groups, 3, published=[first, second], method=method) == dict.fromkeys(groups)


def test_greedy_applies_the_pairwise_rule_to_groups_sharing_one_person():
    small, wide = frozenset({"a", "b", "c"}), frozenset({"c", "d", "e", "f", "g", "h", "i"})
    assert suppress_groups({"small": small, "wide": wide}, 3, method="greedy") == {"small": PROTECTS, "wide": None}
    # Nothing can be worked out from the two (the optimum shows both).
    assert suppress_groups({"small": small, "wide": wide}, 3) == {"small": None, "wide": None}


def test_greedy_keeps_a_subgroup_of_a_published_set_when_the_difference_is_large():
    # The new group lies inside the published one (5 people fewer, k = 3) and a bigger new group is
    # disjoint from both: nothing is one or two people away from anything shown.
    published = people("c", 10)
    groups = {"inside": people("c", 5), "elsewhere": people("e", 7)}
    for method in privacy.METHODS:
        assert suppress_groups(groups, 3, published=[published], method=method) == {"inside": None, "elsewhere": None}


# --- greedy: which exposed set is repaired first, by hiding which group ------------------------


def _two_exposures():
    """A whole scope split two ways into halves; one half of each way carries a small cell of its own.

    k = 3. all - north - south = {z} and all - east - west = {a, b}; every two groups differ by 0 or at
    least k people (no pairwise rule applies), so only the exact check sees them.
    """
    w1, w2, w3, w4 = (people(f"w{i}", 3) for i in range(1, 5))
    z, ab = frozenset({"z"}), frozenset({"a", "b"})
    return {"all": w1 | w2 | w3 | w4 | z | ab, "north": w1 | w2 | ab, "south": w3 | w4,
            "east": w1 | w3 | z, "west": w2 | w4}


def test_greedy_repairs_the_smallest_exposed_set_first_by_hiding_its_smallest_holder():
    groups = _two_exposures()
    assert sorted(map(sorted, privacy.small_computable_sets(list(groups.values()), 3))) == [["a", "b"], ["z"]]
    # {z} first (one person, though {a, b} comes first in key order): its holders are all (15) and east
    # (7), so east goes -- which also ends {a, b}; {z} is still all - north - south, and of its holders
    # only all is left shown.
    result = suppress_groups(groups, 3, method="greedy")
    assert result == {"all": PROTECTS, "north": None, "south": None, "east": PROTECTS, "west": None}
    assert privacy.is_safe([g for n, g in groups.items() if result[n] is None], 3)
    # The optimum hides one group only: the whole scope.
    assert suppress_groups(groups, 3) == {"all": PROTECTS, "north": None, "south": None, "east": None, "west": None}


def test_greedy_hides_the_smallest_new_group_of_the_combination_ties_by_name():
    # Published: the department. New: two teams inside it; D - A - B is person 18, held by D only, so
    # one of the teams goes: the smaller, or of two the same size, the first by name.
    published = [frozenset(range(6, 19))]
    groups = {"zeta": frozenset(range(6, 12)), "alpha": frozenset(range(12, 18)), "other": frozenset(range(40, 50))}
    result = suppress_groups(groups, 5, published=published, method="greedy")
    assert result == {"zeta": None, "alpha": PROTECTS, "other": None}
    groups = {"zeta": frozenset(range(6, 11)), "alpha": frozenset(range(11, 18)), "other": frozenset(range(40, 50))}
    result = suppress_groups(groups, 5, published=published, method="greedy")
    assert result == {"zeta": PROTECTS, "alpha": None, "other": None}


# --- the exact cell grouping ---------------------------------------------------------------------


def test_the_exact_cell_grouping_keeps_members_in_universe_order_on_a_large_universe():
    universe = list(range(300))
    groups = [frozenset(range(0, 300, 2)), frozenset(range(0, 300, 3))]
    expected = [((0, 1), list(range(0, 300, 6))),
                ((), [r for r in universe if r % 2 and r % 3]),
                ((0,), [r for r in universe if r % 2 == 0 and r % 3]),
                ((1,), [r for r in universe if r % 3 == 0 and r % 2])]
    got = privacy._cells_exact(groups, universe)
    assert sorted(got) == sorted(expected)
    assert got == sorted(expected, key=lambda cell: universe.index(cell[1][0]))
    assert privacy._cells(groups, universe) == got


# --- the constraints of _Structure ---------------------------------------------------------------


def structure(groups, k, published=()):
    """``_Structure`` of a named family the way ``_suppress_optimal`` builds it, and the name of each variable."""
    pub = [frozenset(groups[n]) for n in published]
    free = [n for n in groups if n not in published]
    var = sorted((n for n in free if len(groups[n]) >= k), key=lambda n: (len(groups[n]), n))
    primary = sorted((n for n in free if len(groups[n]) < k), key=lambda n: (len(groups[n]), n))
    prefix = [n.split("=", 1)[0] for n in [*published, *var, *primary]]
    built = privacy._Structure(pub, [groups[n] for n in var], [groups[n] for n in primary], k, prefix)
    return built, var


def named(var, constraints):
    return {frozenset(var[i] for i in c) for c in constraints}


def _tree():
    """A manager tree m0 over teams m1, m2 and m0's own team of 3, a whole scope of 20, two regions; k = 5."""
    return {"all": frozenset(range(20)), "tree=m0": frozenset(range(18)), "team=m0": frozenset({0, 1, 2}),
            "team=m1": frozenset(range(3, 11)), "team=m2": frozenset(range(11, 18)),
            "region=N": frozenset(range(10)) | {18}, "region=S": frozenset(range(10, 18)) | {19}}


def test_remainder_cuts_count_published_groups_as_shown():
    built, var = structure(_tree(), 5, published=["tree=m0"])
    # The published tree is shown: all - tree = {18, 19}; tree - m1 - m2 = m0's own 3; S - m2 = {10, 19}.
    expected = {frozenset({"all"}), frozenset({"team=m1", "team=m2"}), frozenset({"region=S", "team=m2"})}
    assert named(var, built.remainder_cuts([False] * len(var))) == expected
    # Hiding m1 leaves the tree minus m2 with 11 people: that cut goes, the others stay.
    hidden = [n == "team=m1" for n in var]
    assert named(var, built.remainder_cuts(hidden)) == {frozenset({"all"}), frozenset({"region=S", "team=m2"})}


def test_a_remainder_of_one_person_is_a_cut():
    groups = {"department": frozenset(range(7)), "team": frozenset(range(6))}
    built, var = structure(groups, 5)
    assert named(var, built.remainder_cuts([False, False])) == {frozenset({"department", "team"})}
    assert named(var, built.covers()) == {frozenset({"department", "team"})}
    assert built.remainder_cuts([True, False]) == set() == built.remainder_cuts([False, True])


def test_the_parent_of_a_team_is_its_smallest_tree_even_below_a_published_whole_scope():
    built, var = structure(_tree(), 5, published=["all"])
    order = ["all", *var, "team=m0"]  # published, variables (by size), too few
    parent = {order[j]: order[i] for j, i in enumerate(built.parent) if i is not None}
    assert parent == {"tree=m0": "all", "team=m1": "tree=m0", "team=m2": "tree=m0", "team=m0": "tree=m0"}
    # all - tree = {18, 19}; tree - m1 - m2 = m0's own 3; S - m2 = {10, 19}.
    expected = {frozenset({"tree=m0"}), frozenset({"tree=m0", "team=m1", "team=m2"}),
                frozenset({"region=S", "team=m2"})}
    assert named(var, built.remainder_cuts([False] * len(var))) == expected


def test_the_blocks_of_one_breakdown_are_tried_as_one_partition_first():
    # A team crossing region S (and holding the two people in no region) is smaller than both regions:
    # the partition constraint is the regions' (all - N - S = {22, 23}), not all - X - N.
    groups = {"all": frozenset(range(24)), "region=N": frozenset(range(12)), "region=S": frozenset(range(12, 22)),
              "team=X": frozenset(range(16, 24))}
    built, var = structure(groups, 5)
    assert named(var, built.covers()) == {frozenset({"all", "region=N", "region=S"})}
    # Of a breakdown crossing itself, the largest block first: all - f1 - f3 = {17, 18, 19}.
    groups = {"all": frozenset(range(20)), "filter=1": frozenset(range(5, 17)), "filter=2": frozenset(range(10, 20)),
              "filter=3": frozenset(range(5))}
    built, var = structure(groups, 5)
    assert named(var, built.covers()) == {frozenset({"all", "filter=1", "filter=3"})}


def test_the_nested_family_is_the_largest_group_of_breakdowns_that_never_cross():
    # area (three teams) crosses region and site, which do not cross each other: three sets in one
    # breakdown beat two in two.
    area = [frozenset(range(5)), frozenset(range(5, 10)), frozenset(range(10, 15))]
    region, site = frozenset(range(3, 8)), frozenset(range(12, 17))
    built = privacy._Structure([], [*area, region, site], [], 3, ["area"] * 3 + ["region", "site"])
    assert built.nested == {0, 1, 2}
    # area and region cross; team (two teams and their tree) crosses nothing: team with one of the
    # two, the later by name on a tie.
    teams = [frozenset(range(10, 15)), frozenset(range(15, 20)), frozenset(range(10, 20))]
    built = privacy._Structure([], [area[0], region, *teams], [], 3, ["area", "region"] + ["team"] * 3)
    assert built.nested == {1, 2, 3, 4}


# --- the union search ---------------------------------------------------------------------------


def test_a_small_union_search_is_settled_by_enumeration_without_the_solver(monkeypatch):
    import scipy.optimize

    def no_solver(*args, **kwargs):
        raise AssertionError("the integer program was used for a search of a few cells")

    a, b, c = frozenset(range(4)) | {8}, frozenset(range(4, 8)) | {9}, frozenset(range(8))
    d, e, f = frozenset(range(20, 24)) | {28}, frozenset(range(24, 28)) | {29}, frozenset(range(20, 28))
    monkeypatch.setattr(scipy.optimize, "milp", no_solver)
    oracle = privacy._Oracle([a, b, c, d, e, f])
    unions = [sorted(p for cell in cells for p in oracle.cells[cell]) for cells in oracle.small_unions(3, limit=1)]
    assert unions in ([[8, 9]], [[28, 29]])
    assert sorted(map(sorted, privacy.small_computable_sets([a, b, c, d, e, f], 3))) == [[8, 9], [28, 29]]


def test_the_union_search_finds_every_small_union_through_rows_with_a_pivot_of_two():
    # Ten people, each a cell of one; the row space has pivot rows 2 x_6 + 3 x_2 + 2 x_9 and the like,
    # so the search runs on fractional coefficients. Four sets of 3 people follow (by enumeration).
    sets = [frozenset(s) for s in ([0, 2, 3, 6, 9], [0, 1, 3, 5, 7], [2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 3, 4, 5, 6, 7, 8],
                                   [0, 3, 5, 8, 9], [1, 2, 7], [0, 1, 5, 6])]
    assert sorted(map(sorted, ref_small_sets(sets, 4))) == [[0, 1, 8], [1, 2, 7], [2, 8, 9], [4, 6, 8]]
    assert sorted(map(sorted, privacy.small_computable_sets(sets, 4))) == [[0, 1, 8], [1, 2, 7], [2, 8, 9], [4, 6, 8]]


def test_the_integer_search_finds_the_same_unions_as_the_enumeration(monkeypatch):
    # The same family as above, and two disjoint copies of a union pattern, searched by the integer
    # program (what a big family gets) instead of by enumeration.
    sets = [frozenset(s) for s in ([0, 2, 3, 6, 9], [0, 1, 3, 5, 7], [2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 3, 4, 5, 6, 7, 8],
                                   [0, 3, 5, 8, 9], [1, 2, 7], [0, 1, 5, 6])]
    pattern = [frozenset(g) for shift in (0, 1000) for g in _union_pattern(shift).values()]
    # Four unions sharing cells two by two: excluding one found union must not exclude the others.
    shared = [frozenset({0, 1, 2, 4, 5}), frozenset({2, 4}), frozenset({2, 5})]
    cases = ((sets, 4), (pattern, 3), (shared, 5))
    by_enumeration = [sorted(map(sorted, privacy.small_computable_sets(family, k))) for family, k in cases]
    monkeypatch.setattr(privacy._Oracle, "_enumerate_unions", lambda self, *args, **kwargs: None)
    assert [sorted(map(sorted, privacy.small_computable_sets(family, k))) for family, k in cases] == by_enumeration
    assert by_enumeration == [[[0, 1, 8], [1, 2, 7], [2, 8, 9], [4, 6, 8]], [[100, 101], [1100, 1101]],
                              [[0, 1, 4], [0, 1, 5], [2, 4], [2, 5]]]
    assert [sorted(map(sorted, ref_small_sets(family, k))) for family, k in cases] == by_enumeration


def test_the_search_for_a_first_union_stops_at_one():
    pattern = [frozenset(g) for shift in (0, 1000) for g in _union_pattern(shift).values()]
    oracle = privacy._Oracle(pattern)
    assert len(oracle.violations(3)) == 2
    assert [members for members, _ in oracle.violations(3, first=True)] in (
        [frozenset({100, 101})], [frozenset({1100, 1101})])


# --- the optimal method: ties, and the shortcut ------------------------------------------------------


def test_a_tie_between_groups_of_one_size_goes_the_same_way_whatever_the_input_order():
    # all - east - west and all - north - south are four people each: with the whole scope kept (its
    # weight), one of east/west and one of north/south must go -- ties of equal size, broken by name.
    groups = {"all": frozenset(range(24)), "region=east": frozenset(range(10)), "region=west": frozenset(range(10, 20)),
              "site=north": frozenset(range(2, 12)), "site=south": frozenset(range(12, 22))}
    first = suppress_groups(groups, 5, weights={"all": 10.0})
    assert sum(r is not None for r in first.values()) == 2 and first["all"] is None
    for order in (list(groups), list(reversed(groups)), ["site=south", "all", "region=west", "site=north",
                                                          "region=east"]):
        assert suppress_groups({n: groups[n] for n in order}, 5, weights={"all": 10.0}) == first


def test_the_shortcut_is_taken_on_a_covering_constraint_alone(oracle_checks):
    # Three filters crossing each other (no nested family, so no remainder cut), one of them a person
    # short of another: the nested-pair constraint alone settles that showing everything is unsafe.
    groups = {"filter=a": frozenset(range(12)), "filter=b": frozenset(range(6, 18)), "filter=c": frozenset(range(11))}
    built, var = structure(groups, 5)
    assert built.nested == set() and built.remainder_cuts([False] * len(var)) == set()
    assert named(var, built.covers()) == {frozenset({"filter=a", "filter=c"})}
    calls = oracle_checks
    assert suppress_groups(groups, 5) == {"filter=a": None, "filter=b": None, "filter=c": PROTECTS}
    assert calls == [False]  # only the lazy loop's exact check of the solution (found safe: untracked)


@pytest.mark.parametrize("weights, hidden", [
    ({}, "team"),  # equal costs: the smaller group goes
    ({"team": 1.2}, "department"),  # the cheaper one goes, whatever the sizes
    ({"department": 0.01}, "department"),
    ({"team": 0.5}, "team"),
])
def test_the_optimum_hides_the_cheapest_group_of_a_nested_pair(weights, hidden):
    groups = {"department": frozenset(range(7)), "team": frozenset(range(6))}
    result = suppress_groups(groups, 5, weights=weights)
    assert result == {n: PROTECTS if n == hidden else None for n in groups}


@pytest.mark.parametrize("weight, hidden", [(1.5, "west"), (0.5, "all"), (1.0, "west")])
def test_a_weight_is_compared_with_the_default_weight_of_one(weight, hidden):
    # all - east - west is two people: one of the three goes; unweighted groups cost 1 each.
    groups = {"all": frozenset(range(20)), "east": frozenset(range(10)), "west": frozenset(range(10, 18))}
    result = suppress_groups(groups, 5, weights={"all": weight})
    assert result == {n: PROTECTS if n == hidden else None for n in groups}


def test_a_remainder_cut_repairs_the_first_solution_before_the_oracle_is_asked(oracle_checks):
    # all = tree a + tree b + {x, y}; tree a = its two teams exactly. The partition constraint first
    # hides tree a (the cheapest of all, a, b), which leaves all - a1 - a2 - b = {x, y}: a remainder
    # cut (no linear algebra) moves the hiding to tree b, and the exact check is needed once.
    groups = {"all": frozenset(range(22)) | {"x", "y"}, "tree=a": frozenset(range(10)),
              "team=a1": frozenset(range(5)), "team=a2": frozenset(range(5, 10)), "tree=b": frozenset(range(10, 22))}
    calls = oracle_checks
    result = suppress_groups(groups, 5)
    assert result == {n: PROTECTS if n == "tree=b" else None for n in groups}
    assert calls == [False]  # one exact check, of the repaired solution (found safe: no tracking needed)


def fewest_hidden(groups, k):
    """The fewest groups (of at least k people) to hide for ``is_safe``, by trying every choice."""
    from itertools import combinations

    names = [n for n, g in groups.items() if len(g) >= k]
    for count in range(len(names) + 1):
        for hide in combinations(names, count):
            if privacy.is_safe([groups[n] for n in names if n not in hide], k):
                return count
    raise AssertionError("hiding everything is safe")


def test_the_optimum_is_integral_where_the_relaxation_is_not():
    # Eight people, four overlapping groups, k = 4: the lazy constraints accumulate into a cover whose
    # linear relaxation is fractional; rounding it hides three groups, the integer optimum two.
    groups = {"g0": frozenset({0, 1, 2, 4, 5, 7}), "g1": frozenset({0, 2, 5, 6, 7}), "g2": frozenset(range(8)),
              "g3": frozenset({0, 2, 3, 5, 6, 7})}
    result = suppress_groups(groups, 4)
    assert result == {"g0": None, "g1": PROTECTS, "g2": PROTECTS, "g3": None}
    assert fewest_hidden(groups, 4) == 2
    assert privacy.is_safe([g for n, g in groups.items() if result[n] is None], 4)


# --- what was published ------------------------------------------------------------------------


def _union_pattern(shift=0):
    """Five groups, every two 0 or at least 3 people apart, with g1 + g2 - g3 - g4 + g5 = {100, 101} (+ shift)."""
    a, b, c, d, e, f = (frozenset(range(s + shift, s + shift + 3)) for s in range(0, 18, 3))
    return {"g1": {100 + shift} | a | b, "g2": {101 + shift} | c | d, "g3": a | c | e, "g4": b | d | f, "g5": e | f}


@pytest.mark.parametrize("method", privacy.METHODS)
@pytest.mark.parametrize("groups", [{}, {"new": frozenset(range(50, 60))}])
def test_an_earlier_disclosure_is_refused_by_both_methods_whatever_is_new(method, groups):
    with pytest.raises(privacy.DisclosureError) as err:
        suppress_groups(groups, 5, published=[frozenset(range(7)), frozenset(range(6))], method=method)
    assert err.value.sets == [frozenset({6})]
    # A union of cells published earlier too (found by the union search).
    with pytest.raises(privacy.DisclosureError) as err:
        suppress_groups(groups, 3, published=list(_union_pattern().values()), method=method)
    assert err.value.sets == [frozenset({100, 101})]


def test_without_the_union_search_the_optimiser_repairs_single_cells_only():
    # A nested pair one person apart, next to the union pattern: with unions=False only the pair is
    # repaired (one group hidden) and the union stays computable; with unions, one more group goes.
    groups = {**_union_pattern(), "dept": frozenset(range(200, 210)), "team": frozenset(range(200, 209))}
    cells_only = suppress_groups(groups, 3, unions=False)
    assert cells_only == {n: PROTECTS if n == "team" else None for n in groups}
    shown = [g for n, g in groups.items() if cells_only[n] is None]
    assert privacy.small_computable_sets(shown, 3, unions=False) == []
    assert privacy.small_computable_sets(shown, 3) == [frozenset({100, 101})]
    both = suppress_groups(groups, 3)
    assert sum(r is not None for r in both.values()) == 2 and both["team"] == PROTECTS
    assert privacy.is_safe([g for n, g in groups.items() if both[n] is None], 3)


# --- cells ---------------------------------------------------------------------------------------


def test_the_hash_grouping_needs_no_fallback_on_an_ordinary_family(monkeypatch):
    # Cells of 300 people over three groups, by the hash of each signature; the exact bit-matrix
    # grouping is only for a collision, which random 63-bit codes make all but impossible here.
    universe = list(range(300))
    groups = [frozenset(range(0, 300, 2)), frozenset(range(0, 300, 3)), frozenset(range(0, 300, 5))]
    expected = privacy._cells_exact(groups, universe)
    assert len(expected) == 8

    def no_fallback(*args):
        raise AssertionError("the exact grouping was used without a collision")

    monkeypatch.setattr(privacy, "_cells_exact", no_fallback)
    assert privacy._cells(groups, universe) == expected


def test_member_keys_of_mixed_types_are_accepted():
    # Keys only need to be hashable: a role's groups may mix integers, strings and tuples.
    department = frozenset({1, 2, "a", "b", ("c", 3), ("c", 4), 5})
    team = department - {5}
    assert set(privacy.computable_cells([department, team])) == {team, frozenset({5})}
    assert privacy.disclosed_respondents([department, team]) == {5}
    assert suppress_groups({"department": department, "team": team}, 5) == {"department": None, "team": PROTECTS}
