"""People, reporting lines, regions, territories, periods and settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

ROLES = ("rep", "manager", "leader", "hr", "admin")


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    territories: Mapped[list[Territory]] = relationship(back_populates="region")


class Territory(db.Model):
    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    region: Mapped[Region] = relationship(back_populates="territories")


class Person(db.Model):
    """Anyone who can log in; `manager_id` gives reporting lines of any depth."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(120))
    hire_date: Mapped[date | None] = mapped_column(Date)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout and when disabled, so every cookie issued before stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    manager: Mapped[Person | None] = relationship(remote_side=[id])
    territory: Mapped[Territory | None] = relationship()

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Period(db.Model):
    """A planning period, written `YYYY-Qn` or `YYYY-MM`; `starts_on` orders them."""

    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(7), unique=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)


class Setting(db.Model):
    """Administrator settings such as the minimum group size."""

    __tablename__ = "setting"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(200))
