"""One-time set-password links (invitations and resets): issued, checked and used up.

Only the SHA-256 of a token is stored, so a copy of the database opens no account. A link works
once (a conditional update marks it used in the same transaction that sets the password) and
until it expires; issuing a new link of the same purpose retires the person's older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.infra.passwords import check_policy, hash_password
from webapp.models import Person, SignInLink
from webapp.models.signin import LINK_PURPOSES
from webapp.models.types import utcnow
from webapp.store.errors import InvalidInput, StoreError


class LinkRefused(StoreError):
    """The link is unknown, used or expired; the message says which, and what to do."""

    @property
    def status(self) -> int:
        return 404 if str(self) == UNKNOWN else 410


UNKNOWN = "This link is not valid. Ask for a new one from the sign-in page (“Forgot your password?”)."
USED = "This link was already used. Sign in with your password, or ask for a new link."
EXPIRED = "This link has expired. Ask for a new one from the sign-in page (“Forgot your password?”)."


@dataclass(frozen=True)
class LinkHolder:
    person_id: int
    email: str
    name: str
    purpose: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_link(person_id: int, purpose: str, ttl_hours: float) -> str:
    """Create a link for a person and return its token (shown once, in the mail)."""
    if purpose not in LINK_PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    now = utcnow()
    db.session.execute(update(SignInLink).where(SignInLink.person_id == person_id, SignInLink.purpose == purpose,
                                                SignInLink.used_at.is_(None), SignInLink.expires_at > now)
                       .values(expires_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(SignInLink(person_id=person_id, purpose=purpose, token_hash=_digest(token), created_at=now,
                              expires_at=now + timedelta(hours=ttl_hours)))
    db.session.commit()
    return token


def _valid(token: str) -> tuple[SignInLink, Person]:
    if not token or len(token) > 200:
        raise LinkRefused(UNKNOWN)
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == _digest(token)))
    person = db.session.get(Person, link.person_id) if link else None
    if link is None or person is None or not person.active:
        raise LinkRefused(UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if link.expires_at <= utcnow():
        raise LinkRefused(EXPIRED)
    return link, person


def check_link(token: str) -> LinkHolder:
    """Who a link is for, or LinkRefused; writes nothing (the set-password page's GET)."""
    link, person = _valid(token)
    return LinkHolder(person.id, person.email, person.name, link.purpose)


def use_link(token: str, password: str) -> Person:
    """Set the password through a link and use the link up, all in one transaction."""
    link, person = _valid(token)
    check_policy(password, email=person.email, name=person.name)
    used = db.session.execute(update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None),
                                                       SignInLink.expires_at > utcnow())
                              .values(used_at=utcnow()))
    if used.rowcount != 1:  # used by a simultaneous request
        db.session.rollback()
        raise LinkRefused(USED)
    person.password_hash = hash_password(password)
    person.session_version += 1  # sessions opened with the old password end
    db.session.commit()
    return person


def person_for_reset(email: str) -> Person | None:
    """The active person with this address, if any (the caller answers the same either way)."""
    text = (email or "").strip().lower()
    if not text or len(text) > 254:
        return None
    person = db.session.scalar(select(Person).where(Person.email == text))
    return person if person is not None and person.active else None


__all__ = ["EXPIRED", "USED", "UNKNOWN", "InvalidInput", "LinkHolder", "LinkRefused", "check_link", "issue_link",
           "person_for_reset", "use_link"]
