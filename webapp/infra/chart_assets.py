"""plotly.js served from our own origin (CSP `script-src 'self'`), straight from the installed package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response

from webapp.access import ALL_ROLES, allow

bp = Blueprint("chart_assets", __name__)


@cache
def plotly_js_path() -> Path:
    """Return the path of the installed plotly package's minified plotly.js."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@cache
def plotly_version() -> str:
    import plotly

    return plotly.__version__


@bp.route("/assets/plotly.min.js")
@allow(*ALL_ROLES)
def plotly_js():
    # The URL carries the version (?v=...), so the file can be cached for a long time.
    response = Response(_plotly_js_bytes(), mimetype="text/javascript")
    response.cache_control.private = True
    response.cache_control.max_age = 86400 * 30
    return response


@cache
def _plotly_js_bytes() -> bytes:
    return plotly_js_path().read_bytes()


@bp.app_context_processor
def _plotly_version():
    return {"plotly_version": plotly_version()}
