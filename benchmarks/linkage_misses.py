"""Why the project's linkage misses true pairs and makes false ones (``bench_linkage --misses``).

Every true pair of mentions (one true person) that ends in two clusters gets ONE cause, the
first that applies:

- ``anonymous mention``: a side has neither name, PINFL nor phone (nothing can link it);
- ``unlinked: <reason>``: a side was left unlinked, with the engine's reason;
- ``link refused by cluster rule``: the pair scored at or above the link threshold, but
  joining its clusters would break a constraint (two confirmed PINFLs, one household);
- ``below threshold (PINFL overruled)`` / ``below threshold``: scored, under the threshold;
- ``scored below candidate floor``: blocked and scored, but under ``CANDIDATE_PROBABILITY``;
- ``blocked away``: no blocking rule holds for the pair (it was never scored).

Every false pair (two true persons in one cluster) is ``linked directly: shared PINFL`` /
``linked directly: probabilistic`` when the pair itself was a link, else ``chained through
other links``. Both tables also count the pairs by the sources of their two mentions.
"""

from __future__ import annotations

import sys
from typing import Any

import duckdb
import polars as pl

from hub.identity.linkage.engine import Linked
from hub.identity.linkage.scoring import level_values
from hub.identity.linkage.settings import LINK_THRESHOLD

ANONYMOUS = pl.all_horizontal(pl.col(c).is_null() for c in ("full_name", "pinfl", "phone"))
_SIDES = ("unique_id", "unique_id_r")


def blocking_rules(settings: dict[str, Any]) -> list[str]:
    return [
        rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
        for rule in settings["blocking_rules_to_generate_predictions"]
    ]


def _frame(mentions: pl.DataFrame, truth: pl.Series, linked: Linked) -> pl.DataFrame:
    return mentions.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("unique_id"),
        "source",
        anonymous=ANONYMOUS,
        truth=truth,
        cluster=pl.Series(linked.clusters.cluster, dtype=pl.Int64),
    ).with_columns(size=pl.len().over("cluster"))


def _pairs(frame: pl.DataFrame, on: str, keep: pl.Expr) -> pl.DataFrame:
    both = frame.join(frame, on=on, suffix="_r").filter(pl.col("unique_id") < pl.col("unique_id_r"))
    return both.filter(keep).with_columns(
        sources=pl.concat_str(
            pl.min_horizontal("source", "source_r"),
            pl.lit("-"),
            pl.max_horizontal("source", "source_r"),
        )
    )


def _blocked(pairs: pl.DataFrame, features: pl.DataFrame, rules: list[str]) -> pl.Series:
    """Per pair: whether any prediction blocking rule holds (evaluated as Splink would)."""
    if pairs.is_empty():
        return pl.Series("blocked", [], dtype=pl.Boolean)
    ids = pairs.select(*_SIDES).with_row_index("row")  # noqa: F841 (read by duckdb)
    feats = features  # noqa: F841
    condition = " OR ".join(f"coalesce(({rule}), false)" for rule in rules)
    query = (
        f"SELECT p.row, ({condition}) AS blocked FROM ids p "
        "JOIN feats l ON l.unique_id = p.unique_id JOIN feats r ON r.unique_id = p.unique_id_r "
        "ORDER BY p.row"
    )
    return duckdb.sql(query).pl()["blocked"]


def missed_pairs(
    mentions: pl.DataFrame, truth: pl.Series, linked: Linked, assignments: pl.DataFrame
) -> pl.DataFrame:
    """True pairs in different clusters, each with its cause and source pair."""
    frame = _frame(mentions, truth, linked).with_columns(
        unlinked=assignments["unlinked_reason"].str.replace(
            r"name '.*' normalises", "name normalises"
        )
    )
    split = _pairs(frame, "truth", pl.col("cluster") != pl.col("cluster_r"))
    scored = linked.scored.pairs.select(
        unique_id="unique_id_l",
        unique_id_r="unique_id_r",
        p="match_probability",
        over="pinfl_overruled",
    )
    split = split.join(scored, on=list(_SIDES), how="left")
    split = split.with_columns(
        blocked=_blocked(split, linked.features, blocking_rules(linked.settings))
    )
    unlinked = pl.coalesce("unlinked", "unlinked_r")
    cause = (
        pl.when(pl.col("anonymous") | pl.col("anonymous_r"))
        .then(pl.lit("anonymous mention"))
        .when(unlinked.is_not_null())
        .then(pl.concat_str(pl.lit("unlinked: "), unlinked))
        .when(pl.col("p") >= LINK_THRESHOLD)
        .then(pl.lit("link refused by cluster rule"))
        .when(pl.col("p").is_not_null() & pl.col("over"))
        .then(pl.lit("below threshold (PINFL overruled)"))
        .when(pl.col("p").is_not_null())
        .then(pl.lit("below threshold"))
        .when(pl.col("blocked"))
        .then(pl.lit("scored below candidate floor"))
        .otherwise(pl.lit("blocked away"))
    )
    return split.select("unique_id", "unique_id_r", "sources", cause=cause)


def false_pairs(mentions: pl.DataFrame, truth: pl.Series, linked: Linked) -> pl.DataFrame:
    """Pairs of different true persons in one cluster, each with its cause and source pair."""
    frame = _frame(mentions, truth, linked)
    wrong = _pairs(
        frame.filter(pl.col("size") > 1), "cluster", pl.col("truth") != pl.col("truth_r")
    )
    same_pinfl = level_values(linked.settings)["pinfl"]["same PINFL"]
    links = linked.scored.pairs.filter(pl.col("match_probability") >= LINK_THRESHOLD).select(
        unique_id="unique_id_l",
        unique_id_r="unique_id_r",
        on_pinfl=(pl.col("gamma_pinfl") == same_pinfl) & ~pl.col("pinfl_overruled"),
    )
    wrong = wrong.join(links, on=list(_SIDES), how="left")
    cause = (
        pl.when(pl.col("on_pinfl"))
        .then(pl.lit("linked directly: shared PINFL"))
        .when(pl.col("on_pinfl").is_not_null())
        .then(pl.lit("linked directly: probabilistic"))
        .otherwise(pl.lit("chained through other links"))
    )
    return wrong.select("unique_id", "unique_id_r", "sources", cause=cause)


def print_breakdown(title: str, pairs: pl.DataFrame, total: float) -> None:
    """A table: cause, pairs, share of ``total`` pairs, the three commonest source pairs."""
    out = sys.stdout.write
    out(f"  {title}: {pairs.height} pairs ({pairs.height / total:.4f} of {total:,.0f})\n")
    if pairs.is_empty():
        return
    causes = pairs.group_by("cause").len().sort(["len", "cause"], descending=[True, False])
    for cause, count in causes.iter_rows():
        top = (
            pairs.filter(pl.col("cause") == cause)
            .group_by("sources")
            .len()
            .sort(["len", "sources"], descending=[True, False])
            .head(3)
        )
        where = ", ".join(f"{s} {n}" for s, n in top.iter_rows())
        out(f"    {cause:<78.78} {count:>6} {count / total:>8.4f}  {where}\n")
