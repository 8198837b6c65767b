"""The columns every person mention gets in staging: a checked PINFL and a normalised name.

A PINFL that fails its own rules keeps its `pinfl_issue`; one that is valid but disagrees
with the record's own birth date or sex is marked `inconsistent` (IDENTIFIERS.md: evidence
of a typo, not an identity) so linking does not trust it. Where the record lacks a birth
date or sex, those inside a valid PINFL fill them in; a name's sex hint is the last resort.
Those filled-in values are for display only: `stated_birth_on` and `stated_sex` keep what
the record itself says, and linkage compares those (a daughter's record carrying her
mother's PINFL must not become her mother by borrowing the PINFL's date and sex).
"""

from __future__ import annotations

from typing import Final

import polars as pl

from hub.identity import normalise_name, pinfl_birth_on_expr, pinfl_issue_expr, pinfl_sex_expr

INCONSISTENT: Final = "inconsistent"
NAME_FIELDS: Final = ("latin_name", "name_key", "surname_key", "given_key", "name_sex")


def _name_table(names: pl.Series) -> pl.DataFrame:
    """Normalise each distinct name once (names repeat a lot)."""
    distinct = names.drop_nulls().unique().to_list()
    parsed = [normalise_name(text) for text in distinct]
    return pl.DataFrame(
        {
            "full_name": distinct,
            "latin_name": [p.latin if p else None for p in parsed],
            "name_key": [p.key if p else None for p in parsed],
            "surname_key": [p.surname_key if p else None for p in parsed],
            "given_key": [(p.given_key or None) if p else None for p in parsed],
            "name_sex": [p.sex_hint if p else None for p in parsed],
        },
        schema={"full_name": pl.String, **dict.fromkeys(NAME_FIELDS, pl.String)},
    )


def add_mention_columns(
    frame: pl.DataFrame,
    *,
    pinfl: str,
    full_name: str,
    birth_on: str | None,
    sex: str | None,
) -> pl.DataFrame:
    """`frame` with the MENTION_COLUMNS of staging/schemas.py derived from the named columns."""
    renamed = frame.rename({pinfl: "pinfl_raw", full_name: "full_name"})
    own_birth = pl.col(birth_on) if birth_on else pl.lit(None, dtype=pl.Date)
    own_sex = pl.col(sex) if sex else pl.lit(None, dtype=pl.String)
    clean = pl.col("pinfl_raw").str.replace_all(r"\s+", "")
    staged = renamed.with_columns(
        pinfl=pl.when(clean.str.len_chars() > 0).then(clean),
        _issue=pinfl_issue_expr("pinfl_raw").cast(pl.String),
    ).with_columns(
        _pinfl_birth=pl.when(pl.col("_issue").is_null()).then(pinfl_birth_on_expr(pl.col("pinfl"))),
        _pinfl_sex=pl.when(pl.col("_issue").is_null()).then(pinfl_sex_expr(pl.col("pinfl"))),
    )
    disagree = (own_birth.is_not_null() & (own_birth != pl.col("_pinfl_birth"))) | (
        own_sex.is_not_null() & (own_sex != pl.col("_pinfl_sex"))
    )
    staged = staged.with_columns(
        pinfl_issue=pl.when(pl.col("_issue").is_not_null())
        .then(pl.col("_issue"))
        .when(disagree.fill_null(False))
        .then(pl.lit(INCONSISTENT))
    )
    trusted = pl.col("pinfl_issue").is_null()
    names = _name_table(staged["full_name"])
    staged = staged.join(names, on="full_name", how="left", nulls_equal=False)
    drop = ["pinfl_raw", "_issue", "_pinfl_birth", "_pinfl_sex", "name_sex"]
    drop += [c for c in (birth_on, sex) if c and c not in ("birth_on", "sex")]
    return staged.with_columns(
        stated_birth_on=own_birth,
        stated_sex=own_sex,
        birth_on=pl.coalesce(own_birth, pl.when(trusted).then(pl.col("_pinfl_birth"))),
        sex=pl.coalesce(own_sex, pl.when(trusted).then(pl.col("_pinfl_sex")), pl.col("name_sex")),
    ).drop(drop)
