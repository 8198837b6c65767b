"""A Splink linker on Splink's Spark backend (``SparkAPI``) in the process's Spark session.

Splink keeps a linker's intermediate tables (blocked pairs, comparison vectors, predictions)
cached in Spark so that each is computed once; ``persist`` caches in memory and spills to
local disk, which needs no checkpoint folder to set up or clean. Those tables and the input
view are released when the linker is done, since the session outlives every linker.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl
from splink import Linker
from splink.backends.spark import SparkAPI

from hub.identity.linkage.backend_settings import LinkageBackendSettings
from hub.identity.linkage.spark_dialect import spark_settings
from hub.identity.linkage.spark_session import spark_session


def open_spark_linker(
    features: pl.DataFrame, settings: dict[str, Any], backend: LinkageBackendSettings
) -> Linker:
    """A linker for ``features`` with the DuckDB-dialect ``settings`` read as Spark SQL."""
    session = spark_session(backend)
    api = SparkAPI(spark_session=session, break_lineage_method="persist")  # type: ignore[no-untyped-call]
    # A frame made from local data is a LocalRelation that Spark's optimiser copies into
    # every query over it (a 240,000-mention region ran a 4 GB heap out of memory that way);
    # a local checkpoint holds it once, in the session's block store.
    mentions = session.createDataFrame(features.to_arrow()).localCheckpoint(eager=True)
    table = api.register(mentions, table_name="mentions")
    # Validation only logs; the model's columns are checked once by a test (`open_linker`).
    return Linker(
        table, spark_settings(settings), log_level=logging.WARNING, validate_settings=False
    )


def release_spark_tables(linker: Linker, backend: LinkageBackendSettings) -> None:
    """Drop the linker's cached tables and temporary views from the shared session."""
    linker.table_management.invalidate_cache()  # type: ignore[no-untyped-call]
    session = spark_session(backend)
    session.catalog.clearCache()
    for table in session.catalog.listTables():
        if table.isTemporary:
            session.catalog.dropTempView(table.name)
