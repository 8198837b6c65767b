"""Conflict rows of a linkage run: what the engine noticed and decided against.

- ``pinfl_overruled``: two mentions share a PINFL but names, birth date or sex contradict
  it, so the PINFL was not counted (they may still link on the rest);
- ``pinfl_shared``: mentions carrying one valid PINFL ended in different persons;
- ``merge_refused``: a link above the threshold that would have put two confirmed PINFLs
  or two members of one surveyed household into one person;
- ``attribute``: one person's mentions state different birth dates or sexes.
"""

from __future__ import annotations

import polars as pl

from hub.identity.linkage.contract import CONFLICT_SCHEMA


def collect_conflicts(
    features: pl.DataFrame,
    assignments: pl.DataFrame,
    pairs: pl.DataFrame,
    refused: pl.DataFrame,
) -> pl.DataFrame:
    placed = features.select("unique_id", "mention_id", "pinfl", "pinfl_valid").with_columns(
        cluster=assignments["cluster"]
    )
    parts = [
        _pair_rows(placed, pairs.filter("pinfl_overruled"), "pinfl_overruled", _overruled_detail()),
        _pair_rows(placed, refused, "merge_refused", pl.col("detail")),
        _shared(placed),
        _attribute(features.with_columns(cluster=assignments["cluster"])),
    ]
    return pl.concat(parts).cast(CONFLICT_SCHEMA)  # type: ignore[arg-type]


def _overruled_detail() -> pl.Expr:
    return pl.format(
        "shared PINFL not counted: names, birth date or sex contradict it (weight {})",
        pl.col("match_weight").round(2),
    )


def _pair_rows(
    placed: pl.DataFrame, pairs: pl.DataFrame, kind: str, detail: pl.Expr
) -> pl.DataFrame:
    left = placed.select("unique_id", "mention_id", "cluster")
    right = placed.select(unique_id_r="unique_id", other_mention_id="mention_id")
    joined = (
        pairs.with_columns(_detail=detail)
        .join(left.rename({"unique_id": "unique_id_l"}), on="unique_id_l")
        .join(right, on="unique_id_r")
    )
    return joined.select(
        "cluster",
        kind=pl.lit(kind),
        mention_id="mention_id",
        other_mention_id="other_mention_id",
        detail="_detail",
    )


def _shared(placed: pl.DataFrame) -> pl.DataFrame:
    valid = placed.filter(pl.col("pinfl_valid") & pl.col("cluster").is_not_null())
    spread = valid.filter(pl.col("cluster").n_unique().over("pinfl") > 1)
    firsts = spread.unique(["pinfl", "cluster"], keep="first", maintain_order=True)
    anchor = firsts.unique("pinfl", keep="first", maintain_order=True).select(
        "pinfl", other_mention_id="mention_id", _anchor_cluster="cluster"
    )
    rows = firsts.join(anchor, on="pinfl").filter(pl.col("cluster") != pl.col("_anchor_cluster"))
    return rows.select(
        "cluster",
        kind=pl.lit("pinfl_shared"),
        mention_id="mention_id",
        other_mention_id="other_mention_id",
        detail=pl.format("PINFL {} is carried by mentions of different persons", "pinfl"),
    )


def _attribute(features: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for column in ("birth_on", "sex"):
        stated = features.filter(pl.col("cluster").is_not_null() & pl.col(column).is_not_null())
        differing = stated.filter(pl.col(column).n_unique().over("cluster") > 1)
        firsts = differing.unique(["cluster", column], keep="first", maintain_order=True)
        anchor = firsts.unique("cluster", keep="first", maintain_order=True).select(
            "cluster", other_mention_id="mention_id", _other=pl.col(column).cast(pl.String)
        )
        joined = firsts.join(anchor, on="cluster").filter(
            pl.col("mention_id") != pl.col("other_mention_id")
        )
        rows.append(
            joined.select(
                "cluster",
                kind=pl.lit("attribute"),
                mention_id="mention_id",
                other_mention_id="other_mention_id",
                detail=pl.format(
                    f"{column} {{}} here, {{}} there", pl.col(column).cast(pl.String), "_other"
                ),
            )
        )
    return pl.concat(rows)
