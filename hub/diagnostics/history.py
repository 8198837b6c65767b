"""What a rebuild of the household categories or notebook findings changed, appended to
the history tables (hub.graph.models.diagnostic_history) in the rebuild's transaction.

- `record_category_changes`: run after the new evidence rows are written and before the
  households' `computed_category` is set from them; a household whose known category
  differs from its new known category is a change (a first category, or a category that
  becomes unknown, is not).
- `record_closed_gaps`: run before the scope's old findings are deleted; a finding of the
  scope (person, notebook, kind) that the new findings no longer hold is a gap closed (the
  person was entered, left the notebook, or no longer qualifies, moved out of the scope's
  mahallas, or was merged into another person).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Date, insert, literal, select
from sqlalchemy.orm import Session

from hub.diagnostics.evidence import read_frame
from hub.graph.inserts import insert_frame
from hub.graph.models import (
    Household,
    HouseholdCategoryChange,
    HouseholdCategoryEvidence,
    NotebookFinding,
    NotebookGapClosed,
)
from hub.graph.types import UtcDateTime

FINDING_KEY = ["person_id", "notebook", "finding"]


def record_category_changes(
    session: Session, as_of: date, mahalla_codes: Sequence[str] | None
) -> int:
    """Append one change per household of the scope whose category moves; the count."""
    evidence = HouseholdCategoryEvidence
    moved = [
        Household.id == evidence.household_id,
        Household.computed_category.is_not(None),
        evidence.computed_category.is_not(None),
        Household.computed_category != evidence.computed_category,
    ]
    if mahalla_codes is not None:
        moved.append(evidence.mahalla_code.in_(list(mahalla_codes)))
    changes = select(
        Household.id,
        evidence.mahalla_code,
        Household.computed_category,
        evidence.computed_category,
        literal(as_of, Date),
        literal(datetime.now(UTC), UtcDateTime()),
    ).where(*moved)
    columns = ["household_id", "mahalla_code", "from_category", "to_category", "as_of_on",
               "recorded_at"]  # fmt: skip
    result = session.execute(insert(HouseholdCategoryChange).from_select(columns, changes))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_closed_gaps(
    session: Session, as_of: date, mahalla_codes: Sequence[str] | None, found: pl.DataFrame
) -> int:
    """Append the scope's stored findings that `found` (the rebuild's) no longer holds;
    the count."""
    stmt = select(
        NotebookFinding.person_id,
        NotebookFinding.notebook,
        NotebookFinding.finding,
        NotebookFinding.mahalla_code,
    )
    if mahalla_codes is not None:
        stmt = stmt.where(NotebookFinding.mahalla_code.in_(list(mahalla_codes)))
    schema = {"person_id": pl.Int64, "notebook": pl.String, "finding": pl.String,
              "mahalla_code": pl.String}  # fmt: skip
    stored = read_frame(session, stmt, schema)
    if stored.is_empty():
        return 0
    closed = stored
    if not found.is_empty():
        closed = stored.join(found.select(FINDING_KEY), on=FINDING_KEY, how="anti")
    rows = closed.with_columns(as_of_on=pl.lit(as_of), recorded_at=pl.lit(datetime.now(UTC)))
    insert_frame(session, NotebookGapClosed, rows)
    return closed.height
