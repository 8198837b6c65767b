"""Scoring blocked mention pairs with the model, and letting names overrule a PINFL.

A shared valid PINFL is strong evidence, not a verdict: a relative's PINFL written on the
wrong record exists in real data. When a pair agrees on the PINFL but the records clearly
disagree on the given name, their own birth dates or their sex, the PINFL's contribution is
taken out of the pair's weight (the pair is scored on everything else) and the pair is
flagged ``pinfl_overruled``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from hub.identity.linkage.backend_settings import LinkageBackendSettings, load_backend_settings
from hub.identity.linkage.splink_session import linker_session, to_polars

CANDIDATE_PROBABILITY: Final = 0.01
"""Pairs below this are dropped right after scoring (far below any link)."""

OVERRULING_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "given": ("different", "initial different"),
    "birth": ("different",),
    "sex": ("different",),
}


@dataclass(frozen=True)
class ScoredPairs:
    pairs: pl.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability, ...
    comparisons: int


def level_values(settings: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Comparison -> level label -> its comparison vector value (gamma) in Splink."""
    values: dict[str, dict[str, int]] = {}
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        values[comparison["output_column_name"]] = {
            lv["label_for_charts"]: len(levels) - 1 - i for i, lv in enumerate(levels)
        }
    return values


def score_pairs(
    features: pl.DataFrame,
    settings: dict[str, Any],
    backend: LinkageBackendSettings | None = None,
) -> ScoredPairs:
    """Every blocked pair of ``features`` scored; those above ``CANDIDATE_PROBABILITY`` kept.

    Splink runs on ``backend`` (default: ``HUB_LINKAGE_BACKEND``, see ``backend_settings``).
    """
    scoring = settings | {"retain_intermediate_calculation_columns": True}
    with linker_session(features, scoring, backend or load_backend_settings()) as linker:
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        counted = linker.misc.query_sql(  # type: ignore[no-untyped-call]
            f"SELECT count(*) AS n FROM {blocked.physical_name}"
        ).as_record_list()
        predicted = linker.inference.predict(
            threshold_match_probability=CANDIDATE_PROBABILITY, warning_mode="never"
        )
        pairs = to_polars(predicted)
    keep = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    keep += [c for c in pairs.columns if c.startswith(("gamma_", "mw_"))]
    pairs = _overrule_pinfl(pairs.select(keep), level_values(settings))
    return ScoredPairs(pairs, int(counted[0]["n"]))


def _overrule_pinfl(pairs: pl.DataFrame, values: dict[str, dict[str, int]]) -> pl.DataFrame:
    contradicts = pl.lit(False)
    for comparison, labels in OVERRULING_LEVELS.items():
        gammas = [values[comparison][label] for label in labels]
        contradicts = contradicts | pl.col(f"gamma_{comparison}").is_in(gammas)
    overruled = (pl.col("gamma_pinfl") == values["pinfl"]["same PINFL"]) & contradicts
    weight = pl.col("match_weight") - pl.col("mw_pinfl")
    pairs = pairs.with_columns(pinfl_overruled=overruled).with_columns(
        match_weight=pl.when("pinfl_overruled").then(weight).otherwise("match_weight"),
    )
    return pairs.with_columns(
        match_probability=pl.when("pinfl_overruled")
        .then(_probability(pl.col("match_weight")))
        .otherwise("match_probability")
    )


def _probability(weight: pl.Expr) -> pl.Expr:
    odds = pl.lit(2.0).pow(weight.clip(-1000, 1000))
    return odds / (1 + odds)


def weight_of(probability: float) -> float:
    return math.log2(probability / (1 - probability))
