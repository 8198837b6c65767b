"""Loaded by region, two regions at a time (each region's employment month by month), the
graph is the one the whole load builds.

PostgreSQL only: two region runs write at once from processes of their own, which SQLite's
one writer at a time cannot take (a deferred transaction that must wait to write fails with
"database is locked" instead of waiting). Dagster's own storage is PostgreSQL here too
(dagster-postgres, as `HUB_DAGSTER_POSTGRES_URL` sets it up): it records each region's and
each region-month's materialisation.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance
from sqlalchemy import func, make_url, select, text

from hub.graph.models import DeliveryRegion, PersonRedirect, SourceRecord
from pipelines.instance import POSTGRES_VARIABLE, prepare_dagster_home
from pipelines.regions.codes import COUNTRY
from pipelines.regions.order import months_waiting
from pipelines.resources import HubDatabase
from sandbox.generate.settings import NoiseSettings
from sandbox.generate.world import generate_world
from tests.conftest import _postgres_admin_engine
from tests.pipelines.conftest import ResourceFactory
from tests.pipelines.regions.conftest import keep_first_months
from tests.pipelines.regions.runs import (
    mahalla_indicators,
    persons_by_hub_id,
    run_country,
    run_intake,
    run_regions,
    run_whole,
)

# Two whole loads of the world, the second in 3 x 6 step processes: slow on a busy machine.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(1800)]

PEOPLE = 2_000
REGION_COUNT = 3


@pytest.fixture(scope="module")
def regional_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three regions; 5% of bank and employment records name a mahalla of another region;
    the first months of employment (tests.pipelines.regions.conftest)."""
    world = tmp_path_factory.mktemp("regional-world")
    noise = replace(NoiseSettings(), away_region=0.05)
    generate_world(world, PEOPLE, seed=19, noise=noise, regions=REGION_COUNT)
    keep_first_months(world)
    return world


@pytest.fixture
def world(regional_world: Path, tmp_path: Path) -> Path:
    """Overrides the pipelines' world: a private copy of the three-region one."""
    copy = tmp_path / "world"
    shutil.copytree(regional_world, copy)
    return copy


def _world_regions(hub: HubDatabase) -> list[str]:
    with hub.session() as session:
        codes = session.scalars(select(func.substr(SourceRecord.mahalla_code, 1, 4)).distinct())
        return sorted(c for c in codes if c)


@pytest.fixture
def partitioned(
    empty_postgres_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    """The partitioned graph's URL and data folder, named in the environment for the region
    runs' processes."""
    data = tmp_path / "partitioned"
    monkeypatch.setenv("HUB_DATABASE_URL", empty_postgres_database)
    monkeypatch.setenv("HUB_DATA_DIR", str(data))
    return empty_postgres_database, data


@pytest.fixture
def dagster_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A Dagster home whose storage is a new PostgreSQL database (dropped afterwards); its
    URL in the environment, as the region runs' processes read it."""
    admin = _postgres_admin_engine()
    name = f"hub_dagster_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(str(admin.url)).set(drivername="postgresql+psycopg2", database=name)
    monkeypatch.setenv(POSTGRES_VARIABLE, url.render_as_string(hide_password=False))
    try:
        yield prepare_dagster_home(tmp_path / "dagster_home")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_region_partitions_two_at_a_time_build_the_graph_the_whole_load_builds(
    graph_db,
    agencies,
    hub_resources: ResourceFactory,
    partitioned,
    dagster_postgres: Path,
) -> None:
    whole = hub_resources(graph_db.url, agencies)
    run_whole(whole)

    url, data = partitioned
    regional = hub_resources(url, agencies)
    regional["hub_db"] = HubDatabase(
        database_url=url, landing_dir=str(data / "landing"), reports_dir=str(data / "reports")
    )
    hub = regional["hub_db"]
    instance = DagsterInstance.from_config(str(dagster_postgres))
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    run_intake(regional, instance)
    regions = _world_regions(hub)
    assert len(regions) == REGION_COUNT
    months = {region: months_waiting(hub, region) for region in regions}
    assert all(len(found) > 1 for found in months.values()), months
    run_regions(dagster_postgres, regions, at_once=2)
    country = run_country(regional, instance)
    # Dagster's storage has each region's employment months as partitions of their own.
    done = instance.get_materialized_partitions(AssetKey("region_loaded_employment"))
    assert done == {f"{month}|{region}" for region in regions for month in months[region]}
    assert instance.get_materialized_partitions(AssetKey("region_loaded_land")) == set(regions)
    instance.dispose()

    whole_hub = whole["hub_db"]
    assert isinstance(whole_hub, HubDatabase)
    assert persons_by_hub_id(hub) == persons_by_hub_id(whole_hub)
    assert mahalla_indicators(hub) == mahalla_indicators(whole_hub)
    # People living in one region and borrowing or working in another were found apart by
    # their regions and merged by the country step.
    assert country["merged_across_regions"] > 0
    with hub.session() as session:
        redirects = session.scalar(select(func.count()).select_from(PersonRedirect))
        loaded = set(session.scalars(select(DeliveryRegion.region).distinct()))
    assert (redirects or 0) >= country["merged_across_regions"]
    assert set(regions) <= loaded
    assert COUNTRY in loaded
