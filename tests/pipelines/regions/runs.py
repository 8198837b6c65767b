"""Running one sandbox world's deliveries into a graph whole (`hub_main_job`'s assets) or by
region (intake, region partitions two runs at a time, the country step), and reading back
what must agree between the two graphs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dagster import AssetSelection, DagsterInstance, materialize
from sqlalchemy import select

from hub.graph.models import MahallaIndicators, Person, SourceRecord
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.diagnostics_assets import DIAGNOSTIC_ASSETS
from pipelines.regional_assets import REGIONAL_ASSETS
from pipelines.regional_job import REGION_JOBS, region_runs
from pipelines.regional_jobs import intake_job
from pipelines.regions.order import months_waiting
from pipelines.resources import HubDatabase

LOADS = [*ALL_ASSETS, *QUALITY_CHECKS, *REGIONAL_ASSETS]

WHOLE = (
    AssetSelection.all()
    - AssetSelection.assets("assistant_ratings")
    - AssetSelection.groups("regions")
)


def run_whole(resources: Mapping[str, object]) -> None:
    """What hub_main_job materialises (without the monthly products)."""
    result = materialize(
        [*ALL_ASSETS, *QUALITY_CHECKS],
        selection=WHOLE,
        resources=dict(resources),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=True,
    )
    assert result.success


def run_intake(resources: Mapping[str, object], instance: DagsterInstance) -> None:
    result = materialize(
        LOADS,
        selection=intake_job.selection,
        resources=dict(resources),
        instance=instance,
    )
    assert result.success


def run_regions(home: Path, regions: Iterable[str], at_once: int = 2) -> None:
    """Each region's runs (its first sources, its employment months, its last sources) in a
    process of its own (tests.pipelines.regions.region_process), `at_once` regions at a
    time, each run on the multiprocess executor: steps in processes of their own (the
    environment names the graph, the landing store and the Dagster storage)."""

    def run(region: str) -> int:
        argv = [sys.executable, "-m", "tests.pipelines.regions.region_process", region, str(home)]
        return subprocess.run(argv, check=False, timeout=1500).returncode

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        outcomes = dict(zip(regions, pool.map(run, regions), strict=False))
    assert set(outcomes.values()) == {0}, outcomes


def run_partition(
    resources: Mapping[str, object], instance: DagsterInstance, job: str, key: str
) -> None:
    """One region job's partition, in this process."""
    selection = next(j.selection for j in REGION_JOBS if j.name == job)
    result = materialize(
        LOADS, selection=selection, resources=dict(resources), instance=instance, partition_key=key
    )
    assert result.success


def load_region(
    resources: Mapping[str, object], instance: DagsterInstance, region: str
) -> list[str]:
    """A region's runs in this process, its employment months those waiting; the months."""
    hub = resources["hub_db"]
    assert isinstance(hub, HubDatabase)
    months = months_waiting(hub, region)
    for job, key in region_runs(region, months):
        run_partition(resources, instance, job, key)
    return months


def run_country(resources: Mapping[str, object], instance: DagsterInstance) -> dict[str, Any]:
    result = materialize(
        LOADS,
        selection=AssetSelection.assets("linked_country", *DIAGNOSTIC_ASSETS),
        resources=dict(resources),
        instance=instance,
    )
    assert result.success
    events = result.asset_materializations_for_node("linked_country")
    return {k: v.value for k, v in events[0].metadata.items()}


def persons_by_hub_id(hub: HubDatabase) -> dict[str, frozenset[tuple[str, str]]]:
    """Hub id -> the (source, record key) of its person records."""
    found: dict[str, set[tuple[str, str]]] = {}
    with hub.session() as session:
        query = select(Person.hub_id, SourceRecord.source, SourceRecord.record_key).join(
            SourceRecord, SourceRecord.person_id == Person.id
        )
        for hub_id, source, key in session.execute(query):
            found.setdefault(hub_id, set()).add((source, key))
    return {hub_id: frozenset(records) for hub_id, records in found.items()}


INDICATOR_SKIP = {"id", "computed_at", "computed_in_delivery_id"}


def mahalla_indicators(hub: HubDatabase) -> dict[str, dict[str, Any]]:
    columns = [c for c in MahallaIndicators.__table__.columns if c.name not in INDICATOR_SKIP]
    with hub.session() as session:
        rows = session.execute(select(*columns)).mappings().all()
    return {row["mahalla_code"]: dict(row) for row in rows}


def world_folder(resources: Mapping[str, object]) -> Path:
    agency = resources["appeals_agency"]
    return Path(agency.folder).parent  # type: ignore[attr-defined]
