"""Point the agency facts of records that changed person at their new person.

Every fact carrying a `person_id` is the fact of one source record: a tax registration is
the tax record keyed by its TIN, an employment record by its number, and so on; a survey
record is a household membership (household, member number). When linkage moves a record
to another person (a merge, a split, an unlinked record finally linked), its fact moves too,
in the same transaction, so no count the API serves is left pointing at a stale person.
"""

from __future__ import annotations

from typing import Final

import polars as pl
from sqlalchemy import Table, delete, tuple_
from sqlalchemy.orm import Session

from hub.graph.models import (
    Appeal,
    EmploymentRecord,
    HouseholdMember,
    LandLease,
    Loan,
    NotebookEntry,
    TaxRegistration,
)
from hub.graph.scratch import update_from

FACT_KEYS: Final[dict[str, tuple[Table, str]]] = {
    "tax": (TaxRegistration.__table__, "tin"),  # type: ignore[dict-item]
    "employment": (EmploymentRecord.__table__, "record_no"),  # type: ignore[dict-item]
    "land": (LandLease.__table__, "lease_id"),  # type: ignore[dict-item]
    "bank": (Loan.__table__, "loan_id"),  # type: ignore[dict-item]
    "appeals": (Appeal.__table__, "appeal_id"),  # type: ignore[dict-item]
}
"""Source -> (fact table, the column holding the source's record key)."""


def _memberships(session: Session, survey: pl.DataFrame) -> None:
    table: Table = HouseholdMember.__table__  # type: ignore[assignment]
    rows = survey.filter(
        pl.col("household_id").is_not_null() & pl.col("new_person_id").is_not_null()
    ).select(
        "household_id",
        pl.col("record_key").str.extract(r"/(\d+)$").cast(pl.Int32).alias("member_no"),
        pl.col("new_person_id").alias("person_id"),
    )
    update_from(session, table, rows, key=("household_id", "member_no"))
    # A survey member is a resident and always has a person; nothing to unlink here.


def retarget_facts(session: Session, moved: pl.DataFrame) -> None:
    """Give the facts of `moved` records (source, record_key, household_id,
    new_person_id: null when now unlinked) their new person: one UPDATE ... FROM a
    scratch table per fact table (a first survey moves every one of its records, from no
    person to a new one: a statement per row cost more than the rest of retargeting)."""
    for source, (table, key) in FACT_KEYS.items():
        rows = moved.filter(pl.col("source") == source).select(
            pl.col("record_key").alias(key), pl.col("new_person_id").alias("person_id")
        )
        update_from(session, table, rows, key=(key,))
    _memberships(session, moved.filter(pl.col("source") == "survey"))
    notebooks: Table = NotebookEntry.__table__  # type: ignore[assignment]
    linked = moved.filter(pl.col("new_person_id").is_not_null())
    rows = linked.select("source", "record_key", pl.col("new_person_id").alias("person_id"))
    update_from(session, notebooks, rows, key=("source", "record_key"))
    # A notebook entry needs a person: an entry whose record is now unlinked goes.
    gone = moved.filter(pl.col("new_person_id").is_null()).select("source", "record_key")
    if not gone.is_empty():
        pairs = tuple_(notebooks.c.source, notebooks.c.record_key)
        session.execute(delete(notebooks).where(pairs.in_(gone.rows())))
