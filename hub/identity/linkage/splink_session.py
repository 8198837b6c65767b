"""A Splink linker over a feature frame, in its own in-memory DuckDB database."""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

LINKER_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "pinfl",
    "pinfl_valid",
    "pinfl_confirmed",
    "pinfl_birth_text",
    "pinfl_head",
    "pinfl_tail",
    "surname_key",
    "given_key",
    "given_initial",
    "patronymic_key",
    "birth_text",
    "birth_swapped",
    "birth_any",
    "sex_eff",
    "mahalla_code",
    "district",
    "region",
    "passport",
    "phone",
    "tin",
)


def open_linker(features: pl.DataFrame, settings: dict[str, Any]) -> Linker:
    """A linker for ``features`` (``mention_features`` output) with ``settings``."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET preserve_insertion_order = false")
    api = DuckDBAPI(connection)
    table = api.register(features.select(LINKER_COLUMNS).to_arrow(), table_name="mentions")
    return Linker(table, settings, log_level=logging.WARNING)


def to_polars(frame: Any) -> pl.DataFrame:
    """A Splink result table as a polars frame."""
    return pl.from_arrow(frame.as_pyarrow_table())  # type: ignore[return-value]
