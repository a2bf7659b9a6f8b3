"""Pending flash messages: each distinct message once, and only the latest few.

Flask appends every `flash()` to a list in the signed session cookie until a page displays it. A
client that does not follow the redirect after a POST (a script, an API-like use of a form, a
load test) would make that list, and so the cookie that is signed, sent and parsed on every
request, grow without bound: the same "Draft saved." hundreds of times. Nobody needs a message
twice, so a response keeps each (category, message) once, in the order first flashed, and at
most `MAX_PENDING` of them (the newest).
"""

from __future__ import annotations

from flask import Flask, Response, session

MAX_PENDING = 5
_KEY = "_flashes"  # where flask.flash keeps them


def _tidy_flashes(response: Response) -> Response:
    pending = session.get(_KEY)
    if pending and len(pending) > 1:
        distinct = list(dict.fromkeys(tuple(item) for item in pending))[-MAX_PENDING:]
        if len(distinct) != len(pending):
            session[_KEY] = distinct
    return response


def init_app(app: Flask) -> None:
    app.after_request(_tidy_flashes)
