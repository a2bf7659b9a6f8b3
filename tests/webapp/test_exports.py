"""CSV formula neutralisation (CSV-1), plotly.js from our origin, the standalone report download."""

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


def test_standalone_report_is_an_offline_download(client, org):
    login(client, "leader@example.test")
    response = client.get("/insights/report.html?period=2027-Q1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "Plotly.newPlot" in html and 'src="http' not in html
    assert "Bottom-up vs top-down by region" in html


def test_leader_report_csv_exports(client, org):
    login(client, "leader@example.test")
    response = client.get("/insights/export/rollup.csv?period=2027-Q1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert client.get("/insights/export/nope.csv?period=2027-Q1").status_code == 404
