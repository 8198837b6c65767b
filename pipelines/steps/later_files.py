"""Rows of an earlier file whose records a later file has already delivered.

SOURCES.md: for survey, employment and appeals, later files (by name) win for the same
record key. Files do arrive out of order — an agency re-sends last month's file, or a file
held up in transit lands after the next one — so before a delivery of these sources loads,
its rows for records the graph already holds from a later-named file are set aside: the
later version stays, and so does everything built from it (the person mention linkage
compares, a household's member list, the open reject of a later version that failed).
The rows set aside are counted in the load report, not lost silently: the delivery that
brought them keeps them in the landing store.

A file delivered again under the same name (a corrected copy) is not earlier than itself:
its rows load, as the contract's "the later delivery wins" says for the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.graph.bulk import in_chunks
from hub.graph.models import Appeal, Delivery, EmploymentRecord, Household


@dataclass(frozen=True, slots=True)
class LaterFileRule:
    """Where a source's loaded version of a record says which file it came from.

    `key` is the staged column naming the record (for the survey, the household: a
    household's members come and go with it); `frames` are the staged tables that carry it;
    `holders(keys, name)` selects the keys among `keys` loaded from a file named after
    `name`."""

    key: str
    frames: tuple[str, ...]
    holders: Callable[[list[str], str], Select[Any]]


def _via_delivery(
    key: InstrumentedAttribute[Any], delivery_id: InstrumentedAttribute[int | None]
) -> Callable[[list[str], str], Select[Any]]:
    def holders(keys: list[str], name: str) -> Select[Any]:
        return (
            select(key)
            .join(Delivery, Delivery.id == delivery_id)
            .where(key.in_(keys), Delivery.name > name)
        )

    return holders


def _employment(keys: list[str], name: str) -> Select[Any]:
    # An employment record names its file itself (the monthly file it came from).
    record = EmploymentRecord.record_no
    return select(record).where(record.in_(keys), EmploymentRecord.source_file > name)


RULES: dict[str, LaterFileRule] = {
    "survey": LaterFileRule(
        "survey_id",
        ("survey_households", "survey_members"),
        _via_delivery(Household.survey_id, Household.delivery_id),
    ),
    "employment": LaterFileRule("record_key", ("employment",), _employment),
    "appeals": LaterFileRule(
        "appeal_id", ("appeals",), _via_delivery(Appeal.appeal_id, Appeal.delivery_id)
    ),
}


def _later_file_loaded(session: Session, source: str, name: str) -> bool:
    stmt = select(Delivery.id).where(
        Delivery.source == source, Delivery.status == "loaded", Delivery.name > name
    )
    return session.scalar(stmt.limit(1)) is not None


def set_aside_superseded(
    session: Session, source: str, delivery_name: str, frames: dict[str, pl.DataFrame]
) -> tuple[dict[str, pl.DataFrame], int]:
    """`frames` without the rows a later-named file of `source` already delivered, and how
    many rows were set aside. Sources without the rule come back unchanged."""
    rule = RULES.get(source)
    if rule is None or not _later_file_loaded(session, source, delivery_name):
        return frames, 0
    keys = sorted(
        {k for table in rule.frames for k in frames[table][rule.key].drop_nulls().to_list()}
    )
    held: set[str] = set()
    for chunk in in_chunks(keys):
        held.update(session.scalars(rule.holders(list(chunk), delivery_name)))
    if not held:
        return frames, 0
    kept = dict(frames)
    dropped = 0
    for table in rule.frames:
        frame = frames[table]
        kept[table] = frame.filter(~pl.col(rule.key).is_in(sorted(held)))
        dropped += frame.height - kept[table].height
    return kept, dropped
