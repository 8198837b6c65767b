"""Writing the engine's answer onto source records: each record's person and how it joined.

A record's *link* (method, probability, weight, the partner record whose pair decided it,
the waterfall of comparison levels, or why it stayed unlinked) is written when the record
is new or redelivered with a decision of its own, or when it moved to another person. A
record the engine merely kept where it was (`previous_link`) keeps the explanation it had.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub.graph.inserts import insert_frame
from hub.graph.models import LinkContribution, SourceRecord
from hub.graph.scratch import keys_of, update_from
from hub.identity.linkage import Resolution

_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]


def _partner() -> list[pl.Expr]:
    parts = pl.col("matched_mention_id").str.splitn("/", 2)
    return [
        parts.struct.field("field_0").alias("matched_source"),
        parts.struct.field("field_1").alias("matched_record_key"),
    ]


def relinked(assigned: pl.DataFrame) -> pl.Expr:
    """Records whose link is written anew (see the module docstring)."""
    moved = pl.col("new_person_id").ne_missing(pl.col("person_id"))
    decided = pl.col("incoming") & (pl.col("method") != "previous_link")
    return moved | decided | pl.col("had_method").not_()


def link_values(resolution: Resolution, now: datetime) -> list[pl.Expr]:
    """A linked record's link columns: its person and how it joined it."""
    return [
        pl.col("new_person_id").alias("person_id"),
        pl.col("method").alias("match_method"),
        pl.col("match_probability").alias("match_score"),
        pl.col("match_weight"),
        *_partner(),
        pl.col("unlinked_reason"),
        pl.lit(resolution.model_version).alias("model_version"),
        pl.lit(now).alias("linked_at"),
    ]


def write_links(
    session: Session, assigned: pl.DataFrame, resolution: Resolution, now: datetime
) -> None:
    """Links for the records of `assigned` that are `relinked`, and their waterfalls.

    The incoming records were written with their links already (`pipelines.linking.step`);
    here the others that moved get theirs. A record that moved is always relinked, so one
    UPDATE writes its person and its link together: each row is written once (on
    PostgreSQL every write is a new row version)."""
    fresh = assigned.filter(relinked(assigned))
    if fresh.is_empty():
        return
    moved = fresh.filter(~pl.col("incoming"))
    links = moved.select(pl.col("record_id").alias("id"), *link_values(resolution, now))
    update_from(session, _RECORDS, links)
    _write_waterfalls(session, fresh, resolution.explanations)


def _write_waterfalls(session: Session, fresh: pl.DataFrame, explanations: pl.DataFrame) -> None:
    with keys_of(session, _RECORDS.c.id, fresh["record_id"]) as ids:
        session.execute(
            delete(LinkContribution).where(LinkContribution.source_record_id.in_(select(ids.c.id)))
        )
    # The waterfall of the pair that decided the record's link, in the engine's order.
    decided = fresh.select("mention_id", "matched_mention_id", "record_id").drop_nulls()
    # A pair may be explained in either direction.
    ordered = explanations.with_row_index("order")
    reversed_pairs = ordered.rename(
        {"mention_id": "matched_mention_id", "matched_mention_id": "mention_id"}
    ).select(ordered.columns)
    steps = (
        pl.concat([ordered, reversed_pairs])
        .join(decided, on=["mention_id", "matched_mention_id"], how="inner")
        .unique(["record_id", "order"], keep="first")
    )
    # The record's old rows were deleted above: a plain insert, no conflict to resolve.
    rows = steps.sort("order").select(
        pl.col("record_id").alias("source_record_id"),
        pl.int_range(pl.len()).over("record_id").cast(pl.Int16).alias("position"),
        "comparison",
        pl.col("level").fill_null(""),
        pl.col("log2_bayes_factor").fill_null(0.0),
    )
    insert_frame(session, LinkContribution, rows)
