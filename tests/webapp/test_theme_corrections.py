"""People correct themes on /themes: rename, merge, move quotes into a new theme; corrections persist.

Through the Flask test client as the demo's leader: each correction changes the current results
(what `groundswell insights --json` shows), is a new theme version with who and when (listed on
the page), and survives later routine runs and an explicit re-theme.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.support.web import login
from webapp.extensions import db as _db

DEMO_PASSWORD = "groundswell-demo"


@pytest.fixture
def runner(app):
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    app.config["EMBEDDER"] = "wordllama"
    return app.test_cli_runner()


def _invoke(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    _db.session.expire_all()
    return result


@pytest.fixture
def analysed(runner):
    _invoke(runner, "seed-demo", "--reps", "20", "--periods", "3", "--seed", "1")
    _invoke(runner, "analyze")
    return runner


@pytest.fixture
def leader(client, analysed):
    assert login(client, "leader@demo.test", DEMO_PASSWORD).status_code == 302
    return client


def _run():
    from webapp.store import analysis

    return analysis.latest_run("observations")


def _labels() -> dict[int, str]:
    return {t.theme_key: t.label for t in _run().themes}


def _themed() -> dict[int, int]:
    from webapp.store import analysis

    return analysis.run_assignments(_run().id)


def _two_largest() -> tuple[int, int]:
    themes = sorted(_run().themes, key=lambda t: -t.size)
    return themes[0].theme_key, themes[1].theme_key


def _add_open_texts(texts: list[str], first: int = 0) -> list[int]:
    from datetime import date

    from webapp.analysis_runs.history import closed_periods
    from webapp.models import Observation, Period, Person
    from webapp.store.analysis import period_campaigns

    closed = closed_periods(period_campaigns(), date.today())
    code = next(p.code for p in period_campaigns() if p.code not in closed)
    period_id = _db.session.scalar(select(Period.id).where(Period.code == code))
    rep = _db.session.scalar(select(Person.id).where(Person.role == "rep").order_by(Person.id))
    rows = [Observation(external_id=f"later-{i}", person_id=rep, period_id=period_id, position=80 + i, text=t)
            for i, t in enumerate(texts, start=first)]
    _db.session.add_all(rows)
    _db.session.commit()
    return [r.id for r in rows]


def _texts_of(theme_key: int, n: int = 3) -> list[str]:
    from webapp.store import analysis

    return [t.text for t in analysis.theme_texts(_run().id, theme_key)[:n]]


def test_rename_shows_everywhere_is_a_version_and_survives_a_rerun(leader, analysed):
    from webapp.store import analysis

    key, _ = _two_largest()
    response = leader.post("/themes/rename", data={"key": key, "label": "Budgets frozen at the customer"})
    assert response.status_code == 302
    assert _labels()[key] == "Budgets frozen at the customer"
    version = analysis.current_theme_version()
    assert version.number == 2 and version.action == "rename" and version.actor == "leader@demo.test"
    page = leader.get("/themes").get_data(as_text=True)
    assert "Budgets frozen at the customer" in page and "leader@demo.test" in page and "Renamed" in page
    period = next(iter(analysis.theme_period_counts(_run().id)[key]))
    report = json.loads(_invoke(analysed, "insights", "--period", period, "--json").output)
    assert "Budgets frozen at the customer" in {t["label"] for t in report["themes"]}

    _add_open_texts(_texts_of(key))
    _invoke(analysed, "analyze")
    assert _labels()[key] == "Budgets frozen at the customer"


def test_a_name_another_theme_has_is_refused(leader):
    a, b = _two_largest()
    before = _labels()
    response = leader.post("/themes/rename", data={"key": a, "label": before[b].upper()}, follow_redirects=True)
    assert "already called" in response.get_data(as_text=True)
    assert _labels() == before


def test_merge_moves_every_quote_and_later_texts_follow_it(leader, analysed):
    from webapp.store import analysis

    into, source = _two_largest()
    themed = _themed()
    n_source = sum(1 for k in themed.values() if k == source)
    n_into = sum(1 for k in themed.values() if k == into)
    quotes = _texts_of(source)
    response = leader.post("/themes/merge", data={"source": source, "into": into})
    assert response.status_code == 302
    after = _themed()
    assert source not in after.values() and sum(1 for k in after.values() if k == into) == n_source + n_into
    assert source not in _labels()
    assert analysis.current_theme_version().action == "merge"

    added = _add_open_texts(quotes)  # texts the merged-away theme would have taken
    _invoke(analysed, "analyze")
    after = _themed()
    assert source not in after.values() and source not in _labels()
    assert {after[i] for i in added} == {into}


def test_moved_quotes_stay_in_their_new_theme_across_runs_and_a_retheme(leader, analysed):
    from webapp.store import analysis

    key, _ = _two_largest()
    page = leader.get(f"/themes/theme?key={key}")
    assert page.status_code == 200
    texts = analysis.theme_texts(_run().id, key)[:4]
    ids = [t.observation_id for t in texts]
    response = leader.post("/themes/move", data={"key": key, "observations": ids,
                                                      "label": "Hospital spending freeze"})
    assert response.status_code == 302
    new_key = next(k for k, v in _labels().items() if v == "Hospital spending freeze")
    assert {_themed()[i] for i in ids} == {new_key}
    assert analysis.current_theme_version().action == "move"

    added = _add_open_texts([t.text for t in texts])  # the same words again, in the open period
    _invoke(analysed, "analyze")
    themed = _themed()
    assert {themed[i] for i in ids} == {new_key}
    assert _labels()[new_key] == "Hospital spending freeze"
    assert {themed[i] for i in added} == {new_key}  # the new theme has a centroid: later texts can join it

    _invoke(analysed, "retheme", "--apply")
    themed = _themed()
    assert {themed[i] for i in ids} == {new_key}
    assert _labels()[new_key] == "Hospital spending freeze"


def test_a_moved_quote_brings_its_later_copies_even_where_a_copy_stayed_behind(leader, analysed):
    """A person moved one copy of some words and another copy stayed in the old theme (a tie of
    one each): a later copy follows the person's placement, not the engine's."""
    from webapp.store import analysis

    key, _ = _two_largest()
    quote = analysis.theme_texts(_run().id, key)[0]
    (twin,) = _add_open_texts([quote.text])  # a second copy: joins the quote's theme
    _invoke(analysed, "analyze")
    assert _themed()[twin] == key
    response = leader.post("/themes/move", data={"key": key, "observations": [quote.observation_id],
                                                      "label": "Hospital spending freeze"})
    assert response.status_code == 302
    new_key = next(k for k, v in _labels().items() if v == "Hospital spending freeze")
    assert _themed()[quote.observation_id] == new_key and _themed()[twin] == key

    (later,) = _add_open_texts([quote.text], first=1)
    _invoke(analysed, "analyze")
    themed = _themed()
    assert themed[later] == new_key
    assert themed[twin] == key and themed[quote.observation_id] == new_key  # nothing else moved


def test_corrections_survive_a_retheme(leader, analysed):
    into, source = _two_largest()
    leader.post("/themes/merge", data={"source": source, "into": into})
    leader.post("/themes/rename", data={"key": into, "label": "Customers cut budgets"})
    _invoke(analysed, "retheme", "--apply")
    labels = _labels()
    assert source not in labels and source not in _themed().values()
    if into in labels:  # a theme the refit keeps keeps its corrected name
        assert labels[into] == "Customers cut budgets"


def test_the_page_prepares_a_retheme_shows_its_diff_and_applies_it(leader):
    from webapp.store import analysis

    run = _run().id
    response = leader.post("/themes/retheme", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Re-theme of" in page and "Findings that change" in page and "Apply this re-theme" in page
    assert _run().id == run  # shown, not applied
    proposal = analysis.latest_run(analysis.PROPOSAL_KIND)
    response = leader.post("/themes/retheme/apply", data={"proposal": proposal.id}, follow_redirects=True)
    assert "Re-theme applied: themes version 2" in response.get_data(as_text=True)
    assert _run().id == proposal.id and analysis.current_theme_version().action == "retheme"


def test_a_retheme_prepared_before_a_correction_is_refused(leader):
    leader.post("/themes/retheme")
    from webapp.store import analysis

    proposal = analysis.latest_run(analysis.PROPOSAL_KIND).id
    key, _ = _two_largest()
    leader.post("/themes/rename", data={"key": key, "label": "Renamed meanwhile"})
    response = leader.post("/themes/retheme/apply", data={"proposal": proposal}, follow_redirects=True)
    assert "changed since this re-theme was prepared" in response.get_data(as_text=True)
    assert _labels()[key] == "Renamed meanwhile"


@pytest.mark.parametrize("email", ["rep1@demo.test", "hr@demo.test", "manager1@demo.test"])
def test_only_leaders_and_admins_correct_themes(client, analysed, email):
    login(client, email, DEMO_PASSWORD)
    key, _ = _two_largest()
    before = _labels()
    assert client.get("/themes").status_code == 403
    assert client.post("/themes/rename", data={"key": key, "label": "Nope"}).status_code == 403
    assert _labels() == before


def test_admins_see_the_page(client, analysed):
    login(client, "admin@demo.test", DEMO_PASSWORD)
    assert client.get("/themes").status_code == 200


def test_the_themes_table_reads_as_labelled_cards_on_a_phone(leader):
    """Every cell of /themes says its column (shown as a card at phone width), and a period's count never breaks."""
    import re

    html = leader.get("/themes").get_data(as_text=True)
    table = re.search(r'<table class="([^"]*)"[^>]*>.*?</table>', html, re.DOTALL)
    assert "card-list" in table.group(1).split()
    rows = re.findall(r"<tr>\s*(<td.*?)</tr>", table.group(0), re.DOTALL)
    assert rows
    for row in rows:
        labels = re.findall(r'<td data-label="([^"]+)"', row)
        assert labels == ["Theme", "Observations", "Per period", "Key terms", "Rename"]
        assert row.count("<td") == len(labels)
        for count in re.findall(r'<span class="text-nowrap">([^<]+)</span>', row):
            assert re.fullmatch(r"\d{4}-Q\d: \d+,?", count), count
