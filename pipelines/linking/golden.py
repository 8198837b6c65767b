"""A golden person's attributes and conflicts, computed from all its source records.

The rules are `hub.identity.survivorship`'s. Survivorship runs on the records as they will
be once the delivery's links are written: the records linking just assigned (under their
new hub ids), plus every other record of the persons they touch (read from the graph).
So a person founded by this delivery is inserted once, with its attributes (not inserted
empty and then updated: on PostgreSQL every write of a row is a new row version), and a
kept person is updated once. Then its conflicts are replaced: one row per record that
disagrees with a surviving value, plus the identity conflicts linkage reported (a PINFL
overruled by names and dates, a PINFL two persons share, a refused merge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.inserts import insert_new
from hub.graph.models import Person, PersonConflict, SourceRecord
from hub.graph.scratch import analyze_if_grown, keys_of, update_from
from hub.identity.survivorship import RECORD_SCHEMA, choose_survivors
from pipelines.linking.person_rows import for_driver, person_rows
from pipelines.linking.pinfl_claims import write_claiming_pinfls
from pipelines.linking.records import KNOWN_COLUMNS, known_records_query, read_known, read_rows

CONFLICT_COLUMNS = ("attribute", "value", "surviving_value", "source", "record_key")
_PERSONS: Table = Person.__table__  # type: ignore[assignment]
_NEW: int = 1 << 62
"""Persons founded by this delivery rank after every existing one (ids grow with age)."""


def _households(records: pl.DataFrame) -> pl.DataFrame:
    """The household of the latest survey record of each person."""
    survey = records.filter((pl.col("source") == "survey") & pl.col("household_id").is_not_null())
    return (
        survey.sort("recency")
        .group_by("hub_id", maintain_order=True)
        .last()
        .select("hub_id", "household_id")
    )


def _unique_pinfls(
    session: Session, golden: pl.DataFrame, touched: Sequence[int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`golden` (with its persons' `age`) with a PINFL kept by one person only: the oldest
    of them, and none held by a person outside `touched`; the persons that lost it."""
    claimed = golden.filter(pl.col("pinfl").is_not_null())
    mine = set(touched)
    with keys_of(session, _PERSONS.c.pinfl, claimed["pinfl"]) as pinfls:
        stmt = select(Person.pinfl, Person.id).where(Person.pinfl.in_(select(pinfls.c.pinfl)))
        held = {p: i for p, i in read_rows(session, stmt) if i not in mine and p}
    first = pl.col("age") == pl.col("age").min().over("pinfl")
    keeps = first & ~pl.col("pinfl").is_in(list(held)) | pl.col("pinfl").is_null()
    lost = golden.filter(~keeps)
    return golden.with_columns(pinfl=pl.when(keeps).then(pl.col("pinfl"))), lost


def _after_linking(
    session: Session, assigned: pl.DataFrame, touched: Sequence[int]
) -> pl.DataFrame:
    """The records of the `touched` persons and of `assigned` as they are once linked:
    KNOWN_COLUMNS with `hub_id`, the person each belongs to (null: unlinked)."""
    with keys_of(session, _PERSONS.c.id, list(touched)) as persons:
        query = known_records_query().where(SourceRecord.person_id.in_(select(persons.c.id)))
        stored = read_known(session, query)
    mine = assigned.select(*KNOWN_COLUMNS, pl.col("new_hub_id").alias("hub_id"))
    others = stored.filter(~pl.col("record_id").is_in(mine["record_id"].implode()))
    others = others.with_columns(hub_id=pl.col("person_hub_id"))
    return pl.concat([mine, others]).sort("record_id")


def refresh_golden(
    session: Session,
    assigned: pl.DataFrame,
    hub_ids: pl.DataFrame,
    retired: Sequence[int],
    known_mahallas: frozenset[str],
    now: datetime,
    identity_conflicts: pl.DataFrame,
    person_facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Write the golden persons of the records linking changed: `assigned` (KNOWN_COLUMNS,
    new_hub_id, changed: whether its person's evidence changed); `hub_ids`: the plan's
    cluster, hub_id, is_new in cluster order; `retired`: persons that lost records;
    `identity_conflicts`: hub_id + CONFLICT_COLUMNS + kind, other_source,
    other_record_key, detail; `person_facts`: record_key and columns a new person is
    inserted with (`pipelines.linking.step.link_persons`). Returns cluster, new_hub_id,
    new_person_id."""
    ids: dict[str, int] = dict(
        assigned.select("person_hub_id", "person_id").drop_nulls().unique().iter_rows()
    )
    changed = assigned.filter("changed")
    refreshed = set(
        pl.concat([changed["new_hub_id"], identity_conflicts["hub_id"]]).drop_nulls().to_list()
    )
    left = {*changed["person_id"].drop_nulls().to_list(), *retired}
    touched = sorted(left | {ids[h] for h in refreshed if h in ids})
    records = _after_linking(session, assigned, touched)
    ids |= dict(records.select("person_hub_id", "person_id").drop_nulls().unique().iter_rows())
    held = records.filter(pl.col("person_id").is_in(touched)).select("hub_id", "person_id")
    refreshed |= set(held.filter(pl.col("person_id").is_in(sorted(left)))["hub_id"].drop_nulls())
    refreshed |= set(changed["person_hub_id"].drop_nulls().to_list())
    records = records.filter(pl.col("hub_id").is_in(sorted(refreshed)))
    live = {ids[h] for h in records["hub_id"].unique().to_list() if h in ids}
    orphans = sorted(left - live)
    new = hub_ids.filter("is_new").with_columns(age=_NEW + pl.int_range(pl.len()))
    ages = pl.concat(
        [
            pl.DataFrame(
                list(ids.items()), schema={"hub_id": pl.String, "age": pl.Int64}, orient="row"
            ),
            new.select("hub_id", "age"),
        ]
    )
    founding = _founding_facts(assigned, person_facts)

    def claim() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
        golden, conflicts, lost = _survive(session, records, ages, known_mahallas, touched)
        return conflicts, lost, _write_persons(session, golden, orphans, now, founding)

    # Survivorship reads the held PINFLs: redone if a concurrent load claims one meanwhile.
    conflicts, lost, written = write_claiming_pinfls(session, claim)
    ids |= written
    person_ids = pl.DataFrame(
        list(ids.items()), schema={"hub_id": pl.String, "person_id": pl.Int64}, orient="row"
    )
    identity = identity_conflicts.filter(pl.col("hub_id").is_in(sorted(refreshed)))
    attributes, shared, identity = (
        f.join(person_ids, on="hub_id").drop("hub_id") for f in (conflicts, lost, identity)
    )
    persons = sorted({ids[h] for h in refreshed if h in ids})
    _replace_conflicts(session, persons, attributes, shared, identity, now)
    return hub_ids.join(person_ids, on="hub_id", how="left").select(
        "cluster", pl.col("hub_id").alias("new_hub_id"), pl.col("person_id").alias("new_person_id")
    )


def _survive(
    session: Session,
    records: pl.DataFrame,
    ages: pl.DataFrame,
    known_mahallas: frozenset[str],
    touched: Sequence[int],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Golden rows (with `age`: the person's id, or its rank among new ones after all),
    attribute conflicts, and the persons that lost a PINFL another holds; by hub_id."""
    usable = records.with_columns(
        mahalla_code=pl.when(pl.col("mahalla_code").is_in(sorted(known_mahallas))).then(
            pl.col("mahalla_code")
        ),
    )
    survivors = choose_survivors(usable.select(list(RECORD_SCHEMA)))
    golden = (
        survivors.golden.join(_households(records), on="hub_id", how="left")
        .join(ages, on="hub_id", how="left")
        .sort("age")
    )
    golden, lost = _unique_pinfls(session, golden, touched)
    return golden, survivors.conflicts, lost


def _founding_facts(assigned: pl.DataFrame, facts: pl.DataFrame | None) -> pl.DataFrame:
    """hub_id and the `facts` columns of the last incoming record (in `facts` order) of
    each person the incoming records now belong to."""
    if facts is None:
        return pl.DataFrame(schema={"hub_id": pl.String})
    incoming = assigned.filter("incoming").select(
        "record_key", pl.col("new_hub_id").alias("hub_id")
    )
    return (
        facts.with_row_index("_order")
        .join(incoming.drop_nulls("hub_id"), on="record_key", how="inner")
        .sort("_order")
        .unique("hub_id", keep="last", maintain_order=True)
        .drop("_order", "record_key")
    )


def _write_persons(
    session: Session,
    golden: pl.DataFrame,
    orphans: Sequence[int],
    now: datetime,
    founding: pl.DataFrame,
) -> dict[str, int]:
    """Update the kept persons, insert the new ones (in `age` order, so their ids are
    handed out in cluster order); hub_id -> id of the new ones."""
    if orphans:
        # A person left without records (deleted later) lets go of its PINFL now.
        with keys_of(session, _PERSONS.c.id, list(orphans)) as gone:
            session.execute(
                update(Person)
                .where(Person.id.in_(select(gone.c.id)), Person.pinfl.is_not(None))
                .values(pinfl=None),
                execution_options={"synchronize_session": False},
            )
    kept = golden.filter(pl.col("age") < _NEW).with_columns(person_id=pl.col("age"))
    # A PINFL may move between persons of this batch (a unique column).
    update_from(session, _PERSONS, for_driver(session, person_rows(kept, now)), unique=["pinfl"])
    new = golden.filter(pl.col("age") >= _NEW).with_columns(person_id=pl.lit(None, pl.Int64))
    if new.is_empty():
        return {}
    # Every row names the same columns: a person without founding facts gets nulls.
    facts = new.select("hub_id").join(founding, on="hub_id", how="left").drop("hub_id")
    facts = facts.drop([c for c in facts.columns if c in ("id", "hub_id", "created_at")])
    person = person_rows(new, now)
    rows = pl.concat(
        [
            new.select("hub_id", created_at=pl.lit(now)),
            person.drop(["id", *(c for c in facts.columns if c in person.columns)]),
            facts,
        ],
        how="horizontal",
    )
    # The plan minted these hub ids unused (`pipelines.linking.identities`): plain inserts.
    written = insert_new(
        session, Person, for_driver(session, rows), key=["hub_id"], returning=["hub_id", "id"]
    )
    analyze_if_grown(session, _PERSONS, rows.height)
    return dict(written)


def _replace_conflicts(
    session: Session,
    persons: Sequence[int],
    attribute_conflicts: pl.DataFrame,
    lost: pl.DataFrame,
    identity_conflicts: pl.DataFrame,
    now: datetime,
) -> None:
    with keys_of(session, _PERSONS.c.id, list(persons)) as ids:
        session.execute(
            delete(PersonConflict).where(PersonConflict.person_id.in_(select(ids.c.id)))
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
