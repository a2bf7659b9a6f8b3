"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, request

# plotly.js adds two <style> elements when it draws (an empty one it fills through the CSSOM, and
# its modebar rules); their exact contents are allowed by hash, nothing else inline. A plotly
# upgrade that changes them shows up as a CSP violation in the browser tests.
PLOTLY_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' {' '.join(PLOTLY_STYLE_HASHES)}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

#: Public, content-free static assets; everything else is served with `Cache-Control: no-store`.
CACHEABLE_ENDPOINTS = frozenset({"static", "bootstrap.static", "chart_assets.plotly_js"})


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        # Pages, exports and error pages can carry attributed or confidential data: never keep
        # them in a shared or browser cache (the back button must not show them after logout).
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(_add_headers)
