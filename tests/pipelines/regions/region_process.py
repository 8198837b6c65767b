"""One region's runs in a process of its own, as a run launcher starts each run:

    python -m tests.pipelines.regions.region_process <region> <dagster home or instance dir>

Dagster's runs are not meant to start side by side in threads of one process: an instance
configured from a `dagster.yaml` reconfigures Python's logging at each run's start
(`logging.config.dictConfig`), which deadlocks against another run's thread logging at the
same moment. The environment names the graph and the landing store (HUB_DATABASE_URL,
HUB_DATA_DIR) and, for PostgreSQL storage, HUB_DAGSTER_POSTGRES_URL.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import DagsterInstance

from pipelines.regional_job import execute_region
from pipelines.regions.order import months_waiting
from pipelines.resources import HubDatabase


def main(region: str, home: str) -> None:
    if (Path(home) / "dagster.yaml").exists():
        instance = DagsterInstance.from_config(home)
    else:
        instance = DagsterInstance.local_temp(home)
    with instance:
        execute_region(instance, region, months_waiting(HubDatabase(), region))


if __name__ == "__main__":
    main(*sys.argv[1:])
