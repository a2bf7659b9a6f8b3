"""Limits on what a request may carry, so poison input gets a 4xx and never a server error.

- Ids in URLs (`<int:...>`) are bounded: a 4,300-digit id is "not found", not an overflow in the
  database driver (nor Python's int-from-text limit past 4,300 digits).
- JSON bodies: a size cap, a nesting-depth cap (a deeply nested body would otherwise exhaust the
  recursion limit), integers of at most a few dozen digits, no lone surrogates (valid JSON, but no
  database can store them), and numbers with a fraction or exponent read as `WrittenNumber` (a
  float that keeps its text), so a money parser sees "1e3" as written and refuses it as the form
  does.

A refused body makes `request.get_json()` raise BadRequest (400); an oversize one is a 413. The
API blueprint answers both as problem+json, pages with their error page.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, ValidationError

from surveys.values import WrittenNumber, has_lone_surrogate

#: Database ids are 32-bit in PostgreSQL's `integer`; anything above is no id of ours.
MAX_ID = 2**31 - 1
MAX_JSON_BYTES = 2 * 1024 * 1024  # an import of 5,000 rows fits comfortably
MAX_JSON_DEPTH = 32
MAX_JSON_INT_DIGITS = 30


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only ids the database can hold; anything longer is a 404."""

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            raise ValidationError
        number = int(value)
        if number > MAX_ID:
            raise ValidationError
        return number


class JsonRefused(ValueError):
    """A JSON document breaks one of the limits; the message says which."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise JsonRefused(f"a number has more than {MAX_JSON_INT_DIGITS} digits")
    return int(text)


def _check(value: Any, depth: int = 0) -> None:
    """Walk the decoded document (iteratively deep only to MAX_JSON_DEPTH) checking strings."""
    if depth > MAX_JSON_DEPTH:
        raise JsonRefused(f"the document is nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        if has_lone_surrogate(value):
            raise JsonRefused("a string holds a lone UTF-16 surrogate (\\ud800 to \\udfff)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings, found without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def loads_limited(data: str | bytes) -> Any:
    """Decode a JSON document within the limits; JsonRefused (a ValueError) if it breaks one."""
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_JSON_BYTES:
            raise JsonRefused(f"the body is larger than {MAX_JSON_BYTES:,} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRefused("the body is not UTF-8") from None
    if len(data) > MAX_JSON_BYTES:
        raise JsonRefused(f"the body is larger than {MAX_JSON_BYTES:,} bytes")
    # Checked before decoding: the decoder itself recurses once per level.
    if _nesting_depth(data) > MAX_JSON_DEPTH:
        raise JsonRefused(f"the document is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(data, parse_int=_bounded_int, parse_float=WrittenNumber,
                           parse_constant=_no_constant)
    except JsonRefused:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonRefused(f"the body is not valid JSON ({exc})") from None
    _check(value)
    return value


def _no_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with `loads_limited` for every request body read as JSON."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_limited(s)


def _refuse_oversize() -> None:
    from flask import request

    if request.content_length is not None and request.content_length > MAX_JSON_BYTES \
            and request.mimetype == "application/json":
        raise RequestEntityTooLarge(f"A JSON body may be at most {MAX_JSON_BYTES:,} bytes.")


def init_app(app: Flask) -> None:
    """Install the bounded id converter and the limited JSON decoder (before blueprints register)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.json = LimitedJSONProvider(app)
    app.before_request(_refuse_oversize)
