"""Re-theming history: an explicit action that refits every observation, shows the diff, and records a version.

``prepare_retheme`` fits the theme engine over every stored observation, starting from the current
themes' state (themes that persist keep their id and name) and applying people's corrections, and
stores the result as a *proposal* beside the current results, with its diff: how many observations
move (per period, closed or open), the largest flows between themes, themes added, removed and
renamed, and the findings of each period that change (the leader report's own verdicts, computed
for both). Nothing a report shows changes until ``apply_retheme`` makes the proposal current and
records a new version (who, when, the diff), which reports name. A proposal prepared before the
themes changed (a routine run or a correction since) is refused: prepare it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from webapp.analysis_runs.service import (
    MAX_THEMES,
    RANDOM_STATE,
    AnalysisUnavailable,
    Say,
    _apply_corrections,
    _cache_key,
    _centroid_state,
    _embedder,
    _fit_all,
    _keep,
    _silent,
)

__all__ = ["RethemeProposal", "RethemeRefused", "apply_retheme", "describe_diff", "pending_retheme",
           "prepare_retheme"]


class RethemeRefused(Exception):
    """The proposal cannot be applied (none prepared, or the themes changed since); nothing was written."""


@dataclass(frozen=True)
class RethemeProposal:
    """A prepared re-theme: its run, what it was prepared from, and its diff (JSON-ready)."""

    proposal_id: int
    base_run: int
    base_version: int | None
    diff: dict


def _findings(run, codes) -> dict[str, dict[int, dict]]:
    """Each period's themes with the leader report's verdict and finding, under `run`'s results."""
    from webapp.insights.report import period_insights
    from webapp.store import insights as insights_store
    from webapp.store.insights import RunInfo

    info = RunInfo(run.id, run.created_at, run.n_texts, run.parameters)
    out: dict[str, dict[int, dict]] = {}
    for code in codes:
        insights, _ = period_insights(insights_store.period_or_404(code), None, info)
        out[code] = {} if insights is None else {
            t.theme_id: {"label": t.label, "verdict": t.link.verdict,
                         "finding": bool(t.link.link is not None and t.link.link.finding)}
            for t in insights.themes}
    return out


def prepare_retheme(n_themes="auto", *, embedder_choice: str, progress=None, say: Say = _silent,
                    today: date | None = None) -> RethemeProposal:
    """Refit every observation from the current themes, store it as a proposal with its diff; apply nothing."""
    from webapp.analysis_runs.history import (
        assignment_diff,
        closed_periods,
        findings_diff,
    )
    from webapp.store import analysis as store

    current = store.latest_run("observations")
    if current is None:
        raise AnalysisUnavailable("Nothing to re-theme yet: run `groundswell analyze` first.")
    rows = store.observation_texts()
    texts = [r.text for r in rows]
    embedder = _embedder(texts, embedder_choice, reuse_kept=True)
    known = dict(getattr(embedder, "known", None) or {})
    stored = store.stored_assignments(current.id)
    records = {t.theme_key: t for t in store.run_themes(current.id)}
    text_of = {r.id: r.text for r in rows}
    state, _ = _centroid_state(current, records, [(text_of[o], a.theme_key) for o, a in stored.items()
                                                  if o in text_of], embedder, say)
    if _cache_key(embedder) is not None and hasattr(embedder, "memo_"):  # the fit starts from these vectors
        embedder.set_params(known={**known, **embedder.memo_})
    result = _fit_all(rows, embedder, n_themes, state, progress, say)
    if result is None:
        raise AnalysisUnavailable("Too few observations to re-theme.")
    result = _apply_corrections(result, store.theme_corrections(), text_of, result.model.embedder_)
    _keep(result.model.embedder_, {t.strip() for t in texts}, known)
    version = store.current_theme_version()
    from analysis.embedding import embedder_name

    parameters = {"n_themes": n_themes, "max_themes": MAX_THEMES, "random_state": RANDOM_STATE,
                  "embedder": embedder_name(result.model.embedder_), **result.parameters,
                  "previous_run": current.id, "base_run": current.id,
                  "base_version": None if version is None else version.number}
    themes = sorted(result.themes.values(), key=lambda t: (-t.size, t.theme_key))
    proposal = store.replace_run(kind=store.PROPOSAL_KIND, scope="all", parameters=parameters,
                                 theme_state=result.state.to_state(), themes=themes,
                                 assignments=result.assignments, n_texts=len(texts))
    period_of = {r.id: r.period for r in rows}
    closed = closed_periods(store.period_campaigns(), today or date.today())
    diff = assignment_diff({o: a.theme_key for o, a in stored.items()}, {a[0]: a[1] for a in result.assignments},
                           period_of, closed, {k: t.label for k, t in records.items()},
                           {t.theme_key: t.label for t in themes})
    codes = sorted(set(period_of.values()))
    diff["findings"] = findings_diff(_findings(current, codes), _findings(proposal, codes))
    store.set_run_parameters(proposal.id, {**parameters, "diff": diff})
    return RethemeProposal(proposal.id, current.id, parameters["base_version"], diff)


def pending_retheme() -> RethemeProposal | None:
    """Return the prepared re-theme not yet applied, or None."""
    from webapp.store import analysis as store

    run = store.latest_run(store.PROPOSAL_KIND)
    if run is None or "diff" not in run.parameters:
        return None
    p = run.parameters
    return RethemeProposal(run.id, p["base_run"], p.get("base_version"), p["diff"])


def _summary(diff: dict) -> str:
    findings = diff.get("findings", [])
    return (f"Re-theme: {diff['moved']} of {diff['observations']} observations moved "
            f"({diff['moved_in_closed_periods']} in closed periods), {len(findings)} finding(s) changed, "
            f"{len(diff['themes_added'])} theme(s) added, {len(diff['themes_removed'])} removed.")


def apply_retheme(proposal_id: int, *, actor: str, actor_id: int | None = None) -> int:
    """Make a prepared re-theme the current results and record its version; return the version number."""
    from webapp.store import analysis as store

    run = store.run_by_id(proposal_id)
    if run is None or run.kind != store.PROPOSAL_KIND or "diff" not in run.parameters:
        raise RethemeRefused("No prepared re-theme with that id: prepare one first.")
    current = store.latest_run("observations")
    version = store.current_theme_version()
    if (current is None or run.parameters["base_run"] != current.id
            or run.parameters.get("base_version") != (None if version is None else version.number)):
        raise RethemeRefused("The themes changed since this re-theme was prepared (a run or a correction): "
                             "prepare it again to see its diff against the current themes.")
    diff = run.parameters["diff"]
    return store.promote_proposal(proposal_id, summary=_summary(diff), actor=actor, actor_id=actor_id, diff=diff)


def describe_diff(diff: dict) -> list[str]:
    """Return the diff as the lines a person reads (the CLI prints them; the page shows the same)."""
    lines = [(f"Re-theme of {diff['observations']} observations: {diff['moved']} observations move "
              f"({diff['moved_in_closed_periods']} in closed periods).")]
    for p in diff["periods"]:
        state = "closed" if p["closed"] else "open"
        lines.append(f"  {p['period']} ({state}): {p['moved']} of {p['observations']} move")
    if diff["flows"]:
        lines.append("Largest moves:")
        lines += [f"  {f['n']:4d}  {f['from_label']!r} -> {f['to_label']!r}" for f in diff["flows"]]
    for title, key in (("Themes added", "themes_added"), ("Themes removed", "themes_removed")):
        if diff[key]:
            lines.append(f"{title}: " + "; ".join(repr(t["label"]) for t in diff[key]))
    if diff["themes_renamed"]:
        lines.append("Themes renamed: " + "; ".join(f"{t['before']!r} -> {t['after']!r}"
                                                    for t in diff["themes_renamed"]))
    findings = diff.get("findings", [])
    if not findings:
        lines.append("Findings that change: none.")
    else:
        lines.append("Findings that change:")
        for f in findings:
            now = " (now a finding)" if f["finding_after"] and not f["finding_before"] else (
                " (no longer a finding)" if f["finding_before"] and not f["finding_after"] else "")
            lines.append(f"  {f['period']} · {f['label']}: {f['before']} -> {f['after']}{now}")
    return lines
