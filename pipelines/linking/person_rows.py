"""A golden person's row as the `person` table holds it, for a frame of survivors.

`pipelines.linking.golden` inserts and updates persons from these rows: built column by
column in polars (the JSON of `attribute_sources` included), so a first survey's million
persons are written as one CSV on PostgreSQL with no dict per person.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from hub.graph.csv_copy import json_text
from hub.identity.names import normalise_name
from hub.identity.survivorship import TRUST


def for_driver(session: Session, rows: pl.DataFrame) -> pl.DataFrame | list[dict[str, Any]]:
    """`rows` as the bulk writers take them: on PostgreSQL the frame itself (written as
    CSV, `attribute_sources` as its JSON text); elsewhere as dicts, the JSON decoded."""
    if session.get_bind().dialect.name == "postgresql":
        return rows
    dicts = rows.to_dicts()
    for row in dicts:
        row["attribute_sources"] = json.loads(row["attribute_sources"])
    return dicts


def _attribute_sources() -> pl.Expr:
    """The JSON object of the records each golden attribute came from (attributes without
    one left out)."""
    parts = [
        pl.when(pl.col(f"{a}_from").is_not_null() & (pl.col(f"{a}_from") != "")).then(
            pl.concat_str([pl.lit(json.dumps(a) + ":"), json_text(f"{a}_from")])
        )
        for a in TRUST
    ]
    listed = pl.concat_list(parts).list.drop_nulls().list.join(",")
    return pl.concat_str([pl.lit("{"), listed, pl.lit("}")])


def person_rows(golden: pl.DataFrame, now: datetime) -> pl.DataFrame:
    frame = golden.with_columns(pl.col(f"{a}_from").cast(pl.String) for a in TRUST).select(
        pl.col("person_id").alias("id"),
        pl.col("name").fill_null("").alias("full_name"),
        pl.col("name_key").fill_null(""),
        "surname_key",
        "birth_on",
        "sex",
        "pinfl",
        "mahalla_code",
        "phone",
        "passport",
        "household_id",
        pl.col("name_source").alias("attributes_source"),
        pl.col("name_trust").fill_null(0).alias("attributes_rank"),
        _attribute_sources().alias("attribute_sources"),
        pl.lit(now).alias("updated_at"),
        pl.lit(now).alias("last_confirmed_at"),
    )
    parts = _name_parts(set(frame["full_name"].unique().to_list()))
    names = pl.DataFrame(
        [(name, *found) for name, found in parts.items()],
        schema={
            "full_name": pl.String,
            "surname": pl.String,
            "given_name": pl.String,
            "patronymic": pl.String,
        },
        orient="row",
    )
    return frame.join(names, on="full_name", how="left", maintain_order="left")


def _name_parts(names: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Each surviving display name's surname, given name and patronymic as it prints them
    (an initial as "A."); None where the name does not say."""
    parts: dict[str, tuple[str | None, str | None, str | None]] = {}
    for text in names:
        name = normalise_name(text) if text else None
        parts[text] = (
            (name.surname_display or None, name.given_display, name.patronymic_display)
            if name is not None
            else (None, None, None)
        )
    return parts


__all__ = ["for_driver", "person_rows"]
