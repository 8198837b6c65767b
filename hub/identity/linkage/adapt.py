"""Fitting a trained model to the frame it links: the parameters that depend on its size.

Two parameters of a trained model describe the training data rather than people:

- the prior (probability that two random mentions are one person) falls as mentions grow:
  each mention has about the same number of other mentions of its person whatever the
  size, so the model stores ``matches_per_mention`` (prior x (n - 1) at training) and the
  run sets prior = matches_per_mention / (n - 1);
- u of "same mahalla" and "same district" is the chance two random mentions share one,
  which is the sum of squared shares of the frame's mahallas (districts): computed here
  from the frame, so a model trained on 40 mahallas links 4,000 correctly;
- u of "both surveyed" is the squared share of survey members among the frame's mentions
  (a delivery of agency records linked against the graph holds fewer than a full load).
"""

from __future__ import annotations

import copy
from typing import Any, Final

import polars as pl

from hub.identity.linkage.settings import SURVEY_BOTH

MATCHES_PER_MENTION: Final = "matches_per_mention"


def matches_per_mention(settings: dict[str, Any], mentions: int) -> float:
    return float(settings["probability_two_random_records_match"]) * max(mentions - 1, 1)


def adapt_settings(settings: dict[str, Any], features: pl.DataFrame) -> dict[str, Any]:
    """A copy of ``settings`` with the prior and location u values fitted to ``features``."""
    adapted = copy.deepcopy(settings)
    size = features.height
    per_mention = settings.get(MATCHES_PER_MENTION)
    if isinstance(per_mention, int | float) and size > 1:
        adapted["probability_two_random_records_match"] = min(per_mention / (size - 1), 0.5)
    adapted.pop(MATCHES_PER_MENTION, None)
    for comparison in adapted["comparisons"]:
        if comparison["output_column_name"] == "mahalla":
            _location_u(comparison, features)
        if comparison["output_column_name"] == "surveyed":
            _surveyed_u(comparison, features)
    return adapted


def _share_squares(features: pl.DataFrame, column: str) -> float:
    known = features[column].drop_nulls()
    if known.is_empty():
        return 0.0
    shares = known.value_counts()["count"].cast(pl.Float64) / known.len()
    return float((shares * shares).sum())


def _location_u(comparison: dict[str, Any], features: pl.DataFrame) -> None:
    same_mahalla = _share_squares(features, "mahalla_code")
    same_district = _share_squares(features, "district")
    if same_mahalla <= 0:
        return
    values = {
        "same mahalla": same_mahalla,
        "same district": max(same_district - same_mahalla, 1e-6),
        "different": max(1.0 - same_district, 1e-6),
    }
    for level in comparison["comparison_levels"]:
        label = level.get("label_for_charts")
        if label in values:
            level["u_probability"] = values[label]


def _surveyed_u(comparison: dict[str, Any], features: pl.DataFrame) -> None:
    share = float(features.select(pl.col("surveyed").mean()).item() or 0.0)
    both = min(max(share * share, 1e-6), 1.0 - 1e-6)
    for level in comparison["comparison_levels"]:
        if level.get("label_for_charts") == SURVEY_BOTH:
            level["u_probability"] = both
        elif not level.get("is_null_level"):
            level["u_probability"] = 1.0 - both
