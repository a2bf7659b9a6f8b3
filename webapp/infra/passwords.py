"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# Long passphrases are welcome; Argon2 hashes every character (no 72-byte bcrypt truncation).
# The cap only stops multi-megabyte inputs from being hashed.
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (webapp/data), lower case; refused outright."""
    text = files("webapp.infra").joinpath("data", COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class PasswordPolicyError(ValueError):
    """A proposed password breaks the policy."""


def _folded(text: str) -> str:
    """Case- and whitespace-insensitive form, so "Dana  Pryce " matches the name "dana pryce"."""
    return " ".join(text.split()).casefold()


def check_policy(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """Raise PasswordPolicyError with a readable reason if the password is not acceptable.

    Whitespace does not count towards the minimum length (eight spaces and a letter is one
    character of password); the person's own email, its local part and their name are refused.
    """
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"Password must be at most {MAX_LENGTH} characters.")
    if len("".join(password.split())) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"Password must be at least {MIN_LENGTH} characters, not counting spaces.")
    folded = _folded(password)
    if email:
        address = _folded(email)
        if folded in (address, address.split("@", 1)[0]):
            raise PasswordPolicyError("Password must not be your email address.")
    if name and (folded == _folded(name) or folded.replace(" ", "") == _folded(name).replace(" ", "")):
        raise PasswordPolicyError("Password must not be your name.")
    common = common_passwords()
    if password.lower() in common or folded in common or folded.replace(" ", "") in common:
        raise PasswordPolicyError("This password is too common; choose another.")


def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password against its stored hash; False for a missing or corrupt hash."""
    if not stored_hash:
        # Spend comparable time so an account without a password is not distinguishable.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
