"""Text the graph serves as people read it: one apostrophe per role (`display_apostrophes`)
in names of places and assistants and in streets, whatever the agency typed."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from hub.identity.names import normalise_name
from hub.identity.names.display import display_apostrophes


def _person_name(text: str) -> str:
    name = normalise_name(text)
    return name.latin if name is not None else display_apostrophes(text)


def _each_distinct(shown: Callable[[str], str]) -> Callable[[pl.Series], pl.Series]:
    # Values repeat (streets, district names): work out each distinct one once.
    def apply(texts: pl.Series) -> pl.Series:
        distinct = texts.drop_nulls().unique()
        values = pl.Series([shown(text) for text in distinct.to_list()], dtype=pl.String)
        return texts.replace_strict(distinct, values, default=None, return_dtype=pl.String)

    return apply


def display_text(column: str) -> pl.Expr:
    """`column` (free text: a street, a place name) with its apostrophes as printed."""
    return pl.col(column).map_batches(_each_distinct(display_apostrophes), return_dtype=pl.String)


def display_person_name(column: str) -> pl.Expr:
    """`column` (a full name) in the hub's display spelling, or with its apostrophes as
    printed when it cannot be read as a name."""
    return pl.col(column).map_batches(_each_distinct(_person_name), return_dtype=pl.String)
