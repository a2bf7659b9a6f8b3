"""Confidentiality of aggregates: minimum group size, complementary suppression by optimisation, exact disclosure check.

Why a threshold alone is not enough
-----------------------------------
Showing only groups of at least ``k`` people does not protect anybody on its own. A team of 6
inside a department of 7 are both "large enough", yet ``7 * mean(department) - 6 * mean(team)`` is
the one remaining person's answer. Every aggregate this product shows (a mean, a % favourable, an
eNPS, a count per option, a participation count) is, once the group size is known, a *sum over the
group's members* of a per-person quantity. So what a viewer can learn from all the aggregates of
one variable is exactly the row space of the 0/1 membership matrix ``M`` (rows: visible groups,
columns: people). A set ``S`` of people is *computable* iff its indicator vector lies in that row
space; the rule enforced here is: **no set of 1..k-1 people is computable from everything a role
has ever been shown** (every breakdown, filter, page, export, every version ever published).

The oracle (exact)
------------------
A *cell* is a maximal set of people with identical membership in every visible group; a linear
combination of group sums is constant on cells, so a computable set is always a union of cells.
:func:`computable_cells` finds every computable cell exactly (sparse Gauss-Jordan elimination over
the integers, no floating point). :func:`small_computable_sets` adds the *unions* of small cells
(``A + B - C`` leaving two people of different cells): those are found by an integer search over
the small cells (``scipy.optimize.milp``) and every set it reports is verified exactly before it
is used. :func:`is_safe` is true iff both find nothing.

Choosing what to hide (:func:`suppress_groups`)
-----------------------------------------------
1. Every group with fewer than ``k`` people is hidden: :data:`REASON_TOO_FEW`.
2. Then as few other groups as possible are hidden so that the rule above holds
   (:data:`REASON_PROTECTS_OTHER`). ``method="optimal"`` (default) solves a weighted set-cover
   integer program: one 0/1 variable per group (1 = hidden), minimising the (weighted) number of
   hidden groups subject to covering constraints that every safe choice must satisfy:

   - a nested pair ``B < A`` with ``0 < |A \\ B| < k`` cannot both be shown;
   - a *partition* of a group ``T`` (disjoint subgroups: the regions of the organisation, the
     direct team and sub-trees of a manager's tree): the people of ``T`` in no shown block are
     ``T`` minus the shown blocks, so if that hidden remainder holds 1..k-1 people (small blocks
     hidden for being small, people in no block), then ``T`` or one more block must be hidden --
     hiding a single small cell is recoverable by subtraction, so at least two, or none;
   - lazily, for every small set the oracle still finds computable from a candidate solution, the
     groups of one linear combination that computes it: at least one of them must go.

   The solver is re-run with the new constraints until the exact oracle finds nothing (a lazy
   constraint loop). Every constraint is necessary, so the first safe solution is optimal for the
   weights. ``method="greedy"`` keeps the earlier heuristic (pairwise rule, then hiding the
   smallest group holding an exposed cell) for comparison.
3. ``published``: sets already shown to the role (older versions, other campaigns' pages, earlier
   participation counts). They are never hidden ("keep what was published"); the candidates are
   suppressed so that the union stays safe. If the published sets alone are not safe,
   :class:`DisclosureError` is raised: nothing new can repair an earlier disclosure.

Known residual gaps (documented, not solved here)
-------------------------------------------------
- The model is linear: it treats each variable separately and knows nothing about side
  information such as "Likert answers are integers 1..5" or "all five chose 5" (a homogeneous group
  reveals everyone's answer whatever its size -- the reason distributions need ``2k``).
- Respondents who know their own answers (or collude) reduce the effective group size.
- Engagement answers carry a fresh random key per campaign, so differencing across campaigns is
  outside this model (campaigns are different variables).
- The union search relies on the MILP solver's "infeasible" to prove that no union is computable;
  the cell check and every reported set are exact.

Callers must pass *every* group one role can see at once (all attributes, the overall scope,
manager subtrees, filters and their combinations), and everything already published to that role
as ``published``, otherwise two pages or two versions suppressed separately can be differenced.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, repeat
from math import gcd

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "EXPLAIN_PROTECTS_OTHER",
    "EXPLAIN_TOO_FEW",
    "EXPLANATIONS",
    "METHODS",
    "MIN_GROUP_SIZE_FLOOR",
    "REASONS",
    "REASON_COMPLEMENTARY",
    "REASON_DISCLOSIVE",
    "REASON_PROTECTS_OTHER",
    "REASON_TOO_FEW",
    "DisclosureError",
    "Ledger",
    "LiveCounts",
    "computable_cells",
    "describe",
    "disclosed_respondents",
    "distribution_min_size",
    "floor_count",
    "is_disclosive",
    "is_safe",
    "release_live_counts",
    "small_computable_sets",
    "suppress_groups",
    "validate_min_group_size",
]

DEFAULT_MIN_GROUP_SIZE = 5
MIN_GROUP_SIZE_FLOOR = 3

#: A group hidden because it has fewer than k people (respondents; invitees for participation).
REASON_TOO_FEW = "fewer than k responses"
#: A group of at least k hidden because, shown, it would let a smaller set be worked out.
REASON_PROTECTS_OTHER = "hidden so that another group can't be worked out"
#: One-line explanations, "k" standing for the minimum group size (see :func:`describe`).
EXPLAIN_TOO_FEW = "Fewer than k people are in this group, and numbers are shown only for groups of at least k."
EXPLAIN_PROTECTS_OTHER = ("This group is large enough, but showing it would let someone work out the answers of "
                          "fewer than k people by subtracting the groups that are shown.")
REASONS = (REASON_TOO_FEW, REASON_PROTECTS_OTHER)
EXPLANATIONS = {REASON_TOO_FEW: EXPLAIN_TOO_FEW, REASON_PROTECTS_OTHER: EXPLAIN_PROTECTS_OTHER}
#: Former names of the second reason (they used to be internal causes); same value now.
REASON_COMPLEMENTARY = REASON_PROTECTS_OTHER
REASON_DISCLOSIVE = REASON_PROTECTS_OTHER

METHODS = ("optimal", "greedy")


class DisclosureError(ValueError):
    """What was already published discloses a set of fewer than k people; ``sets`` lists them."""

    def __init__(self, sets: Sequence[frozenset]) -> None:
        self.sets = list(sets)
        super().__init__(f"already published results disclose {len(self.sets)} set(s) of fewer than k people")


def validate_min_group_size(k: int) -> int:
    """Check a minimum group size and return it.

    Parameters
    ----------
    k : int
        Minimum number of respondents for an aggregate to be shown.

    Returns
    -------
    int
        ``k`` unchanged.

    Raises
    ------
    ValueError
        If ``k`` is not an integer or is below 3 (PRODUCT.md: configurable, never below 3).
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError(f"minimum group size must be an integer, got {k!r}")
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"minimum group size must be at least {MIN_GROUP_SIZE_FLOOR}, got {k}")
    return k


def distribution_min_size(k: int) -> int:
    """Return the minimum group size for showing a distribution (counts per option): ``2k``.

    Parameters
    ----------
    k : int
        Minimum group size for ordinary aggregates.

    Returns
    -------
    int
        ``2 * k``.
    """
    return 2 * validate_min_group_size(k)


def describe(reason: str, k: int) -> tuple[str, str]:
    """Return the label and the one-line explanation of a reason, with ``k`` written out.

    Parameters
    ----------
    reason : str
        :data:`REASON_TOO_FEW` or :data:`REASON_PROTECTS_OTHER`.
    k : int
        The minimum group size in force.

    Returns
    -------
    (str, str)
        E.g. ``("fewer than 5 responses", "Fewer than 5 people are in this group, ...")``.

    Raises
    ------
    ValueError
        For an unknown reason or an invalid ``k``.
    """
    k = validate_min_group_size(k)
    if reason not in EXPLANATIONS:
        raise ValueError(f"unknown reason {reason!r}")
    number = str(k)
    return reason.replace(" k ", f" {number} "), EXPLANATIONS[reason].replace(" k ", f" {number} ").replace(
        " k.", f" {number}.")


# --------------------------------------------------------------------------------------------
# exact linear algebra


def _cells(groups: Sequence[frozenset], universe: Iterable[Hashable]) -> list[tuple[tuple[int, ...], list]]:
    """Partition ``universe`` by membership signature over ``groups``.

    Returns ``(signature, members)`` pairs; a signature is the tuple of indices of the groups that
    contain the members. Respondents in no group get the empty signature. Cells come in the order
    of their first member in ``universe``, and members in ``universe`` order. Members of a group
    that are not in ``universe`` are ignored. ``universe`` must not repeat a respondent.

    Each respondent's signature is summarised by one 64-bit number (the wrapping sum of a random
    number per group they belong to) and respondents are grouped by it: sorting one integer per
    respondent, with work proportional to the memberships, not to respondents x groups. The
    grouping is then verified exactly -- every group must hold all or none of every cell -- so a
    collision can never merge two signatures (the exact bit-matrix grouping takes over then).
    """
    import numpy as np

    universe = list(universe)
    if not universe:
        return []
    if not groups:
        return [((), universe)]
    position = {r: i for i, r in enumerate(universe)}
    n, n_groups = len(universe), len(groups)
    rows = np.fromiter(chain.from_iterable(map(position.get, g, repeat(-1)) for g in groups), dtype=np.intp,
                       count=sum(map(len, groups)))
    gids = np.repeat(np.arange(n_groups), [len(g) for g in groups])
    keep = rows >= 0
    rows, gids = rows[keep], gids[keep]
    code = np.random.default_rng(0x5EED).integers(1, 2**63, size=n_groups, dtype=np.uint64)
    summary = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(summary, rows, code[gids])
    _, first, inverse = np.unique(summary, return_index=True, return_inverse=True)
    # Number cells by first appearance in universe.
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    cell = rank[inverse.reshape(-1)]
    sizes = np.bincount(cell, minlength=len(first))
    pair, count = np.unique(cell[rows] * n_groups + gids, return_counts=True)
    pair_cell = pair // n_groups
    if not np.array_equal(count, sizes[pair_cell]):
        return _cells_exact(groups, universe)
    bounds = np.searchsorted(pair_cell, np.arange(len(first) + 1)).tolist()
    pair_group = (pair % n_groups).tolist()
    by_cell = np.argsort(cell, kind="stable").tolist()  # stable: universe order within a cell
    ends = np.cumsum(sizes).tolist()
    out, start = [], 0
    for c, end in enumerate(ends):
        signature = tuple(pair_group[bounds[c]:bounds[c + 1]])
        out.append((signature, [universe[i] for i in by_cell[start:end]]))
        start = end
    return out


def _cells_exact(groups: Sequence[frozenset], universe: list) -> list[tuple[tuple[int, ...], list]]:
    """:func:`_cells` by grouping rows of a respondents x groups bit matrix (no hashing)."""
    import numpy as np

    position = {r: i for i, r in enumerate(universe)}
    member = np.zeros((len(universe), (len(groups) + 7) // 8), dtype=np.uint8)  # np.packbits layout
    for gi, group in enumerate(groups):
        rows = np.fromiter(map(position.get, group, repeat(-1)), dtype=np.intp, count=len(group))
        member[rows[rows >= 0], gi // 8] |= np.uint8(0x80 >> (gi % 8))
    _, first, inverse = np.unique(member, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    cell = rank[inverse.reshape(-1)]
    by_cell = np.argsort(cell, kind="stable").tolist()
    ends = np.cumsum(np.bincount(cell, minlength=len(first))).tolist()
    out, start = [], 0
    for end in ends:
        rows = by_cell[start:end]
        signature = tuple(np.flatnonzero(np.unpackbits(member[rows[0]], count=len(groups))).tolist())
        out.append((signature, [universe[i] for i in rows]))
        start = end
    return out


def _div(v: int | Fraction, d: int) -> int | Fraction:
    """``v / d`` exactly, as an int when it divides (history entries stay ints in the common case)."""
    if isinstance(v, int):
        return v // d if v % d == 0 else Fraction(v, d)
    return v / d


class _RowSpace:
    """The reduced row echelon form of integer rows, kept sparse and exact, built one row at a time.

    ``rows[q]`` is the row whose pivot is column ``q`` (a dict column -> int, primitive, pivot
    entry positive); no other row has a nonzero in a pivot column (Gauss-Jordan). ``colrows[c]``
    holds the pivots of the rows with a nonzero in column ``c``. With ``track``, ``hist[q]`` holds
    the exact combination of the input rows that gives ``rows[q]`` (input index -> Fraction), so a
    computable set comes with the groups that compute it.

    Rows are meant to be added smallest first: membership rows of disjoint small groups (teams) stay
    untouched, and only the few large cross-cutting groups (regions, tenure bands) fill in.
    """

    __slots__ = ("rows", "colrows", "hist")

    def __init__(self, track: bool = False) -> None:
        self.rows: dict[int, dict[int, int]] = {}
        self.colrows: dict[int, set[int]] = {}
        self.hist: dict[int, dict[int, int | Fraction]] | None = {} if track else None

    def reduce(self, x: dict[int, int], h: dict[int, Fraction] | None = None) -> dict[int, int]:
        """Reduce ``x`` (changed in place) against the rows; the remainder has no pivot column."""
        rows, hist = self.rows, self.hist
        for c in [c for c in x if c in rows]:
            a = x[c]
            r = rows[c]
            p = r[c]
            if p != 1:
                for j in x:
                    x[j] *= p
                if h is not None:
                    for g in h:
                        h[g] *= p
            for j, v in r.items():
                nv = x.get(j, 0) - a * v
                if nv:
                    x[j] = nv
                else:
                    del x[j]
            if h is not None and hist is not None:
                for g, v in hist[c].items():
                    nv = h.get(g, 0) - a * v
                    if nv:
                        h[g] = nv
                    else:
                        del h[g]
        return x

    def add(self, cols: Iterable[int], index: int) -> int | None:
        """Add the 0/1 row with ones in ``cols`` (input number ``index``); return its pivot or None."""
        return self.add_vector(dict.fromkeys(cols, 1), index)

    def add_vector(self, x: dict[int, int], index: int) -> int | None:
        """Add the integer row ``x`` (changed in place; input number ``index``); return its pivot or None."""
        h = {index: 1} if self.hist is not None else None
        self.reduce(x, h)
        if not x:
            return None
        colrows = self.colrows
        q = min(x, key=lambda c: (len(colrows.get(c, ())), c))
        g = gcd(*x.values())
        if x[q] < 0:
            g = -g
        if g != 1:
            for j in x:
                x[j] //= g
            if h is not None:
                for j in h:
                    h[j] = _div(h[j], g)
        pq = x[q]
        for s in list(colrows.get(q, ())):
            row = self.rows[s]
            b = row[q]
            hs = self.hist[s] if self.hist is not None else None
            if pq != 1:
                for j in row:
                    row[j] *= pq
                if hs is not None:
                    for j in hs:
                        hs[j] *= pq
            for j, v in x.items():
                nv = row.get(j, 0) - b * v
                if nv:
                    row[j] = nv
                    colrows.setdefault(j, set()).add(s)
                else:
                    row.pop(j, None)
                    colrows[j].discard(s)
            if hs is not None and h is not None:
                for j, v in h.items():
                    nv = hs.get(j, 0) - b * v
                    if nv:
                        hs[j] = nv
                    else:
                        hs.pop(j, None)
            d = gcd(*row.values())
            if d != 1:
                for j in row:
                    row[j] //= d
                if hs is not None:
                    for j in hs:
                        hs[j] = _div(hs[j], d)
        self.rows[q] = x
        for j in x:
            colrows.setdefault(j, set()).add(q)
        if self.hist is not None and h is not None:
            self.hist[q] = h
        return q

    def contains(self, x: Mapping[int, int]) -> bool:
        """Whether the integer vector ``x`` lies in the row space (exact)."""
        return not self.reduce(dict(x))


class _Oracle:
    """Cells and the exact row space of a list of visible sets (one variable's universe)."""

    def __init__(self, sets: Sequence[frozenset], universe: Iterable[Hashable] | None = None,
                 track: bool = False) -> None:
        self.sets = list(sets)
        union = frozenset().union(*self.sets) if self.sets else frozenset()
        if universe is None:
            universe_list = sorted(union, key=repr)
        else:
            universe_list = list(dict.fromkeys(universe))
            missing = union.difference(universe_list)
            if missing:
                raise ValueError(f"{len(missing)} group member(s) are not in the universe")
        cells = [(sig, members) for sig, members in (_cells(self.sets, universe_list) if self.sets else []) if sig]
        self.cells = [members for _, members in cells]
        cell_rows: list[list[int]] = [[] for _ in self.sets]
        for ci, (sig, _members) in enumerate(cells):
            for gi in sig:
                cell_rows[gi].append(ci)
        self.space = _RowSpace(track)
        for gi in sorted(range(len(self.sets)), key=lambda i: (len(cell_rows[i]), i)):
            self.space.add(cell_rows[gi], gi)

    def computable_cells(self) -> list[int]:
        """Indices of the cells whose indicator is in the row space."""
        return sorted(q for q, row in self.space.rows.items() if len(row) == 1)

    def support(self, cells: Iterable[int]) -> dict[int, Fraction]:
        """A combination of the visible sets (index -> coefficient) whose sum is exactly the union of ``cells``."""
        hist = self.space.hist
        assert hist is not None, "support needs a tracking oracle"
        y: dict[int, Fraction] = {}
        for q in cells:
            if q not in self.space.rows:
                continue  # a non-pivot cell of a union follows from the pivot cells
            row = self.space.rows[q]
            p = row[q]
            for g, v in hist[q].items():
                nv = y.get(g, 0) + _div(v, p)
                if nv:
                    y[g] = nv
                else:
                    y.pop(g, None)
        return y

    def small_unions(self, k: int, limit: int = 1, time_limit: float = 60.0, first: bool = False) -> list[list[int]]:
        """Up to ``limit`` unions of cells, of fewer than ``k`` people in all, in the row space.

        An indicator ``x`` (0/1 per cell) is in the row space iff ``x = sum_q x_q R_q / R_q[q]`` over
        the pivot rows ``R_q``: it is fixed by its values on the pivot cells. Only small pivot cells
        (fewer than ``k`` people) can be 1, so the integer search has one 0/1 variable per small
        pivot cell; every other cell ``j`` gets ``x_j = sum_q a_qj x_q``, which must be 0 where ``j``
        is large and 0 or 1 where it is small, and the people of all cells with ``x = 1`` number
        1..k-1. Each solution is verified exactly, then excluded, and the search repeated. With
        ``first``, it stops at the first union found (the same attempts, so it finds one exactly when
        the search for ``limit`` would).
        """
        import numpy as np
        from scipy import sparse
        from scipy.optimize import Bounds, LinearConstraint, milp

        sizes = [len(c) for c in self.cells]
        rows = self.space.rows
        pivots = sorted(q for q in rows if sizes[q] < k)
        if not pivots:
            return []
        var = {q: i for i, q in enumerate(pivots)}
        coef: dict[int, dict[int, int | Fraction]] = {}  # non-pivot cell j -> variable -> a_qj
        for q in pivots:
            row = rows[q]
            p = row[q]
            i = var[q]
            for j, v in row.items():
                if j != q:
                    coef.setdefault(j, {})[i] = v if p == 1 else _div(v, p)
        n = len(pivots)
        few = self._enumerate_unions(k, pivots, coef, sizes, 1 if first else limit)
        if few is not None:
            return few
        extra: list[int] = []  # small cells with a fractional coefficient get their own 0/1 variable
        data, ri, ci, lo, hi = [], [], [], [], []
        size_row: dict[int, int | Fraction] = {var[q]: sizes[q] for q in pivots}
        for j, terms in coef.items():
            scale = 1
            for v in terms.values():
                d = v.denominator  # 1 for an int
                if d != 1:
                    scale = scale * d // gcd(scale, d)
            r = len(lo)
            data.extend(map(float, terms.values()) if scale == 1 else (float(v * scale) for v in terms.values()))
            ri.extend(repeat(r, len(terms)))
            ci.extend(terms)
            if sizes[j] >= k:
                lo.append(0), hi.append(0)
            elif scale == 1:
                lo.append(0), hi.append(1)
            else:
                data.append(-float(scale))
                ri.append(r)
                ci.append(n + len(extra))
                extra.append(j)
                lo.append(0), hi.append(0)
            if sizes[j] < k:
                for i, v in terms.items():
                    size_row[i] = size_row.get(i, 0) + sizes[j] * v
        m = n + len(extra)
        sizes_vec = np.zeros(m)
        for i, v in size_row.items():
            sizes_vec[i] = float(v)
        own = np.zeros(m)
        own[:n] = [sizes[q] for q in pivots]
        # The pivot cells alone hold fewer than k people too (a knapsack the solver bounds well).
        constraints = [LinearConstraint(np.vstack([sizes_vec, own]), [1, 1], [k - 1, k - 1])]
        if lo:
            constraints.append(LinearConstraint(sparse.csr_matrix((data, (ri, ci)), shape=(len(lo), m)), lo, hi))
        found: list[list[int]] = []
        cuts: list[np.ndarray] = []
        for _attempt in range(limit + 3):
            cons = list(constraints)
            if cuts:
                cut = np.vstack(cuts)
                cons.append(LinearConstraint(cut, -np.inf, (cut[:, :n] > 0).sum(axis=1) - 1))
            res = milp(sizes_vec, integrality=np.ones(m), bounds=Bounds(0, 1), constraints=cons,
                       options={"time_limit": time_limit, "presolve": True})
            if res.status == 2:  # infeasible: no small union left
                return found
            if res.x is None:
                raise RuntimeError(f"the search for small computable unions did not finish: {res.message}")
            chosen = [q for q in pivots if res.x[var[q]] > 0.5]
            on = set(var[q] for q in chosen)
            cells = chosen + [j for j, terms in coef.items()
                              if sizes[j] < k and sum(v for i, v in terms.items() if i in on) == 1]
            row = np.zeros(m)
            row[:n] = -1
            row[list(on)] = 1
            cuts.append(row)
            if self.space.contains(dict.fromkeys(cells, 1)):
                found.append(sorted(cells))
                if first or len(found) >= limit:
                    return found
        return found

    def _enumerate_unions(self, k: int, pivots: list[int], coef: Mapping[int, Mapping[int, int | Fraction]],
                          sizes: list[int], limit: int, most: int = 256) -> list[list[int]] | None:
        """:meth:`small_unions` by trying every set of small pivot cells of fewer than ``k`` people,
        exactly; ``None`` when there are more than ``most`` such sets (the integer search is used)."""
        candidates: list[tuple[int, ...]] = []
        stack: list[tuple[tuple[int, ...], int, int]] = [((), 0, 0)]
        while stack:
            chosen, start, people = stack.pop()
            for i in range(start, len(pivots)):
                total = people + sizes[pivots[i]]
                if total < k:
                    combo = (*chosen, i)
                    candidates.append(combo)
                    if len(candidates) > most:
                        return None
                    stack.append((combo, i + 1, total))
        by_var: dict[int, list[tuple[int, int | Fraction]]] = {}
        for j, terms in coef.items():
            for i, v in terms.items():
                by_var.setdefault(i, []).append((j, v))
        found: list[list[int]] = []
        for combo in sorted(candidates, key=lambda c: (len(c), c)):
            x: dict[int, int | Fraction] = {}
            for i in combo:
                for j, v in by_var.get(i, ()):
                    x[j] = x.get(j, 0) + v
            ones = [j for j, v in x.items() if v]
            if any(x[j] != 1 or sizes[j] >= k for j in ones):
                continue
            cells = sorted([pivots[i] for i in combo] + ones)
            if sum(sizes[c] for c in cells) < k and self.space.contains(dict.fromkeys(cells, 1)):
                found.append(cells)
                if len(found) >= limit:
                    break
        return found

    def violations(self, k: int, unions: bool = True, limit: int = 5,
                   first: bool = False) -> list[tuple[frozenset, list[int]]]:
        """Computable sets of fewer than ``k`` people: small cells first, else (``unions``) small unions.

        Each comes as ``(members, cells)``: the people, and the cell indices making them up. With
        ``first``, the search stops at the first union found (empty exactly when it would be without).
        """
        out = [(frozenset(self.cells[c]), [c]) for c in self.computable_cells() if len(self.cells[c]) < k]
        if out or not unions:
            return out
        return [(frozenset(chain.from_iterable(self.cells[c] for c in cs)), cs)
                for cs in self.small_unions(k, limit=limit, first=first)]


def computable_cells(
    groups_visible: Sequence[Collection[Hashable]], universe: Iterable[Hashable] | None = None
) -> list[frozenset]:
    """List the cells whose sum can be computed from the visible group sums.

    A cell is a maximal set of respondents that belong to exactly the same visible groups. Any
    linear combination of group sums is constant on cells, so the smallest things a viewer can
    ever isolate are cells; a cell is computable iff its indicator lies in the row space of the
    membership matrix. The check is exact (integer Gauss-Jordan elimination, no floating point).

    Parameters
    ----------
    groups_visible : sequence of collections of hashable
        Respondent keys of every group whose aggregates are visible.
    universe : iterable of hashable, optional
        All respondents; defaults to the union of the groups. Must contain every group member.

    Returns
    -------
    list of frozenset
        The computable cells (each one a set of respondent keys).
    """
    oracle = _Oracle([frozenset(g) for g in groups_visible], universe)
    return [frozenset(oracle.cells[c]) for c in oracle.computable_cells()]


def small_computable_sets(
    groups_visible: Sequence[Collection[Hashable]], k: int, universe: Iterable[Hashable] | None = None,
    *, unions: bool = True,
) -> list[frozenset]:
    """List sets of 1..k-1 people whose sum follows from the visible group sums.

    Every computable cell of fewer than ``k`` people (exact); when there is none and ``unions``
    holds, also unions of several cells of fewer than ``k`` people in all (found by an integer
    search and verified exactly), a few at a time. An empty list means nothing of fewer than ``k``
    people can be worked out: this is the oracle every publication is checked with.

    Parameters
    ----------
    groups_visible : sequence of collections of hashable
        Members of every group visible to the role, *including everything published earlier*.
    k : int
        Minimum group size.
    universe : iterable of hashable, optional
        All people; defaults to the union of the groups.
    unions : bool, default True
        Also search unions of small cells.

    Returns
    -------
    list of frozenset
    """
    oracle = _Oracle([frozenset(g) for g in groups_visible], universe)
    return [members for members, _ in oracle.violations(validate_min_group_size(k), unions)]


def is_safe(groups_visible: Sequence[Collection[Hashable]], k: int,
            universe: Iterable[Hashable] | None = None) -> bool:
    """Whether no set of 1..k-1 people is computable from the visible groups (see :func:`small_computable_sets`)."""
    return not small_computable_sets(groups_visible, k, universe)


def disclosed_respondents(
    groups_visible: Sequence[Collection[Hashable]], universe: Iterable[Hashable] | None = None
) -> frozenset:
    """Return the respondents whose individual value follows from the visible group sums.

    Parameters
    ----------
    groups_visible : sequence of collections of hashable
        Respondent keys of every group whose aggregates are visible.
    universe : iterable of hashable, optional
        All respondents; defaults to the union of the groups.

    Returns
    -------
    frozenset
        Respondents ``i`` for which the unit vector ``e_i`` lies in the row space of the
        membership matrix (exact arithmetic).
    """
    out: set = set()
    for cell in computable_cells(groups_visible, universe):
        if len(cell) == 1:
            out |= cell
    return frozenset(out)


def is_disclosive(
    groups_visible: Sequence[Collection[Hashable]], universe: Iterable[Hashable] | None = None
) -> bool:
    """Decide whether any single respondent's answer can be computed from the visible aggregates.

    Builds the membership matrix (rows: visible groups, columns: respondents) and tests, exactly,
    whether any unit vector ``e_i`` lies in its row space. This is the ANON-4 criterion: a group
    size threshold alone does not make it false (a team of 6 inside a department of 7 discloses
    the seventh person); :func:`suppress_groups` does.

    Parameters
    ----------
    groups_visible : sequence of collections of hashable
        Respondent keys of every group whose aggregates a viewer can obtain.
    universe : iterable of hashable, optional
        All respondents (matrix columns); defaults to the union of the groups.

    Returns
    -------
    bool
        ``True`` if at least one respondent is exposed.

    Examples
    --------
    >>> dept = frozenset(range(7)); team = frozenset(range(6))
    >>> is_disclosive([dept, team])
    True
    >>> is_disclosive([dept])
    False
    """
    return bool(disclosed_respondents(groups_visible, universe))


# --------------------------------------------------------------------------------------------
# suppression


def _overlaps(groups: Sequence[frozenset]) -> list[list[int]]:
    """Return ``|groups[i] & groups[j]|`` for every pair, as exact ints.

    The pairwise rule compares every two groups, and intersecting two large sets of keys, pair
    after pair, was the costliest step of suppressing a big campaign. One sparse 0/1 membership
    matrix (integer entries: exact; memory grows with the memberships, not respondents x groups)
    and one product count every pair at once.
    """
    return _overlap_matrix(groups).toarray().tolist()


def _overlap_matrix(groups: Sequence[frozenset]):
    """The sparse matrix of ``|groups[i] & groups[j]|`` (scipy CSR, int64)."""
    import numpy as np
    from scipy import sparse

    union = frozenset().union(*groups) if groups else frozenset()
    position = dict(zip(union, range(len(union))))
    rows = np.fromiter(chain.from_iterable(map(position.__getitem__, g) for g in groups), dtype=np.intp,
                       count=sum(map(len, groups)))
    cols = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    member = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(union), len(groups)))
    return (member.T @ member).tocsr()


def _order_key(name: Hashable, size: int) -> tuple[int, str]:
    return (size, str(name))


def suppress_groups(
    groups: Mapping[Hashable, Collection[Hashable]],
    k: int = DEFAULT_MIN_GROUP_SIZE,
    *,
    published: Iterable[Collection[Hashable]] = (),
    method: str = "optimal",
    weights: Mapping[Hashable, float] | None = None,
    unions: bool = True,
    time_limit: float = 20.0,
) -> dict[Hashable, str | None]:
    """Decide which groups' aggregates may be shown, hiding as few as the rules need.

    Groups with fewer than ``k`` members are hidden (:data:`REASON_TOO_FEW`); then groups are
    hidden (:data:`REASON_PROTECTS_OTHER`) until, with everything in ``published`` and every group
    left shown, no set of 1..k-1 people is computable (:func:`small_computable_sets` is empty). See
    the module docstring for the integer program (``method="optimal"``) and the earlier heuristic
    (``method="greedy"``).

    Parameters
    ----------
    groups : mapping of name to collection of member keys
        *Every* group one role can see of this variable: the overall scope, each attribute value,
        manager subtrees, filters. Groups with the same members under different names are one
        aggregate (shown or hidden together).
    k : int, default 5
        Minimum group size (at least 3).
    published : iterable of collections of member keys
        Member sets already shown to this role for the same variable (earlier versions, other
        pages); they stay shown and the new groups are checked together with them. A group with
        the same members as a published set is shown (it tells nothing new).
    method : {"optimal", "greedy"}
        Integer program with a lazy constraint loop, or the earlier greedy heuristic.
    weights : mapping of name to float, optional
        Cost of hiding each group (default 1): the optimiser minimises the total cost of the hidden
        groups (ties go to hiding the smaller group). Ignored by ``"greedy"``.
    unions : bool, default True
        Check unions of small cells too, not only single cells (``False``: the earlier check).
    time_limit : float, default 20
        Seconds allowed to each integer-program solve; a solve that runs out keeps the best
        solution found (never an unsafe one: the exact check still decides).

    Returns
    -------
    dict
        ``name -> None`` when the group may be shown, otherwise ``name -> reason``.

    Raises
    ------
    ValueError
        If ``k`` is below 3 or ``method`` is unknown.
    DisclosureError
        If the ``published`` sets alone already disclose a set of fewer than ``k`` people.
    """
    k = validate_min_group_size(k)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    members = {name: frozenset(g) for name, g in groups.items()}
    pub = [p for p in dict.fromkeys(frozenset(p) for p in published) if p]
    if pub:
        bad = _Oracle(pub).violations(k, unions)
        if bad:
            raise DisclosureError([m for m, _ in bad])
    if method == "greedy":
        return _suppress_greedy(members, k, pub, unions)
    with _gc_paused():
        return _suppress_optimal(members, k, pub, weights or {}, unions, time_limit)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration (what the optimiser allocates is freed
    by reference counting; the collector's passes over a big campaign's live objects cost up to a
    quarter of the time at 10,000 people). Restarted afterwards only if it was running: nested or
    concurrent uses end with it as it was before the first of them."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _suppress_greedy(members: dict[Hashable, frozenset], k: int, pub: list[frozenset],
                     unions: bool) -> dict[Hashable, str | None]:
    """The earlier heuristic: pairwise rule, then hide the smallest group holding an exposed set."""
    pubset = set(pub)
    result: dict[Hashable, str | None] = {}
    for name, g in members.items():
        result[name] = REASON_TOO_FEW if len(g) < k else None

    # Complementary suppression: one pass suffices, because suppressing a group only removes
    # pairs and never creates a new violating pair. Smallest groups first, deterministically.
    order = sorted((n for n in members if result[n] is None), key=lambda n: _order_key(n, len(members[n])))
    overlap = _overlaps([members[n] for n in order] + pub)
    for i, a in enumerate(order):
        for j in range(i + 1, len(order)):
            b = order[j]
            if result[a] is not None:
                break
            if result[b] is not None:
                continue
            ga, gb = members[a], members[b]
            common = overlap[i][j]
            if common == 0:
                continue
            a_only = len(ga) - common
            b_only = len(gb) - common
            if 0 < a_only < k or 0 < b_only < k:
                # ``order`` is sorted by size, so ``a`` is the smaller group of the pair; a group
                # equal to a published one stays, and the other one of the pair goes.
                if ga not in pubset:
                    result[a] = REASON_PROTECTS_OTHER
                elif gb not in pubset:
                    result[b] = REASON_PROTECTS_OTHER
        for pi, p in enumerate(pub):
            common = overlap[i][len(order) + pi]
            if (result[a] is None and common and members[a] not in pubset
                    and (0 < len(members[a]) - common < k or 0 < len(p) - common < k)):
                result[a] = REASON_PROTECTS_OTHER  # a published group stays: the new one goes

    # Exact check: repeat until no small set is computable from the distinct visible sets.
    while True:
        visible = [n for n in members if result[n] is None]
        distinct = list(dict.fromkeys([members[n] for n in visible] + pub))
        small = _Oracle(distinct).violations(k, unions)
        if not small:
            break
        cell = min(small, key=lambda v: (len(v[0]), sorted(map(repr, v[0]))))[0]
        holders = [n for n in visible if cell <= members[n] and members[n] not in pubset]
        if holders:
            target = members[min(holders, key=lambda n: _order_key(n, len(members[n])))]
        else:
            # Only published groups hold it: hide the smallest new group of a combination computing it.
            oracle = _Oracle(distinct, track=True)
            found = next(cs for m, cs in oracle.violations(k, unions) if m == cell)
            used = {distinct[g] for g in oracle.support(found)} - pubset
            target = min(used, key=lambda s: (len(s), min(str(n) for n in visible if members[n] == s)))
        for n in visible:
            # Same members under another name is the same aggregate: suppress them together.
            if members[n] == target:
                result[n] = REASON_PROTECTS_OTHER
    return result


class _Structure:
    """Containment between the sets of one suppression problem, and the constraints it implies.

    ``sets = pub + var_sets + primary``: published (always shown), variables (the optimiser
    decides), hidden for having fewer than ``k`` members. ``prefix[i]`` names the breakdown of set
    ``i`` (``"region"`` for ``"region=North"``): the blocks of one breakdown are tried as one
    partition first, and the breakdowns whose groups never cross (manager teams and manager trees)
    make the *nested family* used by :meth:`remainder_cuts`.
    """

    def __init__(self, pub: list[frozenset], var_sets: list[frozenset], primary: list[frozenset], k: int,
                 prefix: Sequence[str]) -> None:
        self.sets = pub + var_sets + primary
        self.k = k
        self.n_pub, self.n_var = len(pub), len(var_sets)
        self.kind = ["p"] * len(pub) + ["v"] * len(var_sets) + ["h"] * len(primary)
        self.prefix = list(prefix)
        size = self.size = [len(x) for x in self.sets]
        import numpy as np

        ov = _overlap_matrix(self.sets).tocoo()
        # Every pair with a common member, in the matrix's order (row by row): one array pass.
        sizes = np.array(size, dtype=np.int64)
        keep = (ov.row != ov.col) & (ov.data != 0)
        rows, cols, common = ov.row[keep], ov.col[keep], ov.data[keep]
        n_sets = len(self.sets)
        self.overlapping: set[int] = set((rows * n_sets + cols).tolist())  # i * len(sets) + j
        self.supers: list[list[int]] = [[] for _ in self.sets]
        self.inside: list[set[int]] = [set() for _ in self.sets]
        proper = (common == sizes[cols]) & (sizes[rows] > sizes[cols])  # cols[x] is a proper subset of rows[x]
        for i, j in zip(rows[proper].tolist(), cols[proper].tolist()):
            self.supers[j].append(i)
            self.inside[i].add(j)
        cross = ~proper & (common < sizes[rows]) & (common < sizes[cols])
        crossing: set[tuple[str, str]] = {(prefix[i], prefix[j])
                                          for i, j in zip(rows[cross].tolist(), cols[cross].tolist())}
        self.nested = self._nested_family(crossing)
        # The nested family as a forest: each member's parent is its smallest superset in the family.
        self.parent: list[int | None] = [None] * len(self.sets)
        self.children: list[list[int]] = [[] for _ in self.sets]
        for j in range(len(self.sets)):
            if j in self.nested:
                above = [i for i in self.supers[j] if i in self.nested]
                if above:
                    self.parent[j] = min(above, key=lambda i: (size[i], i))
                    self.children[self.parent[j]].append(j)
        # For every set that can be shown, the largest members of the nested family inside it.
        self.tops: list[list[int]] = [[] for _ in self.sets]
        for t in range(len(self.sets)):
            if self.kind[t] != "h":
                inner = self.inside[t]
                self.tops[t] = sorted(j for j in inner if j in self.nested and self.parent[j] not in inner)

    def _nested_family(self, crossing: set[tuple[str, str]]) -> set[int]:
        """Sets of the largest group of breakdowns no two of which cross (nested or disjoint only)."""
        counts: dict[str, int] = {}
        for i, p in enumerate(self.prefix):
            if p:
                counts[p] = counts.get(p, 0) + 1
        names = sorted(p for p in counts if (p, p) not in crossing)
        best: tuple[int, tuple[str, ...]] = (0, ())
        if len(names) <= 12:
            for mask in range(1, 1 << len(names)):
                chosen = tuple(p for b, p in enumerate(names) if mask >> b & 1)
                if any((a, b) in crossing for a in chosen for b in chosen):
                    continue
                best = max(best, (sum(counts[p] for p in chosen), chosen))
        chosen_set = set(best[1])
        return {i for i, p in enumerate(self.prefix) if p in chosen_set}

    def var(self, i: int) -> int | None:
        return i - self.n_pub if self.kind[i] == "v" else None

    def _cover(self, members: Iterable[int]) -> frozenset[int]:
        return frozenset(x for x in map(self.var, members) if x is not None)

    def covers(self) -> set[frozenset[int]]:
        """Covering constraints (sets of variable indices, at least one hidden) every safe choice meets.

        A nested pair with a difference of 1..k-1; and a group ``T`` with disjoint subgroups (one
        partition of it) whose hidden remainder -- people in no block, plus blocks hidden for being
        small -- holds 1..k-1 people: ``T`` or one more block must be hidden.
        """
        k, size, kind = self.k, self.size, self.kind
        covers: set[frozenset[int]] = set()
        kids: list[list[int]] = [[] for _ in self.sets]
        n_sets = len(self.sets)
        for b, above in enumerate(self.supers):
            for a in above:
                if kind[a] != "h" and kind[b] != "h" and size[a] - size[b] < k:
                    cover = self._cover((a, b))
                    if cover:
                        covers.add(cover)
                if self.inside[a].isdisjoint(above):  # a: a smallest superset of b (no other one inside it)
                    kids[a].append(b)
        for t, blocks in enumerate(kids):
            if kind[t] == "h" or not blocks:
                continue
            classes: list[list[int]] = []
            for b in sorted(blocks, key=lambda i: (self.prefix[i], -size[i], i)):
                for cls in classes:
                    if not any(b * n_sets + c in self.overlapping for c in cls):
                        cls.append(b)
                        break
                else:
                    classes.append([b])
            for cls in classes:
                hidden = size[t] - sum(size[b] for b in cls) + sum(size[b] for b in cls if kind[b] == "h")
                if 0 < hidden < k:
                    cover = self._cover([t, *cls])
                    if cover:
                        covers.add(cover)
        return covers

    def remainder_cuts(self, hidden: Sequence[bool]) -> set[frozenset[int]]:
        """Constraints violated by ``hidden`` (per variable), found without linear algebra.

        For every shown group ``T``, the largest shown members of the nested family inside it are
        disjoint, so ``T`` minus their sum is computable; if it holds 1..k-1 people, ``T`` or one of
        them must be hidden.
        """
        kind, size, k = self.kind, self.size, self.k

        def shown(i: int) -> bool:
            return kind[i] == "p" or (kind[i] == "v" and not hidden[i - self.n_pub])

        cuts: set[frozenset[int]] = set()
        for t in range(len(self.sets)):
            if not self.tops[t] or not shown(t):
                continue
            covered, used, stack = 0, [t], list(self.tops[t])
            while stack:
                d = stack.pop()
                if shown(d):
                    covered += size[d]
                    used.append(d)
                else:
                    stack.extend(self.children[d])
            if 0 < size[t] - covered < k:
                cover = self._cover(used)
                if cover:
                    cuts.add(cover)
        return cuts


def _suppress_optimal(members: dict[Hashable, frozenset], k: int, pub: list[frozenset],
                      weights: Mapping[Hashable, float], unions: bool, time_limit: float,
                      max_rounds: int = 40, max_inner: int = 200, shortcut: bool = True) -> dict[Hashable, str | None]:
    """Weighted set cover by ``scipy.optimize.milp``, with lazy constraints from the exact oracle.

    The loop runs only when showing every group is unsafe. With ``shortcut`` (the default) that is
    settled without the oracle whenever a covering constraint (:meth:`_Structure.covers`, or a
    remainder cut with every group shown) is violated by showing everything: each names a set of
    1..k-1 people computable from the groups, which the exact oracle would report (with ``unions``;
    a union of cells is not looked for without it, so then the oracle always decides). Otherwise the
    oracle decides, stopping at the first set it finds. The decisions are the same either way
    (``shortcut=False`` is the plain path, kept for the equivalence tests).
    """
    import numpy as np
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    pubset = set(pub)
    names_of: dict[frozenset, list[Hashable]] = {}
    for name, g in members.items():
        names_of.setdefault(g, []).append(name)

    def label(s: frozenset) -> str:
        return min(str(n) for n in names_of[s]) if s in names_of else ""

    var_sets = sorted((s for s in names_of if s not in pubset and len(s) >= k), key=lambda s: (len(s), label(s)))
    primary = sorted((s for s in names_of if s not in pubset and len(s) < k and s), key=lambda s: (len(s), label(s)))
    n_var = len(var_sets)
    hidden = [False] * n_var
    structure: _Structure | None = None
    covers: set[frozenset[int]] = set()
    unsafe = False
    if n_var and shortcut:
        prefix = [label(s).split("=", 1)[0] for s in chain(pub, var_sets, primary)]
        structure = _Structure(pub, var_sets, primary, k, prefix)
        covers = structure.covers()
        unsafe = unions and bool(covers or structure.remainder_cuts(hidden))
        if not unsafe:
            unsafe = bool(_Oracle(pub + var_sets).violations(k, unions, first=True))
    elif n_var:
        unsafe = bool(_Oracle(pub + var_sets).violations(k, unions))
    if unsafe:
        people = len(frozenset().union(*var_sets, *pub))
        cost = np.array([sum(float(weights.get(n, 1.0)) for n in names_of[s]) for s in var_sets])
        # Ties go to hiding the smaller group; the tie-breaks add up to less than the cheapest group.
        cost += np.array([len(s) for s in var_sets]) / ((people + 1) * (n_var + 1)) * min(cost.min(), 1.0)
        if structure is None:
            prefix = [label(s).split("=", 1)[0] for s in chain(pub, var_sets, primary)]
            structure = _Structure(pub, var_sets, primary, k, prefix)
            covers = structure.covers()

        def solve() -> list[bool]:
            if not covers:
                return [False] * n_var
            rows = list(covers)
            a = sparse.csr_matrix((np.ones(sum(map(len, rows))),
                                   (np.repeat(np.arange(len(rows)), [len(c) for c in rows]),
                                    np.fromiter(chain.from_iterable(rows), dtype=np.intp))),
                                  shape=(len(rows), n_var))
            res = milp(cost, integrality=np.ones(n_var), bounds=Bounds(0, 1),
                       constraints=LinearConstraint(a, 1, np.inf),
                       options={"time_limit": time_limit, "mip_rel_gap": 1e-7})
            if res.x is None:  # no solution in time: hide everything any constraint names
                used = set(chain.from_iterable(rows))
                return [i in used for i in range(n_var)]
            return (res.x > 0.5).tolist()

        def check(hidden: list[bool]) -> bool:
            """Add the constraints ``hidden`` violates; True when it is safe (exact oracle)."""
            for _inner in range(max_inner):
                cuts = structure.remainder_cuts(hidden) - covers
                if not cuts:
                    break
                covers.update(cuts)
                hidden[:] = solve()
            shown = pub + [s for s, h in zip(var_sets, hidden) if not h]
            var_of = [None] * len(pub) + [i for i, h in enumerate(hidden) if not h]
            # Usually the answer is "safe": check without the combinations' bookkeeping, and track
            # them (the same row space, so the same findings) only to name the groups of a finding.
            found = _Oracle(shown).violations(k, unions)
            if found:
                oracle = _Oracle(shown, track=True)
                found = oracle.violations(k, unions)
            for people_set, cells in found:
                cover = frozenset(var_of[g] for g in oracle.support(cells) if var_of[g] is not None)
                if not cover:
                    raise DisclosureError([people_set])
                covers.add(cover)
            return not found

        hidden = solve()
        for _round in range(max_rounds):
            if check(hidden):
                break
            hidden = solve()
        else:
            # Still not safe after many rounds: finish greedily (hiding only ever removes information).
            while True:
                shown = pub + [s for s, h in zip(var_sets, hidden) if not h]
                var_of = [None] * len(pub) + [i for i, h in enumerate(hidden) if not h]
                oracle = _Oracle(shown, track=True)
                found = oracle.violations(k, unions)
                if not found:
                    break
                used = [var_of[g] for g in oracle.support(found[0][1]) if var_of[g] is not None]
                hidden[min(used, key=lambda i: (len(var_sets[i]), label(var_sets[i])))] = True

    decision: dict[frozenset, str | None] = {s: None for s in pub}
    decision.update({s: REASON_PROTECTS_OTHER if h else None for s, h in zip(var_sets, hidden)})
    return {name: REASON_TOO_FEW if g not in decision else decision[g] for name, g in members.items()}


# --------------------------------------------------------------------------------------------
# everything published to one role


@dataclass
class Ledger:
    """Everything one role has been shown, per variable, and the suppression of new publications against it.

    A *variable* is one per-person quantity with its own key space: the answers of one campaign
    (keys: the responses' random keys), who took part in one campaign (keys: ``(campaign, person)``
    or any stable person key), one metric's answers. Member sets of different variables never
    combine, so each is checked on its own; within a variable, every set ever shown is kept and
    every new publication is checked together with all of them (:func:`suppress_groups` with
    ``published``). Store ``shown`` to keep the ledger across processes.

    Examples
    --------
    >>> ledger = Ledger()
    >>> team = frozenset(range(10))
    >>> ledger.publish("c1", {"team": team}, 5)
    {'team': None}
    >>> ledger.publish("c1", {"team after a move": team - {9}}, 5)   # would give person 9 away
    {'team after a move': "hidden so that another group can't be worked out"}
    """

    shown: dict[Hashable, list[frozenset]] = field(default_factory=dict)

    def published(self, variable: Hashable) -> tuple[frozenset, ...]:
        """The member sets shown so far for ``variable``."""
        return tuple(self.shown.get(variable, ()))

    def publish(self, variable: Hashable, groups: Mapping[Hashable, Collection[Hashable]], k: int,
                **options) -> dict[Hashable, str | None]:
        """Suppress ``groups`` against everything published for ``variable``, then record what is shown.

        ``options`` go to :func:`suppress_groups` (``method``, ``weights``, ``unions``).
        """
        decisions = suppress_groups(groups, k, published=self.published(variable), **options)
        kept = self.shown.setdefault(variable, [])
        seen = set(kept)
        for name, reason in decisions.items():
            g = frozenset(groups[name])
            if reason is None and g and g not in seen:
                kept.append(g)
                seen.add(g)
        return decisions


# --------------------------------------------------------------------------------------------
# live participation counts


def floor_count(count: int, batch: int) -> int:
    """Round a live count down to a multiple of ``batch`` (23 in batches of 5 shows as 20).

    Parameters
    ----------
    count : int
        The true count (at least 0).
    batch : int
        Batch size (at least 1).

    Returns
    -------
    int
    """
    if batch < 1 or count < 0:
        raise ValueError(f"need count >= 0 and batch >= 1, got {count}, {batch}")
    return count - count % batch


@dataclass(frozen=True)
class LiveCounts:
    """One release of an open campaign's participation counts: every group at the same moment.

    ``counts`` maps group name to the number of invitees who had answered at the release;
    ``total`` is the whole scope's number at the release (what the next refresh is measured from).
    """

    counts: Mapping[Hashable, int]
    total: int


def release_live_counts(previous: LiveCounts | None, counts: Mapping[Hashable, int], total: int, *,
                        batch: int) -> LiveCounts:
    """Return the participation counts to show now, refreshed only after ``batch`` new answers.

    The rule: all of a role's live counts are released together, as one snapshot; a new snapshot
    is taken only once the whole scope has at least ``batch`` more answers than at the previous
    one, and in between the previous snapshot is shown unchanged (the first snapshot, before any
    release, is all zeros). So no count ever moves because of one submission: every change a
    viewer sees is shared by at least ``batch`` submissions of the scope, made at any time since
    the previous release, and the moment a count moves dates none of them. Use ``batch >= k``.
    Which groups are shown at all is still decided by :func:`suppress_groups` over the invitees
    (fixed at launch); the snapshot only decides *when* their numbers move. A group not in the
    previous snapshot appears at the next refresh.

    Residual: between two releases, a group whose count went up by ``d`` is known to hold ``d`` of
    the at least ``batch`` submissions of that window -- about its members, not about anyone in
    particular, as long as the group itself passes the oracle.

    Parameters
    ----------
    previous : LiveCounts or None
        The snapshot shown until now (``None`` before the first release).
    counts : mapping of group name to int
        True current counts of the groups that may be shown.
    total : int
        True current count of the whole scope.
    batch : int
        Minimum number of new answers in the scope between two releases (at least 1).

    Returns
    -------
    LiveCounts
        ``previous`` (or the all-zero snapshot) unchanged, or a new snapshot of ``counts``.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    if previous is None:
        previous = LiveCounts({name: 0 for name in counts}, 0)
    if total < previous.total:
        raise ValueError("a participation count cannot go down")
    if total - previous.total >= batch:
        return LiveCounts(dict(counts), total)
    return previous
