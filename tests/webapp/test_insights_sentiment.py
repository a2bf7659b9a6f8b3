"""Sentiment and mentions on the leader report, the theme page, the CSV and the JSON, as a leader sees them.

A small stored run with planted per-observation scores: "delivery delays" (six clearly negative
texts: shown as negative), "price talk" (six texts split between strongly positive and strongly
negative: the interval straddles zero, so "unclear") and "budget news" (three positive texts:
fewer than five, so "unclear" too). Whether a theme's sentiment is shown is decided by
`analysis.sentiment.theme_sentiment_summary`; these tests check that the pages follow it.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from markupsafe import escape

from analysis.sentiment import SCALE_EXPLANATION
from tests.support.web import login
from webapp.extensions import db as _db

PERIOD = "2027-Q1"
THEMES = {
    1: ("delivery delays", ("Corelli", "Vexa"),
        [("the delivery from Corelli arrived late again", -0.61), ("shipping delays hurt the renewal", -0.72),
         ("customers angry about the late order", -0.55), ("two weeks of delivery delays, a terrible quarter", -0.83),
         ("the Vexa shipment has not arrived, they are upset", -0.64), ("late deliveries cost us a deal", -0.58)]),
    2: ("price talk", (),
        [("they love the new price plan", 0.81), ("the price rise is awful for them", -0.79),
         ("great value at the new price", 0.72), ("they hate the price increase", -0.70),
         ("happy with the discount on price", 0.66), ("price complaints everywhere", -0.62)]),
    3: ("budget news", (),
        [("budgets approved, good news", 0.66), ("a bigger budget is great", 0.71), ("budget up, they are glad", 0.59)]),
}


@pytest.fixture
def stored(app, make_person):
    """A leader, a rep, the period's observations and one stored run with the themes above."""
    from webapp.models import Observation
    from webapp.store import analysis, people

    leader = make_person(role="leader", email="lead@example.test")
    rep = make_person(role="rep", territory="North-1")
    period = people.ensure_period(PERIOD)
    rows, themes, position = [], [], 0
    for key, (label, mentions, texts) in THEMES.items():
        for rank, (text, score) in enumerate(texts):
            obs = Observation(external_id=f"obs-{key}-{rank}", person_id=rep.id, period_id=period.id,
                              position=position, text=text)
            _db.session.add(obs)
            _db.session.flush()
            rows.append((obs.id, key, 0.9 - rank / 100, score))
            position += 1
        themes.append(analysis.ThemeRow(key, label, (label.split()[0],), len(texts), (texts[0][0],),
                                        sum(s for _, s in texts) / len(texts), mentions))
    _db.session.commit()
    analysis.replace_run(kind="observations", scope="all", parameters={}, themes=themes, assignments=rows,
                         n_texts=len(rows))
    return leader


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _row(html: str, theme_id: int) -> str:
    match = re.search(rf'<tr id="theme-{theme_id}".*?</tr>', html, re.DOTALL)
    assert match, theme_id
    return match.group(0)


def _sentiment_cell(row: str) -> str:
    return re.search(r'<td data-label="Sentiment"[^>]*>(.*?)</td>', row, re.DOTALL).group(1)


def test_report_shows_a_sure_theme_s_band_and_score(client, stored):
    login(client, stored.email)
    cell = _sentiment_cell(_row(_get(client, f"/insights?period={PERIOD}"), 1))
    assert "negative -0.66" in cell
    assert "unclear" not in cell


def test_report_says_unclear_with_the_reason_where_the_engine_is_unsure(client, stored):
    login(client, stored.email)
    html = _get(client, f"/insights?period={PERIOD}")
    straddles = _sentiment_cell(_row(html, 2))
    assert "unclear" in straddles and "+0.01" not in straddles.split("title=")[0]
    assert re.search(r'title="unsure: the 90% interval of the mean, -0\.\d\d to \+0\.\d\d, spans more than one',
                     straddles)
    few = _sentiment_cell(_row(html, 3))
    assert "unclear" in few and 'title="fewer than 5 texts"' in few
    assert "positive" not in few


def test_report_explains_the_scale_and_states_the_rule(client, stored):
    login(client, stored.email)
    html = _get(client, f"/insights?period={PERIOD}")
    legend = re.search(r'<p class="legend small" id="sentiment-legend">(.*?)</p>', html, re.DOTALL).group(1)
    assert str(escape(SCALE_EXPLANATION)) in legend
    assert "at least 5 texts" in legend and "90% interval" in legend and "unclear" in legend


def test_report_lists_a_theme_s_mentions_in_its_row(client, stored):
    login(client, stored.email)
    html = _get(client, f"/insights?period={PERIOD}")
    assert "Mentions: Corelli, Vexa" in _row(html, 1)
    assert "Mentions:" not in _row(html, 2)


def test_theme_page_shows_sure_sentiment_mentions_and_each_quote_s_score(client, stored):
    login(client, stored.email)
    html = _get(client, f"/insights/themes/1?period={PERIOD}")
    assert "Mentions: Corelli, Vexa" in html
    sentiment = re.search(r'<dd class="col-sm-9" id="theme-sentiment">(.*?)</dd>', html, re.DOTALL).group(1)
    assert "negative -0.66" in sentiment and str(escape(SCALE_EXPLANATION)) in sentiment
    assert "at least 5 texts" in sentiment
    quotes = re.search(r'<ul class="quotes">(.*?)</ul>', html, re.DOTALL).group(1)
    items = re.findall(r"<li>(.*?)</li>", quotes, re.DOTALL)
    assert len(items) == 6
    assert "the delivery from Corelli arrived late again" in items[0] and "negative -0.61" in items[0]
    assert "two weeks of delivery delays" in items[3] and "negative -0.83" in items[3]


def test_theme_page_says_unclear_and_why_but_still_scores_each_quote(client, stored):
    login(client, stored.email)
    html = _get(client, f"/insights/themes/2?period={PERIOD}")
    sentiment = re.search(r'<dd class="col-sm-9" id="theme-sentiment">(.*?)</dd>', html, re.DOTALL).group(1)
    assert "unclear" in sentiment and "spans more than one of negative, neutral and positive" in sentiment
    quotes = re.search(r'<ul class="quotes">(.*?)</ul>', html, re.DOTALL).group(1)
    assert "positive +0.81" in quotes and "negative -0.79" in quotes
    assert "Mentions:" not in html


def _json(app) -> dict:
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=["insights", "--period", PERIOD, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_keeps_sentiment_and_adds_whether_it_is_shown_and_the_mentions(app, stored):
    data = _json(app)
    themes = {t["id"]: t for t in data["themes"]}
    sure, straddles, few = themes[1], themes[2], themes[3]
    assert sure["sentiment"] == pytest.approx(sum(s for _, s in THEMES[1][2]) / 6)  # the mean, as before
    assert straddles["sentiment"] == pytest.approx(sum(s for _, s in THEMES[2][2]) / 6)
    assert (sure["sentiment_shown"], sure["sentiment_band"], sure["sentiment_reason"]) == (True, "negative", "")
    assert sure["sentiment_n"] == 6 and sure["sentiment_ci_low"] < sure["sentiment"] < sure["sentiment_ci_high"] < 0
    assert straddles["sentiment_shown"] is False and straddles["sentiment_band"] is None
    assert straddles["sentiment_reason"].startswith("unsure: the 90% interval")
    assert few["sentiment_shown"] is False and few["sentiment_reason"] == "fewer than 5 texts"
    assert sure["mentions"] == ["Corelli", "Vexa"] and straddles["mentions"] == []
    assert data["sentiment_scale"] == SCALE_EXPLANATION and "at least 5 texts" in data["sentiment_rule"]


def test_api_themes_carry_the_same_sentiment_keys_and_match_the_schema(app, client, stored):
    from webapp.api import schemas
    from webapp.store import tokens

    data = _json(app)
    headers = {"Authorization": f"Bearer {tokens.create_token(stored, name='t', days=30).secret}"}
    api = client.get(f"/api/v1/insights?period={PERIOD}", headers=headers)
    assert api.status_code == 200
    body = api.get_json()
    assert body["themes"] == data["themes"]
    declared = set(schemas.Theme().fields)  # the OpenAPI document is generated from these schemas
    assert {"sentiment_shown", "sentiment_band", "sentiment_reason", "sentiment_ci_low", "sentiment_ci_high",
            "sentiment_n", "mentions"} <= declared
    for theme in body["themes"]:
        assert schemas.Theme().validate({k: theme[k] for k in declared}) == {}
    assert {"sentiment_scale", "sentiment_rule"} <= set(schemas.Insights().fields)
    page = client.get(f"/api/v1/themes?period={PERIOD}", headers=headers).get_json()
    assert [t["mentions"] for t in page["items"]] == [t["mentions"] for t in data["themes"]][:len(page["items"])]


def test_themes_csv_adds_sentiment_shown_band_note_and_mentions_after_the_old_columns(client, stored):
    login(client, stored.email)
    text = _get(client, f"/insights/export/themes.csv?period={PERIOD}")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    assert header[5] == "Sentiment" and header[24] == "Actions"
    assert header[25:] == ["Sentiment shown", "Sentiment band", "Sentiment note", "Mentions"]
    by_id = {r[0]: r for r in rows[1:] if r and r[0].isdigit()}
    assert by_id["1"][25:] == ["yes", "negative", "", "Corelli, Vexa"]
    assert by_id["2"][25] == "unclear" and by_id["2"][27].startswith("unsure: the 90% interval")
    assert by_id["3"][25:28] == ["unclear", "", "fewer than 5 texts"]
