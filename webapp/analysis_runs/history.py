"""Which periods are history, and what a re-theme changes: pure rules over plain data.

**Closed.** A period is *closed* when none of its campaigns is open and either it has a campaign
(all closed) or it has ended (its last day is before today). A period with an open campaign is open
whatever the date (people are still answering); a period without any campaign stays open until it
ends (imports may still arrive). A routine analysis run never changes what a closed period shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from webapp.periods import is_quarter, period_start, shift_quarter

__all__ = ["assignment_diff", "closed_periods", "findings_diff", "period_end"]


def period_end(code: str) -> date:
    """Return the first day after a period (`YYYY-Qn` or `YYYY-MM`)."""
    if is_quarter(code):
        return period_start(shift_quarter(code, 1))
    start = period_start(code)
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def closed_periods(periods: Iterable, today: date) -> set[str]:
    """Return the codes of the closed periods among `periods` (each with `code` and campaign `statuses`)."""
    closed = set()
    for p in periods:
        if "open" in p.statuses:
            continue
        if p.statuses or period_end(p.code) <= today:
            closed.add(p.code)
    return closed


def assignment_diff(before: Mapping[int, int], after: Mapping[int, int], period_of: Mapping[int, str],
                    closed: set[str], labels_before: Mapping[int, str], labels_after: Mapping[int, str],
                    *, n_flows: int = 15) -> dict:
    """Say what a new set of theme assignments moves, per period and from which theme to which.

    `before`/`after` map observation ids to theme keys; an observation only in `after` is new (not
    a move). Returns a JSON-ready dict: totals, per period (closed or not), the largest flows
    between themes, and the themes added, removed and renamed.
    """
    periods: dict[str, dict] = {}
    flows: Counter = Counter()
    moved = 0
    for obs, key in after.items():
        code = period_of.get(obs, "?")
        row = periods.setdefault(code, {"period": code, "closed": code in closed, "observations": 0, "moved": 0})
        row["observations"] += 1
        old = before.get(obs)
        if old is not None and old != key:
            row["moved"] += 1
            moved += 1
            flows[(old, key)] += 1

    def name(labels, key):
        return labels.get(key, "no theme" if key < 0 else f"theme {key}")

    kept = set(labels_before) & set(labels_after)
    return {
        "observations": len(after),
        "moved": moved,
        "moved_in_closed_periods": sum(r["moved"] for r in periods.values() if r["closed"]),
        "periods": [periods[c] for c in sorted(periods)],
        "flows": [{"from": a, "from_label": name(labels_before, a), "to": b, "to_label": name(labels_after, b),
                   "n": n} for (a, b), n in flows.most_common(n_flows)],
        "themes_added": [{"key": k, "label": labels_after[k]} for k in sorted(set(labels_after) - kept)],
        "themes_removed": [{"key": k, "label": labels_before[k]} for k in sorted(set(labels_before) - kept)],
        "themes_renamed": [{"key": k, "before": labels_before[k], "after": labels_after[k]}
                           for k in sorted(kept) if labels_before[k] != labels_after[k]],
    }


def findings_diff(before: Mapping[str, Mapping[int, dict]], after: Mapping[str, Mapping[int, dict]]) -> list[dict]:
    """List the themes whose verdict differs between two runs, per period.

    Each side maps period -> theme key -> ``{"label", "verdict", "finding"}``; a theme missing on
    one side counts as "not a theme". Listed: a finding that appears or goes, or a verdict that
    changes (e.g. suggestive to no link).
    """
    changes = []
    for code in sorted(set(before) | set(after)):
        b, a = before.get(code, {}), after.get(code, {})
        for key in sorted(set(b) | set(a)):
            vb, va = b.get(key), a.get(key)
            verdict_b = vb["verdict"] if vb else None
            verdict_a = va["verdict"] if va else None
            finding_b = bool(vb and vb["finding"])
            finding_a = bool(va and va["finding"])
            if finding_b == finding_a and verdict_b == verdict_a:
                continue
            changes.append({"period": code, "key": key, "label": (va or vb)["label"],
                            "before": verdict_b or "not a theme", "after": verdict_a or "not a theme",
                            "finding_before": finding_b, "finding_after": finding_a})
    return changes
