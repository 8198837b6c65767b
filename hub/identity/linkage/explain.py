"""The waterfall of a decided pair: which level each comparison hit and what it weighed.

For each (mention, partner) pair that decided a link: one ``prior`` row (the log2 prior
odds that two random mentions are one person), one row per comparison (its level's label
and its log2 Bayes factor), a ``surname term frequency`` row where the surname's rarity
adjusted the weight, and a ``pinfl overruled`` row taking the PINFL's weight back out
where names, birth date or sex overruled it. The rows of a pair sum to its match weight.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from hub.identity.linkage.contract import EXPLANATION_SCHEMA
from hub.identity.linkage.scoring import level_values


def waterfall(decided: pl.DataFrame, pairs: pl.DataFrame, settings: dict[str, Any]) -> pl.DataFrame:
    """Rows of ``EXPLANATION_SCHEMA`` for ``decided`` (mention_id, matched_mention_id,
    unique_id_l, unique_id_r) from the scored ``pairs``."""
    if decided.is_empty():
        return pl.DataFrame(schema=EXPLANATION_SCHEMA)
    scored = decided.join(pairs, on=["unique_id_l", "unique_id_r"], how="inner")
    prior = settings["probability_two_random_records_match"]
    parts = [
        scored.select(
            "mention_id",
            "matched_mention_id",
            comparison=pl.lit("prior"),
            level=pl.lit(f"one in {1 / prior:,.0f} pairs is a match"),
            log2_bayes_factor=pl.lit(math.log2(prior / (1 - prior))),
        )
    ]
    for comparison, levels in level_values(settings).items():
        labels = {gamma: label for label, gamma in levels.items()} | {-1: "missing"}
        parts.append(
            scored.select(
                "mention_id",
                "matched_mention_id",
                comparison=pl.lit(comparison),
                level=pl.col(f"gamma_{comparison}").replace_strict(labels, default="?"),
                log2_bayes_factor=pl.col(f"mw_{comparison}"),
            )
        )
    parts.append(_adjustments(scored))
    return pl.concat(parts).cast(EXPLANATION_SCHEMA)  # type: ignore[arg-type]


def _adjustments(scored: pl.DataFrame) -> pl.DataFrame:
    if "mw_tf_adj_surname" not in scored.columns:
        scored = scored.with_columns(mw_tf_adj_surname=pl.lit(0.0))
    frequency = scored.filter(pl.col("mw_tf_adj_surname") != 0).select(
        "mention_id",
        "matched_mention_id",
        comparison=pl.lit("surname term frequency"),
        level=pl.lit("rarity of the shared surname"),
        log2_bayes_factor="mw_tf_adj_surname",
    )
    overruled = scored.filter("pinfl_overruled").select(
        "mention_id",
        "matched_mention_id",
        comparison=pl.lit("pinfl overruled"),
        level=pl.lit("names, birth date or sex contradict the shared PINFL"),
        log2_bayes_factor=-pl.col("mw_pinfl"),
    )
    return pl.concat([frequency, overruled])
