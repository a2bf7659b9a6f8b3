"""Theme analysis over stored observations, then engagement comments.

**History stays as shown.** The first run (no stored results) fits the theme engine over every stored
observation, so a theme's id means the same thing in every period. Every later run is *routine*:
it never refits. Observations of closed periods (``webapp.analysis_runs.history``) keep the theme,
similarity and sentiment stored for them, and so do the other observations whose text is unchanged;
only new or edited texts are embedded and themed. New themes are proposed only from new texts: with
at least 10 of them the engine is fitted on the new texts alone, and each theme it finds that is
none of the current ones (its centroid matches none by the rule a refit uses to keep a theme's id,
``analysis.theme_assignment.is_new_theme``) and whose name no current theme has is proposed. Each new
text then joins the nearest centroid, current or proposed; a proposal left with fewer than 3 texts
is dropped (its texts join their nearest current theme), the others are added with fresh ids.
Existing themes keep their name, key terms and quotes. So adding texts to the open period changes nothing a closed period shows.
Re-theming history is the explicit, versioned action of ``webapp.analysis_runs.retheme``.

Corrections (``webapp.analysis_runs.corrections``: rename, merge, move observations into a new
theme) are applied to the stored results at once and again by every later run and re-theme: a
merged theme's texts go to the theme it was merged into, moved observations stay where they were
put, a renamed theme keeps its name.

Stable ids: the themes' state (ids, labels, centroids, the next free id; ``analysis.theme_state``)
is stored as versioned JSON in the run's row (``analysis_run.theme_state``, never loaded by pages).
When the text representation changed since that run (``GROUNDSWELL_EMBEDDER``, or the contextual
model installed or removed), or the state cannot be read, the centroids are rebuilt in the current
representation from the observations the stored run had grouped. Nothing is unpickled. A run
replaces the previous run's results in one transaction, so running twice on the same data yields
the same themes and the same row counts.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = ["MAX_THEMES", "RANDOM_STATE", "AnalysisOutcome", "AnalysisUnavailable", "run_analysis"]

RANDOM_STATE = 0
MAX_THEMES = 30  # "auto" searches 2..30 themes: enough for a sales org, and keeps a run to seconds
#: How "auto" counts observation themes. The leader report's verdicts rest on this grouping, and on
#: the real-text planted organisation (tests/webapp/test_planted_real_texts.py, ~1,000 texts of 16
#: intents, cap 30) the spectral rule merged sibling intents: 3 of 5 planted effects found and a
#: null intent flagged, against 5 of 5 and none with the silhouette rule. Its themes are then merged
#: down to the spectral count where the silhouette split signals by wording (ThemeModel's
#: merge_to_spectral: the demo's 25 themes become 16-18 for its 14 signals, the same ones recovered).
#: Comments keep the engine's default (their themes feed no verdict).
OBSERVATION_COUNT_RULE = "silhouette"
NEW_THEME_MIN_TEXTS = 10  # new texts needed before a routine run looks for new themes among them
NEW_THEME_MIN_SIZE = 3  # a proposed theme with fewer texts is a fragment: they join their nearest theme

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
    from analysis.embedding import (
        SentenceTransformerEmbedder,
        TransformerUnavailableError,
        choose_embedder,
        transformer_installed,
    )
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


@dataclass
class _Themed:
    """What a run is about to store: themes, one row per observation, the state, the parameters."""

    themes: dict[int, object]  # theme key -> store.ThemeRow
    assignments: list[list]  # [observation id, theme key, similarity, sentiment, text digest]
    state: object  # analysis.theme_state.ThemeState
    parameters: dict
    model: object = None  # the fitted ThemeModel of a fit (None for a routine run)


def _transform(embedder, texts: Sequence[str]):
    import numpy as np

    if not texts:
        return np.zeros((0, embedder.n_features_out_), dtype=np.float32)
    return np.asarray(embedder.transform([t.strip() for t in texts]), dtype=np.float32)


def _centroid_state(run, records: dict, members: list, embedder, say: Say):
    """The stored themes' state in the embedder's representation, with a centroid for every stored theme.

    ``members`` are ``(text, theme key)`` of the observations the run grouped. Returns the state and
    the similarity of each member to its own theme's centroid (None where the stored similarities
    are in this representation already).
    """
    import numpy as np

    from analysis.theme_assignment import centroids_of
    from analysis.theme_state import ThemeState

    previous = _load_previous(run, say)
    embedder.fit([])
    grouped = [(t, k) for t, k in members if k >= 0]
    sims = None
    if previous is not None and previous.centroids.shape[1] == embedder.n_features_out_:
        state = previous
        missing = sorted({k for _, k in grouped} - set(state.theme_ids))
    else:
        if previous is not None:
            say(f"Note: the text representation changed since run {run.id}; "
                "matching themes through the observations it had grouped.", err=True)
        else:
            say(f"Note: rebuilding the themes of run {run.id} from the observations it had grouped.", err=True)
        state = None
        missing = sorted({k for _, k in grouped})
    if missing:
        texts = [t for t, k in grouped if k in missing]
        keys = [k for t, k in grouped if k in missing]
        X = _transform(embedder, texts)
        extra = centroids_of(X, keys, missing)
        if state is None:
            ids, centroids = tuple(missing), extra
            next_id = max(max(missing) + 1, previous.next_theme_id if previous is not None else 0)
        else:
            ids = state.theme_ids + tuple(missing)
            centroids = np.vstack([state.centroids, extra])
            next_id = max(state.next_theme_id, max(missing) + 1)
        if state is None:
            row_of = {k: i for i, k in enumerate(ids)}
            sims = np.einsum("ij,ij->i", X, centroids[[row_of[k] for k in keys]]).tolist()
        labels = tuple(records[k].label if k in records else (state.labels[state.theme_ids.index(k)]
                                                              if state is not None and k in state.theme_ids
                                                              else f"theme {k}") for k in ids)
        centroids = np.asarray(centroids, dtype=np.float32)
        centroids.flags.writeable = False
        state = ThemeState(theme_ids=ids, labels=labels, centroids=centroids, next_theme_id=next_id)
    return state, sims


def _with_theme(state, key: int, label: str, centroid):
    """The state with one more theme."""
    import numpy as np

    from analysis.theme_state import ThemeState

    centroids = np.vstack([state.centroids, np.asarray(centroid, dtype=np.float32)[None, :]])
    centroids.flags.writeable = False
    return ThemeState(theme_ids=state.theme_ids + (int(key),), labels=state.labels + (label,), centroids=centroids,
                      next_theme_id=max(state.next_theme_id, int(key) + 1))


def _propose_new_themes(texts: list[str], state, taken: set[str], embedder) -> list:
    """Fit the engine on the new texts alone; return its themes that are none of the current ones.

    Returns ``[(theme, centroid)]``: groups whose centroid matches no current theme by the refit rule
    (``analysis.theme_assignment.is_new_theme``) and whose name no current theme has.
    """
    from analysis.theme_assignment import is_new_theme
    from analysis.themes import ThemeModel, TooFewTextsError

    if _cache_key(embedder) is not None and hasattr(embedder, "memo_"):  # the fit reads these, not the model
        embedder.set_params(known=dict(embedder.memo_))
    model = ThemeModel("auto", count_rule=OBSERVATION_COUNT_RULE, embedder=embedder, max_themes=MAX_THEMES,
                       random_state=RANDOM_STATE, min_texts=NEW_THEME_MIN_TEXTS)
    try:
        model.fit(texts)
    except (TooFewTextsError, ValueError):
        return []
    row_of = {int(k): i for i, k in enumerate(model.theme_ids_.tolist())}
    proposals = []
    for t in model.themes_:
        centroid = model.centroids_[row_of[int(t.theme_id)]]
        if t.label.lower() in taken or not is_new_theme(centroid, state.centroids):
            continue
        taken.add(t.label.lower())
        proposals.append((t, centroid))
    return proposals


def _theme_of_digest(carried, placed: dict[int, int] | None = None) -> dict[str, tuple[int, float | None]]:
    """Text digest -> (theme, similarity) of the kept texts with those exact words.

    A person's placement outranks the engine's: where a person moved a copy of the words into a
    theme (``placed``: observation id -> order of the move, later moves higher), the theme of the
    most recently moved copy; otherwise the most common theme of the copies.
    """
    from collections import Counter

    placed = placed or {}
    by_digest: dict[str, Counter] = defaultdict(Counter)
    similarity: dict[tuple[str, int], float | None] = {}
    chosen: dict[str, tuple[int, int]] = {}  # digest -> (order of the move, theme)
    for r, s, digest in carried:
        if s.theme_key is not None and s.theme_key >= 0:
            by_digest[digest][s.theme_key] += 1
            similarity.setdefault((digest, s.theme_key), s.similarity)
            order = placed.get(r.id)
            if order is not None and (digest not in chosen or order > chosen[digest][0]):
                chosen[digest] = (order, s.theme_key)
    out = {}
    for digest, counts in by_digest.items():
        key = chosen[digest][1] if digest in chosen else min(counts, key=lambda k: (-counts[k], k))
        out[digest] = (key, similarity[(digest, key)])
    return out


def _extend(rows, run, closed: set[str], embedder, say: Say) -> _Themed:
    """A routine run: keep every stored theme of history and unchanged texts, theme the new texts."""
    import numpy as np

    from analysis.sentiment import sentiment_scores
    from analysis.text import has_words
    from analysis.theme_assignment import assign_to_centroids
    from webapp.store import analysis as store
    from webapp.store.embeddings import text_digest

    stored = store.stored_assignments(run.id)
    records = {t.theme_key: t for t in store.run_themes(run.id)}
    carried, new = [], []
    n_closed = 0
    for r in rows:
        s = stored.get(r.id)
        digest = text_digest(r.text)
        if s is not None and (r.period in closed or s.text_sha256 in (None, digest)):
            carried.append((r, s, s.text_sha256 or digest))
            n_closed += r.period in closed
        else:
            new.append((r, digest))
    state, _ = _centroid_state(run, records, [(r.text, s.theme_key) for r, s, _ in carried], embedder, say)
    assignments = [[r.id, s.theme_key, s.similarity, s.sentiment, d] for r, s, d in carried]
    themes = dict(records)
    added = []
    if new:
        valid = [i for i, (r, _) in enumerate(new) if has_words(r.text)]
        X = _transform(embedder, [new[i][0].text for i in valid])
        proposals = []
        if len(valid) >= NEW_THEME_MIN_TEXTS:
            taken = {t.label.lower() for t in themes.values()} | {lbl.lower() for lbl in state.labels}
            proposals = _propose_new_themes([new[i][0].text for i in valid], state, taken, embedder)
        # each new text joins the nearest centroid, current or proposed; a proposal left with fewer
        # than NEW_THEME_MIN_SIZE texts is a fragment and its texts join their nearest current theme
        while True:
            C = np.vstack([state.centroids] + [np.asarray(c, dtype=np.float32)[None, :] for _, c in proposals])
            ids = list(state.theme_ids) + [-2 - j for j in range(len(proposals))]
            keys, sims = assign_to_centroids(X, C, ids)
            sizes = [int(np.sum(keys == -2 - j)) for j in range(len(proposals))]
            if all(n >= NEW_THEME_MIN_SIZE for n in sizes):
                break
            proposals = [p for p, n in zip(proposals, sizes) if n >= NEW_THEME_MIN_SIZE]
        keys = keys.copy()
        for j in sorted(range(len(proposals)), key=lambda j: -sizes[j]):
            theme, centroid = proposals[j]
            key = state.next_theme_id
            state = _with_theme(state, key, theme.label, centroid)
            keys[keys == -2 - j] = key
            themes[key] = store.ThemeRow(key, theme.label, tuple(theme.terms), 0, tuple(theme.examples), None,
                                         tuple(getattr(theme, "mentions", ()) or ()))
            added.append({"key": key, "label": theme.label, "size": sizes[j]})
        sentiment = sentiment_scores([r.text for r, _ in new])
        key_of = {i: (int(keys[j]), float(sims[j])) for j, i in enumerate(valid)}
        # A new text word for word the same as a kept one joins that one's theme (the most common,
        # if several): identical words are one signal, and a quote a person moved brings its repeats.
        same = _theme_of_digest(carried, store.moved_observations())
        for i, (r, digest) in enumerate(new):
            if digest in same and i in key_of:
                key_of[i] = same[digest]
        for i, ((r, digest), m) in enumerate(zip(new, sentiment)):
            key, sim = key_of.get(i, (-1, None))
            assignments.append([r.id, key, sim, m, digest])
    parameters = {"mode": "routine", "previous_run": run.id, "texts_kept": len(carried),
                  "texts_kept_in_closed_periods": n_closed, "texts_new": len(new), "new_themes": added,
                  "closed_periods": sorted(closed)}
    return _Themed(themes, assignments, state, parameters)


def _fit_all(rows, embedder, n_themes, previous, progress, say: Say) -> _Themed | None:
    """Fit the engine over every observation (the first run, or a re-theme); None when too few texts."""
    from analysis.sentiment import sentiment_scores
    from analysis.theme_state import ThemeState
    from analysis.themes import ThemeModel, TooFewTextsError
    from webapp.store import analysis as store
    from webapp.store.embeddings import text_digest

    texts = [r.text for r in rows]
    progress = progress if progress is not None else _NoProgress()
    model = ThemeModel(n_themes, count_rule=OBSERVATION_COUNT_RULE, embedder=embedder, max_themes=MAX_THEMES,
                       random_state=RANDOM_STATE, progress=progress)
    try:
        model.fit(texts, previous=previous)
    except TooFewTextsError as exc:
        say(f"Nothing analysed: {exc} (stored observations: {len(texts)}).", err=True)
        return None
    except ValueError as exc:
        if previous is None:
            raise
        say(f"Note: refitting without the previous model ({exc}).", err=True)
        model = ThemeModel(n_themes, count_rule=OBSERVATION_COUNT_RULE, embedder=embedder, max_themes=MAX_THEMES,
                           random_state=RANDOM_STATE, progress=progress)
        model.fit(texts)
        previous = None
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
    themes = {t.theme_id: store.ThemeRow(t.theme_id, t.label, tuple(t.terms), t.size, tuple(t.examples), None,
                                         tuple(getattr(t, "mentions", ()) or ()))
              for t in model.themes_}
    assignments = [[r.id, int(k), s, m, text_digest(r.text)] for r, k, s, m in zip(rows, labels, similarity, sentiment)]
    parameters = {"mode": "fit", "n_themes_found": int(model.n_themes_)}
    parameters["refit_from_state"] = previous is not None
    return _Themed(themes, assignments, ThemeState.from_model(model), parameters, model)


def _apply_corrections(result: _Themed, corrections, texts_of: dict[int, str], embedder) -> _Themed:
    """Apply people's corrections, oldest first: merges, moves into new themes, renames.

    A merged theme's observations join the theme it was merged into (whatever a run gave them),
    moved observations stay in the theme they were moved to, a renamed theme keeps its name. A theme
    a person made gets a centroid from its observations, so later new texts can join it.
    """
    from analysis.theme_assignment import centroids_of
    from analysis.theme_state import ThemeState
    from webapp.store import analysis as store

    into: dict[int, int] = {}
    pinned: dict[int, int] = {}
    names: dict[int, str] = {}
    for c in corrections:
        if c.action == "merge":
            into[c.source_key] = c.theme_key
        elif c.action == "move":
            for obs in c.observation_ids:
                pinned[obs] = c.theme_key
            names[c.theme_key] = c.label
        elif c.action == "rename":
            names[c.theme_key] = c.label

    def final(key: int) -> int:
        seen = set()
        while key in into and key not in seen:
            seen.add(key)
            key = into[key]
        return key

    for row in result.assignments:
        key = pinned.get(row[0], row[1])
        row[1] = final(key) if key >= 0 else key
    themes = result.themes
    for source in into:
        if final(source) != source:
            themes.pop(source, None)
    sizes: dict[int, int] = defaultdict(int)
    feelings: dict[int, list[float]] = defaultdict(list)
    for _, key, _, m, _ in result.assignments:
        sizes[key] += 1
        if m is not None:
            feelings[key].append(m)
    made = sorted({k for k in pinned.values() if final(k) == k and sizes.get(k)} - set(result.state.theme_ids))
    if made:
        members = [(texts_of[o], k) for o, k, *_ in result.assignments if k in made]
        X = _transform(embedder, [t for t, _ in members])
        for key, centroid in zip(made, centroids_of(X, [k for _, k in members], made)):
            result.state = _with_theme(result.state, key, names.get(key, f"theme {key}"), centroid)
    for key in set(sizes) - set(themes) - {-1}:
        themes[key] = store.ThemeRow(key, names.get(key, f"theme {key}"), (), 0, (), None)
    for key, t in list(themes.items()):
        feeling = feelings.get(key)
        themes[key] = store.ThemeRow(key, names.get(key, t.label), tuple(t.terms), sizes.get(key, 0),
                                     tuple(t.examples), sum(feeling) / len(feeling) if feeling else None,
                                     tuple(t.mentions))
    labels = {t.theme_key: t.label for t in themes.values()}
    s = result.state
    result.state = ThemeState(theme_ids=s.theme_ids, labels=tuple(labels.get(k, lbl) for k, lbl in zip(s.theme_ids,
                                                                                                       s.labels)),
                              centroids=s.centroids,
                              next_theme_id=max([s.next_theme_id] + [k + 1 for k in themes]))
    return result


def _keep(embedder, current_texts: set[str], known: dict) -> tuple[int, int]:
    """Leave the vectors of the current texts kept; return (texts embedded now, vectors reused)."""
    import numpy as np

    from webapp.store import embeddings as kept

    key = _cache_key(embedder)
    if key is None:
        kept.keep_vectors(None, {})
        return 0, 0
    vectors = {t: v for t, v in known.items() if t in current_texts}
    memo = {t: v for t, v in getattr(embedder, "memo_", {}).items() if t in current_texts}
    vectors.update(memo)
    reused = {t for t, v in known.items() if t in vectors and np.array_equal(vectors[t], v)}
    kept.keep_vectors(key, vectors, reused)
    return getattr(embedder, "n_embedded_", 0), len(reused)


def run_analysis(n_themes="auto", *, embedder_choice: str, min_group_size: int, period_code: str | None = None,
                 progress=None, say: Say = _silent, today: date | None = None) -> AnalysisOutcome:
    """Theme the stored observations without changing history, store the results, then the engagement comments.

    The first run fits every observation; later runs keep what closed periods show and theme only
    new texts (see the module docstring). ``progress(stage, done, total)`` (with an optional
    ``close()``) follows a fit; ``say`` receives the lines a person reads (``err=True`` for notes).
    ``period_code`` only selects the period whose themes are listed afterwards; ``today`` decides
    which periods have ended (default: the date today).
    """
    from analysis.embedding import embedder_name
    from webapp.analysis_runs.history import closed_periods
    from webapp.store import analysis as store

    outcome = AnalysisOutcome()
    started = time.perf_counter()
    rows = store.observation_texts()
    texts = [r.text for r in rows]
    # before anything is written: a missing extra changes nothing
    embedder = _embedder(texts, embedder_choice, reuse_kept=True)
    _store_engagement_results(min_group_size, say)
    previous_run = store.latest_run("observations")
    known = dict(getattr(embedder, "known", None) or {})
    closed = closed_periods(store.period_campaigns(), today or date.today())
    if previous_run is not None and store.run_counts("observations")["assignments"]:
        result = _extend(rows, previous_run, closed, embedder, say)
        fitted = embedder
        if n_themes != "auto":
            say(f"Note: --themes {n_themes} applies to a fit; this run keeps the current themes "
                f"(to refit them: groundswell retheme --themes {n_themes}).", err=True)
        if _cache_key(embedder) is not None:  # leave every current text's vector kept, for a later re-theme
            size = embedder.n_features_out_  # a kept vector of another size is refused by the embedder
            have = {t for t, v in known.items() if len(v) == size} | set(getattr(embedder, "memo_", {}))
            _transform(embedder, sorted({t.strip() for t in texts} - have - {""}))
        if progress is not None and hasattr(progress, "close"):
            progress.close()
    else:
        result = _fit_all(rows, embedder, n_themes, None, progress, say)
        if result is None:
            outcome.n_texts = len(texts)
            return outcome
        fitted = result.model.embedder_
    result = _apply_corrections(result, store.theme_corrections(), {r.id: r.text for r in rows}, fitted)
    n_embedded, n_reused = _keep(fitted, {t.strip() for t in texts}, known)
    n_embedded += getattr(embedder, "n_embedded_", 0) if fitted is not embedder else 0
    parameters = {"n_themes": n_themes, "max_themes": MAX_THEMES, "random_state": RANDOM_STATE,
                  "embedder": embedder_name(fitted), **result.parameters}
    parameters.setdefault("previous_run", None)
    if _cache_key(fitted) is not None:
        parameters.update(texts_embedded=n_embedded, texts_reused=n_reused)
    themes = sorted(result.themes.values(), key=lambda t: (-t.size, t.theme_key))
    store.replace_run(kind="observations", scope="all", parameters=parameters,
                      theme_state=result.state.to_state(), themes=themes,
                      assignments=result.assignments, n_texts=len(texts), commit=False)
    if store.current_theme_version() is None:
        store.record_version(action="fit", actor="groundswell analyze",
                             summary=f"First fit: {len(themes)} themes over {len(texts)} observations.", commit=False)
    from webapp.extensions import db

    db.session.commit()
    elapsed = time.perf_counter() - started
    reuse = ""
    if "texts_reused" in parameters:
        reuse = f"; {_texts(n_embedded)} embedded, {n_reused} reused from earlier runs"
    say(f"{len(themes)} themes over {len(texts)} observations stored in {elapsed:.1f} s "
        f"(text representation: {embedder_name(fitted)}{reuse}).")
    if parameters["mode"] == "routine":
        new = "".join(f"; new theme \"{t['label']}\" ({t['size']})" for t in parameters["new_themes"])
        say(f"History kept: {parameters['texts_kept']} observations keep their theme "
            f"({parameters['texts_kept_in_closed_periods']} in closed periods), "
            f"{_texts(parameters['texts_new'])} newly themed{new}. To re-theme history: groundswell retheme.")
    outcome.n_themes, outcome.n_texts, outcome.parameters = len(themes), len(texts), parameters
    if period_code is not None:
        counts: dict[int, int] = defaultdict(int)
        period_of = {r.id: r.period for r in rows}
        for obs, key, *_ in result.assignments:
            if period_of[obs] == period_code:
                counts[key] += 1
        for t in sorted(themes, key=lambda t: -counts[t.theme_key]):
            if counts[t.theme_key]:
                say(f"  {counts[t.theme_key]:4d}  {t.label}")
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

    Stored: per-campaign counts per theme, and each comment's theme keyed by its comment answer
    (the anonymous response's random key and the question; no person, group or time), no quotes
    and no vectors. The HR dashboard lists a campaign's comments under their themes only where its
    comments may be shown (the whole campaign, ``webapp.engagement.comments``), never per group.
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
        themes=themes, counts=counts, n_texts=len(texts),
        assignments=[(c.response_key, c.question_id, int(k)) for c, k in zip(comments, labels)])
    say(f"{len(themes)} comment themes over {len(texts)} engagement comments stored in "
        f"{time.perf_counter() - started:.1f} s.")
