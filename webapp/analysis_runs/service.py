"""Theme analysis over stored observations, then engagement comments.

A run (``groundswell analyze [--period P] [--themes auto|N]``, or the analysis job) fits the theme engine over **all** stored
observations (every period), so a theme's id means the same thing in every period and trends are
comparable, then stores each observation's theme, similarity and sentiment. ``--period`` only
checks that the period exists and prints that period's themes afterwards; the fit always covers
every period (fitting one period alone would give it its own ids).

Stable ids across refits: the fitted model's state (theme ids, labels, centroids and the next free
id; ``analysis.theme_state``) is stored as versioned JSON in the run's row
(``analysis_run.theme_state``, never loaded by pages). The next run reads it back and fits with
``previous=`` so themes that persist keep their id and label. When the text representation changed
since that run (``GROUNDSWELL_EMBEDDER``, or the contextual model installed or removed), the old
themes' centroids are first rebuilt in the new representation from the observations that run had
grouped. A run without a state, or with one that cannot be read (an unknown version), is fitted
afresh and ids may be renumbered. Nothing is unpickled: the database holds only data. A run replaces the previous
run's results in one transaction, so running twice on the same data yields the same themes (fixed
seed) and the same row counts.

Kept vectors: the contextual representation spends most of a run embedding, so the vectors it
gave observation texts are kept (``text_embedding``, by representation and text SHA-256;
``webapp.store.embeddings``) and a re-run embeds only new or edited texts. The run's transaction
leaves exactly the current texts' vectors under its own representation. Engagement comments are
confidential and never kept.

Too few texts: a clear message, exit status 0, nothing stored.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["AnalysisOutcome", "AnalysisUnavailable", "MAX_THEMES", "RANDOM_STATE", "run_analysis"]

RANDOM_STATE = 0
MAX_THEMES = 30  # "auto" searches 2..30 themes: enough for a sales org, and keeps a run to seconds

Say = Callable[..., None]  # say(message, err=False): a line for the person who started the run


class AnalysisUnavailable(Exception):
    """The run cannot start (e.g. the configured representation is not installed); nothing was written."""


@dataclass
class AnalysisOutcome:
    """What a run stored: how many observation themes (None when there were too few texts)."""

    n_themes: int | None = None
    n_texts: int = 0
    parameters: dict = field(default_factory=dict)


def _silent(message: str, err: bool = False) -> None:
    pass


class _NoProgress:
    def __call__(self, stage: str, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


def _load_previous(run, say: Say):
    """Return the theme state stored with `run`, or None when it has none or it cannot be read."""
    from analysis.theme_state import InvalidThemeStateError, ThemeState

    if run is None or run.theme_state is None:
        return None
    try:
        return ThemeState.from_state(run.theme_state)
    except InvalidThemeStateError as exc:  # e.g. written by another version: start afresh rather than fail
        say(f"Note: the previous theme state could not be read ({exc}); theme ids start afresh.", err=True)
        return None


def _embedder(texts, choice: str, *, reuse_kept: bool = False):
    """The configured representation (GROUNDSWELL_EMBEDDER) for these texts; a clear error if unavailable.

    With ``reuse_kept`` (observations), the contextual model starts from the vectors earlier runs
    kept, and "auto" counts only the texts it would still have to embed.
    """
    from analysis.embedding import (SentenceTransformerEmbedder, TransformerUnavailableError, choose_embedder,
                                    transformer_installed)
    from webapp.store import embeddings as kept

    distinct = {t.strip() for t in texts} - {""}
    known = None
    if reuse_kept and choice != "wordllama" and transformer_installed():
        known = kept.kept_vectors(SentenceTransformerEmbedder().cache_key, distinct)
    try:
        return choose_embedder(choice, len(distinct), known)
    except TransformerUnavailableError as exc:
        raise AnalysisUnavailable(f"GROUNDSWELL_EMBEDDER=transformer: {exc}") from None


def _cache_key(embedder) -> str | None:
    """The key a representation's vectors are kept under, or None for one fast enough not to keep them."""
    return getattr(embedder, "cache_key", None)


def _keep_vectors(fitted, known: dict) -> int:
    """Leave the fitted embedder's vectors kept for the next run; return how many were reused."""
    import numpy as np

    from webapp.store import embeddings as kept

    memo = getattr(fitted, "memo_", {})
    reused = {t for t, v in known.items() if t in memo and np.array_equal(memo[t], v)}
    kept.keep_vectors(_cache_key(fitted), memo, reused)
    return len(reused)


def _in_embedder_space(previous, previous_run, embedder, rows, say: Say):
    """Keep theme ids when the representation changed since the previous run.

    A stored state's centroids only compare with centroids of the same representation. When the
    sizes differ, the old themes' centroids are rebuilt in the new representation from the
    observations the previous run put in them (``ThemeState.in_new_space``).
    """
    from webapp.store import analysis as store

    if previous is None:
        return None
    embedder.fit([])
    if previous.centroids.shape[1] == embedder.n_features_out_:
        return previous
    old_theme = store.run_assignments(previous_run.id)
    known = [(r.text, old_theme[r.id]) for r in rows if r.id in old_theme]
    if not known:
        return None
    say(f"Note: the text representation changed since run {previous_run.id}; "
        "matching themes through the observations it had grouped.", err=True)
    X = embedder.transform([t for t, _ in known])
    if _cache_key(embedder) is not None:  # the fit below starts from these vectors, not afresh
        embedder.set_params(known=dict(embedder.memo_))
    return previous.in_new_space(X, [k for _, k in known])


def run_analysis(n_themes="auto", *, embedder_choice: str, min_group_size: int, period_code: str | None = None,
                 progress=None, say: Say = _silent) -> AnalysisOutcome:
    """Group every stored observation into themes, store the results, then the engagement comments.

    ``progress(stage, done, total)`` (with an optional ``close()``) follows the theme fit; ``say``
    receives the lines a person reads (``err=True`` for notes). ``period_code`` only selects the
    period whose themes are listed afterwards (the fit always covers every period).
    """
    from analysis.embedding import embedder_name
    from analysis.sentiment import sentiment_scores
    from analysis.themes import ThemeModel, TooFewTextsError
    from webapp.store import analysis as store

    outcome = AnalysisOutcome()
    started = time.perf_counter()
    rows = store.observation_texts()
    texts = [r.text for r in rows]
    # before anything is written: a missing extra changes nothing
    embedder = _embedder(texts, embedder_choice, reuse_kept=True)
    _store_engagement_results(min_group_size, say)
    previous_run = store.latest_run("observations")
    previous = _load_previous(previous_run, say)
    known = getattr(embedder, "known", None) or {}
    previous = _in_embedder_space(previous, previous_run, embedder, rows, say)

    progress = progress if progress is not None else _NoProgress()
    model = ThemeModel(n_themes, embedder=embedder, max_themes=MAX_THEMES, random_state=RANDOM_STATE,
                       progress=progress)
    try:
        model.fit(texts, previous=previous)
    except TooFewTextsError as exc:
        say(f"Nothing analysed: {exc} (stored observations: {len(texts)}).", err=True)
        outcome.n_texts = len(texts)
        return outcome
    except ValueError as exc:
        if previous is None:
            raise
        say(f"Note: refitting without the previous model ({exc}).", err=True)
        model = ThemeModel(n_themes, embedder=embedder, max_themes=MAX_THEMES, random_state=RANDOM_STATE,
                           progress=progress)
        model.fit(texts)
    finally:
        progress.close()

    labels = model.labels_.tolist()
    centroid_of = {int(tid): i for i, tid in enumerate(model.theme_ids_.tolist())}
    embeddings = model.embedder_.transform(texts)
    similarity = [
        float(embeddings[i] @ model.centroids_[centroid_of[k]]) if k in centroid_of else None
        for i, k in enumerate(labels)
    ]
    sentiment = sentiment_scores(texts)
    by_theme: dict[int, list[float]] = defaultdict(list)
    for k, s in zip(labels, sentiment):
        by_theme[k].append(s)
    themes = [
        store.ThemeRow(t.theme_id, t.label, t.terms, t.size, t.examples,
                       sum(by_theme[t.theme_id]) / len(by_theme[t.theme_id]) if by_theme[t.theme_id] else None)
        for t in model.themes_
    ]
    n_reused = _keep_vectors(model.embedder_, known)
    n_embedded = getattr(embedder, "n_embedded_", 0) + getattr(model.embedder_, "n_embedded_", 0)
    parameters = {"n_themes": n_themes, "max_themes": MAX_THEMES, "random_state": RANDOM_STATE,
                  "embedder": embedder_name(model.embedder_),
                  "n_themes_found": int(model.n_themes_), "previous_run": previous_run.id if previous else None}
    if _cache_key(model.embedder_) is not None:
        parameters.update(texts_embedded=n_embedded, texts_reused=n_reused)
    store.replace_run(
        kind="observations", scope="all",
        parameters=parameters,
        theme_state=model.to_state(),
        themes=themes,
        assignments=zip((r.id for r in rows), labels, similarity, sentiment),
        n_texts=len(texts),
    )
    elapsed = time.perf_counter() - started
    reuse = ""
    if "texts_reused" in parameters:
        reuse = f"; {_texts(n_embedded)} embedded, {n_reused} reused from earlier runs"
    say(f"{len(themes)} themes over {len(texts)} observations stored in {elapsed:.1f} s "
        f"(text representation: {embedder_name(model.embedder_)}{reuse}).")
    outcome.n_themes, outcome.n_texts, outcome.parameters = len(themes), len(texts), parameters
    if period_code is not None:
        counts: dict[int, int] = defaultdict(int)
        for r, k in zip(rows, labels):
            if r.period == period_code:
                counts[k] += 1
        for t in sorted(model.themes_, key=lambda t: -counts[t.theme_id]):
            if counts[t.theme_id]:
                say(f"  {counts[t.theme_id]:4d}  {t.label}")
    _analyze_comments(n_themes, embedder_choice, say)
    return outcome


def _comment_inputs(comments, embedder, n_themes) -> str:
    """One digest of everything a comments run depends on, so an unchanged input is not refitted.

    Closed campaigns take no more answers, so their comments change only when a campaign closes;
    re-fitting the same comments with the same code and settings would store the same result (and
    load the contextual model for nothing). Covers every comment with its campaign, the
    representation and its model versions, the theme count setting and the source of the theme
    engine and of this command. One hash over all comments: nothing per comment is stored.
    """
    import hashlib

    from analysis.embedding import embedder_name
    from webapp.infra.fingerprint import source_fingerprint

    digest = hashlib.sha256()
    code = source_fingerprint("analysis.themes", "analysis.text", "analysis.embedding", "analysis.sentiment",
                              __name__)
    settings = [embedder_name(embedder), _cache_key(embedder) or "", str(n_themes), str(MAX_THEMES),
                str(RANDOM_STATE), code]
    for part in settings + [f"{c.campaign_id}\x1f{c.text}" for c in comments]:
        digest.update(part.encode("utf-8") + b"\x1e")
    return digest.hexdigest()


def _texts(n: int) -> str:
    return f"{n} text" if n == 1 else f"{n} texts"


def _store_engagement_results(min_group_size: int, say: Say) -> None:
    """Compute and store the HR dashboard results of every closed campaign (pages read them)."""
    from webapp.engagement.results import store_closed_results

    started = time.perf_counter()
    n, unchanged = store_closed_results(min_group_size, replace=True, skip_unchanged=True)
    if n:
        kept = f"; {unchanged} unchanged, kept as stored" if unchanged else ""
        say(f"Dashboard results of {n} closed campaign(s) stored in {time.perf_counter() - started:.1f} s{kept}.")
    elif unchanged:
        say(f"Dashboard results of the {unchanged} closed campaign(s) unchanged: kept as stored.")


def _analyze_comments(n_themes, embedder_choice: str, say: Say) -> None:
    """Theme engine over the engagement comments of closed campaigns: a second run, kind "comments".

    Only per-campaign counts per theme are stored (no row per comment), and no quotes: the HR
    dashboard shows a campaign's comment themes only where its comments may be shown.
    """
    from analysis.embedding import embedder_name
    from analysis.sentiment import sentiment_scores
    from analysis.themes import ThemeModel, TooFewTextsError
    from webapp.store import analysis as store
    from webapp.store import engagement as engagement_store

    started = time.perf_counter()
    comments = engagement_store.closed_campaign_comments()
    texts = [c.text for c in comments]
    embedder = _embedder(texts, embedder_choice)
    inputs = _comment_inputs(comments, embedder, n_themes)
    previous = store.latest_run("comments")
    if previous is not None and previous.parameters.get("inputs") == inputs:
        say(f"Engagement comments unchanged since the last run: its {len(previous.themes)} comment themes stand.")
        return
    model = ThemeModel(n_themes, embedder=embedder, max_themes=MAX_THEMES, random_state=RANDOM_STATE)
    try:
        model.fit(texts)
    except TooFewTextsError as exc:
        say(f"Engagement comments not analysed: {exc} (comments: {len(texts)}).", err=True)
        return
    labels = model.labels_.tolist()
    sentiment = sentiment_scores(texts)
    per_campaign: dict[tuple[int, int], list[float]] = defaultdict(list)
    by_theme: dict[int, list[float]] = defaultdict(list)
    for c, k, s in zip(comments, labels, sentiment):
        per_campaign[(c.campaign_id, int(k))].append(s)
        by_theme[int(k)].append(s)
    themes = [
        store.ThemeRow(t.theme_id, t.label, t.terms, t.size, (),
                       sum(by_theme[t.theme_id]) / len(by_theme[t.theme_id]) if by_theme[t.theme_id] else None)
        for t in model.themes_
    ]
    counts = {key: (len(v), sum(v) / len(v)) for key, v in per_campaign.items()}
    engagement_store.replace_comment_run(
        parameters={"n_themes": n_themes, "max_themes": MAX_THEMES, "random_state": RANDOM_STATE,
                    "embedder": embedder_name(model.embedder_), "n_themes_found": int(model.n_themes_),
                    "inputs": inputs},
        themes=themes, counts=counts, n_texts=len(texts))
    say(f"{len(themes)} comment themes over {len(texts)} engagement comments stored in "
        f"{time.perf_counter() - started:.1f} s.")
