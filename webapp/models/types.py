"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Money stored as whole cents in an integer column, handed to Python as Decimal.

    Integers keep amounts exact on every database (SQLite has no decimal type).
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        amount = Decimal(value)
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise ValueError(f"money must be finite with at most two decimals, got {value}")
        return int(amount * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) * CENT).quantize(CENT)


def utcnow() -> datetime:
    """Return the current time in UTC (a callable column default, evaluated per row)."""
    return datetime.now(UTC).replace(tzinfo=None)
