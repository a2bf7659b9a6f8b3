"""Kept text vectors: what the contextual representation gave each observation text, for the next run.

``groundswell analyze`` reads them before it fits (:func:`kept_vectors`) and leaves exactly the
current texts' vectors behind (:func:`keep_vectors`, in the run's own transaction), so a re-run
embeds only new or edited texts. The text itself is not stored here, only its SHA-256: the
observation row stays the one place that holds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping

import numpy as np
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import TextEmbedding

__all__ = ["kept_vectors", "keep_vectors", "text_digest"]

_CHUNK = 500  # hashes per IN (...) list: well under every backend's bound-parameter limit


def text_digest(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, in hex: the key its vector is kept under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def kept_vectors(representation: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Return {text: vector} for those of ``texts`` whose vector is kept under ``representation``."""
    by_digest = {text_digest(t): t for t in set(texts)}
    digests = list(by_digest)
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(digests), _CHUNK):
        rows = db.session.execute(
            select(TextEmbedding.text_sha256, TextEmbedding.vector).where(
                TextEmbedding.representation == representation,
                TextEmbedding.text_sha256.in_(digests[start:start + _CHUNK]),
            )
        )
        for digest, blob in rows:
            if len(blob) % 4 == 0:  # anything else is not a float32 vector: embed the text again
                found[by_digest[digest]] = np.frombuffer(blob, dtype="<f4").copy()
    return found


def keep_vectors(representation: str | None, vectors: Mapping[str, np.ndarray],
                 reused: Collection[str] = ()) -> int:
    """Leave exactly ``vectors`` kept, under ``representation``; return how many rows were written.

    ``reused`` names the texts whose vector was read back from here and used as it was: their rows
    stay untouched. Every other vector is written (replacing a row the embedder refused, e.g. one
    of the wrong size). Rows of any other representation, and of texts not in ``vectors`` (deleted
    or edited observations), are deleted. ``representation=None`` (a run whose representation is
    fast enough not to keep anything) deletes every row. Flushes without committing: the caller's
    run commits it together with its results.
    """
    if representation is None:
        db.session.execute(delete(TextEmbedding))
        return 0
    db.session.execute(delete(TextEmbedding).where(TextEmbedding.representation != representation))
    wanted = {text_digest(t): v for t, v in vectors.items()}
    untouched = {text_digest(t) for t in reused} & wanted.keys()
    have = set(db.session.scalars(
        select(TextEmbedding.text_sha256).where(TextEmbedding.representation == representation)))
    _delete(representation, sorted(have - untouched))
    new = [{"representation": representation, "text_sha256": d,
            "vector": np.asarray(v, dtype="<f4").tobytes()}
           for d, v in sorted(wanted.items()) if d not in untouched]
    for start in range(0, len(new), 2000):
        db.session.execute(_insert_ignoring_duplicates(), new[start:start + 2000])
    db.session.flush()
    return len(new)


def _insert_ignoring_duplicates():
    """INSERT that skips a row another run stored meanwhile (same model, same text: the same vector).

    Two ``analyze`` runs at once (a scheduled one and one started from Admin → Jobs) both add the
    vectors of new texts; the second must not fail on the first one's rows.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return TextEmbedding.__table__.insert()
    return insert(TextEmbedding).on_conflict_do_nothing(index_elements=["representation", "text_sha256"])


def _delete(representation: str, digests: list[str]) -> None:
    for start in range(0, len(digests), _CHUNK):
        db.session.execute(delete(TextEmbedding).where(
            TextEmbedding.representation == representation,
            TextEmbedding.text_sha256.in_(digests[start:start + _CHUNK]),
        ))
