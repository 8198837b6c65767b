"""Pairs each prediction blocking rule generates on its own (``bench_linkage --scale``).

Splink scores a pair once, under the first rule that holds; this counts each rule's pairs
without that deduplication, so a rule whose count grows faster than the mentions (a block
keyed on something common, whose size grows with the population) shows up by itself.
"""

from __future__ import annotations

import duckdb
import polars as pl

from hub.identity.linkage.features import mention_features
from hub.identity.linkage.model import load_latest_model


def rule_pair_counts(mentions: pl.DataFrame) -> list[tuple[str, int]]:
    """(rule, pairs l < r it holds for) per blocking rule of the shipped model."""
    features = mention_features(mentions).drop("full_name")
    rules = load_latest_model().settings["blocking_rules_to_generate_predictions"]
    counts = []
    with duckdb.connect() as con:
        con.register("f", features)
        for rule in rules:
            text = rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
            query = f"SELECT count(*) FROM f l JOIN f r ON {text} AND l.unique_id < r.unique_id"
            rows = con.sql(query).fetchall()
            counts.append((text, int(rows[0][0])))
    return counts
