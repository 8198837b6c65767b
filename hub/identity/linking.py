"""Linking person mentions to golden persons (this round: exact, trusted PINFL).

A mention is one record's view of a person (a survey member, a taxpayer, a borrower...).
`link_mentions` decides, for a frame of mentions, which golden person each belongs to:

1. a trusted PINFL (valid, and agreeing with the record's own birth date and sex) links to
   the person holding that PINFL, or founds one whose hub id derives from the PINFL;
2. otherwise the person the same (source, record key) was linked to before, if any;
3. otherwise, for sources that found persons without a PINFL (the survey: every member is
   a resident), a new person whose hub id derives from the record key; for other sources
   the mention stays unlinked, for probabilistic linkage to pick up.

Hub ids are name-based UUIDs, so a person keeps its id across runs and reloads. The
person's attributes follow survivorship by source rank (`SOURCE_RANK`): a source never
overwrites what a higher-ranked source said.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.bulk import in_chunks
from hub.graph.models import Person, SourceRecord

HUB_NAMESPACE: Final = uuid.UUID("6f1c2a4e-9b1d-4f7e-8a53-0d5c2e7b9a11")

SOURCE_RANK: Final[dict[str, int]] = {
    "survey": 60,
    "tax": 50,
    "employment": 40,
    "bank": 30,
    "land": 20,
    "appeals": 10,
}
"""Survivorship: whose values a person shows. The survey is a door-to-door visit; tax and
employment verify identity documents; banks, the cadastre and appeals copy names more loosely."""

LINK_COLUMNS: Final = ("person_id", "hub_id", "match_method")


def person_hub_id(*, pinfl: str | None = None, source: str = "", record_key: str = "") -> str:
    """The stable hub id of a person founded by a PINFL, or else by one source record."""
    name = f"pinfl:{pinfl}" if pinfl else f"record:{source}/{record_key}"
    return uuid.uuid5(HUB_NAMESPACE, name).hex


def household_hub_id(survey_id: str) -> str:
    return uuid.uuid5(HUB_NAMESPACE, f"household:{survey_id}").hex


WHOLE_SOURCE_ABOVE: Final = 50_000


def _persons_by_pinfl(session: Session, pinfls: list[str]) -> pl.DataFrame:
    schema = {"pinfl": pl.String, "_pinfl_person": pl.Int64, "_pinfl_hub": pl.String}
    columns = select(Person.pinfl, Person.id, Person.hub_id)
    if len(pinfls) > WHOLE_SOURCE_ABOVE:
        # One scan beats hundreds of IN lists; the join below keeps only what is asked.
        rows = session.execute(columns.where(Person.pinfl.is_not(None))).all()
        return pl.DataFrame(rows, schema=schema, orient="row")
    found: list[tuple[Any, ...]] = []
    for chunk in in_chunks(pinfls):
        found.extend(tuple(r) for r in session.execute(columns.where(Person.pinfl.in_(chunk))))
    return pl.DataFrame(found, schema=schema, orient="row")


def _previous_links(session: Session, source: str, keys: list[str]) -> pl.DataFrame:
    schema = {"record_key": pl.String, "_prev_person": pl.Int64, "_prev_hub": pl.String}
    columns = (
        select(SourceRecord.record_key, Person.id, Person.hub_id)
        .join(Person, Person.id == SourceRecord.person_id)
        .where(SourceRecord.source == source)
    )
    if len(keys) > WHOLE_SOURCE_ABOVE:
        return pl.DataFrame(session.execute(columns).all(), schema=schema, orient="row")
    found: list[tuple[Any, ...]] = []
    for chunk in in_chunks(keys):
        stmt = columns.where(SourceRecord.record_key.in_(chunk))
        found.extend(tuple(r) for r in session.execute(stmt))
    return pl.DataFrame(found, schema=schema, orient="row")


def link_mentions(
    session: Session, source: str, mentions: pl.DataFrame, *, found_persons: bool
) -> pl.DataFrame:
    """`mentions` (record_key, pinfl, pinfl_issue) with LINK_COLUMNS added.

    `person_id` is null for a person not in the graph yet (its `hub_id` is set: the loader
    creates it) and for an unlinked mention (`hub_id` null too). `match_method` is
    `pinfl_exact`, `previous_link`, `new_from_record` or `unlinked`.
    """
    trusted = pl.col("pinfl").is_not_null() & pl.col("pinfl_issue").is_null()
    pinfls = mentions.filter(trusted)["pinfl"].unique().to_list()
    by_pinfl = _persons_by_pinfl(session, pinfls)
    previous = _previous_links(session, source, mentions["record_key"].to_list())
    joined = mentions.join(by_pinfl, on="pinfl", how="left").join(
        previous, on="record_key", how="left"
    )
    # Only a founding source needs record-based ids; polars would compute every branch.
    record_hub = (
        pl.col("record_key").map_elements(
            lambda key: person_hub_id(source=source, record_key=key), return_dtype=pl.String
        )
        if found_persons
        else pl.lit(None, dtype=pl.String)
    )
    pinfl_hub = pl.col("pinfl").map_elements(
        lambda p: person_hub_id(pinfl=p), return_dtype=pl.String
    )
    founding = pl.lit(found_persons)
    linked = joined.with_columns(
        hub_id=pl.when(trusted)
        .then(pl.coalesce("_pinfl_hub", pinfl_hub))
        .when(pl.col("_prev_hub").is_not_null())
        .then(pl.col("_prev_hub"))
        .when(founding)
        .then(record_hub),
        person_id=pl.when(trusted).then(pl.col("_pinfl_person")).otherwise(pl.col("_prev_person")),
        match_method=pl.when(trusted)
        .then(pl.lit("pinfl_exact"))
        .when(pl.col("_prev_hub").is_not_null())
        .then(pl.lit("previous_link"))
        .when(founding)
        .then(pl.lit("new_from_record"))
        .otherwise(pl.lit("unlinked")),
    )
    return linked.drop(["_pinfl_person", "_pinfl_hub", "_prev_person", "_prev_hub"])
