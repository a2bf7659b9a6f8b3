"""The vectorised engagement results equal a slow, obviously-correct reference, bit for bit.

`analysis.engagement.summarise_groups` and `campaign_results` are confidentiality code that was
rewritten for speed (numpy arrays and one index of the responses instead of per-group Python loops).
A changed suppression decision could leak an answer, so the reference below -- the straightforward
per-group, per-record version the product shipped first -- is kept here and both are run on
generated organisations (nested manager trees, groups of k-1, k, k+1 and 2k members, skipped items,
skipped eNPS, blank comments, k = 3..5). Results are compared through ``repr``: every float must be
the very same double (``repr`` round-trips), every dict must have the same order, every suppressed
group must be the same.
"""

from __future__ import annotations

import random
from fractions import Fraction
from collections.abc import Collection, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis import privacy
from analysis.engagement import (
    DETRACTOR_MAX,
    FAVOURABLE,
    HR_ATTRIBUTES,
    MANAGER_TREE,
    OVERALL,
    PROMOTER_MIN,
    PROTECTED_REASON,
    SUPPRESSED_REASON,
    CampaignResults,
    DriverImpact,
    GroupSummary,
    Participation,
    ResponseRecord,
    attribute_groups,
    campaign_results,
    keep_overall_visible,
    manager_tree_groups,
    participation,
    role_groups,
    secondary_suppression,
    summarise_groups,
)

DRIVERS = {"q1": "growth", "q2": "growth", "q3": "recognition", "q4": "workload", "q5": "workload",
           "e1": "engagement", "e2": "engagement", "e3": "pride"}
OUTCOMES = ("engagement", ("engagement", "pride"))


# --------------------------------------------------------------------------------------------
# the reference: one group at a time, one record at a time


def ref_attribute_groups(records, attributes, *, include_overall=True):
    out: dict[str, set[str]] = {}
    if include_overall:
        out[OVERALL] = {r.key for r in records}
    for attr in attributes:
        for r in records:
            value = r.attributes.get(attr)
            if value:
                out.setdefault(f"{attr}={value}", set()).add(r.key)
    return {name: frozenset(keys) for name, keys in out.items()}


def ref_manager_tree_groups(records, parent, *, attribute="manager", prefix=MANAGER_TREE):
    out: dict[str, set[str]] = {}
    for r in records:
        manager = r.attributes.get(attribute)
        seen: set[str] = set()
        while manager and manager not in seen:
            seen.add(manager)
            out.setdefault(f"{prefix}={manager}", set()).add(r.key)
            manager = parent.get(manager)
    return {name: frozenset(keys) for name, keys in out.items()}


def ref_role_groups(records, parent, attributes, *, manager_trees=True):
    groups = ref_attribute_groups(records, attributes)
    if manager_trees:
        groups.update(ref_manager_tree_groups(records, parent))
    return groups


def ref_pct(numerator: int, denominator: int) -> float | None:
    return 100.0 * numerator / denominator if denominator else None


def ref_respondent_score(record: ResponseRecord, items: Collection[str]) -> float | None:
    answered = [record.likert[i] for i in items if i in record.likert]
    if not answered:
        return None
    return 100.0 * sum(v in FAVOURABLE for v in answered) / len(answered)


def ref_driver_impact(records, driver_items, outcome_items):
    from scipy import stats

    outcome = [ref_respondent_score(r, outcome_items) for r in records]
    impacts = []
    for driver, items in driver_items.items():
        pairs = [(d, o) for d, o in ((ref_respondent_score(r, items), oc) for r, oc in zip(records, outcome))
                 if d is not None and o is not None]
        n = len(pairs)
        x = np.array([d for d, _ in pairs])
        y = np.array([o for _, o in pairs])
        if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
            impacts.append(DriverImpact(driver, None, None, n))
            continue
        res = stats.spearmanr(x, y)
        impacts.append(DriverImpact(driver, float(res.statistic), float(res.pvalue), n))
    return tuple(impacts)


def ref_summarise_groups(records, groups, drivers, outcome, *, k=5, distributions=False, impact=False,
                         comments=False, random_state=None, method="optimal", weights=None):
    by_key = {r.key: r for r in records}
    outcome_ids = {outcome} if isinstance(outcome, str) else set(outcome)
    members = {name: frozenset(keys) for name, keys in groups.items()}
    driver_items: dict[str, list[str]] = {}
    for item, driver in drivers.items():
        driver_items.setdefault(driver, []).append(item)
    outcome_items = [i for d in outcome_ids for i in driver_items.get(d, [])]
    items = list(drivers)

    def answered(pred):
        return frozenset(key for key, r in by_key.items() if pred(r))

    metric_sets = {("n", ""): frozenset(by_key)}
    for item in items:
        metric_sets[("item", item)] = answered(lambda r, i=item: i in r.likert)
    for driver, its in driver_items.items():
        metric_sets[("driver", driver)] = answered(lambda r, its=its: any(i in r.likert for i in its))
    metric_sets[("outcome", "")] = answered(lambda r: any(i in r.likert for i in outcome_items))
    metric_sets[("enps", "")] = answered(lambda r: r.enps is not None)
    if comments:
        metric_sets[("comments", "")] = answered(lambda r: any(c.strip() for c in r.comments))
    rng = np.random.default_rng(random_state)

    def decide(scope, threshold, names):
        return privacy.suppress_groups({name: members[name] & scope for name in names}, threshold, method=method,
                                       weights=weights)

    def visible(scope, threshold, names):
        decisions = decide(scope, threshold, names)
        return {name: name in decisions and decisions[name] is None for name in members}

    base_reasons = decide(metric_sets[("n", "")], k, list(members))
    base = {name: base_reasons[name] is None for name in members}
    shown = [name for name in members if base[name]]
    vis = {metric: visible(scope, k, shown) for metric, scope in metric_sets.items()}
    dist_vis = {item: visible(metric_sets[("item", item)], 2 * k, shown) for item in items} if distributions else {}

    out = {}
    for name, keys in members.items():
        if not base[name]:
            out[name] = GroupSummary(name, True, base_reasons[name])
            continue
        recs = [by_key[key] for key in sorted(keys)]
        favourable, dists = {}, {}
        for item in items:
            values = [r.likert[item] for r in recs if item in r.likert]
            favourable[item] = (ref_pct(sum(v in FAVOURABLE for v in values), len(values))
                                if vis[("item", item)][name] else None)
            if distributions:
                counts = tuple(values.count(o) for o in (1, 2, 3, 4, 5))
                dists[item] = counts if vis[("item", item)][name] and dist_vis[item][name] else None

        def pooled(its):
            values = [r.likert[i] for r in recs for i in its if i in r.likert]
            return ref_pct(sum(v in FAVOURABLE for v in values), len(values))

        driver_scores = {d: pooled(its) if vis[("driver", d)][name] else None for d, its in driver_items.items()}
        index = pooled(outcome_items) if vis[("outcome", "")][name] else None
        enps = promoters = detractors = n_enps = None
        if vis[("enps", "")][name]:
            scores = [r.enps for r in recs if r.enps is not None]
            n_enps = len(scores)
            promoters = ref_pct(sum(s >= PROMOTER_MIN for s in scores), n_enps)
            detractors = ref_pct(sum(s <= DETRACTOR_MAX for s in scores), n_enps)
            enps = promoters - detractors if promoters is not None and detractors is not None else None
        impacts = ()
        if impact and vis[("outcome", "")][name]:
            others = {d: its for d, its in driver_items.items() if d not in outcome_ids and vis[("driver", d)][name]}
            impacts = ref_driver_impact(recs, others, outcome_items)
        texts = None
        if comments and vis[("comments", "")][name]:
            pool = [c for r in recs for c in r.comments if c.strip()]
            texts = tuple(pool[i] for i in rng.permutation(len(pool)))
        out[name] = GroupSummary(name, False, None, len(recs), index, enps, promoters, detractors, n_enps,
                                 favourable, driver_scores, dists, impacts, texts)
    return out


def ref_campaign_results(records, invitees, parent, drivers, outcome, *, closed, attributes=HR_ATTRIBUTES,
                         manager_trees=True, k=5, random_state=0, method="optimal"):
    people = [ResponseRecord(str(i), attributes=dict(attrs)) for i, (_, attrs) in enumerate(invitees)]
    answered = {str(i) for i, (did, _) in enumerate(invitees) if did}
    invited = ref_role_groups(people, parent, attributes, manager_trees=manager_trees)
    weights = {OVERALL: 1000.0}
    decided = privacy.suppress_groups(invited, k, method=method, weights=weights)
    part = {name: participation(len(keys), len(keys & answered), group=name, k=k) if decided[name] is None
            else Participation(name, True, decided[name], None, None, None) for name, keys in invited.items()}
    if not closed:
        return CampaignResults(False, {}, part, None)
    groups = ref_role_groups(records, parent, attributes, manager_trees=manager_trees)
    withheld = {n: part[n].reason if n in part else PROTECTED_REASON
                for n in groups if n not in part or part[n].suppressed}
    if method == "greedy":
        rest = {n: g for n, g in groups.items() if n not in withheld}
        extra = secondary_suppression(rest, attributes, len(records), k)
        extra |= keep_overall_visible({n: g for n, g in rest.items() if n not in extra}, k)
        withheld.update(dict.fromkeys(extra, PROTECTED_REASON))
    summaries = ref_summarise_groups(records, {n: g for n, g in groups.items() if n not in withheld}, drivers,
                                     outcome, k=k, impact=True, comments=True, random_state=random_state,
                                     method=method, weights=weights)
    withheld = {n: SUPPRESSED_REASON if len(groups[n]) < k else r for n, r in withheld.items()}
    summaries = {name: summaries.get(name) or GroupSummary(name, True, withheld[name]) for name in groups}
    overall = summaries.get(OVERALL)
    comments = overall.comments if overall is not None and not overall.suppressed else None
    summaries = {name: GroupSummary(**{**s.__dict__, "comments": None}) if name != OVERALL else s
                 for name, s in summaries.items()}
    return CampaignResults(True, summaries, part, comments)


def ref_cells(groups, universe):
    """The reference partition of ``analysis.privacy._cells``: a dict of per-respondent signatures."""
    by_signature: dict[tuple[int, ...], list] = {}
    member_of: dict = {}
    for gi, group in enumerate(groups):
        for r in group:
            member_of.setdefault(r, []).append(gi)
    for r in universe:
        by_signature.setdefault(tuple(member_of.get(r, ())), []).append(r)
    return list(by_signature.items())


def ref_computable_cells(groups_visible):
    groups = [frozenset(g) for g in groups_visible]
    union = frozenset().union(*groups) if groups else frozenset()
    cells = [(sig, members) for sig, members in ref_cells(groups, sorted(union, key=repr)) if sig]
    if not cells:
        return []
    matrix = [[0] * len(cells) for _ in groups]
    for ci, (sig, _members) in enumerate(cells):
        for gi in sig:
            matrix[gi][ci] = 1
    found = []
    for row in fraction_rref(matrix, len(cells)):  # plain Fraction Gauss-Jordan elimination
        nonzero = [c for c, x in enumerate(row) if x]
        if len(nonzero) == 1:
            found.append(frozenset(cells[nonzero[0]][1]))
    return found


def fraction_rref(matrix, ncols):
    """Nonzero rows of the reduced row echelon form of an integer matrix, in Fractions."""
    rows = [[Fraction(x) for x in row] for row in matrix]
    r = 0
    for c in range(ncols):
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


def ref_suppress_groups(groups, k):
    """The reference greedy ``analysis.privacy.suppress_groups``: a set intersection per pair of groups."""
    members = {name: frozenset(g) for name, g in groups.items()}
    result = {name: privacy.REASON_TOO_FEW if len(g) < k else None for name, g in members.items()}
    order = sorted((n for n in members if result[n] is None), key=lambda n: (len(members[n]), str(n)))
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            if result[a] is not None:
                break
            if result[b] is not None:
                continue
            common = len(members[a] & members[b])
            if common and (0 < len(members[a]) - common < k or 0 < len(members[b]) - common < k):
                result[a] = privacy.REASON_COMPLEMENTARY
    while True:
        visible = [n for n in members if result[n] is None]
        small = [c for c in ref_computable_cells(list(dict.fromkeys(members[n] for n in visible))) if len(c) < k]
        if not small:
            return result
        cell = min(small, key=lambda c: (len(c), sorted(map(repr, c))))
        smallest = min((n for n in visible if cell <= members[n]), key=lambda n: (len(members[n]), str(n)))
        for n in visible:
            if members[n] == members[smallest]:
                result[n] = privacy.REASON_DISCLOSIVE


# --------------------------------------------------------------------------------------------
# generated organisations

#: Manager tree: m0 on top, m1/m2 below it, m3 below m1, m4 below m3 (four levels); m5 a second
#: root; m6 is not in the hierarchy at all; m7 <-> m8 is a cycle (bad data the code must survive).
PARENT = {"m0": None, "m1": "m0", "m2": "m0", "m3": "m1", "m4": "m3", "m5": None, "m7": "m8", "m8": "m7"}


def _sizes(rng: random.Random, n: int, k: int) -> list[int]:
    """Split n people into blocks, mostly of the sizes around the thresholds: k-1, k, k+1, 2k."""
    out, left = [], n
    while left > 0:
        size = min(left, rng.choice([1, k - 1, k, k + 1, 2 * k - 1, 2 * k, 2 * k + 1, 3 * k]))
        out.append(size)
        left -= size
    return out


def _labels(rng: random.Random, n: int, k: int, names: Sequence[str]) -> list[str]:
    labels = [names[i % len(names)] for i, size in enumerate(_sizes(rng, n, k)) for _ in range(size)]
    rng.shuffle(labels)
    return labels


def make_org(seed: int, n: int, k: int, *, skip: float = 0.1):
    """Generate n responses and an audience of a bit more than n invitees, deterministically."""
    rng = random.Random(seed)
    managers = _labels(rng, n, k, ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", ""])
    departments = _labels(rng, n, k, ["Sales", "Key Accounts", "Ops", "", "Support"])
    regions = _labels(rng, n, k, ["North", "South", "East", "West", ""])
    keys: set[str] = set()
    while len(keys) < n:
        keys.add("".join(rng.choice("0123456789abcdef") for _ in range(rng.randint(4, 12))))
    records = []
    for i, key in enumerate(sorted(keys, key=lambda _: rng.random())):
        attrs = {"manager": managers[i], "department": departments[i], "region": regions[i],
                 "territory": rng.choice(["t1", "t2", ""]), "tenure_band": rng.choice(["<1y", "1-3y", "5y+", ""])}
        mood = rng.random()  # correlates items so that driver impact is not noise only
        likert = {}
        if rng.random() > skip / 2:  # a few people skip every Likert item
            for item in (*DRIVERS, "zz"):  # "zz" is in no driver: ignored
                if rng.random() > skip:
                    likert[item] = min(5, max(1, round(1 + 4 * mood + rng.uniform(-1.5, 1.5))))
        enps = None if rng.random() < skip else min(10, max(0, round(10 * mood + rng.uniform(-3, 3))))
        comments = tuple(rng.choice(["good team", "  ", "", f"note {i}", "too many meetings"])
                         for _ in range(rng.choice([0, 0, 1, 2])))
        records.append(ResponseRecord(key, likert, enps, comments, {a: v for a, v in attrs.items() if v}))
    invitees = [(True, dict(r.attributes)) for r in records]
    invitees += [(False, {"manager": rng.choice(["m1", "m4", "m6"]), "department": "Ops"})
                 for _ in range(rng.randint(0, k + 1))]
    rng.shuffle(invitees)
    return records, invitees


_real_suppress_groups = privacy.suppress_groups
_decided: dict = {}


def _memo_suppress_groups(groups, k=5, **options):
    """``privacy.suppress_groups``, computed once per distinct call: the reference and the code under
    test ask for the same decisions (they are deterministic), and the optimiser is the slow part."""
    key = (tuple((name, frozenset(g)) for name, g in groups.items()), k,
           tuple(sorted((o, v if not isinstance(v, dict) else tuple(sorted(v.items())))
                        if o != "published" else (o, tuple(map(frozenset, v))) for o, v in options.items())))
    if key not in _decided:
        _decided[key] = _real_suppress_groups(groups, k, **options)
    return dict(_decided[key])


@pytest.fixture(autouse=True)
def _shared_decisions(monkeypatch):
    monkeypatch.setattr(privacy, "suppress_groups", _memo_suppress_groups)


def assert_same(new, ref) -> None:
    """Same values, same floats to the last bit, same dict order (``repr`` round-trips floats)."""
    assert repr(new) == repr(ref)


# --------------------------------------------------------------------------------------------
# tests


@pytest.mark.parametrize("seed,n,k", [(1, 0, 5), (2, 4, 5), (3, 5, 5), (4, 6, 3), (5, 40, 3), (6, 40, 5),
                                      (7, 97, 4), (8, 250, 5), (9, 250, 3), (10, 800, 5), (11, 1500, 3)])
@pytest.mark.parametrize("scope", ["full", "organisation", "departments only"])
@pytest.mark.parametrize("method", privacy.METHODS)
def test_campaign_results_equal_the_reference(seed, n, k, scope, method):
    records, invitees = make_org(seed, n, k)
    attributes, trees = {"full": (HR_ATTRIBUTES, True), "organisation": ((), False),
                         "departments only": (("department",), True)}[scope]
    for outcome in OUTCOMES:
        args = (records, invitees, PARENT, DRIVERS, outcome)
        kwargs = dict(closed=True, attributes=attributes, manager_trees=trees, k=k, random_state=seed,
                      method=method)
        assert_same(campaign_results(*args, **kwargs), ref_campaign_results(*args, **kwargs))
    kwargs["closed"] = False
    assert_same(campaign_results(*args, **kwargs), ref_campaign_results(*args, **kwargs))


@pytest.mark.parametrize("seed,n,k", [(21, 30, 3), (22, 60, 5), (23, 300, 4), (24, 900, 5)])
@pytest.mark.parametrize("skip", [0.0, 0.1, 0.6])
def test_summarise_groups_equal_the_reference_with_every_option(seed, n, k, skip):
    records, _ = make_org(seed, n, k, skip=skip)
    groups = ref_role_groups(records, PARENT, ("department", "region", "territory", "tenure_band", "manager"))
    rng = random.Random(seed)
    keys = [r.key for r in records]
    # Filters a role might add: random overlapping subsets, one holding duplicate keys.
    for i in range(3):
        groups[f"filter={i}"] = rng.sample(keys, min(len(keys), rng.randint(k - 1, 3 * k)))
    groups["dup"] = keys[: 2 * k] * 2
    groups["empty"] = []
    for outcome in OUTCOMES:
        for flags in [dict(), dict(distributions=True, impact=True, comments=True, random_state=seed)]:
            new = summarise_groups(records, groups, DRIVERS, outcome, k=k, **flags)
            assert_same(new, ref_summarise_groups(records, groups, DRIVERS, outcome, k=k, **flags))


def test_duplicate_record_keys_keep_the_last_record_like_the_reference():
    records, _ = make_org(31, 30, 3)
    records = records + [ResponseRecord(records[0].key, {"q1": 1}, 0, ("late",), records[0].attributes)]
    groups = {OVERALL: [r.key for r in records]}
    flags = dict(k=3, distributions=True, impact=True, comments=True, random_state=1)
    assert_same(summarise_groups(records, groups, DRIVERS, "engagement", **flags),
                ref_summarise_groups(records, groups, DRIVERS, "engagement", **flags))


def test_unknown_member_keys_are_still_refused():
    records, _ = make_org(32, 10, 3)
    with pytest.raises(ValueError):
        summarise_groups(records, {OVERALL: ["ghost"]}, DRIVERS, "engagement", k=3)


def assert_same_groups(new, ref) -> None:
    """Same names in the same order, same members (a set's iteration order is not part of it)."""
    assert list(new) == list(ref)
    assert new == ref


def test_groups_equal_the_reference():
    records, _ = make_org(33, 400, 5)
    attrs = ("department", "region", "territory", "tenure_band", "manager")
    assert_same_groups(attribute_groups(records, attrs), ref_attribute_groups(records, attrs))
    assert_same_groups(attribute_groups(records, attrs, include_overall=False),
                       ref_attribute_groups(records, attrs, include_overall=False))
    assert_same_groups(manager_tree_groups(records, PARENT, prefix=MANAGER_TREE),
                       ref_manager_tree_groups(records, PARENT))
    assert_same_groups(role_groups(records, PARENT, attrs), ref_role_groups(records, PARENT, attrs))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_cells_equal_the_reference(data):
    universe = data.draw(st.lists(st.one_of(st.integers(0, 40), st.text(max_size=3)), unique=True, max_size=40))
    pool = universe + data.draw(st.lists(st.integers(100, 105), max_size=3))  # members outside universe
    groups = data.draw(st.lists(st.frozensets(st.sampled_from(pool)) if pool else st.just(frozenset()),
                                max_size=12))
    assert privacy._cells(groups, universe) == ref_cells(groups, universe)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_suppress_groups_equals_the_reference(data):
    people = list(range(data.draw(st.integers(0, 30))))
    named = st.dictionaries(st.text("abcdef", min_size=1, max_size=3),
                            st.frozensets(st.sampled_from(people)) if people else st.just(frozenset()), max_size=10)
    groups, k = data.draw(named), data.draw(st.integers(3, 5))
    assert _real_suppress_groups(groups, k, method="greedy", unions=False) == ref_suppress_groups(groups, k)


@pytest.mark.parametrize("seed,k", [(0, 3), (1, 5), (2, 4)])
def test_suppress_groups_of_a_campaign_equal_the_reference(seed, k):
    records, _ = make_org(seed, 600, k)
    groups = ref_role_groups(records, PARENT, ("department", "region", "territory", "tenure_band", "manager"))
    assert (list(_real_suppress_groups(groups, k, method="greedy", unions=False).items())
            == list(ref_suppress_groups(groups, k).items()))


@pytest.mark.parametrize("seed", range(3))
def test_cells_of_a_campaign_equal_the_reference(seed):
    records, _ = make_org(seed, 3000, 5)
    groups = list(ref_role_groups(records, PARENT, HR_ATTRIBUTES).values())
    universe = sorted((r.key for r in records), key=repr)
    assert privacy._cells(groups, universe) == ref_cells(groups, universe)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 70), k=st.integers(3, 5),
       skip=st.sampled_from([0.0, 0.05, 0.3, 0.9]), full=st.booleans(), method=st.sampled_from(privacy.METHODS))
def test_generated_orgs_equal_the_reference(seed, n, k, skip, full, method):
    records, invitees = make_org(seed, n, k, skip=skip)
    attributes, trees = (HR_ATTRIBUTES, True) if full else ((), False)
    kwargs = dict(closed=True, attributes=attributes, manager_trees=trees, k=k, random_state=seed % 1000,
                  method=method)
    args = (records, invitees, PARENT, DRIVERS, "engagement")
    assert_same(campaign_results(*args, **kwargs), ref_campaign_results(*args, **kwargs))


@pytest.mark.parametrize("seed,n,k,skip", [(31, 800, 5, 0.1), (32, 400, 3, 0.1), (33, 300, 5, 0.6)])
def test_per_metric_suppressions_in_worker_processes_equal_the_reference(seed, n, k, skip, monkeypatch):
    """Above `PARALLEL_MIN_MEMBERSHIPS` the per-metric suppressions run in worker processes: the
    results must be the reference's, bit for bit, and the workers must really have been used."""
    from analysis import engagement, workers

    used = []
    real = workers._parallel
    monkeypatch.setattr(workers, "_parallel", lambda fn, calls: used.append(len(calls)) or real(fn, calls))
    monkeypatch.setattr(engagement, "PARALLEL_MIN_MEMBERSHIPS", 1)
    records, invitees = make_org(seed, n, k, skip=skip)
    args = (records, invitees, PARENT, DRIVERS, "engagement")
    kwargs = {"closed": True, "k": k, "random_state": seed}
    assert_same(campaign_results(*args, **kwargs), ref_campaign_results(*args, **kwargs))
    assert used and max(used) > 1 or workers.cores() == 1
