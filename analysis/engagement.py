"""Engagement metrics -- participation, favourable %, driver scores, engagement index, eNPS, driver impact, trends -- under suppression.

All percentages are on a 0-100 scale and eNPS is in points (-100..100); changes across campaigns
are in points. Every aggregate over a group goes through :mod:`analysis.privacy`: a suppressed
group comes back with ``suppressed=True``, a ``reason`` -- :data:`SUPPRESSED_REASON` ("fewer than
k responses") or :data:`PROTECTED_REASON` ("hidden so that another group can't be worked out"),
see :func:`analysis.privacy.describe` -- and no numbers at all (not even its size).

What a role has been shown is a *publication record*: variable name -> member sets shown
(:data:`PARTICIPATION` over invitee keys, :data:`RESPONSES` and one variable per metric over
response keys). :func:`campaign_results` returns the record of what it shows and takes the record
of everything published before, so that a recompute is checked together with it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, compress

import numpy as np

from analysis import privacy, workers

__all__ = [
    "DEFAULT_ATTRIBUTES",
    "OVERALL",
    "PARTICIPATION",
    "PROTECTED_REASON",
    "RESPONSES",
    "SUPPRESSED_REASON",
    "CampaignSummary",
    "DriverImpact",
    "GroupSummary",
    "Participation",
    "ResponseRecord",
    "TrendPoint",
    "attribute_groups",
    "manager_tree_groups",
    "participation",
    "summarise_groups",
    "trend",
    "CampaignResults",
    "HR_ATTRIBUTES",
    "campaign_results",
    "role_groups",
    "keep_overall_visible",
    "live_participation",
    "merge_published",
    "published_record",
    "secondary_suppression",
    "suppress_participation",
    "warm_workers",
]

#: The reason of a group hidden for having fewer than k respondents (k invitees for participation).
SUPPRESSED_REASON = privacy.REASON_TOO_FEW
#: The reason of a group of at least k hidden so that no smaller set can be worked out from it.
PROTECTED_REASON = privacy.REASON_PROTECTS_OTHER
#: Publication-record variables: who took part (invitee keys), and the responses (response keys).
PARTICIPATION = "participation"
RESPONSES = "n"
#: Weight of the whole scope when choosing what to hide: it is kept visible whenever it can be.
OVERALL_WEIGHT = 1000.0
#: Name of the whole-scope group built by :func:`attribute_groups`.
OVERALL = "all"
#: Grouping attributes snapshotted on each response when the campaign opened.
DEFAULT_ATTRIBUTES = ("manager", "region", "territory", "department", "tenure_band")

LIKERT_OPTIONS = (1, 2, 3, 4, 5)
FAVOURABLE = frozenset({4, 5})
ENPS_OPTIONS = tuple(range(11))
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True)
class ResponseRecord:
    """One confidential engagement response, as stored: no person id, a random key.

    Parameters
    ----------
    key : str
        The response's random key (unique within a campaign).
    likert : dict of str to int
        Answers 1..5 by item id; unanswered items are absent.
    enps : int or None
        The 0..10 recommendation answer, ``None`` when skipped.
    comments : tuple of str
        Free-text engagement comments.
    attributes : dict of str to str
        Grouping snapshot taken when the campaign opened (manager, region, territory, department,
        tenure_band, ...).
    """

    key: str
    likert: Mapping[str, int] = field(default_factory=dict)
    enps: int | None = None
    comments: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item, value in self.likert.items():
            if isinstance(value, bool) or value not in LIKERT_OPTIONS:
                raise ValueError(f"Likert answer for {item!r} must be 1..5, got {value!r}")
        if self.enps is not None and (isinstance(self.enps, bool) or self.enps not in ENPS_OPTIONS):
            raise ValueError(f"eNPS answer must be 0..10, got {self.enps!r}")


@dataclass(frozen=True)
class Participation:
    """Participation of one group: submitted / invited, shown only for at least k invitees."""

    group: str
    suppressed: bool
    reason: str | None
    invited: int | None
    submitted: int | None
    rate: float | None  # 0..100


@dataclass(frozen=True)
class DriverImpact:
    """Spearman rank correlation of respondents' driver score with their engagement-outcome score."""

    driver_id: str
    rho: float | None  # None when a score is constant or fewer than 3 respondents have both
    p: float | None
    n: int
    method: str = "spearman"


@dataclass(frozen=True)
class GroupSummary:
    """Engagement results of one group; all numbers are ``None``/empty when suppressed.

    ``favourable``, ``driver_scores`` and ``distributions`` map ids to values; a value of ``None``
    means that metric alone had too few answers in this group (or, for distributions, fewer than
    2k or a differencing risk). ``distributions[item]`` counts answers 1..5 in order.
    ``comments`` (only when asked for) is the group's comments without authors, shuffled, or
    ``None`` when too few members commented.
    """

    group: str
    suppressed: bool
    reason: str | None
    n: int | None = None
    engagement_index: float | None = None
    enps: float | None = None
    promoters_pct: float | None = None
    detractors_pct: float | None = None
    n_enps: int | None = None
    favourable: dict[str, float | None] = field(default_factory=dict)
    driver_scores: dict[str, float | None] = field(default_factory=dict)
    distributions: dict[str, tuple[int, ...] | None] = field(default_factory=dict)
    driver_impact: tuple[DriverImpact, ...] = ()
    comments: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CampaignSummary:
    """One campaign's results for one group, the input of :func:`trend`."""

    campaign_id: str
    summary: GroupSummary
    participation: Participation | None = None


@dataclass(frozen=True)
class TrendPoint:
    """One campaign in a trend, with changes in points against the previous campaign."""

    campaign_id: str
    suppressed: bool
    reason: str | None
    n: int | None
    engagement_index: float | None
    enps: float | None
    participation_rate: float | None
    driver_scores: dict[str, float | None]
    change_engagement_index: float | None
    change_enps: float | None
    change_participation_rate: float | None
    change_driver_scores: dict[str, float | None]


# --------------------------------------------------------------------------------------------
# groups


def attribute_groups(
    records: Iterable[ResponseRecord],
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    *,
    include_overall: bool = True,
) -> dict[str, frozenset[str]]:
    """Build the overall group and one group per value of each attribute.

    Parameters
    ----------
    records : iterable of ResponseRecord
        The campaign's responses.
    attributes : sequence of str
        Snapshot attributes to group by.
    include_overall : bool, default True
        Add the whole scope as group :data:`OVERALL`.

    Returns
    -------
    dict of str to frozenset of str
        ``"all"`` and ``"<attribute>=<value>"`` to response keys. Records lacking an attribute
        (or with an empty value) are in no group of that attribute.
    """
    records = list(records)
    out: dict[str, set[str]] = {}
    if include_overall:
        out[OVERALL] = {r.key for r in records}
    for attr in attributes:
        # Keys per value first, names after: one name per value instead of one per record. Groups
        # still come in order of each value's first record.
        by_value: dict[str, list[str]] = {}
        for r in records:
            value = r.attributes.get(attr)
            if value:
                by_value.setdefault(value, []).append(r.key)
        for value, keys in by_value.items():
            out.setdefault(f"{attr}={value}", set()).update(keys)
    return {name: frozenset(keys) for name, keys in out.items()}


def manager_tree_groups(
    records: Iterable[ResponseRecord],
    parent: Mapping[str, str | None],
    *,
    attribute: str = "manager",
    prefix: str = "manager_tree",
) -> dict[str, frozenset[str]]:
    """Build one group per manager holding every response below them, directly or indirectly.

    Parameters
    ----------
    records : iterable of ResponseRecord
        Responses whose ``attributes[attribute]`` names their direct manager.
    parent : mapping of str to str or None
        Manager id to that manager's own manager (``None`` at the top).
    attribute : str, default "manager"
        Snapshot attribute holding the direct manager.
    prefix : str, default "manager_tree"
        Group names are ``"<prefix>=<manager id>"``.

    Returns
    -------
    dict of str to frozenset of str
        Group name to response keys.
    """
    # Walk the chain above each direct manager once (not once per response): responses of the same
    # manager share their chain. Groups still come in the order their first response meets them.
    by_manager: dict[str, list[str]] = {}
    for r in records:
        manager = r.attributes.get(attribute)
        if manager:
            by_manager.setdefault(manager, []).append(r.key)
    out: dict[str, set[str]] = {}
    for manager, keys in by_manager.items():
        seen: set[str] = set()
        while manager and manager not in seen:  # guard against a cycle in bad data
            seen.add(manager)
            out.setdefault(f"{prefix}={manager}", set()).update(keys)
            manager = parent.get(manager)
    return {name: frozenset(keys) for name, keys in out.items()}


# --------------------------------------------------------------------------------------------
# metrics


def participation(
    invited: int, submitted: int, *, group: str = OVERALL, k: int = privacy.DEFAULT_MIN_GROUP_SIZE
) -> Participation:
    """Compute participation = submitted / invited for one group.

    Parameters
    ----------
    invited : int
        People in the campaign's audience within the group.
    submitted : int
        Of those, people with a participation record.
    group : str, default "all"
        Group name carried into the result.
    k : int, default 5
        Minimum group size; groups with fewer than ``k`` invitees are suppressed.

    Returns
    -------
    Participation
        Rate on a 0..100 scale.
    """
    k = privacy.validate_min_group_size(k)
    if invited < 0 or submitted < 0 or submitted > invited:
        raise ValueError(f"need 0 <= submitted <= invited, got {submitted} / {invited}")
    if invited < k:
        return Participation(group, True, SUPPRESSED_REASON, None, None, None)
    return Participation(group, False, None, invited, submitted, 100.0 * submitted / invited)


def _pct(numerator: int, denominator: int) -> float | None:
    return 100.0 * numerator / denominator if denominator else None


class _AnswerTable:
    """One campaign's responses as arrays, built once and then indexed by every group.

    Summarising group by group used to walk each group's records once per item, per driver and per
    metric, and driver impact rescored a respondent in every group holding them: Python work of
    groups x respondents x items, which dominated recomputing the dashboard (minutes at a million
    answers). Here every respondent is scored once, with numpy, and a group is an array of row
    positions. Rows are in sorted key order, the order the per-group results have always used (it
    fixes the order of comments before their shuffle and the input order of the correlations), and
    every percentage is ``100.0 * count / count`` of Python ints, as before, so each number is the
    very same double. ``tests/analysis/test_engagement_equivalence.py`` holds the old loops as the
    reference.
    """

    def __init__(
        self,
        records: Iterable[ResponseRecord],
        items: Sequence[str],
        driver_items: Mapping[str, list[str]],
        outcome_items: list[str],
    ) -> None:
        by_key = {r.key: r for r in records}  # a repeated key keeps its last record
        self.keys = sorted(by_key)
        self.position = {key: row for row, key in enumerate(self.keys)}
        recs = [by_key[key] for key in self.keys]
        n = len(recs)
        column = {item: col for col, item in enumerate(items)}
        #: Likert answers, rows x items; 0 = not answered.
        unanswered = [0] * len(items)
        # One flat iterator into np.fromiter: no list per response (twice as fast as nested lists).
        self.likert = np.fromiter(chain.from_iterable(map(r.likert.get, items, unanswered) for r in recs),
                                  dtype=np.int8, count=n * len(items)).reshape(n, len(items))
        #: eNPS answers; -1 = skipped.
        self.enps = np.fromiter((-1 if r.enps is None else r.enps for r in recs), dtype=np.int8, count=n)
        self.answered = self.likert > 0
        self.favourable = np.isin(self.likert, sorted(FAVOURABLE))
        self.columns = {driver: [column[i] for i in its] for driver, its in driver_items.items()}
        #: Each respondent's % favourable over a driver's items (NaN when they answered none of them).
        self.driver_score = {driver: self._score(cols) for driver, cols in self.columns.items()}
        self.outcome_columns = [column[i] for i in outcome_items]
        self.outcome_score = self._score(self.outcome_columns)
        # Non-blank comments in row order, each with its row: a group's pool is a mask away.
        texts, owners = [], []
        for row, r in enumerate(recs):
            for c in r.comments:
                if c.strip():
                    texts.append(c)
                    owners.append(row)
        self.comment_texts = np.array(texts, dtype=object)
        self.comment_owner = np.array(owners, dtype=np.intp)
        self.commented = np.zeros(n, dtype=bool)
        self.commented[self.comment_owner] = True

    def _score(self, cols: list[int]) -> np.ndarray:
        """Per-respondent ``100.0 * favourable / answered`` over ``cols`` (the old ``_respondent_scores``)."""
        fav = self.favourable[:, cols].sum(axis=1)
        ans = self.answered[:, cols].sum(axis=1)
        return np.divide(100.0 * fav, ans, out=np.full(len(ans), np.nan), where=ans > 0)

    def keys_where(self, mask: np.ndarray) -> frozenset[str]:
        """Keys of the rows where ``mask`` holds."""
        return frozenset(compress(self.keys, mask.tolist()))

    def rows(self, keys: Collection[str]) -> np.ndarray:
        """Row positions of a group's members, ascending (= sorted key order)."""
        return np.sort(np.fromiter(map(self.position.__getitem__, keys), dtype=np.intp, count=len(keys)))

    def driver_impact(self, rows: np.ndarray, drivers: Iterable[str]) -> tuple[DriverImpact, ...]:
        """Spearman correlation of each driver's respondent score with the outcome score, in ``rows``."""
        outcome = self.outcome_score[rows]
        has_outcome = ~np.isnan(outcome)
        impacts = []
        for driver in drivers:
            score = self.driver_score[driver][rows]
            both = has_outcome & ~np.isnan(score)
            n = int(both.sum())
            if n < 3:
                impacts.append(DriverImpact(driver, None, None, n))
                continue
            x, y = score[both], outcome[both]
            if np.ptp(x) == 0 or np.ptp(y) == 0:  # correlation undefined (scipy would warn)
                impacts.append(DriverImpact(driver, None, None, n))
                continue
            from scipy import stats  # here, not at import: scipy.stats costs ~0.5 s to import

            res = stats.spearmanr(x, y)
            impacts.append(DriverImpact(driver, float(res.statistic), float(res.pvalue), n))
        return tuple(impacts)

    def comments(self, rows: np.ndarray) -> np.ndarray:
        """Non-blank comments of ``rows``, in row order (then in each response's own order)."""
        member = np.zeros(len(self.keys), dtype=bool)
        member[rows] = True
        return self.comment_texts[member[self.comment_owner]]


#: A publication record: variable -> member sets shown to one role (see the module docstring).
Published = Mapping[str, Sequence[frozenset]]


def merge_published(*records: Published) -> dict[str, tuple[frozenset, ...]]:
    """Merge publication records (e.g. stored versions): per variable, every distinct set once, in order."""
    out: dict[str, dict[frozenset, None]] = {}
    for record in records:
        for variable, sets in record.items():
            out.setdefault(variable, {}).update(dict.fromkeys(frozenset(g) for g in sets))
    return {variable: tuple(sets) for variable, sets in out.items()}


def _metric_variable(metric: tuple[str, str]) -> str:
    kind, ident = metric
    return kind if not ident else f"{kind}:{ident}"


def summarise_groups(
    records: Iterable[ResponseRecord],
    groups: Mapping[str, Collection[str]],
    drivers: Mapping[str, str],
    outcome: str | Collection[str],
    *,
    k: int = privacy.DEFAULT_MIN_GROUP_SIZE,
    distributions: bool = False,
    impact: bool = False,
    comments: bool = False,
    random_state: int | np.random.Generator | None = None,
    method: str = "optimal",
    published: Published | None = None,
    weights: Mapping[str, float] | None = None,
) -> dict[str, GroupSummary]:
    """Compute engagement results for every group one role can see, suppressed together.

    Suppression (:func:`analysis.privacy.suppress_groups`) runs over *all* ``groups`` at once --
    pass every group the role can obtain (overall, every attribute, manager subtrees, filters),
    not only those on the current page, so that no two views can be differenced. It runs on each
    group's members and again per metric on the members who answered that metric (an item, a
    driver, the outcome, eNPS), so a skipped question cannot be used to single anyone out. Each
    of these variables is checked together with what ``published`` holds for it.

    Parameters
    ----------
    records : iterable of ResponseRecord
        Responses of one closed campaign.
    groups : mapping of str to collection of str
        Group name to response keys, e.g. from :func:`attribute_groups` merged with
        :func:`manager_tree_groups`.
    drivers : mapping of str to str
        Likert item id to driver id. Items not in the map are ignored.
    outcome : str or collection of str
        The engagement-outcome driver id(s); their items make the engagement index.
    k : int, default 5
        Minimum group size (at least 3).
    distributions : bool, default False
        Also return counts per option (1..5) per item, for groups that pass suppression at ``2k``.
    impact : bool, default False
        Also compute driver impact (Spearman correlation of each respondent's driver score with
        their outcome score) for each visible group.
    comments : bool, default False
        Also return each visible group's comments, shuffled, when at least ``k`` of its members
        commented (and no differencing risk, by the same suppression rules).
    random_state : int, Generator or None
        Seeds the comment shuffle.
    method : {"optimal", "greedy"}
        How suppressions are chosen (:func:`analysis.privacy.suppress_groups`).
    published : publication record, optional
        Everything already shown to this role of this campaign (earlier versions).
    weights : mapping of str to float, optional
        Cost of hiding each group (default 1), for ``method="optimal"``.

    Returns
    -------
    dict of str to GroupSummary
        One summary per group, in the order of ``groups``.

    Raises
    ------
    analysis.privacy.DisclosureError
        If ``published`` alone already discloses a set of fewer than k people.
    """
    return _summarise(records, groups, drivers, outcome, k=k, distributions=distributions, impact=impact,
                      comments=comments, random_state=random_state, method=method, published=published or {},
                      weights=weights)[0]


def _answer_table(records, drivers: Mapping[str, str], outcome: str | Collection[str]):
    """The campaign's :class:`_AnswerTable`, its items, each driver's items and the outcome drivers."""
    outcome_ids = {outcome} if isinstance(outcome, str) else set(outcome)
    driver_items: dict[str, list[str]] = {}
    for item, driver in drivers.items():
        driver_items.setdefault(driver, []).append(item)
    outcome_items = [i for d in outcome_ids for i in driver_items.get(d, [])]
    items = list(drivers)
    return _AnswerTable(records, items, driver_items, outcome_items), items, driver_items, outcome_ids


def _metric_scopes(table: _AnswerTable, items: Sequence[str], *, comments: bool) -> dict[tuple[str, str], frozenset[str]]:
    """Who contributes to each metric (respondent keys); suppression is decided per distinct set.

    ``("n", "")`` is every respondent; then each item, each driver (answered any of its items), the
    outcome, eNPS and (with ``comments``) the respondents who left a comment.
    """
    scopes: dict[tuple[str, str], frozenset[str]] = {("n", ""): frozenset(table.keys)}
    for col, item in enumerate(items):
        scopes[("item", item)] = table.keys_where(table.answered[:, col])
    for driver, cols in table.columns.items():
        scopes[("driver", driver)] = table.keys_where(table.answered[:, cols].any(axis=1))
    scopes[("outcome", "")] = table.keys_where(table.answered[:, table.outcome_columns].any(axis=1))
    scopes[("enps", "")] = table.keys_where(table.enps >= 0)
    if comments:
        scopes[("comments", "")] = table.keys_where(table.commented)
    return scopes


#: Group memberships (summed over the groups of one suppression problem) from which one campaign's
#: per-metric suppressions run in worker processes (:mod:`analysis.workers`): about 5,000 people
#: with every breakdown HR sees. Below it a call takes tens of milliseconds, and sending the groups
#: to the workers costs a good share of what they save; above it the ~10 metric calls (each its own
#: integer program and exact check) are most of a campaign's suppression, and two cores nearly
#: halve them (``benchmarks/suppression_optimised.py --campaign``; ``benchmarks/RESULTS.md``).
PARALLEL_MIN_MEMBERSHIPS = 50_000


def warm_workers(n_people: int, attributes: Sequence[str] | None = None) -> None:
    """Start the worker processes in the background if a campaign of ``n_people`` will use them.

    Call it before reading the campaign's answers: the workers' start (fresh interpreters importing
    numpy and scipy, about half a second) then overlaps the reading. Each person is in at least the
    whole scope, one group per breakdown and their manager's team, which is the estimate used.
    """
    if n_people * (2 + len(HR_ATTRIBUTES if attributes is None else attributes)) >= PARALLEL_MIN_MEMBERSHIPS:
        workers.warm()


def _problem_key(sets: Mapping[str, frozenset], threshold: int, before: tuple) -> tuple:
    """The cache key of one suppression problem: equal keys have equal decisions."""
    return (threshold, tuple(sets.items()), before)


def _solve_metrics(cache: dict, problems: Sequence[tuple[dict, tuple, tuple]], k: int, method: str,
                   weights: Mapping[str, float] | None) -> None:
    """Decide the suppression problems not in ``cache`` yet, in worker processes when they are large.

    Each problem is ``(sets, before, key)`` as ``_summarise`` builds it for one metric (the shown
    groups restricted to the metric's respondents, what was published of the metric, the cache
    key); the decisions are the same as solving them one by one (each is a pure function of its
    problem), only sooner.
    """
    pending: dict[tuple, dict] = {}
    for sets, before, key in problems:
        if key not in cache and key not in pending:
            pending[key] = {"groups": sets, "k": k, "published": before, "method": method, "weights": weights}
    work = sum(len(g) for call in pending.values() for g in call["groups"].values())
    parallel = len(pending) > 1 and work >= PARALLEL_MIN_MEMBERSHIPS * len(pending)
    for key, decisions in zip(pending, workers.run_all(privacy.suppress_groups, list(pending.values()),
                                                       parallel=parallel)):
        cache[key] = decisions


def _summarise(records, groups, drivers, outcome, *, k, distributions, impact, comments, random_state, method,
               published, weights) -> tuple[dict[str, GroupSummary], dict[str, tuple[frozenset, ...]]]:
    """:func:`summarise_groups`, also returning the publication record of what it shows."""
    k = privacy.validate_min_group_size(k)
    table, items, driver_items, outcome_ids = _answer_table(records, drivers, outcome)
    members = {name: frozenset(keys) for name, keys in groups.items()}
    unknown = frozenset().union(*members.values()).difference(table.position) if members else frozenset()
    if unknown:
        raise ValueError(f"{len(unknown)} group member key(s) have no response record")

    metric_sets = _metric_scopes(table, items, comments=comments)
    rng = np.random.default_rng(random_state)

    cache: dict[tuple, dict[str, str | None]] = {}
    record: dict[str, tuple[frozenset, ...]] = {}
    full = metric_sets[("n", "")]

    built: dict[tuple, tuple[dict, tuple, tuple]] = {}

    def problem(variable: str, scope: frozenset[str], threshold: int, names: Sequence[str]) -> tuple[dict, tuple, tuple]:
        """The groups ``names`` restricted to ``scope``, what was published of ``variable``, and the
        problem's cache key (each built once: at 10,000 people the restriction alone takes ~30 ms)."""
        memo = (variable, scope, threshold, tuple(names))
        if memo not in built:
            sets = {name: members[name] if scope == full else members[name] & scope for name in names}
            before = tuple(published.get(variable, ()))
            built[memo] = (sets, before, _problem_key(sets, threshold, before))
        return built[memo]

    def decide(variable: str, scope: frozenset[str], threshold: int, names: Sequence[str]) -> dict[str, str | None]:
        """Reasons for the groups in ``names`` showing a metric answered by ``scope`` (checked with
        what was published of ``variable``); records what is shown."""
        sets, before, key = problem(variable, scope, threshold, names)
        if key not in cache:
            cache[key] = privacy.suppress_groups(sets, threshold, published=before, method=method, weights=weights)
        decisions = cache[key]
        record[variable] = tuple(dict.fromkeys(
            [*map(frozenset, before), *(sets[n] for n in names if decisions[n] is None and sets[n])]))
        return decisions

    def visible(variable: str, scope: frozenset[str], threshold: int, names: Sequence[str]) -> dict[str, bool]:
        """Which groups may show a metric answered by ``scope``; groups not in ``names`` may not."""
        decisions = decide(variable, scope, threshold, names)
        return {name: name in decisions and decisions[name] is None for name in members}

    base_reasons = decide(RESPONSES, full, k, list(members))
    base = {name: base_reasons[name] is None for name in members}
    # A metric can only be shown where its group is, so only base-visible groups compete for it.
    shown = [name for name in members if base[name]]
    _solve_metrics(cache, [problem(_metric_variable(metric), scope, k, shown) for metric, scope in metric_sets.items()
                           if metric != ("n", "")], k, method, weights)
    vis = {metric: visible(_metric_variable(metric), scope, k, shown) for metric, scope in metric_sets.items()
           if metric != ("n", "")}
    dist_vis = (
        {item: visible(f"distribution:{item}", metric_sets[("item", item)], privacy.distribution_min_size(k), shown)
         for item in items}
        if distributions
        else {}
    )

    out: dict[str, GroupSummary] = {}
    for name, keys in members.items():
        if not base[name]:
            out[name] = GroupSummary(name, True, base_reasons[name])
            continue
        rows = table.rows(keys)
        # Counts per item as Python ints, so that every percentage is computed exactly as before.
        n_answered = table.answered[rows].sum(axis=0).tolist()
        n_favourable = table.favourable[rows].sum(axis=0).tolist()

        favourable: dict[str, float | None] = {}
        dists: dict[str, tuple[int, ...] | None] = {}
        if distributions:
            answers = table.likert[rows]
            counts = np.stack([(answers == o).sum(axis=0) for o in LIKERT_OPTIONS], axis=1).tolist()
        for col, item in enumerate(items):
            item_shown = vis[("item", item)][name]
            favourable[item] = _pct(n_favourable[col], n_answered[col]) if item_shown else None
            if distributions:
                dists[item] = tuple(counts[col]) if item_shown and dist_vis[item][name] else None

        def pooled(cols: list[int]) -> float | None:
            return _pct(sum(n_favourable[c] for c in cols), sum(n_answered[c] for c in cols))

        driver_scores = {
            driver: pooled(cols) if vis[("driver", driver)][name] else None for driver, cols in table.columns.items()
        }
        index = pooled(table.outcome_columns) if vis[("outcome", "")][name] else None

        enps = promoters = detractors = None
        n_enps = None
        if vis[("enps", "")][name]:
            scores = table.enps[rows]
            n_enps = int((scores >= 0).sum())
            promoters = _pct(int((scores >= PROMOTER_MIN).sum()), n_enps)
            detractors = _pct(int(((scores >= 0) & (scores <= DETRACTOR_MAX)).sum()), n_enps)
            enps = promoters - detractors if promoters is not None and detractors is not None else None

        impacts: tuple[DriverImpact, ...] = ()
        if impact and vis[("outcome", "")][name]:
            others = [d for d in driver_items if d not in outcome_ids and vis[("driver", d)][name]]
            impacts = table.driver_impact(rows, others)

        texts: tuple[str, ...] | None = None
        if comments and vis[("comments", "")][name]:
            pool = table.comments(rows)
            texts = tuple(pool[rng.permutation(len(pool))].tolist())

        out[name] = GroupSummary(
            group=name,
            suppressed=False,
            reason=None,
            n=len(rows),
            engagement_index=index,
            enps=enps,
            promoters_pct=promoters,
            detractors_pct=detractors,
            n_enps=n_enps,
            favourable=favourable,
            driver_scores=driver_scores,
            distributions=dists,
            driver_impact=impacts,
            comments=texts,
        )
    return out, record


# --------------------------------------------------------------------------------------------
# trends


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def trend(campaigns: Sequence[CampaignSummary]) -> list[TrendPoint]:
    """Line up one group's results across campaigns, with changes against the previous campaign.

    Parameters
    ----------
    campaigns : sequence of CampaignSummary
        Oldest first. Each summary must already be suppressed (from :func:`summarise_groups`).

    Returns
    -------
    list of TrendPoint
        One point per campaign. A change is ``None`` when either campaign lacks the number
        (suppressed, or no previous campaign).
    """
    points: list[TrendPoint] = []
    prev: TrendPoint | None = None
    for c in campaigns:
        s = c.summary
        rate = c.participation.rate if c.participation is not None else None
        scores = dict(s.driver_scores) if not s.suppressed else {}
        prev_scores = prev.driver_scores if prev is not None else {}
        point = TrendPoint(
            campaign_id=c.campaign_id,
            suppressed=s.suppressed,
            reason=s.reason,
            n=s.n,
            engagement_index=s.engagement_index,
            enps=s.enps,
            participation_rate=rate,
            driver_scores=scores,
            change_engagement_index=_change(s.engagement_index, prev.engagement_index if prev else None),
            change_enps=_change(s.enps, prev.enps if prev else None),
            change_participation_rate=_change(rate, prev.participation_rate if prev else None),
            change_driver_scores={d: _change(v, prev_scores.get(d)) for d, v in scores.items()},
        )
        points.append(point)
        prev = point
    return points


# --------------------------------------------------------------------------------------------
# one campaign, every group a role can see


#: Attributes HR can group by on the dashboard; territory is left out on purpose: territories hold
#: a handful of reps each, and crossing them with teams would mostly force suppression.
HR_ATTRIBUTES = ("department", "region", "tenure_band", "manager")
#: Prefix of manager-subtree groups (everyone below a manager, directly or not).
MANAGER_TREE = "manager_tree"


@dataclass(frozen=True)
class CampaignResults:
    """Everything one role may see of one campaign, suppressed together.

    ``groups`` is empty while the campaign is open (no results before it closes); ``participation``
    holds every group, shown when it has at least ``k`` invitees and nobody's participation can be
    worked out from the shown groups (and everything published before). ``comments`` are given
    for the whole scope only: lists of comments per overlapping group would let a reader intersect
    them and place a comment in a small cell. ``published`` is the publication record of
    everything shown, including what was published before: store it, and pass it back to the
    next computation of this campaign for the same role.
    """

    closed: bool
    groups: dict[str, GroupSummary]
    participation: dict[str, Participation]
    comments: tuple[str, ...] | None
    published: dict[str, tuple[frozenset, ...]] = field(default_factory=dict, compare=False, repr=False)


def role_groups(
    records: Iterable[ResponseRecord],
    parent: Mapping[str, str | None],
    attributes: Sequence[str] = HR_ATTRIBUTES,
    *,
    manager_trees: bool = True,
) -> dict[str, frozenset[str]]:
    """Build every group a role can see: the overall scope, each attribute value, manager subtrees.

    Parameters
    ----------
    records : iterable of ResponseRecord
        Responses (or invitees, as records without answers) of one campaign.
    parent : mapping of str to str or None
        Manager id to that manager's own manager.
    attributes : sequence of str
        Attributes the role may group by; empty for an org-wide-only role.
    manager_trees : bool, default True
        Add one group per manager subtree.

    Returns
    -------
    dict of str to frozenset of str
    """
    records = list(records)
    groups = attribute_groups(records, attributes)
    if manager_trees:
        groups.update(manager_tree_groups(records, parent, prefix=MANAGER_TREE))
    return groups


def secondary_suppression(
    groups: Mapping[str, Collection[str]], attributes: Sequence[str], n_records: int, k: int
) -> set[str]:
    """Pick groups to withhold so that no partition leaves fewer than ``k`` people unshown.

    The values of one attribute split the scope. When the values under ``k`` (plus the people
    with no value) hold between 1 and ``k - 1`` people, the whole scope minus the shown values
    would give them away, and :func:`analysis.privacy.suppress_groups` would have to hide the
    *whole scope* (the smallest group holding them). Withholding the next-smallest values of the
    same attribute instead (classic secondary suppression) keeps the organisation-wide figures.
    Withholding a group only removes information, so the guarantees of the one suppression call
    made afterwards still hold.

    Parameters
    ----------
    groups : mapping of str to collection of str
        Groups named ``"<attribute>=<value>"`` (others are ignored).
    attributes : sequence of str
        Attributes whose values partition the scope.
    n_records : int
        People in the whole scope.
    k : int
        Minimum group size.

    Returns
    -------
    set of str
        Names of groups to withhold.
    """
    withheld: set[str] = set()
    for attr in attributes:
        values = sorted(((len(g), n) for n, g in groups.items() if n.startswith(f"{attr}=")))
        if not values:
            continue
        hidden = n_records - sum(size for size, _ in values)
        shown = []
        for size, name in values:
            if size < k:
                hidden += size
            else:
                shown.append((size, name))
        while 0 < hidden < k and shown:
            size, name = shown.pop(0)
            withheld.add(name)
            hidden += size
    return withheld


def keep_overall_visible(groups: Mapping[str, Collection[str]], k: int) -> set[str]:
    """Withhold the fewest small groups needed for the whole scope to stay visible.

    :func:`analysis.privacy.suppress_groups` hides the smallest group holding an exposed cell,
    which is sometimes the whole scope (e.g. a manager tree minus its sub-teams). The organisation's
    own figures matter more than one more small breakdown, so while the whole scope (with at least
    ``k`` members) would be suppressed, withhold the smallest still-visible other group and try
    again. Withholding only removes information; the final suppression call still decides.

    Parameters
    ----------
    groups : mapping of str to collection of str
        Every group of the role, including :data:`OVERALL`.
    k : int
        Minimum group size.

    Returns
    -------
    set of str
        Names of groups to withhold.
    """
    members = {n: frozenset(g) for n, g in groups.items()}
    if OVERALL not in members or len(members[OVERALL]) < k:
        return set()
    withheld: set[str] = set()
    while True:
        decisions = privacy.suppress_groups({n: g for n, g in members.items() if n not in withheld}, k,
                                            method="greedy", unions=False)
        if decisions[OVERALL] is None:
            return withheld
        candidates = [n for n, r in decisions.items() if r is None and n != OVERALL
                      and members[n] != members[OVERALL]]
        if not candidates:
            return withheld
        withheld.add(min(candidates, key=lambda n: (len(members[n]), n)))


def suppress_participation(
    invited: Mapping[str, Collection[Hashable]],
    answered: Collection[Hashable],
    k: int = privacy.DEFAULT_MIN_GROUP_SIZE,
    *,
    published: Sequence[Collection[Hashable]] = (),
    method: str = "optimal",
    weights: Mapping[str, float] | None = None,
) -> tuple[dict[str, Participation], tuple[frozenset, ...]]:
    """Participation of every group one role can see, protected like results.

    A participation count is a sum, over a group's invitees, of "answered" (0/1), so it is
    suppressed with the same oracle as results, over the invitees: fewer than ``k`` invitees is
    :data:`SUPPRESSED_REASON`; and no set of fewer than ``k`` invitees may have its number of
    answers computable from the shown groups together with ``published`` (every participation set
    this role was shown before, open-campaign releases included), else :data:`PROTECTED_REASON`.

    Parameters
    ----------
    invited : mapping of group name to invitee keys
        Every group of the role, over stable invitee keys (fixed at launch).
    answered : collection of invitee keys
        Invitees who answered (for live counts, pass the snapshot of :func:`live_participation`).
    k : int, default 5
        Minimum group size.
    published : sequence of invitee-key sets
        Participation sets shown to the role before (``PARTICIPATION`` of the publication record).
    method, weights
        As for :func:`analysis.privacy.suppress_groups`.

    Returns
    -------
    (dict of str to Participation, tuple of frozenset)
        The groups, and the participation sets now shown (``published`` included).
    """
    k = privacy.validate_min_group_size(k)
    answered = frozenset(answered)
    sets = {name: frozenset(keys) for name, keys in invited.items()}
    decisions = privacy.suppress_groups(sets, k, published=published, method=method, weights=weights)
    out = {}
    for name, keys in sets.items():
        if decisions[name] is None:
            out[name] = participation(len(keys), len(keys & answered), group=name, k=k)
        else:
            out[name] = Participation(name, True, decisions[name], None, None, None)
    shown = tuple(dict.fromkeys([*map(frozenset, published), *(sets[n] for n, p in out.items() if not p.suppressed)]))
    return out, shown


def live_participation(
    part: Mapping[str, Participation], previous: privacy.LiveCounts | None, *, batch: int
) -> tuple[dict[str, Participation], privacy.LiveCounts]:
    """Participation of an open campaign as shown live: refreshed only after ``batch`` new answers.

    Applies :func:`analysis.privacy.release_live_counts` to the shown groups of ``part`` (from
    :func:`campaign_results` or :func:`suppress_participation`, with the true counts): every
    count moves at the same time, and only once the whole scope (:data:`OVERALL`) has ``batch``
    more answers than at the previous release. Store the returned snapshot and pass it back.

    Parameters
    ----------
    part : mapping of str to Participation
        True participation, suppressed; must hold :data:`OVERALL`.
    previous : LiveCounts or None
        The snapshot returned last time (``None`` at the first call).
    batch : int
        Minimum number of new answers between two releases (use at least k).

    Returns
    -------
    (dict of str to Participation, LiveCounts)
    """
    scope = part[OVERALL]
    total = 0 if scope.suppressed else scope.submitted
    counts = {name: p.submitted for name, p in part.items() if not p.suppressed}
    release = privacy.release_live_counts(previous, counts, total, batch=batch)
    out = {}
    for name, p in part.items():
        if p.suppressed or name not in release.counts:
            out[name] = p if p.suppressed else Participation(name, False, None, p.invited, None, None)
            continue
        submitted = release.counts[name]
        out[name] = Participation(name, False, None, p.invited, submitted, 100.0 * submitted / p.invited)
    return out, release


def campaign_results(
    records: Sequence[ResponseRecord],
    invitees: Sequence[tuple[bool, Mapping[str, str]]],
    parent: Mapping[str, str | None],
    drivers: Mapping[str, str],
    outcome: str | Collection[str],
    *,
    closed: bool,
    attributes: Sequence[str] = HR_ATTRIBUTES,
    manager_trees: bool = True,
    k: int = privacy.DEFAULT_MIN_GROUP_SIZE,
    random_state: int | None = 0,
    method: str = "optimal",
    published: Published | None = None,
    invitee_keys: Sequence[str] | None = None,
) -> CampaignResults:
    """Compute what one role may see of one campaign: one suppression call over all its groups.

    Results and participation are computed from the snapshot taken when the campaign opened (the
    records' and invitees' attributes, and ``parent`` as it was then): pass that snapshot, never
    the current organisation. A group's results are shown only where its participation is (its
    number of respondents is its participation count).

    Parameters
    ----------
    records : sequence of ResponseRecord
        The campaign's confidential responses (ignored while it is open).
    invitees : sequence of (answered, attributes)
        The frozen audience: whether each person answered, and their snapshot attributes.
    parent : mapping of str to str or None
        Manager id to that manager's own manager, for subtree groups (the chain at launch).
    drivers, outcome
        As for :func:`summarise_groups`.
    closed : bool
        Results exist only for closed campaigns; open ones give participation only.
    attributes, manager_trees
        The groups the role may see (see :func:`role_groups`).
    k : int, default 5
        Minimum group size.
    random_state : int or None
        Seeds the comment shuffle.
    method : {"optimal", "greedy"}
        ``"optimal"``: :func:`analysis.privacy.suppress_groups` picks the fewest groups to hide
        (the whole scope kept visible whenever possible). ``"greedy"``: the earlier path
        (:func:`secondary_suppression`, :func:`keep_overall_visible`, greedy suppression).
    published : publication record, optional
        ``CampaignResults.published`` of every earlier computation of this campaign for this role
        (merge several with :func:`merge_published`): what they showed stays shown, and anything
        new that would combine with it into a disclosure is hidden instead.
    invitee_keys : sequence of str, optional
        Stable keys of the invitees (e.g. person ids), in the order of ``invitees``; defaults to
        their positions, which are stable only if ``invitees`` always comes in the same order.

    Returns
    -------
    CampaignResults

    Raises
    ------
    analysis.privacy.DisclosureError
        If ``published`` alone already discloses a set of fewer than k people.
    """
    k = privacy.validate_min_group_size(k)
    if method not in privacy.METHODS:
        raise ValueError(f"method must be one of {privacy.METHODS}, got {method!r}")
    published = published or {}
    keys = [str(key) for key in invitee_keys] if invitee_keys is not None else [str(i) for i in range(len(invitees))]
    if len(keys) != len(invitees) or len(set(keys)) != len(keys):
        raise ValueError("invitee_keys must give one distinct key per invitee")
    people = [ResponseRecord(key, attributes=dict(attrs)) for key, (_, attrs) in zip(keys, invitees)]
    answered = {key for key, (did, _) in zip(keys, invitees) if did}
    invited = role_groups(people, parent, attributes, manager_trees=manager_trees)
    if closed:
        warm_workers(len(invitees), attributes)  # up by the time the per-metric suppressions come
    weights = {OVERALL: OVERALL_WEIGHT}
    part, part_shown = suppress_participation(invited, answered, k, published=published.get(PARTICIPATION, ()),
                                              method=method, weights=weights)
    if not closed:
        return CampaignResults(False, {}, part, None, merge_published(published, {PARTICIPATION: part_shown}))
    groups = role_groups(records, parent, attributes, manager_trees=manager_trees)
    # Results only where participation is shown: a shown group's size is its participation count.
    withheld = {n: (part[n].reason if n in part and part[n].suppressed else PROTECTED_REASON)
                for n in groups if n not in part or part[n].suppressed}
    if method == "greedy":
        rest = {n: g for n, g in groups.items() if n not in withheld}
        extra = secondary_suppression(rest, attributes, len(records), k)
        extra |= keep_overall_visible({n: g for n, g in rest.items() if n not in extra}, k)
        withheld.update(dict.fromkeys(extra, PROTECTED_REASON))
    summaries, shown = _summarise(records, {n: g for n, g in groups.items() if n not in withheld}, drivers, outcome,
                                  k=k, distributions=False, impact=True, comments=True, random_state=random_state,
                                  method=method, published=published, weights=weights)
    for name, reason in withheld.items():
        if reason == PROTECTED_REASON and len(groups[name]) < k:
            withheld[name] = SUPPRESSED_REASON
    summaries = {name: summaries.get(name) or GroupSummary(name, True, withheld[name]) for name in groups}
    overall = summaries.get(OVERALL)
    comments = overall.comments if overall is not None and not overall.suppressed else None
    summaries = {name: replace(s, comments=None) if name != OVERALL else s for name, s in summaries.items()}
    return CampaignResults(True, summaries, part, comments,
                           merge_published(published, shown, {PARTICIPATION: part_shown}))


def published_record(
    shown: CampaignResults,
    records: Sequence[ResponseRecord],
    invitees: Sequence[tuple[bool, Mapping[str, str]]],
    parent: Mapping[str, str | None],
    drivers: Mapping[str, str],
    outcome: str | Collection[str],
    *,
    attributes: Sequence[str] = HR_ATTRIBUTES,
    manager_trees: bool = True,
    invitee_keys: Sequence[str] | None = None,
) -> dict[str, tuple[frozenset, ...]]:
    """The publication record of results already shown, rebuilt from the inputs they came from.

    A stored version keeps only what it showed (group names and numbers), not member sets: at a
    million answers the sets of every metric of every group would be larger than the results. A
    closed campaign's inputs are frozen (the snapshot taken at launch, and no answers after the
    close), so the member sets behind every number ``shown`` holds can be rebuilt exactly from the
    same inputs: that is what this does, reading *what was shown* -- a metric counts as published
    for a group exactly where ``shown`` has its number -- not what an earlier computation meant to
    record. Pass the result as ``published`` to :func:`campaign_results` when a closed campaign must
    be recomputed (a fix in the code), so the new version is checked together with the old one.

    Parameters
    ----------
    shown : CampaignResults
        A version already shown to one role (for instance decoded from storage).
    records, invitees, parent, drivers, outcome, attributes, manager_trees, invitee_keys
        The inputs of that version, as for :func:`campaign_results`.

    Returns
    -------
    dict of str to tuple of frozenset

    Raises
    ------
    ValueError
        If ``shown`` names a group the inputs don't have (its sets can't be rebuilt; treat the old
        version as the one that stands).
    """
    keys = [str(key) for key in invitee_keys] if invitee_keys is not None else [str(i) for i in range(len(invitees))]
    people = [ResponseRecord(key, attributes=dict(attrs)) for key, (_, attrs) in zip(keys, invitees)]
    invited = role_groups(people, parent, attributes, manager_trees=manager_trees)
    record: dict[str, list[frozenset]] = {PARTICIPATION: []}
    unknown = [name for name in (*shown.participation, *shown.groups) if name not in invited]
    for name, p in shown.participation.items():
        if not p.suppressed and name in invited:
            record[PARTICIPATION].append(invited[name])
    if shown.closed:
        groups = role_groups(records, parent, attributes, manager_trees=manager_trees)
        table, items, _, _ = _answer_table(records, drivers, outcome)
        scopes = _metric_scopes(table, items, comments=True)
        for name, s in shown.groups.items():
            if s.suppressed:
                continue
            if name not in groups:
                unknown.append(name)
                continue
            members = groups[name]
            numbers: dict[tuple[str, str], object] = {("n", ""): s.n, ("outcome", ""): s.engagement_index,
                                                      ("enps", ""): s.n_enps}
            numbers.update({("item", item): value for item, value in s.favourable.items()})
            numbers.update({("driver", driver): value for driver, value in s.driver_scores.items()})
            if name == OVERALL:
                numbers[("comments", "")] = shown.comments
            for metric, value in numbers.items():
                if value is not None and metric in scopes:
                    variable = RESPONSES if metric == ("n", "") else _metric_variable(metric)
                    record.setdefault(variable, []).append(members & scopes[metric])
    if unknown:
        raise ValueError(f"the shown results name {len(set(unknown))} group(s) these inputs don't have: "
                         f"{', '.join(sorted(set(map(str, unknown)))[:5])}")
    return merge_published({variable: [g for g in sets if g] for variable, sets in record.items()})
