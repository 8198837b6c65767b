"""The linkage run (first pass only: exact, trusted PINFL; probabilistic linking follows).

A PINFL is trusted when it is valid and agrees with the record's own birth date and sex
(a field the record does not state is not compared, but at least one must be stated).
Mentions sharing a trusted PINFL form one cluster; survey members without one found their
own cluster; other mentions stay unlinked.
"""

from __future__ import annotations

import polars as pl

from hub.identity.linkage.contract import (
    ASSIGNMENT_SCHEMA,
    CONFLICT_SCHEMA,
    EXPLANATION_SCHEMA,
    MENTION_SCHEMA,
    Resolution,
)
from hub.identity.linkage.model import LinkageModel
from hub.identity.pinfl_bulk import pinfl_birth_on_expr, pinfl_issue_expr, pinfl_sex_expr


def trusted_pinfl_expr() -> pl.Expr:
    """The mention's PINFL where valid and confirmed by its stated birth date and sex."""
    digits = pl.col("pinfl")
    stated = pl.col("birth_on").is_not_null() | pl.col("sex").is_not_null()
    agrees = (
        pl.col("birth_on").is_null() | (pl.col("birth_on") == pinfl_birth_on_expr(digits))
    ) & (pl.col("sex").is_null() | (pl.col("sex") == pinfl_sex_expr(digits)))
    valid = pinfl_issue_expr("pinfl").is_null()
    return pl.when(valid & stated & agrees).then(digits).otherwise(None)


def run_engine(mentions: pl.DataFrame, *, model: LinkageModel | None = None) -> Resolution:
    frame = mentions.select(pl.col(name).cast(dtype) for name, dtype in MENTION_SCHEMA.items())
    frame = frame.with_columns(trusted=trusted_pinfl_expr())
    first = pl.col("mention_id").first().over("trusted")
    frame = frame.with_row_index("row").with_columns(
        cluster=pl.when(pl.col("trusted").is_not_null())
        .then(pl.col("row").min().over("trusted"))
        .when(pl.col("source") == "survey")
        .then(pl.col("row"))
        .cast(pl.Int64)
    )
    assignments = frame.select(
        "mention_id",
        "cluster",
        method=pl.when(pl.col("trusted").is_not_null())
        .then(pl.lit("pinfl_exact"))
        .when(pl.col("cluster").is_not_null())
        .then(pl.lit("singleton"))
        .otherwise(pl.lit("unlinked")),
        match_probability=pl.lit(None, pl.Float64),
        match_weight=pl.lit(None, pl.Float64),
        matched_mention_id=pl.when(
            pl.col("trusted").is_not_null() & (first != pl.col("mention_id"))
        ).then(first),
        unlinked_reason=pl.when(pl.col("cluster").is_null()).then(
            pl.lit("no trusted PINFL and no probabilistic evidence")
        ),
    )
    return Resolution(
        assignments=assignments.cast(ASSIGNMENT_SCHEMA),  # type: ignore[arg-type]
        explanations=pl.DataFrame(schema=EXPLANATION_SCHEMA),
        conflicts=pl.DataFrame(schema=CONFLICT_SCHEMA),
        comparisons=0,
        model_version=model.version if model else "pinfl_exact",
    )
