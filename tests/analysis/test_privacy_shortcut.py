"""The optimal suppression's shortcuts (issue 15's time at 10,000 people) change no decision.

``analysis.privacy._suppress_optimal`` settles "is showing everything unsafe?" from the covering
constraints when one is violated, and otherwise asks the oracle for the first set only; the plain
path (``shortcut=False``) always asks the exact oracle for all of them. Both must decide the same
for every group, on organisation-like families (teams, manager trees, regions, filters) and on the
same families restricted to one metric's respondents -- where cells shrink, some to nothing, and
groups drop below k -- with and without published sets, weights and the union search.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import privacy
from analysis.privacy import DisclosureError, suppress_groups


def plain(groups, k, *, published=(), weights=None, unions=True):
    """:func:`suppress_groups` (optimal) through the plain path: no shortcut, the collector running."""
    members = {name: frozenset(g) for name, g in groups.items()}
    pub = [p for p in dict.fromkeys(frozenset(p) for p in published) if p]
    if pub:
        bad = privacy._Oracle(pub).violations(k, unions)
        if bad:
            raise DisclosureError([m for m, _ in bad])
    return privacy._suppress_optimal(members, k, pub, weights or {}, unions, 20.0, shortcut=False)


def outcome(run):
    try:
        return run()
    except DisclosureError as error:
        return ("DisclosureError", sorted(map(sorted, error.sets)))


@st.composite
def organisations(draw):
    """Groups of an organisation: overall, teams, manager trees (unions of teams), regions, filters."""
    n = draw(st.integers(6, 36))
    people = [f"p{i}" for i in range(n)]
    team_of = [draw(st.integers(0, max(1, n // 4))) for _ in people]
    teams: dict[int, set] = {}
    for person, t in zip(people, team_of):
        teams.setdefault(t, set()).add(person)
    groups: dict[str, frozenset] = {"overall": frozenset(people)}
    ids = sorted(teams)
    for t in ids:
        groups[f"team=t{t}"] = frozenset(teams[t])
    # Manager trees: nested unions of consecutive teams.
    for start in range(0, len(ids), 2):
        for stop in range(start + 2, len(ids) + 1, draw(st.integers(1, 3))):
            groups[f"tree=t{start}-{stop}"] = frozenset().union(*(teams[t] for t in ids[start:stop]))
    n_regions = draw(st.integers(1, 3))
    region = [draw(st.integers(0, n_regions - 1)) for _ in people]
    for r in range(n_regions):
        groups[f"region=R{r}"] = frozenset(p for p, x in zip(people, region) if x == r)
    for f in range(draw(st.integers(0, 3))):
        groups[f"filter=f{f}"] = draw(st.frozensets(st.sampled_from(people), min_size=1))
    return people, groups


@st.composite
def cases(draw):
    people, groups = draw(organisations())
    k = draw(st.integers(3, 5))
    # One metric's respondents: everyone, a few skipping, or whole small groups dropping out
    # (cells that become empty).
    kind = draw(st.sampled_from(["all", "some", "cells"]))
    if kind == "all":
        scope = frozenset(people)
    elif kind == "some":
        scope = frozenset(p for p in people if draw(st.integers(0, 9)) > 0)
    else:
        small = [g for g in groups.values() if len(g) <= k + 1]
        gone = frozenset().union(*draw(st.lists(st.sampled_from(small), max_size=2))) if small else frozenset()
        scope = frozenset(people) - gone
    metric = {name: g & scope for name, g in groups.items()}
    weights = {"overall": 10.0} if draw(st.booleans()) else None
    unions = draw(st.sampled_from([True, True, True, False]))
    return groups, metric, k, weights, unions, draw(st.booleans())


@settings(max_examples=250, deadline=None)
@given(cases())
def test_the_shortcut_decides_exactly_as_the_plain_path(case):
    groups, metric, k, weights, unions, with_published = case
    # The responses first, then one metric over the groups they show (as campaign_results does).
    base = suppress_groups(groups, k, weights=weights, unions=unions)
    assert base == plain(groups, k, weights=weights, unions=unions)
    shown = [name for name in groups if base[name] is None]
    sets = {name: metric[name] for name in shown}
    published = ()
    if with_published and len(shown) > 1:
        # Shown sets of an earlier publication of part of the metric (safe by construction).
        earlier = {name: sets[name] for name in shown[::2]}
        first = plain(earlier, k, unions=True)
        published = tuple(earlier[n] for n in earlier if first[n] is None and earlier[n])
    fast = outcome(lambda: suppress_groups(sets, k, published=published, weights=weights, unions=unions))
    assert fast == outcome(lambda: plain(sets, k, published=published, weights=weights, unions=unions))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_first_set_is_found_exactly_when_any_is(case):
    groups, metric, k, _weights, unions, _ = case
    for family in (groups, metric):
        sets = list(dict.fromkeys(g for g in family.values() if g))
        oracle = privacy._Oracle(sets)
        every = oracle.violations(k, unions)
        first = oracle.violations(k, unions, first=True)
        assert bool(first) == bool(every)
        assert first == every[:len(first)]


def test_the_shortcut_is_taken_on_a_nested_pair_without_asking_the_oracle(oracle_checks):
    calls = oracle_checks
    team, department = frozenset(range(6)), frozenset(range(7))
    decisions = suppress_groups({"team": team, "department": department}, 5)
    assert sorted(decisions.values(), key=str) == [None, privacy.REASON_PROTECTS_OTHER]
    assert calls == [False]  # only the tracking oracle of the lazy loop's check, no early check (found safe: untracked)


@pytest.mark.parametrize("unions", [True, False])
def test_nothing_to_hide_still_asks_the_oracle(unions):
    a, b = frozenset(range(10)), frozenset(range(5, 15))
    assert suppress_groups({"a": a, "b": b}, 5, unions=unions) == {"a": None, "b": None}
    assert plain({"a": a, "b": b}, 5, unions=unions) == {"a": None, "b": None}


def test_the_collector_is_running_again_afterwards():
    import gc

    suppress_groups({"team": frozenset(range(6)), "department": frozenset(range(7))}, 5)
    assert gc.isenabled()
    gc.disable()
    try:
        suppress_groups({"team": frozenset(range(6)), "department": frozenset(range(7))}, 5)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


# --- the containment structure, against the pair-by-pair loop it replaced ---------------------


def reference_structure(pub, var_sets, primary, k, prefix):
    """``_Structure``'s containment fields and covers, computed pair by pair (the earlier code)."""
    s = privacy._Structure.__new__(privacy._Structure)
    s.sets, s.k, s.n_pub, s.n_var = pub + var_sets + primary, k, len(pub), len(var_sets)
    s.kind = ["p"] * len(pub) + ["v"] * len(var_sets) + ["h"] * len(primary)
    s.prefix = list(prefix)
    size = s.size = [len(x) for x in s.sets]
    ov = privacy._overlap_matrix(s.sets).tocoo()
    overlapping, crossing = set(), set()
    s.supers = [[] for _ in s.sets]
    s.inside = [set() for _ in s.sets]
    for i, j, v in zip(ov.row.tolist(), ov.col.tolist(), ov.data.tolist()):
        if i == j or not v:
            continue
        overlapping.add((i, j))
        if v == size[j] and size[i] > size[j]:
            s.supers[j].append(i)
            s.inside[i].add(j)
        elif v < size[i] and v < size[j]:
            crossing.add((prefix[i], prefix[j]))
    s.nested = s._nested_family(crossing)
    covers = set()
    kids = [[] for _ in s.sets]
    for b, above in enumerate(s.supers):
        for a in above:
            if s.kind[a] != "h" and s.kind[b] != "h" and size[a] - size[b] < k:
                cover = s._cover((a, b))
                if cover:
                    covers.add(cover)
            if not any(a2 in s.inside[a] for a2 in above if a2 != a):
                kids[a].append(b)
    for t, blocks in enumerate(kids):
        if s.kind[t] == "h" or not blocks:
            continue
        classes = []
        for b in sorted(blocks, key=lambda i: (s.prefix[i], -size[i], i)):
            for cls in classes:
                if not any((b, c) in overlapping for c in cls):
                    cls.append(b)
                    break
            else:
                classes.append([b])
        for cls in classes:
            hidden = size[t] - sum(size[b] for b in cls) + sum(size[b] for b in cls if s.kind[b] == "h")
            if 0 < hidden < k:
                cover = s._cover([t, *cls])
                if cover:
                    covers.add(cover)
    return s, overlapping, covers


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_structure_is_the_pair_by_pair_one(case):
    _groups, metric, k, _weights, _unions, _ = case
    distinct = list(dict.fromkeys(g for g in metric.values() if g))
    names = {g: min(n for n, h in metric.items() if h == g) for g in distinct}
    var_sets = sorted((g for g in distinct if len(g) >= k), key=lambda g: (len(g), names[g]))
    primary = sorted((g for g in distinct if len(g) < k), key=lambda g: (len(g), names[g]))
    pub, var_sets = var_sets[:1], var_sets[1:]  # one published set too
    prefix = [names[g].split("=", 1)[0] for g in pub + var_sets + primary]
    new = privacy._Structure(pub, var_sets, primary, k, prefix)
    ref, overlapping, covers = reference_structure(pub, var_sets, primary, k, prefix)
    n = len(new.sets)
    assert {(c // n, c % n) for c in new.overlapping} == overlapping
    assert new.supers == ref.supers and new.inside == ref.inside and new.nested == ref.nested
    assert list(new.covers()) == list(covers)  # the same constraints, in the same order
