"""Employment loaded by region x delivery month: the whole load's graph, in the order it
needs, refused out of it, and one (region, month) rerun touching nothing else."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import pytest
from dagster import DagsterInstance
from sqlalchemy import func, select, update

from connectors.vocabulary import EmploymentStatus
from hub.graph.models import Delivery, DeliveryRegion, EmploymentRecord, SourceRecord
from pipelines.regional_job import (
    region_first_job,
    region_last_job,
    region_months_job,
    region_runs,
)
from pipelines.regions.loading import waiting_regions
from pipelines.regions.months import UnplacedDeliveryError, delivery_month, region_month_key
from pipelines.regions.order import RegionOrderError, months_waiting
from pipelines.resources import HubDatabase
from tests.pipelines.conftest import ResourceFactory
from tests.pipelines.regions.runs import (
    load_region,
    mahalla_indicators,
    persons_by_hub_id,
    run_country,
    run_intake,
    run_partition,
    run_whole,
)

pytestmark = pytest.mark.slow

EMPLOYMENT_HEADER_LINES = 1
NO_FILE_MONTH = "2022-11"  # the sandbox's exports run January to June
TRAINING = EmploymentStatus.TRAINING.value
JOBS = (region_first_job.name, region_months_job.name, region_last_job.name)


def _regions(hub: HubDatabase) -> list[str]:
    with hub.session() as session:
        codes = session.scalars(select(SourceRecord.mahalla_code).distinct())
        return sorted({c[:4] for c in codes if c})


@pytest.fixture
def intake(
    graph_db, agencies, hub_resources: ResourceFactory
) -> tuple[dict[str, object], DagsterInstance, HubDatabase]:
    """The world landed and staged, the register loaded, no region loaded yet."""
    resources = hub_resources(graph_db.url, agencies)
    hub = resources["hub_db"]
    assert isinstance(hub, HubDatabase)
    instance = DagsterInstance.ephemeral()
    run_intake(resources, instance)
    return resources, instance, hub


def _employment_rows(hub: HubDatabase, region: str) -> int:
    with hub.session() as session:
        query = select(func.count()).where(EmploymentRecord.mahalla_code.like(f"{region}%"))
        return session.scalar(query) or 0


def test_the_month_of_a_delivery_is_the_one_its_name_gives() -> None:
    assert delivery_month("employment_2022-03.csv") == "2022-03"
    for name in ("employment.csv", "employment_2022-13.csv", "employment_march.csv"):
        with pytest.raises(UnplacedDeliveryError, match=name):
            delivery_month(name)
    with pytest.raises(UnplacedDeliveryError, match="2099-01"):
        region_month_key("1703", "2099-01")
    assert str(region_month_key("1703", "2022-03")) == "2022-03|1703"


@pytest.mark.parametrize("graph_db", ["sqlite"], indirect=True)
def test_a_region_loads_in_order_or_not_at_all(intake) -> None:  # type: ignore[no-untyped-def]
    resources, instance, hub = intake
    region = _regions(hub)[0]
    months = months_waiting(hub, region)
    assert len(months) >= 2, months
    first, months_job, last = JOBS

    def run(job: str, key: str) -> None:
        run_partition(resources, instance, job, key)

    # A month before the region's earlier sources, then a month before the previous one,
    # then the next source before the region's months: each refused, naming what to run.
    second = str(region_month_key(region, months[1]))
    with pytest.raises(RegionOrderError, match=f"region_loaded_tax for partition.*{region}"):
        run(months_job, second)
    run(first, region)
    earlier = str(region_month_key(region, months[0])).replace("|", r"\|")
    with pytest.raises(RegionOrderError, match=f"employment for partition.*{earlier}"):
        run(months_job, second)
    with pytest.raises(RegionOrderError, match=f"Region {region} cannot load land"):
        run(last, region)
    assert _employment_rows(hub, region) == 0

    # In order it loads; a month with no file loads nothing and blocks nothing.
    for month in months:
        run(months_job, str(region_month_key(region, month)))
    run(months_job, str(region_month_key(region, NO_FILE_MONTH)))
    run(last, region)
    assert _employment_rows(hub, region) > 0
    assert months_waiting(hub, region) == []


@pytest.mark.parametrize("graph_db", ["sqlite"], indirect=True)
def test_a_staged_delivery_with_no_month_in_its_name_stops_the_month_loads(  # type: ignore[no-untyped-def]
    intake,
) -> None:
    resources, instance, hub = intake
    region = _regions(hub)[0]
    months = months_waiting(hub, region)
    with hub.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.source == "employment", Delivery.name.like(f"%{months[0]}%"))
            .values(name="employment_final.csv")
        )
    first, months_job, _ = JOBS
    run_partition(resources, instance, first, region)
    with pytest.raises(UnplacedDeliveryError, match=r"employment_final\.csv"):
        run_partition(resources, instance, months_job, str(region_month_key(region, months[1])))
    with pytest.raises(UnplacedDeliveryError, match=r"employment_final\.csv"):
        months_waiting(hub, region)


def _resend_month(world: Path, regions: list[str]) -> tuple[str, dict[str, str], str]:
    """The first month's file sent again, one record of each of `regions` that no later
    month repeats changed to `обучение`, and one that a later month repeats changed too:
    its name, region -> the first kind's key, the second's key."""
    paths = sorted((world / "employment").glob("employment_*.csv"))
    later = {
        line.split(";")[0]
        for path in paths[1:]
        for line in path.read_bytes().decode("cp1251").split("\r\n")[1:]
    }
    lines = paths[0].read_bytes().decode("cp1251").split("\r\n")
    changed: dict[str, str] = {}
    repeated = ""
    for index, line in enumerate(lines[EMPLOYMENT_HEADER_LINES:], EMPLOYMENT_HEADER_LINES):
        fields = line.split(";")
        region = fields[5][:4] if len(fields) == 10 else ""
        if region not in regions or fields[6] == "обучение":
            continue
        if fields[0] in later:
            if repeated:
                continue
            repeated = fields[0]
        elif region in changed:
            continue
        else:
            changed[region] = fields[0]
        fields[6], fields[8] = "обучение", ""
        lines[index] = ";".join(fields)
    paths[0].write_bytes("\r\n".join(lines).encode("cp1251"))
    assert len(changed) == len(regions) and repeated
    return paths[0].name, changed, repeated


def _region_state(hub: HubDatabase, region: str) -> dict[str, tuple[object, ...]]:
    with hub.session() as session:
        rows = session.execute(
            select(
                SourceRecord.record_key,
                SourceRecord.id,
                SourceRecord.person_id,
                SourceRecord.last_delivery_id,
                SourceRecord.last_seen_at,
            ).where(SourceRecord.mahalla_code.like(f"{region}%"))
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def _status(hub: HubDatabase, key: str) -> str:
    with hub.session() as session:
        query = select(EmploymentRecord.status).where(EmploymentRecord.record_no == key)
        return str(session.scalars(query).one())


@pytest.mark.parametrize("graph_db", ["sqlite"], indirect=True)
def test_a_rerun_of_one_region_month_leaves_the_other_regions_untouched(  # type: ignore[no-untyped-def]
    intake, world: Path
) -> None:
    resources, instance, hub = intake
    regions = _regions(hub)
    assert len(regions) >= 2
    for region in regions:
        load_region(resources, instance, region)
    one, other = regions[0], regions[1]
    before = _region_state(hub, other)

    name, changed, repeated = _resend_month(world, [one, other])
    repeated_status = _status(hub, repeated)
    run_intake(resources, instance)
    month = delivery_month(name)
    assert months_waiting(hub, one) == months_waiting(hub, other) == [month]
    # The intake also read the tax API again: its new rows of the region load first, as
    # the whole load would load them (the order refuses the month until then).
    with pytest.raises(RegionOrderError, match="region_loaded_tax"):
        run_partition(
            resources, instance, region_months_job.name, str(region_month_key(one, month))
        )
    run_partition(resources, instance, region_first_job.name, one)
    run_partition(resources, instance, region_months_job.name, str(region_month_key(one, month)))

    assert _status(hub, changed[one]) == TRAINING
    assert _region_state(hub, other) == before
    waiting = waiting_regions(hub, "employment")[name]
    assert other in waiting and one not in waiting
    assert months_waiting(hub, one) == []

    for job, key in region_runs(other, months_waiting(hub, other)):
        run_partition(resources, instance, job, key)
    assert _status(hub, changed[other]) == TRAINING
    # A record a later month repeats keeps the later month's values (SOURCES.md).
    assert _status(hub, repeated) == repeated_status != TRAINING
    waiting = waiting_regions(hub, "employment")[name]
    assert other not in waiting and one not in waiting
    with hub.session() as session:
        delivery = session.scalars(
            select(Delivery.id).where(Delivery.name == name).order_by(Delivery.id.desc())
        ).first()
        regions_done = set(
            session.scalars(
                select(DeliveryRegion.region).where(DeliveryRegion.delivery_id == delivery)
            )
        )
    assert regions_done == {one, other}


@pytest.mark.parametrize("graph_db", ["sqlite"], indirect=True)
def test_region_months_run_interleaved_build_the_graph_the_whole_load_builds(  # type: ignore[no-untyped-def]
    graph_db, agencies, hub_resources: ResourceFactory, tmp_path: Path
) -> None:
    """Regions' runs taken in turn (a month of one region between months of another), each
    region's in its own order, then the country step: the whole load's persons, hub ids and
    indicators."""
    whole = hub_resources(graph_db.url, agencies)
    run_whole(whole)

    url = f"sqlite:///{tmp_path / 'partitioned.sqlite3'}"
    partitioned = hub_resources(url, agencies)
    data = tmp_path / "partitioned"
    partitioned["hub_db"] = HubDatabase(
        database_url=url, landing_dir=str(data / "landing"), reports_dir=str(data / "reports")
    )
    hub = partitioned["hub_db"]
    instance = DagsterInstance.ephemeral()
    run_intake(partitioned, instance)
    plans = [region_runs(r, months_waiting(hub, r)) for r in _regions(hub)]
    assert len(plans) >= 2 and all(len(plan) > 3 for plan in plans)
    for runs in zip_longest(*plans):
        for run in runs:
            if run is not None:
                run_partition(partitioned, instance, *run)
    run_country(partitioned, instance)

    whole_hub = whole["hub_db"]
    assert isinstance(whole_hub, HubDatabase)
    assert persons_by_hub_id(hub) == persons_by_hub_id(whole_hub)
    assert mahalla_indicators(hub) == mahalla_indicators(whole_hub)
