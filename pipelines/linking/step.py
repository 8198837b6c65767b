"""The `linked_persons` step: link a delivery's person mentions to golden persons.

Every load asset runs this step for its delivery's persons, inside the delivery's one load
transaction (a crash leaves the previous graph, persons and links included). It is a step the
loads share rather than an asset downstream of all stagings because a source that is down
must not stop the others from loading, and because linking each delivery against the graph is
what incremental linking is: the delivery's mentions, plus every record in the graph sharing
a blocking key with them (`candidates`), go through the engine together, and its answer is
written:

1. golden ids per cluster: kept, minted, merged with a redirect, or split with the reason
   (`identities`);
2. the golden persons the delivery touches, from their records as linking leaves them: a
   new person is inserted once with its attributes, a kept one updated once, and their
   conflicts replaced (`golden`);
3. the delivery's mention records onto `source_record` (stated birth date and sex,
   passport, phone, TIN: what later deliveries are linked against), each written once
   together with its person and link; the other records that moved get theirs, and every
   new link its waterfall (`links`);
4. the facts of records that changed person follow them (`retarget`), and persons left
   without a source record are removed.

Survey households redelivered with changed members: the records of members no longer
listed are retired first, so their persons are relinked or removed, never left behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import polars as pl
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub.graph.bulk import in_chunks
from hub.graph.frame_upserts import upsert_frame
from hub.graph.inserts import insert_new
from hub.graph.models import Person, SourceRecord
from hub.graph.scratch import analyze_if_grown, drop, keys_of, scratch_table
from hub.identity.linkage import Resolution, resolve_identities
from pipelines.linking.candidates import gather_candidates
from pipelines.linking.founding import founding_ages
from pipelines.linking.golden import refresh_golden
from pipelines.linking.identities import drop_orphans, plan_identities, write_identities
from pipelines.linking.links import link_values, relinked, write_links
from pipelines.linking.locks import lock_linking
from pipelines.linking.records import (
    KNOWN_COLUMNS,
    RECORD_COLUMNS,
    engine_mentions,
    explained,
    mention_id,
    person_records,
    read_frame,
)
from pipelines.linking.retarget import retarget_facts
from pipelines.loading.context import LoadContext
from pipelines.regions.codes import COUNTRY

Resolver = Callable[[pl.DataFrame], Resolution]
Ages = Callable[[Session, pl.DataFrame], dict[str, int]]
"""Hub id -> its person's age rank (smaller = older; the older survives a merge), for the
anchored persons of an assigned frame; None: their internal ids (creation order)."""
_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]

LINK_COLUMNS: Final = ("record_key", "person_id", "hub_id", "match_method")


def _stored(ctx: LoadContext, incoming: pl.DataFrame) -> pl.DataFrame:
    """The incoming mention records (RECORD_COLUMNS, one per key: the last) as KNOWN
    records: the row id and person of those the graph holds already, this delivery's
    recency. They are written once linked, with their links (`_write_incoming`)."""
    incoming = incoming.unique("record_key", keep="last", maintain_order=True)
    # Joined on the whole unique key (source, record_key), driven by the analysed key
    # table: with `source = ...` apart, statistics that had not yet seen the source's
    # first deliveries (autovacuum analyses after a tenth of the table changes) made the
    # planner expect one record and compare every key with every record (at 1M people,
    # two minutes per monthly employment file).
    wanted = incoming.select(pl.lit(ctx.source).alias("source"), "record_key")
    keys = scratch_table(ctx.session, _RECORDS, wanted)
    query = (
        select(
            SourceRecord.record_key,
            SourceRecord.id,
            SourceRecord.person_id,
            Person.hub_id,
            explained(),
        )
        .select_from(keys)
        .join(
            SourceRecord,
            (SourceRecord.source == keys.c.source) & (SourceRecord.record_key == keys.c.record_key),
        )
        .outerjoin(Person, Person.id == SourceRecord.person_id)
    )
    stored = read_frame(
        ctx.session,
        query,
        {
            "record_key": pl.String,
            "record_id": pl.Int64,
            "person_id": pl.Int64,
            "person_hub_id": pl.String,
            "explained": pl.Int16,
        },
    )
    drop(ctx.session, keys)
    return incoming.join(stored, on="record_key", how="left").select(
        pl.col(c).cast(t) if c != "recency" else pl.lit(ctx.delivery_id, t).alias(c)
        for c, t in KNOWN_COLUMNS.items()
    )


def _write_incoming(
    ctx: LoadContext, assigned: pl.DataFrame, resolution: Resolution
) -> pl.DataFrame:
    """Write the incoming records with their links (those `relinked`; the others keep the
    link they had); `assigned` with the new records' row ids. Records the graph does not
    hold yet (no `record_id`: read under the linking lock) are inserted, with their links
    (a new record is always relinked); the others are upserted, one statement each way."""
    incoming = assigned.filter("incoming")
    record = [
        *(pl.col(c) for c in RECORD_COLUMNS),
        pl.lit("person").alias("kind"),
        pl.lit(ctx.delivery_id).alias("first_delivery_id"),
        pl.lit(ctx.delivery_id).alias("last_delivery_id"),
        pl.lit(ctx.now).alias("first_seen_at"),
        pl.lit(ctx.now).alias("last_seen_at"),
    ]
    update = [*RECORD_COLUMNS, "kind", "last_delivery_id", "last_seen_at"]
    update = [c for c in update if c not in ("source", "record_key")]
    fresh = relinked(incoming)
    links = link_values(resolution, ctx.now)
    new = pl.col("record_id").is_null()
    written = insert_new(
        ctx.session,
        SourceRecord,
        incoming.filter(new).select(*record, *links),
        key=["source", "record_key"],
        returning=["record_key", "id"],
    )
    for rows, link in (
        (incoming.filter(~new & fresh), links),
        (incoming.filter(~new & ~fresh), []),
    ):
        frame = rows.select(*record, *link)
        written += upsert_frame(
            ctx.session,
            SourceRecord,
            frame,
            key=["source", "record_key"],
            update=[*update, *frame.columns[len(record) :]],
            returning=["record_key", "id"],
        )
    analyze_if_grown(ctx.session, _RECORDS, incoming.height)
    ids = pl.DataFrame(
        written, schema={"record_key": pl.String, "written_id": pl.Int64}, orient="row"
    ).with_columns(source=pl.lit(ctx.source), incoming=pl.lit(True))
    return (
        assigned.join(ids, on=["source", "record_key", "incoming"], how="left")
        .with_columns(record_id=pl.coalesce("record_id", "written_id"))
        .drop("written_id")
    )


def _retire_members(ctx: LoadContext, survey_ids: Sequence[str], kept: pl.DataFrame) -> list[int]:
    """Delete the records of members the redelivered households no longer list."""
    keep = set(kept["record_key"].to_list())
    with keys_of(ctx.session, _RECORDS.c.household_key, list(survey_ids)) as households:
        stmt = select(SourceRecord.id, SourceRecord.person_id, SourceRecord.record_key).where(
            SourceRecord.source == "survey",
            SourceRecord.kind == "person",
            SourceRecord.household_key.in_(select(households.c.household_key)),
        )
        retired = [(i, p) for i, p, key in ctx.session.execute(stmt) if key not in keep]
    for chunk in in_chunks([i for i, _ in retired]):
        ctx.session.execute(delete(SourceRecord).where(SourceRecord.id.in_(chunk)))
    return [p for _, p in retired if p is not None]


def link_persons(
    ctx: LoadContext,
    staged: pl.DataFrame,
    *,
    households: Sequence[str] = (),
    resolver: Resolver | None = None,
    ages: Ages | None = None,
    person_facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Link the persons of `staged` (a staged table of `ctx.source`); LINK_COLUMNS per
    person record. `households`: the survey ids a survey delivery redelivers whole;
    `ages`: how merges choose their survivor (default: the oldest person);
    `person_facts`: record_key and person columns (the survey's occupation) that a person
    this delivery founds is inserted with, from its last record in `staged` order (the
    loader still sets them on the persons it did not found)."""
    lock_linking(ctx.session, ctx.region)
    incoming_records = person_records(ctx.source, staged)
    retired = _retire_members(ctx, households, incoming_records) if households else []
    incoming = _stored(ctx, incoming_records).with_columns(incoming=pl.lit(True))
    # Every record of the persons the redelivered records belong to is compared too.
    redelivered = incoming["person_id"].drop_nulls().unique().to_list()
    known = gather_candidates(
        ctx.session, incoming_records, [*retired, *redelivered], region=ctx.region
    )
    records = pl.concat([incoming, known.with_columns(incoming=pl.lit(False))])
    resolution = (resolver or resolve_identities)(engine_mentions(records))
    if ages is None and ctx.region == COUNTRY:
        # Linked across regions: pieces the regions founded merge into the one the whole
        # load would have founded (pipelines.linking.founding).
        ages = founding_ages
    assigned = assign_resolution(ctx, records, resolution, retired, ages, person_facts)
    return assigned.filter(pl.col("incoming")).select(
        "record_key",
        pl.col("new_person_id").alias("person_id"),
        pl.col("new_hub_id").alias("hub_id"),
        pl.col("method").alias("match_method"),
    )


def assign_resolution(
    ctx: LoadContext,
    records: pl.DataFrame,
    resolution: Resolution,
    retired: Sequence[int],
    ages: Ages | None = None,
    person_facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Write what `resolution` decided for `records` (KNOWN_COLUMNS + incoming): hub ids,
    golden persons, links, facts; `records` with mention_id, cluster, new ids."""
    session = ctx.session
    assigned = records.with_columns(mention_id=mention_id()).join(
        resolution.assignments, on="mention_id", how="left"
    )
    refused = resolution.conflicts.filter(pl.col("kind") == "merge_refused")
    reasons = {c: d for c, d in refused.select("cluster", "detail").iter_rows() if c is not None}
    plan = plan_identities(
        session, assigned, reasons, ages(session, assigned) if ages is not None else None
    )
    assigned = assigned.join(
        plan.cluster_ids.select("cluster", pl.col("hub_id").alias("new_hub_id")),
        on="cluster",
        how="left",
    )
    assigned = assigned.with_columns(changed=_changed(retired))
    persons = refresh_golden(
        session,
        assigned,
        plan.cluster_ids,
        retired,
        ctx.known_mahallas,
        ctx.now,
        _identity_conflicts(assigned, resolution),
        person_facts,
    )
    assigned = assigned.join(persons.drop("new_hub_id"), on="cluster", how="left")
    write_identities(session, plan, ctx.now)
    assigned = assigned.with_columns(had_method=pl.col("explained").fill_null(0) == 1)
    assigned = _write_incoming(ctx, assigned, resolution)
    write_links(session, assigned, resolution, ctx.now)
    retarget_facts(
        session, assigned.filter(pl.col("new_person_id").ne_missing(pl.col("person_id")))
    )
    changed = assigned.filter("changed")
    drop_orphans(session, [*changed["person_id"].drop_nulls().to_list(), *retired])
    return assigned


def _changed(retired: Sequence[int]) -> pl.Expr:
    """The records whose person's evidence changed: incoming ones, those that moved, and
    those of persons that lost retired records. A candidate that stayed where it was leaves
    its person as it was: refreshing every candidate's person made a small delivery
    rewrite a large share of the graph's persons."""
    moved = pl.col("new_hub_id").ne_missing(pl.col("person_hub_id"))
    lost = pl.col("person_id").is_in(list(retired))
    return pl.col("incoming") | moved | lost


def _identity_conflicts(assigned: pl.DataFrame, resolution: Resolution) -> pl.DataFrame:
    """The engine's conflicts, on the person of their first record."""
    who = assigned.select("mention_id", "source", "record_key", "new_hub_id")
    other = pl.col("other_mention_id").str.splitn("/", 2)
    return (
        resolution.conflicts.join(who, on="mention_id", how="inner")
        .filter(pl.col("new_hub_id").is_not_null())
        .select(
            pl.col("new_hub_id").alias("hub_id"),
            pl.col("kind").alias("attribute"),
            pl.lit(None, pl.String).alias("value"),
            pl.lit(None, pl.String).alias("surviving_value"),
            "source",
            "record_key",
            "kind",
            other.struct.field("field_0").alias("other_source"),
            other.struct.field("field_1").alias("other_record_key"),
            pl.col("detail").str.slice(0, 300),
        )
    )
