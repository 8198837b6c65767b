"""Text the graph serves as people read it: one apostrophe per role (`display_apostrophes`)
in names of places and assistants and in streets, whatever the agency typed."""

from __future__ import annotations

import polars as pl

from hub.identity.names import normalise_name
from hub.identity.names.display import display_apostrophes


def _displayed(texts: pl.Series) -> pl.Series:
    # Values repeat (streets, district names): work out each distinct one once.
    distinct = texts.drop_nulls().unique()
    shown = pl.Series([display_apostrophes(text) for text in distinct.to_list()], dtype=pl.String)
    return texts.replace_strict(distinct, shown, default=None, return_dtype=pl.String)


def _person_name(texts: pl.Series) -> pl.Series:
    distinct = texts.drop_nulls().unique()
    names = [normalise_name(text) for text in distinct.to_list()]
    shown = [
        name.latin if name is not None else display_apostrophes(text)
        for name, text in zip(names, distinct.to_list(), strict=True)
    ]
    return texts.replace_strict(distinct, pl.Series(shown, dtype=pl.String), default=None)


def display_text(column: str) -> pl.Expr:
    """`column` (free text: a street, a place name) with its apostrophes as printed."""
    return pl.col(column).map_batches(_displayed, return_dtype=pl.String)


def display_person_name(column: str) -> pl.Expr:
    """`column` (a full name) in the hub's display spelling, or with its apostrophes as
    printed when it cannot be read as a name."""
    return pl.col(column).map_batches(_person_name, return_dtype=pl.String)
