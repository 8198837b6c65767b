"""A Splink linker over a feature frame, on DuckDB or on Spark.

On DuckDB each linker has its own in-memory database. On Spark (``HUB_LINKAGE_BACKEND=spark``)
linkers share the process's one Spark session (``spark_session``); a linker's intermediate
tables are cached in it, so ``linker_session`` drops them when the caller is done. The model
is the same on both: its DuckDB SQL is rewritten for Spark by ``spark_dialect``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from hub.identity.linkage.backend_settings import LinkageBackendSettings

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
    "surveyed",
)


def open_linker(
    features: pl.DataFrame, settings: dict[str, Any], *, validate: bool = False
) -> Linker:
    """A linker for ``features`` (``mention_features`` output) with ``settings``.

    Splink's settings validation (``validate``) only logs the columns a setting names that
    the input lacks, and parses every comparison's SQL to find them: 0.3 to 0.8 s per
    linker, paid by every region's scoring. The shipped model is checked against
    ``LINKER_COLUMNS`` by a test (``tests/hub/identity/linkage/test_model_columns.py``)
    and training validates the settings it starts from, so scoring skips it."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET preserve_insertion_order = false")
    # A region's scoring takes seconds: no progress bars in the pipeline's logs.
    connection.execute("SET enable_progress_bar = false")
    api = DuckDBAPI(connection)
    table = api.register(features.select(LINKER_COLUMNS).to_arrow(), table_name="mentions")
    return Linker(table, settings, log_level=logging.WARNING, validate_settings=validate)


@contextmanager
def linker_session(
    features: pl.DataFrame, settings: dict[str, Any], backend: LinkageBackendSettings
) -> Iterator[Linker]:
    """A linker for ``features`` on ``backend.backend``, its tables released afterwards."""
    if backend.backend == "duckdb":
        yield open_linker(features, settings)
        return
    # Imported here: pyspark (and a JVM) only for the Spark backend.
    from hub.identity.linkage.spark_linker import open_spark_linker, release_spark_tables

    linker = open_spark_linker(features.select(LINKER_COLUMNS), settings, backend)
    try:
        yield linker
    finally:
        release_spark_tables(linker, backend)


def to_polars(frame: Any) -> pl.DataFrame:
    """A Splink result table as a polars frame."""
    return pl.from_arrow(frame.as_pyarrow_table())  # type: ignore[return-value]
