"""One parser per kind of value (money, integer, choice, text), shared by forms, the API and CSV imports.

Every entry point reads a value through these functions, so the same input is accepted or refused
with the same message everywhere: "1e3" is not an amount on the page, in the API or in a CSV file;
digits of other scripts are refused in amounts as they are in ratings; texts without NUL characters
or lone surrogates (which no database can store), within one length limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY_MAX = Decimal("1e12")
CENT = Decimal("0.01")
# A money field is a short number; refusing long input early keeps Decimal from huge work.
MONEY_MAX_INPUT = 40
# An integer field holds at most a few digits; a 4,300-digit "integer" is refused before int().
INTEGER_MAX_INPUT = 18
# ASCII digits only (re.ASCII: \d would match every script's digits). Plain digits, or digits
# grouped in threes by commas, optionally with a decimal point; no exponent, no underscores.
MONEY_SYNTAX = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d*)?|[+-]?\.\d+", re.ASCII)
MONEY_EXAMPLE = "Enter an amount such as 125000 or 125,000.50."


class WrittenNumber(float):
    """A JSON number with a fraction or exponent that remembers how it was written, so the parsers
    judge "1e3" by its text, as they would in a form or a CSV cell; compares as the float it is."""

    written: str

    def __new__(cls, text: str) -> WrittenNumber:
        number = super().__new__(cls, text)
        number.written = text
        return number


class ValueRefused(ValueError):
    """A value is not acceptable; the message is meant for the person who gave it."""


def text_of(raw: Any) -> str:
    """The raw value as text: None is empty; JSON numbers as the digits they were written with."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise ValueRefused("Expected a value, not true or false.")
    if isinstance(raw, WrittenNumber):
        return raw.written
    return str(raw)


def has_lone_surrogate(text: str) -> bool:
    """Tell whether the text holds a UTF-16 surrogate on its own (valid in JSON, not in UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_money(raw: Any, *, allow_zero: bool = False) -> Decimal:
    """Read an amount of money: ASCII digits, optional thousands commas, at most two decimals."""
    text = text_of(raw).strip()
    if len(text) > MONEY_MAX_INPUT or not text.isascii():
        raise ValueRefused(MONEY_EXAMPLE)
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueRefused(MONEY_EXAMPLE) from None
    if not amount.is_finite():  # Decimal happily reads "NaN" and "Infinity"
        raise ValueRefused("Enter a finite amount.")
    if not MONEY_SYNTAX.fullmatch(text):  # nor exponents, underscores or stray commas
        raise ValueRefused(MONEY_EXAMPLE)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueRefused("The amount must be 0 or more." if allow_zero
                           else "The amount must be greater than 0.")
    if amount > MONEY_MAX:
        raise ValueRefused("The amount must be at most 1,000,000,000,000.")
    if amount != amount.quantize(CENT):
        raise ValueRefused("Use at most two decimal places.")
    return amount.quantize(CENT)


def parse_integer(raw: Any, low: int, high: int) -> int:
    """Read a whole number from `low` to `high`, written with ASCII digits (a JSON int as is)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = text_of(raw).strip()
        sign = text[:1] == "-"
        digits = text[1:] if sign else text
        # isdecimal() alone would let through other scripts' digits; keep to ASCII.
        if not (digits.isascii() and digits.isdigit()) or len(digits) > INTEGER_MAX_INPUT:
            raise ValueRefused(f"Choose a whole number from {low} to {high}.")
        value = -int(digits) if sign else int(digits)
    if not low <= value <= high:
        raise ValueRefused(f"Choose a whole number from {low} to {high}.")
    return value


def parse_choice(raw: Any, options: Sequence[str], *, fold_case: bool = False) -> str:
    """Read one of `options` exactly (or, with `fold_case`, in any letter case)."""
    value = text_of(raw)
    if fold_case:
        value = value.lower()
    if value not in options:
        raise ValueRefused("Choose one of the options.")
    return value


def parse_text(raw: Any, *, max_len: int | None, what: str = "The answer") -> str:
    """Read a text: stripped, without NUL characters or lone surrogates, at most `max_len` long."""
    text = text_of(raw)
    if "\x00" in text:
        raise ValueRefused(f"{what} contains a NUL character, which is not allowed.")
    if has_lone_surrogate(text):
        raise ValueRefused(f"{what} contains an invalid character (a lone UTF-16 surrogate).")
    text = text.strip()
    if max_len is not None and len(text) > max_len:
        raise ValueRefused(f"{what} is too long: {len(text)} characters, at most {max_len} allowed.")
    return text
