"""Stored results of analysis runs: the run and its parameters, its themes, each text's theme."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import utcnow

ANALYSIS_KINDS = ("observations", "comments")


class AnalysisRun(db.Model):
    """One theme analysis over stored texts; the latest run of a kind is the current one."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    scope: Mapped[str] = mapped_column(String(20))  # "all" or a period code
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    n_texts: Mapped[int] = mapped_column(Integer, default=0)
    # What the next run needs to keep theme ids (`analysis.theme_state`: versioned JSON, never a
    # pickle). Written and read only by `groundswell analyze`; deferred so pages never load it.
    theme_state: Mapped[dict | None] = deferred(mapped_column(JSON(none_as_null=True)))

    themes: Mapped[list[ThemeRecord]] = relationship(
        back_populates="run", order_by="ThemeRecord.theme_key", cascade="all, delete-orphan"
    )


class ThemeRecord(db.Model):
    """A theme found by a run; `theme_key` is the engine's id, stable across runs."""

    __tablename__ = "theme_record"
    __table_args__ = (UniqueConstraint("run_id", "theme_key", name="uq_theme_run_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True)
    theme_key: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    examples: Mapped[list] = mapped_column(JSON, default=list)
    sentiment: Mapped[float | None] = mapped_column(Float)
    # names of particular entities the theme's texts mention (competitors, products, places)
    mentions: Mapped[list | None] = mapped_column(JSON, default=list)

    run: Mapped[AnalysisRun] = relationship(back_populates="themes")


class ObservationTheme(db.Model):
    """The theme a run gave one observation, with its similarity to the theme and its sentiment."""

    __tablename__ = "observation_theme"
    __table_args__ = (Index("ix_observation_theme_run_theme", "run_id", "theme_key"),)

    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    theme_key: Mapped[int] = mapped_column(Integer, index=True)
    similarity: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[float | None] = mapped_column(Float)
    # SHA-256 of the text the theme was given for: an edited text of an open period is assigned
    # again, an unchanged one keeps its theme (NULL: stored before this column, taken as unchanged)
    text_sha256: Mapped[str | None] = mapped_column(String(64))


class CommentThemeCount(db.Model):
    """How many engagement comments of one campaign a comments run put in a theme, and their mean sentiment.

    Counts per campaign (each comment's own theme is in ``CommentThemeAssignment``): comment
    themes are shown for the whole campaign, when its comments may be shown, and never per group.
    """

    __tablename__ = "comment_theme_count"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    theme_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    sentiment: Mapped[float | None] = mapped_column(Float)


class CommentThemeAssignment(db.Model):
    """The theme a comments run gave one engagement comment, keyed by the comment answer.

    The comment answer is (response key, question id): the random key of the anonymous response
    and the comment question it answers. No person, time or group is stored here; the HR dashboard
    reads these rows only to list a campaign's comments under their themes for the whole campaign,
    where its comments may be shown at all (``webapp.engagement.comments``), never per group.
    """

    __tablename__ = "comment_theme_assignment"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    response_key: Mapped[str] = mapped_column(
        ForeignKey("engagement_response.key", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    theme_key: Mapped[int] = mapped_column(Integer)


class TextEmbedding(db.Model):
    """The vector a slow text representation gave one observation text, kept for the next run.

    ``groundswell analyze`` with the contextual model spends most of its time embedding; with these
    rows a re-run embeds only texts it has not seen. Keyed by the representation
    (``SentenceTransformerEmbedder.cache_key``: model and package versions) and the SHA-256 of the
    text, so a changed text or an upgraded model is simply a miss. Each run leaves exactly the
    vectors of the current observations under its own representation: a deleted observation's
    vector goes with the next run. Engagement comments are never kept here: they are confidential,
    and their run keeps only each comment's theme (``CommentThemeAssignment``), no vector.
    """

    __tablename__ = "text_embedding"

    representation: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian float32


class ThemeVersion(db.Model):
    """One version of the observation themes: the first fit, a re-theme of history, or a correction.

    A routine run adds new texts to the current version without making one; anything that changes
    what a closed period shows makes a new version, with who, when, what and (for a re-theme) the
    before/after diff, so an export made under an older version stays explainable.
    """

    __tablename__ = "theme_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number reports name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # an email, or the command that made it
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # fit, retheme, rename, merge, move
    summary: Mapped[str] = mapped_column(Text)
    diff: Mapped[dict | None] = deferred(mapped_column(JSON(none_as_null=True)))


class ThemeCorrection(db.Model):
    """A person's correction of the observation themes, applied again by every later run.

    ``rename``: theme ``theme_key`` is called ``label``. ``merge``: theme ``source_key`` is part of
    ``theme_key`` from now on. ``move``: the observations ``observation_ids`` belong to theme
    ``theme_key`` (a new theme called ``label``), whatever a run would give them.
    """

    __tablename__ = "theme_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("theme_version.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))
    theme_key: Mapped[int] = mapped_column(Integer)
    source_key: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(200))
    old_label: Mapped[str | None] = mapped_column(String(200))
    observation_ids: Mapped[list | None] = mapped_column(JSON, default=list)


__all__ = ["ANALYSIS_KINDS", "AnalysisRun", "CommentThemeAssignment", "CommentThemeCount", "ObservationTheme", "TextEmbedding",
           "ThemeCorrection", "ThemeRecord", "ThemeVersion"]
