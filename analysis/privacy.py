"""Confidentiality of engagement aggregates: minimum group size, complementary suppression, exact disclosure check.

Why a threshold alone is not enough
-----------------------------------
Showing only groups of at least ``k`` respondents does not protect anybody on its own. A team of 6
inside a department of 7 are both "large enough", yet ``7 * mean(department) - 6 * mean(team)`` is
the one remaining person's answer. Every aggregate this product shows (a mean, a % favourable, an
eNPS, a count per option) is, once the group size is known, a *sum over the group's members* of a
per-respondent quantity. So what a viewer can learn from all the aggregates of one variable is
exactly the row space of the 0/1 membership matrix ``M`` (rows: visible groups, columns:
respondents): a respondent ``i`` is exposed iff the unit vector ``e_i`` lies in that row space.
:func:`is_disclosive` decides this exactly, in integer/rational arithmetic.

What :func:`suppress_groups` guarantees
---------------------------------------
1. Every group with fewer than ``k`` respondents is suppressed ("not enough responses").
2. Complementary suppression (PRODUCT.md): for every pair of visible groups where one contains the
   other, or the two overlap, if a difference ``A \\ B`` (or ``B \\ A``) holds between 1 and
   ``k - 1`` respondents, the smaller group of the pair is suppressed too.
3. Pairwise rules do not cover every linear combination of three or more groups (e.g. a
   department minus two of its teams leaving one person, or ``A + B - C`` isolating someone). So
   the function then runs the exact check and keeps suppressing -- greedily, the smallest visible
   group holding an exposed part -- until no *cell* of fewer than ``k`` respondents can be
   computed. A cell is a set of respondents with identical membership in every visible group; a
   linear combination of group sums can only ever single out whole cells, so this check is a strict
   superset of "no unit vector in the row space" (:func:`is_disclosive` is always ``False`` on the
   result) and also rules out computing the sum of a clique of 2..k-1 people.

Known residual gaps (documented, not solved here)
-------------------------------------------------
- Sums over a *union* of several small cells that is only reachable by combining three or more
  groups are not searched exhaustively (that is a subset-sum problem); the pairwise rule catches
  the nested and overlapping two-group cases, and single cells are checked exactly.
- The model is linear: it treats each variable separately and knows nothing about side
  information such as "Likert answers are integers 1..5" or "all five chose 5" (a homogeneous group
  reveals everyone's answer whatever its size -- the reason distributions need ``2k``).
- Respondents who know their own answers (or collude) reduce the effective group size.
- Engagement answers carry a fresh random key per campaign, so differencing across campaigns is
  outside this model.

Callers must pass *every* group one role can see at once (all attributes, the overall scope,
manager subtrees, filters and their combinations), otherwise two pages suppressed separately can
be differenced against each other.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from math import gcd

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "MIN_GROUP_SIZE_FLOOR",
    "REASON_COMPLEMENTARY",
    "REASON_DISCLOSIVE",
    "REASON_TOO_FEW",
    "computable_cells",
    "disclosed_respondents",
    "distribution_min_size",
    "is_disclosive",
    "suppress_groups",
    "validate_min_group_size",
]

DEFAULT_MIN_GROUP_SIZE = 5
MIN_GROUP_SIZE_FLOOR = 3

#: Shown to users for every suppressed group, whatever the cause.
REASON_TOO_FEW = "not enough responses"
#: Internal cause: suppressed because a pairwise difference with another group is under k.
REASON_COMPLEMENTARY = "complementary suppression"
#: Internal cause: suppressed because the exact row-space check found a computable small cell.
REASON_DISCLOSIVE = "exact disclosure check"


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


# --------------------------------------------------------------------------------------------
# exact linear algebra


def _cells(groups: Sequence[frozenset], universe: Iterable[Hashable]) -> list[tuple[tuple[int, ...], list]]:
    """Partition ``universe`` by membership signature over ``groups``.

    Returns ``(signature, members)`` pairs; a signature is the tuple of indices of the groups that
    contain the members. Respondents in no group get the empty signature. Cells come in the order
    of their first member in ``universe``, and members in ``universe`` order. Members of a group
    that are not in ``universe`` are ignored.

    The signatures are rows of a respondents x groups bit matrix (8 groups a byte), grouped with
    ``np.unique``: a dict of per-respondent tuples cost Python work for every (respondent, group)
    membership, and this runs for every suppression step over every respondent of a campaign.
    ``universe`` must not repeat a respondent.
    """
    import numpy as np

    universe = list(universe)
    if not universe:
        return []
    if not groups:
        return [((), universe)]
    position = {r: i for i, r in enumerate(universe)}
    member = np.zeros((len(universe), (len(groups) + 7) // 8), dtype=np.uint8)  # np.packbits layout
    for gi, group in enumerate(groups):
        rows = np.fromiter(map(position.get, group, repeat(-1)), dtype=np.intp, count=len(group))
        member[rows[rows >= 0], gi // 8] |= np.uint8(0x80 >> (gi % 8))
    _, first, inverse = np.unique(member, axis=0, return_index=True, return_inverse=True)
    # np.unique numbers cells by sorted signature; renumber them by first appearance in universe.
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    cell = rank[inverse.reshape(-1)]
    by_cell = np.argsort(cell, kind="stable").tolist()  # stable: universe order within a cell
    ends = np.cumsum(np.bincount(cell, minlength=len(first))).tolist()
    out, start = [], 0
    for end in ends:
        rows = by_cell[start:end]
        signature = tuple(np.flatnonzero(np.unpackbits(member[rows[0]], count=len(groups))).tolist())
        out.append((signature, [universe[i] for i in rows]))
        start = end
    return out


_SAFE = 1 << 30  # |entries| below this keep every ``p * a - f * b`` inside int64


def _reduce_rows(rows: list[list[int]], ncols: int) -> list[list[int]]:
    """Bring integer rows to reduced row echelon form (up to a positive scale per row).

    Fraction-free Gauss-Jordan elimination over the integers -- exact, like elimination with
    ``fractions.Fraction``, but every row is kept primitive (divided by the gcd of its entries) so
    numbers stay small. Runs vectorised in ``int64`` while entries are provably too small to
    overflow, and switches to Python integers (unbounded) otherwise. Zero rows are dropped.
    """
    import numpy as np

    a = np.array(rows, dtype=np.int64).reshape(len(rows), ncols)
    a = a[np.any(a != 0, axis=1)]
    pivot_row = 0
    for col in range(ncols):
        if pivot_row == a.shape[0]:
            break
        nz = np.flatnonzero(a[pivot_row:, col])
        if nz.size == 0:
            continue
        sel = pivot_row + int(nz[0])
        if sel != pivot_row:
            a[[pivot_row, sel]] = a[[sel, pivot_row]]
        if a[pivot_row, col] < 0:
            a[pivot_row] = -a[pivot_row]
        if a.dtype != object and int(np.abs(a).max()) >= _SAFE:
            a = a.astype(object)
        prow = a[pivot_row].copy()
        p = prow[col]
        targets = np.flatnonzero(a[:, col])
        targets = targets[targets != pivot_row]
        if targets.size:
            f = a[targets, col].reshape(-1, 1)
            block = p * a[targets] - f * prow
            if a.dtype == object:
                for j, row in zip(targets, block):
                    g = 0
                    for x in row:
                        if x:
                            g = gcd(g, int(x))
                    a[j] = row // g if g > 1 else row
            else:
                g = np.gcd.reduce(block, axis=1)
                g[g == 0] = 1
                a[targets] = block // g.reshape(-1, 1)
        pivot_row += 1
    return [[int(x) for x in r] for r in a if any(r)]


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
    groups = [frozenset(g) for g in groups_visible]
    union = frozenset().union(*groups) if groups else frozenset()
    if universe is None:
        universe_list = sorted(union, key=repr)
    else:
        universe_list = list(dict.fromkeys(universe))
        missing = union.difference(universe_list)
        if missing:
            raise ValueError(f"{len(missing)} group member(s) are not in the universe")
    cells = [(sig, members) for sig, members in _cells(groups, universe_list) if sig]
    if not cells:
        return []
    # Rows = groups, columns = cells (duplicate respondent columns collapsed: an exact reduction,
    # since e_i is in the row space of M iff i is alone in its cell and e_cell is in the row space
    # of the collapsed matrix).
    matrix = [[0] * len(cells) for _ in groups]
    for ci, (sig, _members) in enumerate(cells):
        for gi in sig:
            matrix[gi][ci] = 1
    reduced = _reduce_rows(matrix, len(cells))
    found = []
    for row in reduced:
        nonzero = [c for c, x in enumerate(row) if x]
        if len(nonzero) == 1:
            found.append(frozenset(cells[nonzero[0]][1]))
    return found


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
    import numpy as np
    from scipy import sparse

    union = frozenset().union(*groups)
    position = dict(zip(union, range(len(union))))
    rows = np.fromiter(chain.from_iterable(map(position.__getitem__, g) for g in groups), dtype=np.intp,
                       count=sum(map(len, groups)))
    cols = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    member = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(union), len(groups)))
    return (member.T @ member).toarray().tolist()


def _order_key(name: Hashable, size: int) -> tuple[int, str]:
    return (size, str(name))


def suppress_groups(
    groups: Mapping[Hashable, Collection[Hashable]], k: int = DEFAULT_MIN_GROUP_SIZE
) -> dict[Hashable, str | None]:
    """Decide which groups' aggregates may be shown.

    Applies, in order: the minimum size ``k``; complementary suppression over every nested or
    overlapping pair (a difference of 1..k-1 respondents suppresses the smaller group of the pair);
    then the exact check, suppressing the smallest visible group that holds a computable cell of
    fewer than ``k`` respondents until there is none (see the module docstring for why pairs are
    not enough). Suppressing a group never creates a new violating pair and never exposes a
    respondent, and the exact check is repeated after every step, so the result is a fixed point
    of all three rules and ``is_disclosive(visible groups)`` is ``False``.

    Parameters
    ----------
    groups : mapping of name to collection of respondent keys
        *Every* group one role can see: the overall scope, each attribute value, manager subtrees,
        filters. Groups with the same members under different names are one aggregate.
    k : int, default 5
        Minimum group size (at least 3).

    Returns
    -------
    dict
        ``name -> None`` when the group may be shown, otherwise ``name -> reason``: one of
        :data:`REASON_TOO_FEW`, :data:`REASON_COMPLEMENTARY`, :data:`REASON_DISCLOSIVE`. Show
        users "not enough responses" for all three.

    Raises
    ------
    ValueError
        If ``k`` is below 3.
    """
    k = validate_min_group_size(k)
    members = {name: frozenset(g) for name, g in groups.items()}
    result: dict[Hashable, str | None] = {}
    for name, g in members.items():
        result[name] = REASON_TOO_FEW if len(g) < k else None

    # Complementary suppression: one pass suffices, because suppressing a group only removes
    # pairs and never creates a new violating pair. Smallest groups first, deterministically.
    order = sorted((n for n in members if result[n] is None), key=lambda n: _order_key(n, len(members[n])))
    overlap = _overlaps([members[n] for n in order])
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
                # ``order`` is sorted by size, so ``a`` is the smaller group of the pair.
                result[a] = REASON_COMPLEMENTARY

    # Exact check: repeat until no cell under k is computable from the distinct visible sets.
    while True:
        visible = [n for n in members if result[n] is None]
        distinct = list(dict.fromkeys(members[n] for n in visible))
        small = [c for c in computable_cells(distinct) if len(c) < k]
        if not small:
            break
        cell = min(small, key=lambda c: (len(c), sorted(map(repr, c))))
        holders = [n for n in visible if cell <= members[n]]
        smallest = min(holders, key=lambda n: _order_key(n, len(members[n])))
        target = members[smallest]
        for n in visible:
            # Same members under another name is the same aggregate: suppress them together.
            if members[n] == target:
                result[n] = REASON_DISCLOSIVE
    return result
