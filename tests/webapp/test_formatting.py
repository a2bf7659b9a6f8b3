"""The template filters every page formats numbers with (webapp.formatting)."""

from __future__ import annotations

import pytest

from webapp.formatting import pct, points


@pytest.mark.parametrize("value, signed, text", [
    (-0.098, True, "-9.8"), (0.098, True, "+9.8"), (0.098, False, "9.8"),
    (-0.0004, True, "0.0"), (0.0004, True, "0.0"), (-0.0, True, "0.0"), (-0.0004, False, "0.0"),
    (None, True, "–"),
])
def test_points_never_sign_a_zero(value, signed, text):
    assert points(value, signed) == text


def test_pct_is_points_with_a_percent_sign():
    assert pct(-0.098) == "-9.8%" and pct(-0.0004) == "0.0%" and pct(0.5, signed=False) == "50.0%"
    assert pct(None) == "–"


def test_the_report_macro_prints_no_signed_zero(app):
    with app.test_request_context():
        from flask import render_template_string

        out = render_template_string('{% from "insights/_report_macros.html" import pts %}'
                                     '{{ pts(-0.0004) }}|{{ pts(0.052) }}|{{ pts(0.052, False) }}|{{ pts(none) }}')
    assert out == "0.0|+5.2|5.2|–"
