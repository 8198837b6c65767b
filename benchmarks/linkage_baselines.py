"""The two baselines bench_linkage.py runs beside the project's linkage, on the same mentions.

- ``exact_pinfl``: mentions carrying the same PINFL string (as delivered, whitespace
  removed, valid or not) are one person; every other mention is a person of its own.
- ``plain_splink``: a careful generic Splink 5 set-up that knows nothing of Uzbek names:
  the raw delivered name lower-cased and split into its first three words, the stated
  birth date, sex, mahalla, PINFL, passport and phone; Jaro-Winkler name levels with term
  frequencies on the first word, Splink's date-of-birth comparison; trained on the same
  mentions (prior from deterministic rules, u by random sampling, EM), linked at 0.9 and
  clustered by connected components.

Both return one cluster label (String) per mention, in input order.
"""

from __future__ import annotations

import logging

import duckdb
import polars as pl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

THRESHOLD = 0.9


def exact_pinfl(mentions: pl.DataFrame) -> tuple[pl.Series, int]:
    key = pl.col("pinfl").str.replace_all(r"\s+", "")
    labels = mentions.select(
        pl.when(key.is_not_null() & (key != ""))
        .then(pl.concat_str(pl.lit("pinfl:"), key))
        .otherwise(pl.col("mention_id"))
    ).to_series()
    return labels, 0


def _plain_columns(mentions: pl.DataFrame) -> pl.DataFrame:
    words = (
        pl.col("full_name")
        .str.to_lowercase()
        .str.replace_all(r"[^\w\s]", "")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    return mentions.with_row_index("unique_id").select(
        pl.col("unique_id").cast(pl.Int64),
        name1=words.list.get(0, null_on_oob=True),
        name2=words.list.get(1, null_on_oob=True),
        name3=words.list.get(2, null_on_oob=True),
        birth=pl.col("birth_on").dt.strftime("%Y-%m-%d"),
        sex="sex",
        mahalla_code="mahalla_code",
        pinfl=pl.col("pinfl").str.replace_all(r"\s+", ""),
        passport="passport",
        phone="phone",
    )


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("pinfl"),
            cl.JaroWinklerAtThresholds("name1", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("name2", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("name3", [0.92, 0.8]),
            cl.DateOfBirthComparison("birth", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("mahalla_code"),
            cl.ExactMatch("passport"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("pinfl"),
            block_on("name1", "birth"),
            block_on("name2", "birth"),
            block_on("name1", "name2", "mahalla_code"),
            block_on("passport"),
            block_on("phone"),
        ],
        retain_matching_columns=False,
    )


def plain_splink(mentions: pl.DataFrame) -> tuple[pl.Series, int]:
    api = DuckDBAPI(duckdb.connect(":memory:"))
    table = api.register(_plain_columns(mentions).to_arrow(), table_name="plain")
    linker = Linker(table, _settings(), log_level=logging.ERROR)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("pinfl", "birth"), block_on("name1", "name2", "birth")], recall=0.8
    )
    training.estimate_u_using_random_sampling(max_pairs=3e6, seed=42)
    for rule in (block_on("pinfl"), block_on("name1", "birth")):
        try:
            training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as error:  # EM underflow on a level: keep the previous values
            logging.getLogger(__name__).warning("plain Splink EM session skipped: %s", error)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    count = linker.misc.query_sql(f"SELECT count(*) AS n FROM {blocked.physical_name}", "pandas")
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    frame = pl.from_arrow(clusters.as_pyarrow_table())
    assert isinstance(frame, pl.DataFrame)
    ordered = (
        pl.DataFrame({"unique_id": range(mentions.height)}, schema={"unique_id": pl.Int64})
        .join(frame.select("unique_id", "cluster_id"), on="unique_id", how="left")
        .sort("unique_id")
    )
    labels = ordered.select(
        pl.coalesce(pl.col("cluster_id").cast(pl.String), pl.col("unique_id").cast(pl.String))
    ).to_series()
    return labels, int(count["n"].iloc[0])
