"""Outgoing mail rows (written once per dedupe key), their delivery state, and which kinds are on."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import OutboundMail, Setting
from webapp.models.types import utcnow
from webapp.store.errors import NotFound

REDACTED = "[the one-time link was removed from this copy after sending]"
_KIND_KEY = "notify.{}"


def write_mail(*, person_id: int | None, to_email: str, kind: str, dedupe_key: str, subject: str,
               text_body: str, html_body: str, secret: str | None = None) -> OutboundMail | None:
    """Write a message; None when one with this dedupe key exists already (it is never written twice)."""
    if db.session.scalar(select(OutboundMail.id).where(OutboundMail.dedupe_key == dedupe_key)) is not None:
        return None
    row = OutboundMail(person_id=person_id, to_email=to_email, kind=kind, dedupe_key=dedupe_key[:120],
                       subject=subject[:200], text_body=text_body, html_body=html_body, secret=secret,
                       state="queued")
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another process wrote the same key in between
        db.session.rollback()
        return None
    return row


def get_mail(mail_id: int) -> OutboundMail:
    row = db.session.get(OutboundMail, mail_id)
    if row is None:
        raise NotFound("No such message.")
    return row


def mark_delivered(mail_id: int, state: str) -> bool:
    """Record a message sent (or captured); once sent, its one-time link leaves the stored copy."""
    row = get_mail(mail_id)
    values = {"state": state, "sent_at": utcnow(), "error": None}
    if state == "sent" and row.secret:
        values.update(text_body=row.text_body.replace(row.secret, REDACTED),
                      html_body=row.html_body.replace(row.secret, REDACTED), secret=None)
    result = db.session.execute(update(OutboundMail).where(OutboundMail.id == mail_id,
                                                           OutboundMail.state.in_(("queued", "failed")))
                                .values(**values))
    db.session.commit()
    return result.rowcount == 1


def mark_failed(mail_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.state == "queued")
                       .values(state="failed", error=error[:2000]))
    db.session.commit()


def requeue_mail(mail_id: int) -> None:
    db.session.execute(update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.state == "failed")
                       .values(state="queued"))
    db.session.commit()


def recent_mail(limit: int = 100) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).order_by(OutboundMail.id.desc()).limit(limit)))


def mail_for(person_id: int, limit: int = 100) -> list[OutboundMail]:
    """What was sent (or is being sent) to one person, newest first."""
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.person_id == person_id)
                                   .order_by(OutboundMail.id.desc()).limit(limit)))


def has_mail(dedupe_key: str) -> bool:
    return db.session.scalar(select(OutboundMail.id).where(OutboundMail.dedupe_key == dedupe_key)) is not None


def disabled_kinds() -> set[str]:
    rows = db.session.scalars(select(Setting).where(Setting.key.like(_KIND_KEY.format("%"))))
    return {row.key.split(".", 1)[1] for row in rows if row.value == "off"}


def set_kinds_enabled(enabled: dict[str, bool]) -> None:
    """Turn notification kinds on or off (an admin setting), in one commit."""
    for kind, on in enabled.items():
        key = _KIND_KEY.format(kind)
        row = db.session.scalar(select(Setting).where(Setting.key == key))
        if row is None:
            row = Setting(key=key, value="on")
            db.session.add(row)
        row.value = "on" if on else "off"
    db.session.commit()


def remember(key: str, value: str) -> None:
    """Keep a small piece of operational state (e.g. the scheduler's last tick) in the settings table."""
    row = db.session.scalar(select(Setting).where(Setting.key == key))
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    row.value = value[:200]
    try:
        db.session.commit()
    except IntegrityError:  # two ticks at once: the other one's note stands
        db.session.rollback()


def recall(key: str) -> str | None:
    return db.session.scalar(select(Setting.value).where(Setting.key == key))
