"""Row-level rules: vectorised checks that send breaking rows to the quarantine.

A rule is a polars expression that is true where a row breaks it, and an expression for
the sentence that says why (naming the field, the value and the rule). `apply_rules` splits
a frame into the rows that keep every rule and a frame of rejects, one row per rejected
record with all its reasons; nothing is dropped: kept + rejected = the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

REJECT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record_key": pl.String,
    "origin": pl.String,
    "rule": pl.String,
    "reasons": pl.List(pl.String),
    "raw": pl.String,
}


BOOKKEEPING_COLUMNS = ("origin", "delivery_id")
"""Columns the hub adds to a landed row; not part of what was delivered."""


def raw_record(columns: list[str]) -> pl.Expr:
    """A rejected row's raw text: its delivered columns as JSON, without the hub's
    bookkeeping, so the same record delivered again has the same raw text (and is the same
    quarantine entry, `pipelines.quarantine_entries`)."""
    delivered = [c for c in columns if c not in BOOKKEEPING_COLUMNS]
    return pl.struct(delivered).struct.json_encode().alias("raw")


@dataclass(frozen=True)
class RowRule:
    code: str
    breaks: pl.Expr
    reason: pl.Expr


def apply_rules(frame: pl.DataFrame, rules: list[RowRule]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept rows, rejects with REJECT_SCHEMA)."""
    if not rules or frame.is_empty():
        return frame, pl.DataFrame(schema=REJECT_SCHEMA)
    flags = [rule.breaks.fill_null(False).alias(f"_break_{i}") for i, rule in enumerate(rules)]
    marked = frame.with_columns(flags)
    broken = pl.any_horizontal([pl.col(f"_break_{i}") for i in range(len(rules))])
    kept = marked.filter(~broken).drop([f"_break_{i}" for i in range(len(rules))])
    bad = marked.filter(broken)
    if bad.is_empty():
        return kept, pl.DataFrame(schema=REJECT_SCHEMA)
    reasons = pl.concat_list(
        [pl.when(pl.col(f"_break_{i}")).then(rule.reason) for i, rule in enumerate(rules)]
    ).list.drop_nulls()
    codes = pl.concat_list(
        [pl.when(pl.col(f"_break_{i}")).then(pl.lit(rule.code)) for i, rule in enumerate(rules)]
    ).list.drop_nulls()
    rejects = bad.select(
        pl.col("record_key"),
        pl.col("origin"),
        codes.list.first().alias("rule"),
        reasons.alias("reasons"),
        raw_record(frame.columns),
    )
    return kept, rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def quoted(column: str) -> pl.Expr:
    """The value of `column` as text in quotes, for reasons ("'31.02.1985'")."""
    return pl.concat_str([pl.lit("'"), pl.col(column).cast(pl.String), pl.lit("'")])


def positive(column: str) -> RowRule:
    return RowRule(
        f"{column}_not_positive",
        pl.col(column) <= 0,
        pl.concat_str([pl.lit(f"{column} "), quoted(column), pl.lit(" is not positive")]),
    )


def not_negative(column: str) -> RowRule:
    return RowRule(
        f"{column}_negative",
        pl.col(column) < 0,
        pl.concat_str([pl.lit(f"{column} "), quoted(column), pl.lit(" is negative")]),
    )


def matches(column: str, pattern: str, what: str) -> RowRule:
    return RowRule(
        f"{column}_format",
        pl.col(column).is_not_null() & ~pl.col(column).str.contains(pattern),
        pl.concat_str([pl.lit(f"{column} "), quoted(column), pl.lit(f" is not {what}")]),
    )


def known_mahalla(column: str, known: pl.Series) -> RowRule:
    return RowRule(
        "unknown_mahalla",
        pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode()),
        pl.concat_str(
            [pl.lit(f"{column} "), quoted(column), pl.lit(" is not in the mahalla register")]
        ),
    )


def not_after(first: str, second: str) -> RowRule:
    return RowRule(
        f"{second}_before_{first}",
        pl.col(second) < pl.col(first),
        pl.concat_str(
            [pl.lit(f"{second} "), quoted(second), pl.lit(f" is before {first} "), quoted(first)]
        ),
    )


def within_dates(column: str, earliest: date, latest: date, configured: str) -> RowRule:
    """The column's date (a date-time's UTC date) lies in [earliest, latest]; `configured`
    is how the range was written (`2000-01-01..today`), for the reason."""
    day = pl.col(column).cast(pl.Date)
    return RowRule(
        f"{column}_implausible",
        (day < earliest) | (day > latest),
        pl.concat_str(
            [
                pl.lit(f"{column} "),
                quoted(column),
                pl.lit(
                    f" is outside its plausible range {configured} ({earliest.isoformat()} to "
                    f"{latest.isoformat()})"
                ),
            ]
        ),
    )
