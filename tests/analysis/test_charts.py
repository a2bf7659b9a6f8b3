"""Chart builders, asserted on `fig.to_dict()`."""

from __future__ import annotations

from analysis import charts


def test_forest_plot_has_points_intervals_and_a_zero_line():
    fig = charts.forest_plot([("discounting", -0.1, -0.19, -0.08), ("<b>x</b>", 0.02, -0.01, 0.05)]).to_dict()
    trace = fig["data"][0]
    assert list(trace["x"]) == [-10.0, 2.0]
    assert list(trace["y"]) == ["discounting", "&lt;b&gt;x&lt;/b&gt;"]  # user text shown literally
    assert [round(v, 6) for v in trace["error_x"]["arrayminus"]] == [9.0, 3.0]
    assert [round(v, 6) for v in trace["error_x"]["array"]] == [2.0, 3.0]
    assert fig["layout"]["shapes"][0]["x0"] == 0


def test_engagement_trend_leaves_suppressed_values_as_gaps():
    fig = charts.engagement_trend(["Q1", "Q2"], [60.0, None], [-5.0, 3.0], [80.0, 75.0]).to_dict()
    assert [t["name"] for t in fig["data"]] == ["Engagement index (%)", "eNPS (points)", "Participation (%)"]
    assert list(fig["data"][0]["y"]) == [60.0, None]


def test_driver_heatmap_marks_suppressed_cells():
    fig = charts.driver_heatmap(["North", "South"], ["Manager"], [[70.0], [None]]).to_dict()
    heat = fig["data"][0]
    assert heat["type"] == "heatmap"
    assert [list(r) for r in heat["z"]] == [[70.0], [None]]
    assert heat["text"][1][0] == "not enough responses"


def test_theme_share_trend_and_sparkline_use_percent():
    fig = charts.theme_share_trend({"a": [("2026-Q1", 0.1), ("2026-Q2", 0.25)]}).to_dict()
    assert list(fig["data"][0]["y"]) == [10.0, 25.0]
    spark = charts.theme_share_sparkline([("2026-Q1", 0.1)]).to_dict()
    assert spark["layout"]["xaxis"]["visible"] is False
