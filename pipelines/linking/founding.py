"""Which of several persons a merge keeps when they were founded in separate partitions.

Loaded whole, a person is founded by the first delivery that mentions it (sources in load
order, `pipelines.sources.SOURCES`, each source's deliveries oldest first) and its hub id
comes from that delivery's first mention of it; a later mention joins it. Loaded by region
(pipelines.regions), the regions of a cross-region person each found a piece, at times
that depend on which region ran first. So when pieces merge, the survivor is the piece
holding the mention that founded the person in the whole load: the one whose records come
first by (source's load position, first delivery, mention id). Its hub id is the one the
unpartitioned run gives the person, whatever order the regions ran in.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from hub.graph.models import Person, SourceRecord
from hub.graph.scratch import keys_of
from pipelines.linking.records import read_rows
from pipelines.sources import SOURCES

_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
LOAD_POSITION = {name: index for index, name in enumerate(SOURCES)}


def founding_ages(session: Session, assigned: pl.DataFrame) -> dict[str, int]:
    """Hub id -> rank of its founding mention (smaller = founded first in a whole load),
    for the anchored persons of `assigned` (person_hub_id, person_id)."""
    anchors = assigned.select("person_hub_id", "person_id").drop_nulls().unique("person_id")
    if anchors.is_empty():
        return {}
    with keys_of(session, _RECORDS.c.person_id, anchors["person_id"].to_list()) as keys:
        query = (
            select(
                Person.hub_id,
                SourceRecord.source,
                SourceRecord.first_delivery_id,
                SourceRecord.record_key,
            )
            .join(Person, Person.id == SourceRecord.person_id)
            .where(SourceRecord.person_id.in_(select(keys.c.person_id)))
        )
        rows = read_rows(session, query)
    records = pl.DataFrame(
        rows,
        schema={
            "hub_id": pl.String,
            "source": pl.String,
            "first_delivery_id": pl.Int64,
            "record_key": pl.String,
        },
        orient="row",
    )
    founding = (
        records.with_columns(
            position=pl.col("source").replace_strict(LOAD_POSITION, default=len(LOAD_POSITION)),
            mention=pl.concat_str([pl.col("source"), pl.lit("/"), pl.col("record_key")]),
        )
        .sort("position", "first_delivery_id", "mention", nulls_last=True)
        .group_by("hub_id", maintain_order=True)
        .first()
    )
    return {hub_id: rank for rank, hub_id in enumerate(founding["hub_id"].to_list())}
