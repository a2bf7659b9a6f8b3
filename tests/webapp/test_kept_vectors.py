"""`groundswell analyze` keeps the contextual model's vectors, so a re-run embeds only new texts.

What a user sees is the run's line ("N texts embedded, M reused from earlier runs") and the same
themes as a run that embedded everything; what the database holds is exactly one vector per current
observation text, under the representation that made it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy import delete, func, select, update

from tests.support.analyze_fixtures import run_analyze
from webapp.extensions import db as _db
from webapp.store.embeddings import text_digest


def _embedded(result) -> tuple[int, int]:
    found = re.search(r"(\d+) texts? embedded, (\d+) reused from earlier runs", result.output)
    assert found, result.output
    return int(found[1]), int(found[2])


def _kept() -> dict[str, bytes]:
    from webapp.models import TextEmbedding

    return dict(_db.session.execute(select(TextEmbedding.text_sha256, TextEmbedding.vector)).all())


def _assignments() -> list[tuple[int, int, float]]:
    from webapp.models import ObservationTheme

    return [tuple(r) for r in _db.session.execute(
        select(ObservationTheme.observation_id, ObservationTheme.theme_key, ObservationTheme.similarity)
        .order_by(ObservationTheme.observation_id)).all()]


@pytest.mark.both_databases
def test_a_rerun_reuses_every_vector_and_finds_the_same_themes(app, observations):
    from analysis.embedding import SentenceTransformerEmbedder

    distinct = sorted(set(observations))
    first = run_analyze(app)
    assert _embedded(first) == (len(distinct), 0)
    kept = _kept()
    assert set(kept) == {text_digest(t) for t in distinct}
    fresh = SentenceTransformerEmbedder().fit([]).transform(distinct[:3])
    for text, vector in zip(distinct[:3], fresh):
        assert np.array_equal(np.frombuffer(kept[text_digest(text)], dtype="<f4"), vector)
    before = _assignments()

    second = run_analyze(app)
    assert _embedded(second) == (0, len(distinct))
    assert _assignments() == before
    assert _kept() == kept


def test_a_new_observation_is_the_only_text_embedded(app, observations):
    from webapp.models import Observation

    run_analyze(app)
    extra = Observation(external_id="obs-new", person_id=_db.session.scalar(select(Observation.person_id)),
                        period_id=_db.session.scalar(select(Observation.period_id)), position=99,
                        text="the scanner delivery is late by a month")
    _db.session.add(extra)
    _db.session.commit()
    result = run_analyze(app)
    assert _embedded(result) == (1, len(set(observations)))
    assert len(_kept()) == len(set(observations)) + 1


def test_a_deleted_observation_leaves_no_vector_behind(app, observations):
    from webapp.models import Observation

    run_analyze(app)
    gone = next(t for t in observations if observations.count(t) == 1)
    _db.session.execute(delete(Observation).where(Observation.text == gone))
    _db.session.commit()
    run_analyze(app)
    kept = _kept()
    assert text_digest(gone) not in kept
    assert len(kept) == len(set(observations)) - 1


def test_a_damaged_vector_is_embedded_again_and_replaced(app, observations):
    from webapp.models import TextEmbedding

    run_analyze(app)
    good = _kept()
    damaged = text_digest(observations[0])
    _db.session.execute(update(TextEmbedding).where(TextEmbedding.text_sha256 == damaged)
                        .values(vector=b"\x00" * 40))  # ten floats, not 384
    _db.session.commit()
    result = run_analyze(app)
    assert _embedded(result) == (1, len(set(observations)) - 1)
    kept = _kept()
    assert kept.keys() == good.keys()
    # embedded alone rather than in a batch: equal up to float rounding
    assert np.allclose(np.frombuffer(kept[damaged], dtype="<f4"), np.frombuffer(good[damaged], dtype="<f4"),
                       atol=1e-5)
    assert {d: v for d, v in kept.items() if d != damaged} == {d: v for d, v in good.items() if d != damaged}


def _add_observations(texts: list[str]) -> None:
    from webapp.models import Observation

    person_id = _db.session.scalar(select(Observation.person_id))
    period_id = _db.session.scalar(select(Observation.period_id))
    start = _db.session.scalar(select(func.count()).select_from(Observation))
    _db.session.add_all(Observation(external_id=f"obs-more-{start + i}", person_id=person_id, period_id=period_id,
                                    position=start + i, text=t) for i, t in enumerate(texts))
    _db.session.commit()


def test_auto_stays_contextual_while_the_org_grows_by_little_between_runs(app, observations, monkeypatch):
    """"auto" bounds the embedding a run does, not the size of the org: kept vectors do not count."""
    import analysis.embedding as embedding

    n = len(set(observations))
    monkeypatch.setattr(embedding, "AUTO_TRANSFORMER_MAX_TEXTS", n)
    assert _embedded(run_analyze(app)) == (n, 0)
    monkeypatch.setattr(embedding, "AUTO_TRANSFORMER_MAX_TEXTS", 5)
    _add_observations([f"the {x} delivery is stuck at customs" for x in ("printer", "laptop", "scanner")])
    assert _embedded(run_analyze(app)) == (3, n)  # n + 3 texts in all, only 3 new
    _add_observations([f"the {x} order was cancelled by the client" for x in
                       ("printer", "laptop", "scanner", "router", "server", "headset")])
    kept_before = _kept()
    result = run_analyze(app)  # six new texts: more than this run may embed
    # the contextual model for the sample a fit clusters, mapped static vectors for the rest, in one space
    assert "(text representation: transformer:all-MiniLM-L6-v2+mapped wordllama;" in result.output, result.output
    assert _embedded(result)[1] == n + 3  # the vectors kept so far are reused, not dropped
    assert set(kept_before) <= set(_kept())  # and still kept: only contextual vectors are


def test_a_fast_representation_keeps_nothing(app, observations):
    from webapp.models import TextEmbedding

    run_analyze(app)
    assert _kept()
    app.config["EMBEDDER"] = "wordllama"
    result = run_analyze(app)
    assert "reused" not in result.output
    assert _db.session.scalar(select(func.count()).select_from(TextEmbedding)) == 0


def test_vectors_of_another_model_version_are_not_reused(app, observations):
    from webapp.models import TextEmbedding

    run_analyze(app)
    _db.session.execute(update(TextEmbedding).values(representation="transformer:all-MiniLM-L6-v2 (older)"))
    _db.session.commit()
    result = run_analyze(app)
    assert _embedded(result) == (len(set(observations)), 0)
    keys = set(_db.session.scalars(select(TextEmbedding.representation)))
    assert len(keys) == 1 and "(older)" not in keys.pop()


def test_engagement_comments_are_never_kept(app, observations, monkeypatch):
    """Comment vectors would be per-comment data of a confidential answer: only observations are kept."""
    from webapp.models import TextEmbedding
    from webapp.store import engagement
    from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401
    from webapp.store.engagement import StoredComment

    comments = [StoredComment(1, f"my manager {w} listens to the team") for w in
                ("rarely", "always", "never", "often", "sometimes", "seldom", "usually", "hardly")] * 2
    monkeypatch.setattr(engagement, "closed_campaign_comments", lambda: comments)
    monkeypatch.setattr(engagement, "replace_comment_run", lambda **kw: None)
    run_analyze(app)
    stored = set(_db.session.scalars(select(TextEmbedding.text_sha256)))
    assert stored == {text_digest(t) for t in set(observations)}
    assert not stored & {text_digest(c.text) for c in comments}


def test_unchanged_engagement_comments_are_not_fitted_again(app, observations, monkeypatch):
    """Closed campaigns take no more answers: the same comments give the same themes, so they stand."""
    from webapp.models import Campaign, Observation
    from webapp.store import analysis, engagement
    from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401
    from webapp.store.engagement import StoredComment

    campaigns = [Campaign(name=f"Pulse {i}", template_id="pulse", template_version=1, audience="all",
                          status="closed", period_id=_db.session.scalar(select(Observation.period_id)))
                 for i in (1, 2)]
    _db.session.add_all(campaigns)
    _db.session.commit()
    first_id, second_id = (c.id for c in campaigns)
    comments = [StoredComment(first_id, f"my manager {w} listens to the team") for w in
                ("rarely", "always", "never", "often", "sometimes", "seldom", "usually", "hardly")] * 2
    monkeypatch.setattr(engagement, "closed_campaign_comments", lambda: list(comments))
    first = run_analyze(app)
    assert "comment themes over 16 engagement comments stored" in first.output
    run_id = analysis.latest_run("comments").id

    again = run_analyze(app)
    assert "Engagement comments unchanged since the last run" in again.output
    assert analysis.latest_run("comments").id == run_id

    comments.append(StoredComment(second_id, "the new office is too far away"))
    changed = run_analyze(app)
    assert "over 17 engagement comments stored" in changed.output
    assert analysis.latest_run("comments").id != run_id

    app.config["EMBEDDER"] = "wordllama"  # another representation is another input
    assert "comment themes over 17" in run_analyze(app).output
    assert "Engagement comments unchanged" in run_analyze(app).output

    import webapp.infra.fingerprint

    monkeypatch.setattr(webapp.infra.fingerprint, "source_fingerprint", lambda *names: "a changed theme engine")
    assert "comment themes over 17" in run_analyze(app).output  # new code: fitted again


def test_the_analysis_job_says_how_many_texts_it_reused(app, observations):
    """An admin who starts analysis from the page reads the same account as the CLI prints."""
    from webapp.infra import jobs
    from webapp.store import analysis
    from webapp.store import jobs as job_store

    app.config["JOBS_INLINE"] = "sync"
    n = len(set(observations))
    first = job_store.get_job(jobs.start("analyze", {"n_themes": 3}).id)
    assert first.state == "finished", first.error
    assert first.message == f"3 themes over 45 observations (transformer:all-MiniLM-L6-v2; {n} texts embedded, 0 reused)."
    second = job_store.get_job(jobs.start("analyze", {"n_themes": 3}).id)
    assert second.message.endswith(f"; 0 texts embedded, {n} reused).")
    parameters = analysis.latest_run("observations").parameters
    assert (parameters["texts_embedded"], parameters["texts_reused"]) == (0, n)


@pytest.mark.both_databases
def test_a_vector_stored_meanwhile_by_another_run_is_not_an_error(app):
    """Two analyze runs at once both add the vectors of new texts; the second skips the first's rows."""
    from webapp.models import TextEmbedding
    from webapp.store import embeddings

    vector = np.arange(4, dtype=np.float32)
    row = {"representation": "m", "text_sha256": embeddings.text_digest("late delivery"), "vector": vector.tobytes()}
    for _ in range(2):  # the second insert is the other run's, arriving after this one read what was kept
        _db.session.execute(embeddings._insert_ignoring_duplicates(), [row])
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(TextEmbedding)) == 1
    assert np.array_equal(embeddings.kept_vectors("m", ["late delivery"])["late delivery"], vector)
