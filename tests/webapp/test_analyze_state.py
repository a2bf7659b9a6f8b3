"""`groundswell analyze` keeps theme ids through a JSON theme state in the database, never a pickle."""

from __future__ import annotations

import json
import pickle

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text, update

from tests.support.analyze_fixtures import run_analyze
from webapp import MIGRATIONS_DIR
from webapp.extensions import db as _db


def _analyze(app):
    return run_analyze(app)


def _themes() -> dict[int, str]:
    from webapp.store import analysis

    run = analysis.latest_run("observations")
    return {t.theme_key: t.label for t in run.themes}


def _stored_state_text() -> str:
    """The column's content as the database holds it (text on SQLite and PostgreSQL alike)."""
    return _db.session.execute(text("SELECT CAST(theme_state AS TEXT) FROM analysis_run "
                                    "WHERE kind = 'observations'")).scalar_one()


def test_the_run_stores_its_theme_state_as_json(app, observations):
    _analyze(app)
    raw = _stored_state_text()
    assert isinstance(raw, str)
    state = json.loads(raw)
    assert state["format"] == "groundswell.theme-state" and state["version"] == 1
    assert sorted(state["theme_ids"]) == sorted(_themes()) == [0, 1, 2]
    assert len(state["centroids"]) == 3


def test_a_second_run_reads_the_state_and_keeps_ids_and_labels(app, observations):
    from webapp.store import analysis

    _analyze(app)
    first_run = analysis.latest_run("observations").id
    before = _themes()
    result = _analyze(app)
    assert "could not be read" not in result.output
    run = analysis.latest_run("observations")
    assert run.parameters["previous_run"] == first_run
    assert _themes() == before


def _assignments() -> dict[int, int]:
    from webapp.store import analysis

    return analysis.run_assignments(analysis.latest_run("observations").id)


@pytest.mark.parametrize("bad_state", [{"format": "groundswell.theme-state", "version": 99}, {"pickle": "no"}])
def test_an_unreadable_state_is_rebuilt_from_the_stored_themes(app, observations, bad_state):
    from webapp.models import AnalysisRun

    _analyze(app)
    before, themed = _themes(), _assignments()
    _db.session.execute(update(AnalysisRun).values(theme_state=bad_state))
    _db.session.commit()
    result = _analyze(app)
    assert "Note: the previous theme state could not be read" in result.output
    assert "rebuilding the themes of run" in result.output
    assert _themes() == before and _assignments() == themed  # history kept, not refitted afresh
    state = json.loads(_stored_state_text())  # the new run wrote a good state
    assert sorted(state["theme_ids"]) == [0, 1, 2]


def test_a_run_without_state_rebuilds_it_from_the_stored_themes(app, observations):
    from webapp.models import AnalysisRun
    from webapp.store import analysis

    _analyze(app)
    first = analysis.latest_run("observations").id
    before = _themes()
    _db.session.execute(update(AnalysisRun).values(theme_state=None))
    _db.session.commit()
    assert _db.session.execute(text("SELECT theme_state FROM analysis_run")).scalar_one() is None  # SQL NULL
    result = _analyze(app)
    assert "could not be read" not in result.output
    assert analysis.latest_run("observations").parameters["previous_run"] == first
    assert _themes() == before


def test_changing_the_embedder_keeps_theme_ids_and_labels(app, observations):
    """A run with the other representation matches its themes through the observations, not afresh."""
    from webapp.store import analysis

    app.config["EMBEDDER"] = "wordllama"
    _analyze(app)
    before = _themes()
    assert analysis.latest_run("observations").parameters["embedder"] == "wordllama"
    app.config["EMBEDDER"] = "transformer"
    result = _analyze(app)
    assert "the text representation changed" in result.output
    assert "(text representation: transformer:all-MiniLM-L6-v2; " in result.output
    run = analysis.latest_run("observations")
    assert run.parameters["embedder"] == "transformer:all-MiniLM-L6-v2"
    assert run.parameters["previous_run"] is not None
    assert _themes() == before
    assert len(json.loads(_stored_state_text())["centroids"][0]) == 384


def test_asking_for_the_transformer_without_the_extra_is_a_clear_error(app, observations, monkeypatch):
    import analysis.embedding as embedding
    from webapp.store import analysis

    monkeypatch.setattr(embedding, "transformer_installed", lambda: False)
    app.config["EMBEDDER"] = "transformer"
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=["analyze", "--themes", "3"])
    assert result.exit_code != 0
    assert "GROUNDSWELL_EMBEDDER=transformer" in result.output and "groundswell[transformer]" in result.output
    assert analysis.latest_run("observations") is None
    app.config["EMBEDDER"] = "auto"  # auto falls back to wordllama instead
    _analyze(app)
    assert analysis.latest_run("observations").parameters["embedder"] == "wordllama"


@pytest.mark.both_databases
def test_migration_drops_pickled_models_and_leaves_no_state(tmp_path, empty_database_url):
    from tests.support.web import make_app

    migrated = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with migrated.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="5650edc30897")
        engine = create_engine(migrated.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO analysis_run (kind, scope, parameters, created_at, n_texts, model) "
                              "VALUES ('observations', 'all', '{}', CURRENT_TIMESTAMP, 3, :model)"),
                         {"model": pickle.dumps({"a": "pickled model"})})
        upgrade(directory=MIGRATIONS_DIR)
        with engine.connect() as conn:
            columns = list(conn.execute(text("SELECT * FROM analysis_run")).keys())
            rows = conn.execute(text("SELECT kind, n_texts, theme_state FROM analysis_run")).all()
        engine.dispose()
        _db.engine.dispose()
    assert "model" not in columns and "theme_state" in columns
    assert [tuple(r) for r in rows] == [("observations", 3, None)]
