"""A full relink: every person record of the graph through the engine at once, no anchors.

Incremental linking (one delivery against the graph's records that share a blocking key
with it) must give the same persons as this, except for recorded merges; `partition`
reads the graph's own grouping of records into persons to compare with it. Both are
(mention_id, group) frames; equal partitions have the same sets of mentions per group.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from hub.identity.linkage import resolve_identities
from pipelines.linking.records import engine_mentions, known_frame, known_records_query
from pipelines.linking.step import Resolver


def _all_records(session: Session) -> pl.DataFrame:
    rows: list[tuple[Any, ...]] = [tuple(r) for r in session.execute(known_records_query())]
    return known_frame(rows)


def partition(session: Session) -> pl.DataFrame:
    """The graph's persons as groups of mention ids (unlinked records: group null)."""
    mentions = engine_mentions(_all_records(session))
    return mentions.select("mention_id", pl.col("person_hub_id").alias("group"))


def relink_partition(session: Session, resolver: Resolver | None = None) -> pl.DataFrame:
    """What linking every record from scratch would group (unlinked: group null)."""
    mentions = engine_mentions(_all_records(session)).with_columns(
        person_hub_id=pl.lit(None, pl.String)
    )
    resolution = (resolver or resolve_identities)(mentions)
    return resolution.assignments.select(
        "mention_id", pl.col("cluster").cast(pl.String).alias("group")
    )


def groups(frame: pl.DataFrame) -> set[frozenset[str]]:
    """A partition as a set of groups (each a set of mention ids), unlinked left out."""
    linked = frame.filter(pl.col("group").is_not_null())
    grouped = linked.group_by("group").agg(pl.col("mention_id"))
    return {frozenset(ids) for ids in grouped["mention_id"].to_list()}


def pairs(frame: pl.DataFrame) -> set[tuple[str, str]]:
    """The pairs of mentions a partition puts in one group."""
    found: set[tuple[str, str]] = set()
    for group in groups(frame):
        ordered = sorted(group)
        found.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
    return found


def agreement(incremental: pl.DataFrame, full: pl.DataFrame) -> tuple[float, float]:
    """Pairwise precision and recall of `incremental` against `full` (1.0 when equal)."""
    mine, theirs = pairs(incremental), pairs(full)
    shared = len(mine & theirs)
    return (shared / len(mine) if mine else 1.0, shared / len(theirs) if theirs else 1.0)
