"""A world's graph as the region partitions leave it, before the country step, built quickly.

`bench_scale.py --keep-regions` keeps that graph from a timed run of the region jobs (each
region in Dagster runs on the multiprocess executor, two regions at a time). When only the
country step is to be measured, `build_regions_graph` makes the same graph without Dagster's
per-run cost: the intake job in process, then each region's partitions' own function
(`load_region_pending`, what every `region_loaded_<source>` asset runs) in load order,
monthly sources month by month, one region after another. Nothing in it is timed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from bench_pipeline import Agencies, resources
from bench_scale import POSTGRES, _materialize, _region_lines, ensure_world
from dagster import DagsterInstance
from sqlalchemy import create_engine, text

from pipelines.regional_jobs import intake_job
from pipelines.regions.loading import load_region_pending
from pipelines.regions.months import MONTHLY_SOURCES
from pipelines.regions.order import REGIONAL_SOURCES, months_waiting
from pipelines.resources import HubDatabase

log = logging.getLogger("country_graph")


def kept_name(prefix: str, regions: int, people: int) -> str:
    """The kept graph's database name (its landing store: `<worlds>/<name>-data/landing`)."""
    return f"{prefix}_regions_{regions}x{people}"


def load_regions_in_process(hub: HubDatabase, codes: list[str]) -> None:
    for region in codes:
        months = months_waiting(hub, region)
        for source in REGIONAL_SOURCES:
            for month in months if source in MONTHLY_SOURCES else [None]:
                load_region_pending(hub, source, region, month)
        log.info("region %s loaded", region)


def build_regions_graph(regions: int, people: int, worlds: Path, prefix: str) -> None:
    """Database `kept_name(...)` and its landing store: the world's intake and regions."""
    world = ensure_world(worlds, regions, people)
    name = kept_name(prefix, regions, people)
    data = worlds / f"{name}-data"
    shutil.rmtree(data, ignore_errors=True)
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{POSTGRES.rsplit('/', 1)[0]}/{name}"
    scratch = Path(tempfile.mkdtemp(prefix="country-graph-"))
    shutil.copytree(world / "employment", scratch / "employment")
    agencies = Agencies(world)
    try:
        found = resources(url, data / "landing", world, agencies, scratch / "employment")
        hub = found["hub_db"]
        (scratch / "dagster").mkdir()
        instance = DagsterInstance.local_temp(str(scratch / "dagster"))
        _materialize(intake_job.selection, {"resources": found, "instance": instance})
        codes = sorted({line.split(",")[0] for line in _region_lines(world)})
        load_regions_in_process(hub, codes)
        hub.engine().dispose()
    finally:
        agencies.close()
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("built %s", name)
