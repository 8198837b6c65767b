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

The incoming keys go into a temporary table and each blocking key is one join in the
database, so the cost grows with the rows found, not with round trips per thousand keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Select, Table, and_, select, union_all
from sqlalchemy.orm import Session

from hub.graph.models import SourceRecord
from hub.graph.scratch import drop, keys_of, scratch_table
from pipelines.linking.records import known_records_query, mention_id, read_frame, read_known
from pipelines.regions.codes import COUNTRY

SINGLE_KEYS = ("pinfl", "passport", "phone", "tin")
PAIR_KEYS = (("surname_key", "birth_year"), ("mahalla_code", "surname_key"))
KEY_COLUMNS = ("pinfl", "passport", "phone", "tin", "surname_key", "birth_year", "mahalla_code")
_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]


def _hits(keys: Table, region: str | None) -> Select[Any]:
    """Ids and persons of the graph's mention records sharing a blocking key with `keys`.

    Each join reads the key's distinct values: joined to the incoming rows themselves, a
    record would come back once per incoming mention sharing its key (a common surname
    and birth year: hundreds of times), and a first survey of 100,000 people fetched 13
    million rows to keep 100,000."""
    record = _RECORDS.alias("hit")
    # A region partition links against its own region's records only (pipelines.regions).
    within = (
        [record.c.mahalla_code.like(f"{region}%")]
        if region is not None and region != COUNTRY
        else []
    )
    blocks = [(name,) for name in SINGLE_KEYS] + list(PAIR_KEYS)
    selects = []
    for names in blocks:
        values = (
            select(*(keys.c[n] for n in names))
            .where(*(keys.c[n].is_not(None) for n in names))
            .distinct()
            .subquery()
        )
        selects.append(
            select(record.c.id, record.c.person_id)
            .join(values, and_(*(record.c[n] == values.c[n] for n in names)))
            .where(record.c.kind == "person", *within)
        )
    # UNION ALL: the duplicates (a record found by several keys) are dropped here, not by a
    # sort spilling to disk.
    return union_all(*selects)  # type: ignore[return-value]


def gather_candidates(
    session: Session,
    incoming: pl.DataFrame,
    also_persons: Sequence[int] = (),
    *,
    region: str | None = None,
) -> pl.DataFrame:
    """The graph's records to link `incoming` (RECORD_COLUMNS) against (KNOWN_COLUMNS),
    with every record of `also_persons` (persons whose records just changed). With a
    `region` code, only records of that region are found by the blocking keys (their
    persons still come whole)."""
    keys = scratch_table(session, _RECORDS, incoming.select(KEY_COLUMNS).unique())
    hits = read_frame(session, _hits(keys, region), {"id": pl.Int64, "person_id": pl.Int64})
    hits = hits.unique("id")
    drop(session, keys)
    # Two plain semi-joins: an OR of two IN (subquery) conditions is not planned as joins.
    person_ids = pl.concat(
        [hits["person_id"], pl.Series("person_id", list(also_persons), pl.Int64)]
    )
    unlinked_ids = hits.filter(pl.col("person_id").is_null())["id"]
    with keys_of(session, _RECORDS.c.person_id, person_ids) as persons:
        whole = known_records_query().where(SourceRecord.person_id.in_(select(persons.c.person_id)))
        found = [read_known(session, whole)]
    with keys_of(session, _RECORDS.c.id, unlinked_ids) as unlinked:
        alone = known_records_query().where(
            SourceRecord.person_id.is_(None), SourceRecord.id.in_(select(unlinked.c.id))
        )
        found.append(read_known(session, alone))
    combined = pl.concat(found)
    redelivered = incoming.select(mention_id().alias("_id"))["_id"].implode()
    return combined.filter(~mention_id().is_in(redelivered)).sort("record_id")
