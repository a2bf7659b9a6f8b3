"""Personal access tokens (create, list, revoke, authenticate) and idempotent API requests.

A token is `gs_<prefix>_<secret>`: 32 random bytes of secret, shown once; the database keeps only
the prefix (to find the row) and a SHA-256 of the whole token, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import ApiToken, IdempotentRequest, Person
from webapp.models.types import utcnow
from webapp.store.errors import InvalidInput, NotFound, StoreError

MAX_LIFETIME_DAYS = 365
TOKEN_PREFIX = "gs_"
# last_used_at is written at most this often per token, so reads don't each cost a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A freshly created token: `secret` is the only time the full token is available."""

    token: ApiToken
    secret: str


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(owner: Person, *, name: str, days: int) -> NewToken:
    """Create a token for `owner` valid for `days` (1 to 365); return it with its secret."""
    name = (name or "").strip()
    if not name or len(name) > 100 or "\x00" in name:
        raise InvalidInput("Give the token a name of 1 to 100 characters.")
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise InvalidInput(f"A token expires after 1 to {MAX_LIFETIME_DAYS} days.")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    token = ApiToken(owner_id=owner.id, name=name, prefix=prefix, secret_hash=_digest(raw),
                     created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.commit()
    return NewToken(token, raw)


def tokens_of(owner: Person) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.owner_id == owner.id).order_by(ApiToken.created_at.desc(),
                                                                       ApiToken.id.desc())))


def revoke_token(owner: Person, token_id: int) -> ApiToken:
    """Revoke one of the owner's tokens; someone else's token is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.owner_id != owner.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def prefix_of(raw: str) -> str | None:
    """The lookup prefix of a token as presented, or None when it is not shaped like one."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix, sep, _ = raw[len(TOKEN_PREFIX):].partition("_")
    return prefix if sep and len(prefix) == 8 else None


def person_for_token(raw: str) -> Person | None:
    """The active owner of a valid (known, unexpired, unrevoked) token; None otherwise."""
    prefix = prefix_of(raw)
    if prefix is None:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(raw)):
        return None
    now = utcnow()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    owner = db.session.get(Person, token.owner_id)
    if owner is None or not owner.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return owner


# Idempotent requests ---------------------------------------------------------------------------


class IdempotencyConflict(StoreError):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict


def request_hash(operation: str, body: object) -> str:
    """A stable fingerprint of one request: the operation and its canonical JSON body."""
    import json

    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return _digest(operation + "\n" + canonical)


# How long a key's answer is kept and replayed: long enough for any client retry after an outage,
# short enough that the table holds about a day of API writes (expired rows are deleted by the
# owner's next idempotent write; an expired key counts as unused).
IDEMPOTENCY_TTL = timedelta(hours=24)


def _expired_before():
    return utcnow() - IDEMPOTENCY_TTL


def stored_response(owner: Person, key: str, operation: str, fingerprint: str) -> StoredResponse | None:
    """The stored response to the same request under this key, None if the key is unused (or its
    answer is older than IDEMPOTENCY_TTL).

    Raises IdempotencyConflict when the key was used for another operation or another body.
    """
    record = db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.owner_id == owner.id,
                                                               IdempotentRequest.key == key,
                                                               IdempotentRequest.created_at >= _expired_before()))
    if record is None:
        return None
    if record.operation != operation or record.request_hash != fingerprint:
        raise IdempotencyConflict("This Idempotency-Key was already used for a different request; "
                                  "use a new key for new data.")
    return StoredResponse(record.status_code, record.response)


def run_once(owner: Person, key: str, operation: str, fingerprint: str, work) -> tuple[StoredResponse, bool]:
    """Run `work()` -> (status, body) and store its answer under the key, in the same transaction.

    `work` stages its rows without committing. Returns the response and whether it is a replay:
    a request that lost a race for the same key gets the winner's stored answer.
    """
    earlier = stored_response(owner, key, operation, fingerprint)
    if earlier is not None:
        return earlier, True
    try:
        # this owner's expired answers go (an expired copy of this key too, so it can be stored again)
        db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.owner_id == owner.id,
                                                           IdempotentRequest.created_at < _expired_before()))
        status, body = work()
        db.session.add(IdempotentRequest(owner_id=owner.id, key=key, operation=operation,
                                         request_hash=fingerprint, status_code=status, response=body))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = stored_response(owner, key, operation, fingerprint)
        if earlier is None:
            raise
        return earlier, True
    except BaseException:
        db.session.rollback()
        raise
    return StoredResponse(status, body), False
