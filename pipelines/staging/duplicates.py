"""Record keys delivered more than once inside one delivery.

Most sources say the later record wins (staging keeps the last row per key), and the
repeats are counted per delivery (`count_duplicates`) so that an operator sees them. The
mahalla register is a snapshot in which a key is unique by contract: there two rows with
the same key and different values cannot both be right and neither may silently win, so
all of them are rejected (`split_conflicting_duplicates`); identical repeats are harmless
and keep one row.
"""

from __future__ import annotations

import polars as pl

from pipelines.staging.rules import REJECT_SCHEMA, raw_record

RULE = "conflicting_duplicate"


def count_duplicates(landed: pl.DataFrame) -> int:
    """How many rows of `landed` repeat a record key of an earlier row."""
    if landed.is_empty():
        return 0
    return landed.height - landed["record_key"].n_unique()


def split_conflicting_duplicates(
    landed: pl.DataFrame, key_name: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows kept, rejects with REJECT_SCHEMA): every row whose record key is delivered
    again with other values is rejected, naming the key and the lines that disagree."""
    values = [c for c in landed.columns if c != "origin"]
    marked = landed.with_columns(
        _variants=pl.struct(values).n_unique().over("record_key"),
        _origins=pl.col("origin").str.join(", ").over("record_key"),
    )
    conflicting = pl.col("_variants") > 1
    kept = marked.filter(~conflicting).drop("_variants", "_origins")
    bad = marked.filter(conflicting)
    if bad.is_empty():
        return kept, pl.DataFrame(schema=REJECT_SCHEMA)
    reason = pl.concat_str(
        [
            pl.lit(f"{key_name} '"),
            pl.col("record_key"),
            pl.lit("' is delivered with different values at "),
            pl.col("_origins"),
            pl.lit("; the register allows one row per key, so none of them is loaded"),
        ]
    )
    rejects = bad.select(
        pl.col("record_key"),
        pl.col("origin"),
        pl.lit(RULE).alias("rule"),
        pl.concat_list(reason).alias("reasons"),
        raw_record(landed.columns),
    )
    return kept, rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]
