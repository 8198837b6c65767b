"""What the diagnoses were before: the history the assistants' ratings count from.

Household categories and notebook findings are kept as current state (hub.graph.models.
diagnostics); a rebuild replaces them. What a rebuild changed is appended here, in the
same transaction, dated by the evidence date the rebuild ran as of:

- `HouseholdCategoryChange`: a household whose computed category moved, from what to what
  (a household's first category is not a change);
- `NotebookGapClosed`: a notebook finding (eligible but not entered, entered but no longer
  eligible) that a rebuild no longer finds.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import BigId, UtcDateTime, mahalla_code_str, pk_id, short_str, utc_now


class HouseholdCategoryChange(Base):
    __tablename__ = "household_category_change"
    __table_args__ = (Index("ix_household_category_change_mahalla", "mahalla_code", "as_of_on"),)

    id: Mapped[pk_id]
    household_id: Mapped[int] = mapped_column(BigId)
    mahalla_code: Mapped[mahalla_code_str]
    from_category: Mapped[int] = mapped_column(SmallInteger)
    to_category: Mapped[int] = mapped_column(SmallInteger)
    as_of_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class NotebookGapClosed(Base):
    __tablename__ = "notebook_gap_closed"
    __table_args__ = (Index("ix_notebook_gap_closed_mahalla", "mahalla_code", "as_of_on"),)

    id: Mapped[pk_id]
    person_id: Mapped[int] = mapped_column(BigId)
    mahalla_code: Mapped[mahalla_code_str]
    notebook: Mapped[short_str]
    finding: Mapped[short_str]
    as_of_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
