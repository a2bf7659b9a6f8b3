"""The HR dashboard's group set, suppressed in one call: over generated small organisations, no group
under k is ever shown and nothing one role can see discloses one person's answer (ANON-3, ANON-4)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from analysis import privacy
from analysis.engagement import (
    HR_ATTRIBUTES,
    OVERALL,
    ResponseRecord,
    campaign_results,
    keep_overall_visible,
    role_groups,
    secondary_suppression,
)

DRIVERS = {"q1": "engagement", "q2": "engagement", "q3": "manager", "q4": "workload"}


@st.composite
def organisations(draw):
    """A small org: 2-4 managers (one may report to another), respondents with random attributes."""
    n_managers = draw(st.integers(2, 4))
    managers = [f"m{i}" for i in range(n_managers)]
    parent = {m: None for m in managers}
    if n_managers > 2 and draw(st.booleans()):
        parent["m2"] = "m0"
    n = draw(st.integers(3, 28))
    records = []
    for i in range(n):
        attrs = {
            "manager": draw(st.sampled_from(managers)),
            "department": draw(st.sampled_from(["A", "B", "C"])),
            "region": draw(st.sampled_from(["N", "S", ""])),
            "tenure_band": draw(st.sampled_from(["<1y", "1-3y", "5y+"])),
        }
        likert = {q: draw(st.integers(1, 5)) for q in DRIVERS}
        records.append(ResponseRecord(f"r{i:02d}", likert, draw(st.integers(0, 10)),
                                      ("a comment",) if draw(st.booleans()) else (),
                                      {a: v for a, v in attrs.items() if v}))
    return records, parent, draw(st.sampled_from([3, 4, 5]))


def _visible(records, parent, k, attributes=HR_ATTRIBUTES, trees=True):
    invitees = [(True, dict(r.attributes)) for r in records]
    res = campaign_results(records, invitees, parent, DRIVERS, "engagement", closed=True, attributes=attributes,
                           manager_trees=trees, k=k)
    groups = role_groups(records, parent, attributes, manager_trees=trees)
    shown = {name: groups[name] for name, s in res.groups.items() if not s.suppressed}
    return res, groups, shown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_small_group_and_nothing_disclosive(org):
    records, parent, k = org
    res, groups, shown = _visible(records, parent, k)
    for name, members in shown.items():
        assert len(members) >= k, name
        s = res.groups[name]
        assert s.n == len(members)
    # Every aggregate HR can obtain is a sum over a shown group: no unit vector in the row space.
    assert not privacy.is_disclosive(list(shown.values()), [r.key for r in records])
    # Per-metric sets too (each driver is answered by everyone here, eNPS by everyone).
    for name, s in res.groups.items():
        if s.suppressed:
            assert s.n is None and s.engagement_index is None and not s.driver_scores
    # Participation: only groups of at least k invitees carry numbers.
    for name, p in res.participation.items():
        assert p.suppressed or p.invited >= k


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_leader_scope_is_the_organisation_only(org):
    records, parent, k = org
    res, _, shown = _visible(records, parent, k, attributes=(), trees=False)
    assert set(res.groups) == {OVERALL}
    assert set(shown) <= {OVERALL}
    assert res.groups[OVERALL].suppressed == (len(records) < k)


def test_a_group_of_four_is_not_enough():
    records = [ResponseRecord(f"r{i}", {"q1": 5, "q2": 4, "q3": 3, "q4": 2}, 9, (),
                              {"department": "A" if i < 4 else "B"}) for i in range(20)]
    res = campaign_results(records, [(True, dict(r.attributes)) for r in records], {}, DRIVERS, "engagement",
                           closed=True, attributes=("department",), manager_trees=False, k=5)
    assert res.groups["department=A"].suppressed and res.groups["department=A"].reason == privacy.REASON_TOO_FEW
    # B alone would give A away through the whole scope: one of the two is withheld, never both shown.
    assert res.groups["department=B"].suppressed or res.groups[OVERALL].suppressed
    assert not res.groups[OVERALL].suppressed  # the organisation's figures are kept


def test_an_open_campaign_has_participation_only():
    records = [ResponseRecord(f"r{i}", {"q1": 5}, 9, ("x",), {"department": "A"}) for i in range(10)]
    res = campaign_results(records, [(i % 2 == 0, {"department": "A"}) for i in range(12)], {}, DRIVERS,
                           "engagement", closed=False, k=5)
    assert res.groups == {} and res.comments is None
    assert res.participation[OVERALL].invited == 12 and res.participation[OVERALL].submitted == 6


def test_secondary_suppression_hides_the_next_smallest_value():
    groups = {"department=A": {"1", "2"}, "department=B": set(map(str, range(3, 10))),
              "department=C": set(map(str, range(10, 30)))}
    assert secondary_suppression(groups, ("department",), 29, 5) == {"department=B"}


def test_keep_overall_visible_withholds_instead_of_the_whole_scope():
    everyone = frozenset(map(str, range(20)))
    # all - a - b leaves three people: the exact check would hide the whole scope (their only holder).
    groups = {OVERALL: everyone, "team=a": frozenset(map(str, range(10))), "team=b": frozenset(map(str, range(10, 17)))}
    assert privacy.suppress_groups(groups, 5, method="greedy")[OVERALL] is not None
    withheld = keep_overall_visible(groups, 5)
    assert withheld == {"team=b"}
    assert privacy.suppress_groups({n: g for n, g in groups.items() if n not in withheld}, 5,
                                   method="greedy")[OVERALL] is None
    # The optimiser keeps the whole scope by itself, hiding one team instead.
    decisions = privacy.suppress_groups(groups, 5)
    assert decisions[OVERALL] is None and sum(r is not None for r in decisions.values()) == 1
