"""The process's one Spark session for linkage: started on first use, stopped at exit.

Spark in local mode is a JVM child process that takes seconds to start, so it is started
once per process (a Dagster step process, the CLI, a test module) and reused by every
linkage run in it. It carries the similarity functions Splink ships as a jar for Spark
(``jaro_winkler``, ``damerau_levenshtein``: the model's name and PINFL comparisons need
them), runs with few shuffle partitions (a region is small for Spark: the default 200 would
spend more time scheduling than working) and logs only errors.

This module imports pyspark; nothing imports it unless ``HUB_LINKAGE_BACKEND=spark``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pyspark.errors import PySparkRuntimeError
from pyspark.sql import SparkSession
from splink.backends.spark import similarity_jar_location

from hub.identity.linkage.backend_settings import LinkageBackendSettings

LOG_SETTINGS: Final = Path(__file__).with_name("spark-log4j2.properties")

_lock = threading.Lock()
_session: SparkSession | None = None
_warehouse: Path | None = None


class SparkUnavailableError(RuntimeError):
    """Spark cannot start here (no Java, or the JVM failed): set HUB_LINKAGE_BACKEND=duckdb
    or install Java 17."""


def java_executable(environ: Mapping[str, str] | None = None) -> Path:
    """The ``java`` pyspark will launch: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    env = os.environ if environ is None else environ
    home = env.get("JAVA_HOME", "").strip()
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise SparkUnavailableError(
            f"HUB_LINKAGE_BACKEND=spark needs Java: JAVA_HOME is {home!r} but has no bin/java."
        )
    found = shutil.which("java", path=env.get("PATH", ""))
    if found is None:
        raise SparkUnavailableError(
            "HUB_LINKAGE_BACKEND=spark needs Java 17 (Spark 4): no 'java' on PATH and "
            "JAVA_HOME is not set. Install a JDK or use HUB_LINKAGE_BACKEND=duckdb."
        )
    return Path(found)


def spark_session(settings: LinkageBackendSettings) -> SparkSession:
    """The process's Spark session, started with ``settings`` on the first call."""
    global _session
    with _lock:
        if _session is None:
            java_executable()
            _session = _start(settings)
            atexit.register(stop_spark_session)
        return _session


def stop_spark_session() -> None:
    """Stop the session (and its JVM) if one was started; the next use starts a new one."""
    global _session, _warehouse
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None
        if _warehouse is not None:
            shutil.rmtree(_warehouse, ignore_errors=True)
            _warehouse = None


def _start(settings: LinkageBackendSettings) -> SparkSession:
    global _warehouse
    # Spark makes its SQL warehouse folder at start, in the working directory by default;
    # linkage saves no tables, so an empty temporary one is removed with the session.
    _warehouse = Path(tempfile.mkdtemp(prefix="hub-spark-warehouse-"))
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName("mahalla-hub-linkage")
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .config("spark.default.parallelism", str(settings.spark_shuffle_partitions))
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(_warehouse))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_SETTINGS}")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Spark 3's non-ANSI semantics (Spark 4 turned ANSI on): a cast or a date parse that
        # fails is null, as Splink's Spark SQL expects, instead of failing the whole run.
        .config("spark.sql.ansi.enabled", "false")
    )
    if settings.spark_master.startswith("local"):
        # In local mode the driver talks to itself only: no lookup of the machine's name
        # (and no warning when it resolves to a loopback address).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as error:
        raise SparkUnavailableError(
            f"Spark did not start ({error}); check Java 17 and HUB_SPARK_* settings."
        ) from error
    session.sparkContext.setLogLevel("ERROR")
    return session
