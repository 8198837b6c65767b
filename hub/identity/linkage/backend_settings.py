"""Which engine scores mention pairs, and how its Spark session is sized, from the environment.

| variable | default | meaning |
|---|---|---|
| `HUB_LINKAGE_BACKEND` | `duckdb` | `duckdb` (in-process) or `spark` (Splink's `SparkAPI`) |
| `HUB_SPARK_MASTER` | `local[2]` | the Spark master; `local[N]` runs N cores in this process |
| `HUB_SPARK_DRIVER_MEMORY` | `2g` | the JVM heap of the driver (all of Spark in local mode) |
| `HUB_SPARK_SHUFFLE_PARTITIONS` | `8` | `spark.sql.shuffle.partitions` (Spark's 200: too many) |

Only the scoring (Splink's blocking and ``predict``) runs on the chosen backend; features,
clustering and everything after stay in polars, so both backends give the same clusters
(``tests/hub/identity/linkage/test_spark_backend.py``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from hub.config import ConfigurationError

Backend = Literal["duckdb", "spark"]
BACKENDS: Final[tuple[Backend, ...]] = ("duckdb", "spark")

_MEMORY: Final = re.compile(r"^[1-9][0-9]*[kmgt]$")
_MASTER: Final = re.compile(r"^(local(\[([1-9][0-9]*|\*)\])?|spark://.+|yarn|k8s://.+)$")


@dataclass(frozen=True, slots=True)
class LinkageBackendSettings:
    backend: Backend = "duckdb"
    spark_master: str = "local[2]"
    spark_driver_memory: str = "2g"
    spark_shuffle_partitions: int = 8


def load_backend_settings(environ: Mapping[str, str] | None = None) -> LinkageBackendSettings:
    """Read the linkage backend variables; raise ConfigurationError naming a bad one."""
    env = os.environ if environ is None else environ
    default = LinkageBackendSettings()
    return LinkageBackendSettings(
        backend=_backend(env.get("HUB_LINKAGE_BACKEND", "").strip().lower() or default.backend),
        spark_master=_matching(env, "HUB_SPARK_MASTER", _MASTER, "a master such as local[4]")
        or default.spark_master,
        spark_driver_memory=_matching(
            env, "HUB_SPARK_DRIVER_MEMORY", _MEMORY, "a size such as 2g or 512m"
        ).lower()
        or default.spark_driver_memory,
        spark_shuffle_partitions=_positive(
            env, "HUB_SPARK_SHUFFLE_PARTITIONS", default.spark_shuffle_partitions
        ),
    )


def _backend(value: str) -> Backend:
    for backend in BACKENDS:
        if value == backend:
            return backend
    raise ConfigurationError(
        f"HUB_LINKAGE_BACKEND has value {value!r}. Not a linkage backend: use "
        f"{' or '.join(repr(b) for b in BACKENDS)}."
    )


def _matching(env: Mapping[str, str], name: str, pattern: re.Pattern[str], what: str) -> str:
    """The variable's value ("" when unset) if ``pattern`` matches it."""
    raw = env.get(name, "").strip()
    if raw and not pattern.match(raw.lower()):
        raise ConfigurationError(f"{name} has value {raw!r}. Not {what}.")
    return raw


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigurationError(f"{name} has value {raw!r}. Not a positive whole number.")
    return value
