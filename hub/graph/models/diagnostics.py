"""Diagnoses derived from the graph, kept with the evidence that decided them
(written by hub.diagnostics, read by assistants' lists and the API).

- `HouseholdCategoryEvidence`: one row per household: the computed category, the rule
  that decided it, each income component and the records behind them, beside the
  assistant's assessed category. The disagreements of a mahalla are its rows where both
  categories are known and differ.
- `MonthlyIndicator` / `MonthlyIndicatorRevision`: the time series of figures per
  territory and month, and the late changes to closed months.
- `NotebookFinding`: a person eligible for a notebook but not entered in it, or entered but
  no longer eligible, with the reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import BigId, UtcDateTime, mahalla_code_str, pk_id, short_str, utc_now


class HouseholdCategoryEvidence(Base):
    __tablename__ = "household_category_evidence"
    __table_args__ = (Index("ix_household_category_evidence_mahalla", "mahalla_code", "rule"),)

    household_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    mahalla_code: Mapped[mahalla_code_str]
    as_of_on: Mapped[date]
    rules_version: Mapped[short_str]
    assessed_category: Mapped[int | None] = mapped_column(SmallInteger)
    computed_category: Mapped[int | None] = mapped_column(SmallInteger)
    # The category by income and able-bodied adults alone, before the Iron Notebook rule:
    # what notebook eligibility asks ("low-income"), so an entry does not justify itself.
    income_category: Mapped[int | None] = mapped_column(SmallInteger)
    # Which rule decided: well_off, poverty_line, low_income_able, low_income_no_able_adult,
    # iron_notebook, no_income_evidence, no_members.
    rule: Mapped[short_str]
    members: Mapped[int]
    able_adults: Mapped[int]
    # Monthly soums: what the survey states, and each agency component.
    stated_income_uzs: Mapped[int | None] = mapped_column(BigInteger)
    declared_income_uzs: Mapped[int] = mapped_column(BigInteger)
    wage_income_uzs: Mapped[int] = mapped_column(BigInteger)
    subsidy_income_uzs: Mapped[int] = mapped_column(BigInteger)
    land_income_uzs: Mapped[int] = mapped_column(BigInteger)
    # The larger of the survey's figure and the agencies' sum ("survey" | "agencies").
    income_uzs: Mapped[int | None] = mapped_column(BigInteger)
    income_basis: Mapped[str | None] = mapped_column(String(16))
    per_capita_uzs: Mapped[int | None] = mapped_column(BigInteger)
    mce_uzs: Mapped[int]
    explanation: Mapped[str] = mapped_column(String(500))
    # "source:record key" of every record the evidence came from.
    records: Mapped[list[str]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class NotebookFinding(Base):
    __tablename__ = "notebook_finding"
    __table_args__ = (Index("ix_notebook_finding_mahalla", "mahalla_code", "notebook"),)

    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    notebook: Mapped[short_str] = mapped_column(primary_key=True)
    mahalla_code: Mapped[mahalla_code_str]
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    # "eligible_not_entered" | "entered_not_eligible"
    finding: Mapped[short_str]
    reason: Mapped[str] = mapped_column(String(300))
    records: Mapped[list[str]] = mapped_column(JSON, default=list)
    as_of_on: Mapped[date]
    rules_version: Mapped[short_str]
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class MonthlyIndicator(Base):
    """One figure of one territory for one calendar month (`month_on`: its first day).

    `level` is mahalla, district, region or country (code "UZ"); `name` is the figure
    (hub.diagnostics.monthly lists them). A month before the latest is closed: its figures
    change only when a record dated in it arrives late, and then a
    `MonthlyIndicatorRevision` says from what to what.
    """

    __tablename__ = "monthly_indicator"
    __table_args__ = (Index("ix_monthly_indicator_month", "month_on", "level"),)

    level: Mapped[short_str] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    month_on: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class MonthlyIndicatorRevision(Base):
    """A closed month's figure changed by a late record: the old and the new value."""

    __tablename__ = "monthly_indicator_revision"
    __table_args__ = (Index("ix_monthly_indicator_revision_key", "level", "code", "month_on"),)

    id: Mapped[pk_id]
    level: Mapped[short_str]
    code: Mapped[str] = mapped_column(String(10))
    month_on: Mapped[date]
    name: Mapped[str] = mapped_column(String(80))
    old_value: Mapped[float] = mapped_column(Float)
    new_value: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(200))
    revised_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
