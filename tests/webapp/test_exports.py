"""CSV formula neutralisation (CSV-1), plotly.js from our origin, the offline report download (SVG, no script)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.web import login
from webapp.infra.exports import csv_text, neutralise


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_get_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell,expected", [("plain", "plain"), (-0.12, -0.12), (3, 3), (None, ""), ("", "")])
def test_other_cells_are_unchanged(cell, expected):
    assert neutralise(cell) == expected


def test_csv_text_neutralises_header_and_rows():
    rows = list(csv.reader(io.StringIO(csv_text(["=h"], [["-2+3"], [-2]]))))
    assert rows == [["'=h"], ["'-2+3"], ["-2"]]


def test_plotly_js_is_served_locally_with_a_script_type(client, make_person):
    person = make_person(role="hr")
    login(client, person.email)
    response = client.get("/assets/plotly.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"plotly" in response.data[:2000].lower()
    static = client.get("/static/charts.js")
    assert static.mimetype == "text/javascript"
    static.close()


def test_plotly_js_needs_a_login(client):
    assert client.get("/assets/plotly.min.js").status_code == 302


def _decided_quarter_with_actuals(app, org, db):
    """The test org's 2027-Q1 submitted by all three reps, decided, with top-down targets and actuals."""
    from decimal import Decimal

    from tests.support.web import submit_plan
    from webapp.models import Actual, TopDownTarget
    from webapp.store import plans

    submitted = {who: submit_plan(app, org, who, proposed=amount)
                 for who, amount in (("r1", "120000"), ("r2", "90000"), ("r3", "80000"))}
    for who, decider, action, amount in (("r1", "m1", "approve", None), ("r2", "m1", "adjust", Decimal(95000)),
                                         ("r3", "m2", "approve", None)):
        plan = submitted[who]
        plans.decide(org[decider], plan.id, action=action, expected_version=plan.version, amount=amount,
                     reason="closer to the pipeline" if amount else None)
    period_id = org["campaign"].period_id
    for who, top, actual in (("r1", "110000", "115000"), ("r2", "100000", "97000"), ("r3", "85000", "70000")):
        db.session.add(TopDownTarget(person_id=org[who].id, period_id=period_id, amount=Decimal(top)))
        db.session.add(Actual(person_id=org[who].id, period_id=period_id, amount=Decimal(actual)))
    db.session.commit()


def test_standalone_report_is_an_offline_download_with_svg_charts_and_no_script(app, client, org, db):
    _decided_quarter_with_actuals(app, org, db)
    login(client, "leader@example.test")
    response = client.get("/insights/report.html?period=2027-Q1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "Bottom-up vs top-down by region" in html
    # Charts drawn on the server as inline SVG, each with a text alternative, and nothing to run.
    for chart in ("chart-rollup", "chart-accuracy", "chart-fva"):
        start = html.index(f'aria-labelledby="{chart}-t {chart}-d"')
        svg = html[html.rindex("<svg", 0, start):html.index("</svg>", start)]
        assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg
        assert f'<title id="{chart}-t">' in svg and f'<desc id="{chart}-d">' in svg
    assert "<script" not in html.lower() and "plotly" not in html.lower()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html  # opens with no network
    assert len(response.data) < 300_000  # the demo's is about 50-70 KB; with plotly.js inlined it was 4.8 MB


def test_standalone_report_charts_carry_the_reports_numbers(app, client, org, db):
    _decided_quarter_with_actuals(app, org, db)
    login(client, "leader@example.test")
    html = client.get("/insights/report.html?period=2027-Q1").get_data(as_text=True)
    rollup = html[html.index('<desc id="chart-rollup-d">'):html.index("</desc>", html.index('id="chart-rollup-d"'))]
    # North: r1 + r2 proposed 210,000 against top-down 210,000; South: r3 80,000 against 85,000.
    assert "North 0.0%" in rollup and "South \u22125.9%" in rollup
    accuracy = html[html.index('<desc id="chart-accuracy-d">'):]
    accuracy = accuracy[:accuracy.index("</desc>")]
    # WAPE of the proposals: (5,000 + 7,000 + 10,000) / 282,000 = 7.8%; approved: (5,000 + 2,000 + 10,000) = 6.0%.
    assert "Bottom-up proposed 7.8%" in accuracy and "Manager approved 6.0%" in accuracy


def test_leader_report_csv_exports(client, org):
    login(client, "leader@example.test")
    response = client.get("/insights/export/rollup.csv?period=2027-Q1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert client.get("/insights/export/nope.csv?period=2027-Q1").status_code == 404
