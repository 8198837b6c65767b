"""Stable hub ids for the clusters linkage found: keep, merge (redirect) or split (mint).

Each cluster is one person. A mention already linked in the graph carries its person's hub
id (its anchor). Every anchored hub id has one *home*: the cluster holding most of its
mentions (ties: the smaller cluster number). Then, per cluster:

- no hub id is at home in it: a new id. When some of its mentions were anchored elsewhere,
  the cluster is a **split** from those persons, recorded with the reason;
- one hub id is at home: the cluster keeps it;
- several are: a **merge**. The oldest person's id survives (the smallest internal id, as
  ids are handed out in creation order); every other id redirects to it, with the reason.

New ids are name-based UUIDs of the cluster's first mention, so loading the same
deliveries into an empty graph gives the same ids; an id already used (by a person or a
redirect) is never handed out again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import polars as pl

HUB_NAMESPACE: Final = uuid.UUID("6f1c2a4e-9b1d-4f7e-8a53-0d5c2e7b9a11")


def household_hub_id(survey_id: str) -> str:
    """The stable hub id of the household a survey id names."""
    return uuid.uuid5(HUB_NAMESPACE, f"household:{survey_id}").hex


def first_hub_id(first_mention: str) -> str:
    """The hub id a person founded by `first_mention` gets unless it is already used."""
    return uuid.uuid5(HUB_NAMESPACE, f"record:{first_mention}").hex


def new_person_hub_id(first_mention: str, taken: Callable[[str], bool]) -> str:
    """A hub id for a person founded by `first_mention` that `taken` does not refuse."""
    candidate = first_hub_id(first_mention)
    attempt = 0
    while taken(candidate):
        attempt += 1
        candidate = uuid.uuid5(HUB_NAMESPACE, f"record:{first_mention}#{attempt}").hex
    return candidate


@dataclass(frozen=True)
class Redirect:
    from_hub_id: str
    to_hub_id: str
    reason: str


@dataclass(frozen=True)
class Split:
    hub_id: str
    from_hub_id: str
    reason: str


@dataclass
class IdPlan:
    """`cluster_ids`: cluster (Int64) -> hub_id, is_new; and the merges and splits."""

    cluster_ids: pl.DataFrame
    redirects: list[Redirect] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)


def _homes(anchored: pl.DataFrame) -> pl.DataFrame:
    """person_hub_id, cluster: the home of each anchored hub id."""
    counts = anchored.group_by("person_hub_id", "cluster").len()
    ranked = counts.sort(["person_hub_id", "len", "cluster"], descending=[False, True, False])
    return ranked.group_by("person_hub_id", maintain_order=True).first().drop("len")


def homeless_firsts(assignments: pl.DataFrame) -> pl.DataFrame:
    """cluster, mention_id (its first mention) of the clusters no anchored hub id has its
    home in: the clusters that get a new id (see the module docstring)."""
    linked = assignments.filter(pl.col("cluster").is_not_null())
    anchored = linked.filter(pl.col("person_hub_id").is_not_null())
    homes = _homes(anchored)["cluster"].implode()
    return (
        linked.filter(~pl.col("cluster").is_in(homes))
        .group_by("cluster")
        .agg(pl.col("mention_id").min())
        .sort("cluster")
    )


def plan_hub_ids(
    assignments: pl.DataFrame,
    ages: dict[str, int],
    taken: Callable[[str], bool],
    split_reasons: dict[int, str] | None = None,
) -> IdPlan:
    """Decide the hub id of every cluster in `assignments` (mention_id, cluster,
    person_hub_id). `ages`: hub id -> creation order (smaller = older); `split_reasons`:
    cluster -> why linkage kept it apart (e.g. a refused merge)."""
    linked = assignments.filter(pl.col("cluster").is_not_null())
    anchored = linked.filter(pl.col("person_hub_id").is_not_null())
    residents = (
        _homes(anchored)
        .group_by("cluster")
        .agg(pl.col("person_hub_id").sort(), pl.len().alias("count"))
        .sort("cluster")
    )
    plan = IdPlan(pl.DataFrame())
    # Most clusters are the home of one hub id, which they keep.
    kept = residents.filter(pl.col("count") == 1).select(
        "cluster", hub_id=pl.col("person_hub_id").list.first(), is_new=pl.lit(False)
    )
    rows: list[tuple[int, str, bool]] = []
    merged = residents.filter(pl.col("count") > 1).select("cluster", "person_hub_id")
    for cluster, at_home in merged.iter_rows():
        survivor = min(at_home, key=lambda h: (ages.get(h, 1 << 62), h))
        rows.append((cluster, survivor, False))
        plan.redirects += [
            Redirect(h, survivor, f"linked as one person with {survivor}")
            for h in at_home
            if h != survivor
        ]
    # The clusters no hub id is at home in: a new id each, in cluster order.
    homeless = homeless_firsts(assignments)
    strays = anchored.filter(pl.col("cluster").is_in(homeless["cluster"].implode()))
    strays = strays.group_by("cluster").agg(pl.col("person_hub_id").unique().sort())
    away = dict(zip(strays["cluster"], strays["person_hub_id"].to_list(), strict=True))
    issued: set[str] = set()
    for cluster, first in homeless.iter_rows():
        hub_id = new_person_hub_id(first, lambda c: c in issued or taken(c))
        issued.add(hub_id)
        rows.append((cluster, hub_id, True))
        reason = (split_reasons or {}).get(cluster, "linkage separates these records")
        plan.splits += [Split(hub_id, origin, reason) for origin in away.get(cluster, [])]
    schema = {"cluster": pl.Int64, "hub_id": pl.String, "is_new": pl.Boolean}
    others = pl.DataFrame(rows, schema=schema, orient="row")
    plan.cluster_ids = pl.concat([kept.cast(schema), others]).sort("cluster")  # type: ignore[arg-type]
    return plan
