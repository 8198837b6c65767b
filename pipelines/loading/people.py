"""Persons for a loader: linking through the `linked_persons` step, and provenance rows.

Person mentions are linked by `pipelines.linking.step.link_persons` (which also writes their
source records); `upsert_source_records` writes the other records a source delivers (a
household, a mahalla, an assistant, a business) as provenance.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from hub.graph.frame_upserts import upsert_frame
from hub.graph.models import SourceRecord
from pipelines.linking.step import link_persons
from pipelines.loading.context import LoadContext


def with_persons(
    ctx: LoadContext,
    staged: pl.DataFrame,
    *,
    households: Sequence[str] = (),
    person_facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`staged` with the `person_id` (null: unlinked or not a person) and `match_method`
    linking gave each of its person records (`person_facts`: see `link_persons`)."""
    links = link_persons(ctx, staged, households=households, person_facts=person_facts)
    return staged.join(
        links.select("record_key", "person_id", "match_method"), on="record_key", how="left"
    )


def upsert_source_records(ctx: LoadContext, frame: pl.DataFrame, kind: str) -> None:
    """One SourceRecord per staged row that is not a person mention: its provenance."""
    if frame.is_empty():
        return
    household = pl.col("household_id") if "household_id" in frame.columns else pl.lit(None)
    mahalla = pl.col("mahalla_code") if "mahalla_code" in frame.columns else pl.lit(None)
    rows = frame.select(
        pl.lit(ctx.source).alias("source"),
        pl.col("record_key"),
        pl.lit(kind).alias("kind"),
        household.cast(pl.Int64).alias("household_id"),
        mahalla.cast(pl.String).alias("mahalla_code"),
        pl.lit(ctx.delivery_id).alias("first_delivery_id"),
        pl.lit(ctx.delivery_id).alias("last_delivery_id"),
        pl.lit(ctx.now).alias("first_seen_at"),
        pl.lit(ctx.now).alias("last_seen_at"),
    )
    update = [
        c
        for c in rows.columns
        if c not in ("source", "record_key", "first_delivery_id", "first_seen_at")
    ]
    upsert_frame(ctx.session, SourceRecord, rows, key=["source", "record_key"], update=update)
