"""Golden records of people and households, and who lives in which household.

A person or household here is the hub's reconciled view, built from many source records
(see `SourceRecord`). `hub_id` is the stable public identifier: it is assigned once and
kept across runs and incremental loads; the integer `id` is internal.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.models.sourced import SourcedMixin
from hub.graph.types import BigId, UtcDateTime, name_str, pk_id, short_str, utc_now


class Household(SourcedMixin, Base):
    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("assessed_category BETWEEN 1 AND 4", name="assessed_category_range"),
        CheckConstraint("computed_category BETWEEN 1 AND 4", name="computed_category_range"),
        # A mahalla's households in hub-id order, a page at a time (the API's default list).
        Index("ix_household_mahalla_hub_id", "mahalla_code", "hub_id"),
    )

    id: Mapped[pk_id]
    hub_id: Mapped[str] = mapped_column(String(32), unique=True)
    survey_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    mahalla_code: Mapped[str] = mapped_column(ForeignKey("mahalla.code"), index=True)
    assistant_id: Mapped[str | None] = mapped_column(String(32))
    street: Mapped[name_str | None]
    house: Mapped[str | None] = mapped_column(String(32))
    apartment: Mapped[str | None] = mapped_column(String(32))
    surveyed_on: Mapped[date | None]
    assessed_category: Mapped[int | None] = mapped_column(SmallInteger)
    computed_category: Mapped[int | None] = mapped_column(SmallInteger)
    monthly_income_uzs: Mapped[int | None] = mapped_column(BigId)
    plot_sotix: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)


class Person(Base):
    """A golden person. Names are kept in the hub's one Latin form (see hub.identity)."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_mahalla_surname", "mahalla_code", "surname_key"),
        Index("ix_person_birth_on_sex", "birth_on", "sex"),
        # A mahalla's people in hub-id order, a page at a time (the API's default list):
        # without it PostgreSQL may walk the whole hub_id index to fill one LIMIT.
        Index("ix_person_mahalla_hub_id", "mahalla_code", "hub_id"),
    )

    id: Mapped[pk_id]
    hub_id: Mapped[str] = mapped_column(String(32), unique=True)
    pinfl: Mapped[str | None] = mapped_column(String(14), unique=True)
    full_name: Mapped[name_str]
    surname: Mapped[name_str | None]
    given_name: Mapped[name_str | None]
    patronymic: Mapped[name_str | None]
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    surname_key: Mapped[str | None] = mapped_column(String(100))
    birth_on: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    mahalla_code: Mapped[str | None] = mapped_column(ForeignKey("mahalla.code"), index=True)
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    occupation: Mapped[short_str | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    last_confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    phone: Mapped[str | None] = mapped_column(String(20))
    passport: Mapped[str | None] = mapped_column(String(16))
    # Survivorship (hub.identity.survivorship): each attribute is chosen from the person's
    # records by that attribute's rules; `attributes_source` is the source of the name,
    # `attribute_sources` names the record each attribute came from.
    attributes_source: Mapped[str | None] = mapped_column(String(16))
    attributes_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    attribute_sources: Mapped[dict[str, str] | None] = mapped_column(JSON)


class HouseholdMember(Base):
    """A person's membership in a household, as the survey recorded it."""

    __tablename__ = "household_member"

    household_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    member_no: Mapped[int]
    relation: Mapped[short_str]
