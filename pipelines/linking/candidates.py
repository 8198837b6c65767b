"""Which records already in the graph an incoming delivery's mentions are linked against.

Incremental linking does not relink everything: it takes the graph's mention records that
share a blocking key with an incoming mention (and are not themselves being redelivered),

- the same delivered PINFL,
- the same surname root and birth year,
- the same mahalla and surname root,
- the same passport, phone or TIN,

then every record of the persons those belong to (a person is compared whole, so a merge or
a split sees all its evidence), plus unlinked records found by those keys (a later delivery
may give them the evidence they lacked).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, tuple_
from sqlalchemy.orm import Session

from hub.graph.bulk import in_chunks
from hub.graph.models import SourceRecord
from pipelines.linking.records import known_frame, known_records_query, mention_id

SINGLE_KEYS = ("pinfl", "passport", "phone", "tin")
PAIR_KEYS = (("surname_key", "birth_year"), ("mahalla_code", "surname_key"))


def _read(session: Session, conditions: Iterable[ColumnElement[bool]]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for condition in conditions:
        rows.extend(tuple(r) for r in session.execute(known_records_query().where(condition)))
    return rows


def _conditions(incoming: pl.DataFrame) -> Iterable[ColumnElement[bool]]:
    for name in SINGLE_KEYS:
        values = incoming[name].drop_nulls().unique().sort().to_list()
        for chunk in in_chunks(values):
            yield getattr(SourceRecord, name).in_(chunk)
    for first, second in PAIR_KEYS:
        pairs = incoming.select(first, second).drop_nulls().unique().sort([first, second])
        columns = tuple_(getattr(SourceRecord, first), getattr(SourceRecord, second))
        for chunk in in_chunks(pairs.rows()):
            yield columns.in_(chunk)


def _of_persons(session: Session, person_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    return _read(
        session, (SourceRecord.person_id.in_(chunk) for chunk in in_chunks(list(person_ids)))
    )


def gather_candidates(
    session: Session, incoming: pl.DataFrame, also_persons: Sequence[int] = ()
) -> pl.DataFrame:
    """The graph's records to link `incoming` (RECORD_COLUMNS) against (KNOWN_COLUMNS),
    with every record of `also_persons` (persons whose records just changed)."""
    found = known_frame(_read(session, _conditions(incoming)))
    persons = sorted(set(found["person_id"].drop_nulls().to_list()) | set(also_persons))
    whole = known_frame(_of_persons(session, persons))
    unlinked = found.filter(pl.col("person_id").is_null())
    combined = pl.concat([whole, unlinked]).unique("record_id", keep="first")
    redelivered = incoming.select(mention_id().alias("_id"))["_id"].implode()
    return combined.filter(~mention_id().is_in(redelivered)).sort("record_id")
