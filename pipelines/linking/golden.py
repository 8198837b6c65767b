"""A golden person's attributes and conflicts, recomputed from all its source records.

The rules are `hub.identity.survivorship`'s; this module reads the persons' records, writes
the surviving values onto the persons, and replaces their conflicts: one row per record
that disagrees with a surviving value, plus the identity conflicts linkage reported
(a PINFL overruled by names and dates, a PINFL two persons share, a refused merge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.models import Person, PersonConflict, SourceRecord
from hub.graph.scratch import keys_of, update_from
from hub.identity.names import normalise_name
from hub.identity.survivorship import RECORD_SCHEMA, TRUST, choose_survivors
from pipelines.linking.records import known_records_query, read_known, read_rows

CONFLICT_COLUMNS = ("attribute", "value", "surviving_value", "source", "record_key")
_PERSONS: Table = Person.__table__  # type: ignore[assignment]


def _records(session: Session, persons: Table) -> pl.DataFrame:
    query = known_records_query().where(SourceRecord.person_id.in_(select(persons.c.id)))
    return read_known(session, query)


def _households(records: pl.DataFrame) -> pl.DataFrame:
    """The household of the latest survey record of each person."""
    survey = records.filter((pl.col("source") == "survey") & pl.col("household_id").is_not_null())
    return (
        survey.sort("recency")
        .group_by("person_id", maintain_order=True)
        .last()
        .select("person_id", "household_id")
    )


def _unique_pinfls(session: Session, golden: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`golden` with a PINFL kept by one person only; the persons that lost it."""
    claimed = golden.filter(pl.col("pinfl").is_not_null())
    mine = set(golden["person_id"].to_list())
    with keys_of(session, _PERSONS.c.pinfl, claimed["pinfl"]) as pinfls:
        stmt = select(Person.pinfl, Person.id).where(Person.pinfl.in_(select(pinfls.c.pinfl)))
        held = {p: i for p, i in read_rows(session, stmt) if i not in mine and p}
    first = pl.col("person_id") == pl.col("person_id").min().over("pinfl")
    keeps = first & ~pl.col("pinfl").is_in(list(held)) | pl.col("pinfl").is_null()
    lost = golden.filter(~keeps)
    return golden.with_columns(pinfl=pl.when(keeps).then(pl.col("pinfl"))), lost


def refresh_golden(
    session: Session,
    person_ids: Sequence[int],
    known_mahallas: frozenset[str],
    now: datetime,
    identity_conflicts: pl.DataFrame,
) -> None:
    """Survivorship for `person_ids`; `identity_conflicts`: person_id + CONFLICT_COLUMNS
    + kind, other_source, other_record_key, detail."""
    identity = identity_conflicts.filter(pl.col("person_id").is_in(list(person_ids)))
    with keys_of(session, _PERSONS.c.id, list(person_ids)) as persons:
        _refresh(session, persons, known_mahallas, now, identity)


def _refresh(
    session: Session,
    persons: Table,
    known_mahallas: frozenset[str],
    now: datetime,
    identity_conflicts: pl.DataFrame,
) -> None:
    records = _records(session, persons)
    if records.is_empty():
        return
    usable = records.with_columns(
        hub_id=pl.col("person_id").cast(pl.String),
        mahalla_code=pl.when(pl.col("mahalla_code").is_in(sorted(known_mahallas))).then(
            pl.col("mahalla_code")
        ),
    )
    survivors = choose_survivors(usable.select(list(RECORD_SCHEMA)))
    golden = survivors.golden.with_columns(person_id=pl.col("hub_id").cast(pl.Int64)).join(
        _households(records), on="person_id", how="left"
    )
    golden, lost = _unique_pinfls(session, golden)
    # A PINFL may move between persons of this batch (a unique column).
    update_from(session, _PERSONS, _person_rows(golden, now), unique=["pinfl"])
    conflicts = survivors.conflicts.with_columns(person_id=pl.col("hub_id").cast(pl.Int64))
    _replace_conflicts(session, persons, conflicts, lost, identity_conflicts, now)


def _person_rows(golden: pl.DataFrame, now: datetime) -> list[dict[str, Any]]:
    origins = [f"{a}_from" for a in TRUST]
    frame = golden.select(
        pl.col("person_id").alias("id"),
        pl.col("name").fill_null("").alias("full_name"),
        pl.col("name_key").fill_null(""),
        "surname_key",
        "birth_on",
        "sex",
        "pinfl",
        "mahalla_code",
        "phone",
        "passport",
        "household_id",
        pl.col("name_source").alias("attributes_source"),
        pl.col("name_trust").fill_null(0).alias("attributes_rank"),
        pl.struct(origins).alias("attribute_sources"),
        pl.lit(now).alias("updated_at"),
        pl.lit(now).alias("last_confirmed_at"),
    )
    rows = frame.to_dicts()
    parts = _name_parts({row["full_name"] for row in rows})
    for row in rows:
        found = row["attribute_sources"] or {}
        row["attribute_sources"] = {k[: -len("_from")]: v for k, v in found.items() if v}
        row["surname"], row["given_name"], row["patronymic"] = parts[row["full_name"]]
    return rows


def _name_parts(names: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Each surviving display name's surname, given name and patronymic as it prints them
    (an initial as "A."); None where the name does not say."""
    parts: dict[str, tuple[str | None, str | None, str | None]] = {}
    for text in names:
        name = normalise_name(text) if text else None
        parts[text] = (
            (name.surname_display or None, name.given_display, name.patronymic_display)
            if name is not None
            else (None, None, None)
        )
    return parts


def _replace_conflicts(
    session: Session,
    persons: Table,
    attribute_conflicts: pl.DataFrame,
    lost: pl.DataFrame,
    identity_conflicts: pl.DataFrame,
    now: datetime,
) -> None:
    session.execute(
        delete(PersonConflict).where(PersonConflict.person_id.in_(select(persons.c.id)))
    )
    attributes = attribute_conflicts.select(
        "person_id", *CONFLICT_COLUMNS, pl.lit("attribute").alias("kind")
    )
    shared = lost.select(
        "person_id",
        pl.lit("pinfl").alias("attribute"),
        "pinfl",
        pl.lit(None, pl.String).alias("surviving_value"),
        pl.col("pinfl_from").str.splitn("/", 2).struct.field("field_0").alias("source"),
        pl.col("pinfl_from").str.splitn("/", 2).struct.field("field_1").alias("record_key"),
        pl.lit("pinfl_shared").alias("kind"),
        pl.lit("the PINFL stays with the person who held it first").alias("detail"),
    ).rename({"pinfl": "value"})
    identity = identity_conflicts
    combined = pl.concat([attributes, shared, identity], how="diagonal_relaxed")
    rows = combined.with_columns(detected_at=pl.lit(now)).to_dicts()
    if rows:
        upsert_rows(
            session, PersonConflict, rows, key=["person_id", "attribute", "source", "record_key"]
        )
