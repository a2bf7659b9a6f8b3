"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128
# A short list of the most common passwords; refused outright (no composition rules).
COMMON_PASSWORDS = frozenset(
    """password password1 password123 12345678 123456789 1234567890 qwertyui qwerty123
    iloveyou sunshine princess football baseball welcome welcome1 letmein1 trustno1 abc12345
    11111111 00000000 admin123 passw0rd changeme superman starwars dragon12 monkey12
    groundswell""".split()
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class PasswordPolicyError(ValueError):
    """A proposed password breaks the policy."""


def check_policy(password: str) -> None:
    """Raise PasswordPolicyError with a readable reason if the password is not acceptable."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"Password must be at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"Password must be at most {MAX_LENGTH} characters.")
    if password.lower() in COMMON_PASSWORDS:
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
