"""Planning period codes (`YYYY-Qn` or `YYYY-MM`) and their ordering."""

from __future__ import annotations

import re
from datetime import date

#: A period code as forms and schemas accept it: `YYYY-Qn` or `YYYY-MM` (the one definition).
PERIOD_CODE_PATTERN = r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$"
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodCodeError(ValueError):
    """A period code is not written `YYYY-Qn` or `YYYY-MM`."""


def period_start(code: str) -> date:
    """Return the first day of a period code, or raise PeriodCodeError."""
    if m := _QUARTER.match(code):
        return date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
    if m := _MONTH.match(code):
        return date(int(m.group(1)), int(m.group(2)), 1)
    raise PeriodCodeError(f"period {code!r} must be written YYYY-Qn or YYYY-MM")


def is_quarter(code: str) -> bool:
    """Tell whether a code names a quarter rather than a month."""
    return bool(_QUARTER.match(code))


def shift_quarter(code: str, steps: int) -> str:
    """Return the quarter `steps` quarters after (or before, if negative) the given one."""
    m = _QUARTER.match(code)
    if not m:
        raise PeriodCodeError(f"period {code!r} is not a quarter")
    index = int(m.group(1)) * 4 + int(m.group(2)) - 1 + steps
    return f"{index // 4}-Q{index % 4 + 1}"


def quarter_of(day: date) -> str:
    """Return the quarter code containing a date."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def tenure_band(hire_date: date | None, on: date) -> str | None:
    """Group tenure into coarse bands, so the snapshot cannot single anyone out by hire date."""
    if hire_date is None:
        return None
    years = (on - hire_date).days / 365.25
    if years < 1:
        return "<1y"
    if years < 3:
        return "1-3y"
    if years < 5:
        return "3-5y"
    return "5y+"
