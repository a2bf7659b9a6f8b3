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


def test_engagement_trend_puts_units_on_their_own_axes_and_surveys_in_their_own_series():
    fig = charts.engagement_trend(
        ["2026-Q1", "2026-Q2", "2026-10"],
        {"Engagement index · pulse": [("2026-Q1", 60.0), ("2026-Q2", None)],
         "Engagement index · annual": [("2026-10", 55.0)]},
        {"eNPS · pulse": [("2026-Q1", -5.0), ("2026-Q2", 3.0)]}).to_dict()
    names = [t["name"] for t in fig["data"]]
    assert names == ["Engagement index · pulse", "Engagement index · annual", "eNPS · pulse"]
    assert list(fig["data"][0]["y"]) == [60.0, None]  # suppressed: a gap, never zero
    assert [t["yaxis"] for t in fig["data"]] == ["y", "y", "y2"]  # % and points never share an axis
    assert fig["layout"]["yaxis"]["range"] == [0, 100] and fig["layout"]["yaxis2"]["range"] == [-100, 100]
    assert list(fig["layout"]["xaxis"]["categoryarray"]) == ["2026-Q1", "2026-Q2", "2026-10"]


def test_theme_share_trend_and_sparkline_use_percent():
    fig = charts.theme_share_trend({"a": [("2026-Q1", 0.1), ("2026-Q2", 0.25)]}).to_dict()
    assert list(fig["data"][0]["y"]) == [10.0, 25.0]
    spark = charts.theme_share_sparkline([("2026-Q1", 0.1)]).to_dict()
    assert spark["layout"]["xaxis"]["visible"] is False


def test_verdict_forest_legend_never_sits_on_the_axis_title():
    """Below the plot, in paper units, the legend ("suggestive only", "no sign") was drawn over the x-axis
    title on the demo's 11-theme report; above the plot nothing else is drawn there, whatever the height."""
    for n in (1, 7, 8, 11, 25):
        rows = [(f"theme {i}", 0.01 * i, 0.01 * i - 0.1, 0.01 * i + 0.1, ("clear", "suggestive", "no sign")[i % 3])
                for i in range(n)]
        legend = charts.verdict_forest_plot(rows).to_dict()["layout"]["legend"]
        assert legend["yanchor"] == "bottom" and legend["y"] >= 1, n
