"""Validators shared by the app's own (non-survey) forms."""

from __future__ import annotations

from wtforms.validators import ValidationError


def no_nul(form, field) -> None:
    """Refuse NUL bytes: they corrupt text in some databases and are never meant."""
    if field.data and "\x00" in field.data:
        raise ValidationError("Remove the NUL character from this text.")
