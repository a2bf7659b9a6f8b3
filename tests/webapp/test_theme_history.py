"""A closed period never changes by itself: a routine `groundswell analyze` keeps its themes and figures.

The demo organisation (closed past quarters, one open quarter) is analysed; texts are added to the
open quarter, among them a signal no theme holds yet; `analyze` runs again. Every observation of a
closed quarter keeps its theme, similarity and sentiment, and `groundswell insights --period P --json`
of every closed quarter is the same except the run's own line (id, timestamp, text count). An
explicit `groundswell retheme` prints its diff, and `--apply` records a version.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from webapp.extensions import db as _db

NEW_SIGNAL = ["the new steel tariff pushed our {x} costs up", "import tariffs on steel made the {x} pricier",
              "the steel tariff means customers delay {x} orders", "tariff on imported steel hits {x} margins"]
ITEMS = ["brackets", "frames", "racks", "panels", "rails", "beams"]


@pytest.fixture
def runner(app):
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    app.config["EMBEDDER"] = "wordllama"  # the representation does not matter here; the fast one
    return app.test_cli_runner()


def _invoke(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    _db.session.expire_all()
    return result


@pytest.fixture
def demo(runner):
    _invoke(runner, "seed-demo", "--reps", "20", "--periods", "3", "--seed", "1")
    return runner


def _periods() -> tuple[list[str], str]:
    from webapp.analysis_runs.history import closed_periods
    from webapp.store.analysis import period_campaigns

    rows = period_campaigns()
    closed = closed_periods(rows, date.today())
    return [p.code for p in rows if p.code in closed], next(p.code for p in rows if p.code not in closed)


def _report(runner, period: str) -> dict:
    data = json.loads(_invoke(runner, "insights", "--period", period, "--json").output)
    data.pop("analysis_run")  # the run's own line: id, timestamp, how many texts in all
    return data


def _closed_assignments(closed: list[str]) -> dict[int, tuple]:
    from webapp.models import Observation, ObservationTheme, Period

    return {o: (k, s, m) for o, k, s, m in _db.session.execute(
        select(ObservationTheme.observation_id, ObservationTheme.theme_key, ObservationTheme.similarity,
               ObservationTheme.sentiment)
        .join(Observation, ObservationTheme.observation_id == Observation.id)
        .join(Period, Observation.period_id == Period.id).where(Period.code.in_(closed)))}


def _add_to(period_code: str, texts: list[str]) -> None:
    from webapp.models import Observation, Period, Person

    period_id = _db.session.scalar(select(Period.id).where(Period.code == period_code))
    reps = list(_db.session.scalars(select(Person.id).where(Person.role == "rep").order_by(Person.id)))
    _db.session.add_all(Observation(external_id=f"added-{i}", person_id=reps[i % len(reps)], period_id=period_id,
                                    position=50 + i, text=t) for i, t in enumerate(texts))
    _db.session.commit()


def _new_texts() -> list[str]:
    signal = [t.format(x=x) for t in NEW_SIGNAL for x in ITEMS[:4]]  # 16 texts of a signal no theme holds
    return signal + ["customers ask for a bigger discount", "the delivery arrived late again",
                     "a competitor cut prices on the whole range"]


def test_adding_texts_to_the_open_period_changes_nothing_a_closed_period_shows(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    closed, open_period = _periods()
    assert closed and open_period
    before = {p: _report(demo, p) for p in closed}
    themed = _closed_assignments(closed)
    assert themed

    _add_to(open_period, _new_texts())
    result = _invoke(demo, "analyze")

    assert "History kept:" in result.output
    assert _closed_assignments(closed) == themed  # 0 observations of closed periods change theme
    after = {p: _report(demo, p) for p in closed}
    for p in closed:
        assert after[p] == before[p], p  # 0 figures of closed periods change
    run = analysis.latest_run("observations")
    assert run.parameters["mode"] == "routine" and run.parameters["texts_new"] == len(_new_texts())
    assert run.parameters["texts_kept_in_closed_periods"] == len(themed)


def test_a_new_signal_in_the_open_period_becomes_a_new_theme_of_its_own(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    first = analysis.latest_run("observations")
    old_keys = {t.theme_key for t in first.themes}
    _, open_period = _periods()
    _add_to(open_period, _new_texts())
    _invoke(demo, "analyze")
    run = analysis.latest_run("observations")
    added = run.parameters["new_themes"]
    assert added, run.parameters
    assert all(t["key"] not in old_keys for t in added)
    labels = " ".join(t["label"].lower() for t in added)
    assert "tariff" in labels or "steel" in labels
    assert {t.theme_key for t in run.themes} >= old_keys  # every existing theme stays


def test_a_rerun_without_new_texts_stores_the_same_results(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    _, open_period = _periods()
    themes = {t.theme_key: (t.label, tuple(t.terms)) for t in analysis.latest_run("observations").themes}
    themed = analysis.stored_assignments(analysis.latest_run("observations").id)
    report = _report(demo, open_period)
    _invoke(demo, "analyze")
    run = analysis.latest_run("observations")
    assert {t.theme_key: (t.label, tuple(t.terms)) for t in run.themes} == themes
    assert analysis.stored_assignments(run.id) == themed
    assert _report(demo, open_period) == report


def test_the_first_run_records_version_1_and_a_routine_run_no_new_version(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    assert analysis.current_theme_version().number == 1
    assert analysis.current_theme_version().action == "fit"
    _add_to(_periods()[1], _new_texts())
    _invoke(demo, "analyze")
    assert [v.number for v in analysis.theme_versions()] == [1]


def test_an_edited_open_period_text_is_themed_again(demo):
    from webapp.models import Observation, Period
    from webapp.store import analysis

    _invoke(demo, "analyze")
    _, open_period = _periods()
    obs = _db.session.scalar(select(Observation).join(Period, Observation.period_id == Period.id)
                             .where(Period.code == open_period).order_by(Observation.id).limit(1))
    obs.text = "the new steel tariff pushed our rack costs up"
    _db.session.commit()
    _invoke(demo, "analyze")
    run = analysis.latest_run("observations")
    assert run.parameters["texts_new"] == 1
    from webapp.store.embeddings import text_digest

    assert analysis.stored_assignments(run.id)[obs.id].text_sha256 == text_digest(obs.text)


def test_retheme_prints_its_diff_and_changes_nothing_without_apply(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    _, open_period = _periods()
    _add_to(open_period, _new_texts())
    _invoke(demo, "analyze")
    run = analysis.latest_run("observations")
    themed = analysis.stored_assignments(run.id)
    result = _invoke(demo, "retheme")
    assert "Re-theme of" in result.output and "observations move" in result.output
    assert "Findings that change" in result.output
    assert "Nothing applied" in result.output
    assert analysis.latest_run("observations").id == run.id
    assert analysis.stored_assignments(run.id) == themed
    assert [v.number for v in analysis.theme_versions()] == [1]


def test_retheme_apply_records_a_version_with_its_diff(demo):
    from webapp.store import analysis

    _invoke(demo, "analyze")
    _add_to(_periods()[1], _new_texts())
    _invoke(demo, "analyze")
    result = _invoke(demo, "retheme", "--apply")
    assert "Applied: themes version 2" in result.output
    version = analysis.current_theme_version()
    assert version.number == 2 and version.action == "retheme"
    diff = analysis.version_diff(2)
    assert {"moved", "periods", "flows", "findings"} <= set(diff)
    run = analysis.latest_run("observations")
    assert run.parameters["mode"] == "fit" and run.parameters["refit_from_state"]
    # the next routine run starts from the re-themed results
    _invoke(demo, "analyze")
    assert analysis.latest_run("observations").parameters["mode"] == "routine"
