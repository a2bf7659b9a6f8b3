"""The offline report's inline SVG charts: plain numbers in, escaped SVG out, nothing to run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from webapp.insights.offline_charts import bars, forest, sparkline

ROWS = [("budgets frozen", -0.077, -0.15, -0.01, "clear"), ("multi year", 0.041, -0.05, 0.13, "no sign"),
        ("AI roadmap", 0.101, 0.05, 0.16, "clear"), ("tender <b>&co</b>", -0.03, -0.08, 0.002, "suggestive")]


def _tree(svg) -> ET.Element:
    """Parse the SVG (well-formed XML, which also proves every label was escaped)."""
    return ET.fromstring(str(svg))


def _circles(root):
    return [c for c in root.iter("circle")]


def test_forest_draws_each_theme_with_its_interval_and_fills_only_findings():
    root = _tree(forest(ROWS, key="chart-forest", title="Links", interval_text="98.75% adjusted intervals"))
    assert root.get("viewBox").startswith("0 0 380 ") and root.get("width") == "100%" and root.get("role") == "img"
    rows = [g for g in root.iter("g")]
    assert [g.find("title").text.split(":")[0] for g in rows] == [r[0] for r in ROWS]
    dots = [g.find("circle") for g in rows]
    assert [d.get("fill") != "#fff" for d in dots] == [r[4] == "clear" for r in ROWS]
    # Each interval is a line from its low to its high end, and the point sits on it at the difference.
    for g, (_label, diff, low, high, _verdict) in zip(rows, ROWS):
        line, dot = g.find("line"), g.find("circle")
        assert float(line.get("x1")) < float(dot.get("cx")) < float(line.get("x2"))
    xs = {float(g.find("circle").get("cx")): r[1] for g, r in zip(rows, ROWS)}
    assert sorted(xs, key=xs.get) == sorted(xs)  # x grows with the difference
    zero = [ln for ln in root.findall("line") if ln.get("stroke-dasharray")]
    assert len(zero) == 1  # the dashed zero line
    assert root.find("desc").text.startswith("Points; 98.75% adjusted intervals.")
    assert "budgets frozen \u22127.7 (\u221215.0 to \u22121.0, finding)" in root.find("desc").text


def test_forest_legend_names_only_the_verdicts_shown():
    root = _tree(forest(ROWS[:2], key="f", title="t", interval_text="i"))
    legend = [t.text for t in root.findall("text") if t.get("font-size") == "11" and t.get("y") == "14"]
    assert legend == ["finding", "no sign"]


def test_labels_are_escaped_and_long_ones_shortened():
    svg = str(forest([("x" * 80, 0.01, -0.01, 0.03, "no sign"), ("tender <b>&co</b>", 0.0, -0.1, 0.1, "no sign")],
                     key="f", title="<t>", interval_text="i"))
    assert "<b>" not in svg and "&lt;b&gt;&amp;co&lt;/b&gt;" in svg and "&lt;t&gt;" in svg
    labels = [t.text for t in _tree(svg).iter("text") if t.get("font-size") == "13"]
    assert labels[0] == "x" * 41 + "\u2026" and len(labels[0]) == 42
    assert _tree(svg).find("g/title").text.startswith("x" * 80)  # the whole label stays in the row's title


def test_bars_colour_by_sign_draw_intervals_and_skip_missing_values():
    root = _tree(bars([("Reps", 4.0, 2.3, 5.7), ("Direct managers", -0.7, -1.4, -0.1), ("Nobody", None, None, None),
                       ("Nils", -0.01, None, None)], key="fva", title="FVA", unit="pts"))
    groups = list(root.iter("g"))
    assert [g.find("title").text for g in groups] == [
        "Reps: +4.0 pts, interval +2.3 to +5.7", "Direct managers: \u22120.7 pts, interval \u22121.4 to \u22120.1",
        "Nils: 0.0 pts"]
    assert [g.find("rect").get("fill") for g in groups] == ["#2e7d32", "#c62828", "#5f6b76"]
    assert [len(g.findall("line")) for g in groups] == [3, 3, 0]  # interval and its two end ticks
    zero_x = float(next(ln for ln in root.findall("line") if ln.get("stroke-dasharray")).get("x1"))
    reps, managers = (g.find("rect") for g in groups[:2])
    assert float(reps.get("x")) == zero_x  # a positive bar starts at zero...
    assert abs(float(managers.get("x")) + float(managers.get("width")) - zero_x) < 0.2  # ...a negative one ends there


def test_bars_without_sign_and_without_values():
    root = _tree(bars([("Top-down", 10.2, None, None)], key="acc", title="WAPE", unit="%", signed=False))
    texts = [t.text for t in root.iter("text")]
    assert "10.2%" in texts and not any(t.startswith("+") for t in texts)
    assert bars([("x", None, None, None)], key="k", title="t", unit="pts") is None


def test_sparkline_draws_the_share_from_zero_and_says_it_in_words():
    svg = sparkline([("2026-Q3", 0.05), ("2026-Q4", 0.1), ("2027-Q1", 0.025)], key="trend-3", label="budgets")
    root = _tree(svg)
    points = [tuple(map(float, p.split(","))) for p in root.find("polyline").get("points").split()]
    assert [p[0] for p in points] == sorted(p[0] for p in points) and len(points) == 3
    assert min(points, key=lambda p: p[1]) == points[1]  # the highest share is the highest point
    assert root.find("title").text == "budgets, share of observations: 2026-Q3 5.0%, 2026-Q4 10.0%, 2027-Q1 2.5%"
    assert sparkline([("2027-Q1", 0.1)], key="k", label="x") is None


def test_charts_have_no_script_no_link_and_no_external_reference():
    out = "".join(map(str, (forest(ROWS, key="a", title="t", interval_text="i"),
                            bars([("a", 1.0, 0.5, 1.5)], key="b", title="t", unit="pts"),
                            sparkline([("p1", 0.1), ("p2", 0.2)], key="c", label="x"))))
    assert not re.search(r"<script|href|xlink|http|url\(|on[a-z]+=", out, re.IGNORECASE)


def test_an_open_interval_end_runs_to_the_edge_with_an_arrow():
    root = _tree(forest([("tiny", 0.02, -0.05, float("inf"), "no sign"), ("other", -0.01, -0.04, 0.03, "no sign")],
                        key="f", title="t", interval_text="i"))
    tiny = next(root.iter("g"))
    assert tiny.find("title").text == "tiny: +2.0 points, interval \u22125.0 to open (no sign)"
    assert float(tiny.find("line").get("x2")) == 374.0 and tiny.find("path") is not None
    assert "inf" not in ET.tostring(root, encoding="unicode")
