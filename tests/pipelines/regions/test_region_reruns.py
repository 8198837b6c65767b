"""A rerun of one region after a changed delivery leaves every other region as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance
from sqlalchemy import select

from hub.graph.models import Delivery, Person, SourceRecord
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.regional_assets import REGIONAL_ASSETS
from pipelines.regions.loading import waiting_regions
from pipelines.resources import HubDatabase
from tests.pipelines.conftest import ResourceFactory
from tests.pipelines.regions.runs import load_region, run_intake

pytestmark = pytest.mark.slow

ASSETS = [*ALL_ASSETS, *QUALITY_CHECKS, *REGIONAL_ASSETS]


def _region_state(hub: HubDatabase, region: str) -> dict[str, object]:
    """The region's person records (row, person, last delivery, last seen) and the hub id
    and update time of every person with a record there."""
    with hub.session() as session:
        records = session.execute(
            select(
                SourceRecord.source,
                SourceRecord.record_key,
                SourceRecord.id,
                Person.hub_id,
                SourceRecord.last_delivery_id,
                SourceRecord.last_seen_at,
                Person.updated_at,
            )
            .outerjoin(Person, Person.id == SourceRecord.person_id)
            .where(SourceRecord.mahalla_code.like(f"{region}%"))
        ).all()
    return {(r[0], r[1]): tuple(r[2:]) for r in records}


def _redeliver(world: Path, regions: list[str]) -> tuple[str, dict[str, str]]:
    """A new appeals file repeating one appeal of each region: its name and region -> key."""
    lines: dict[str, str] = {}
    for path in sorted((world / "appeals").glob("appeals_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a row the generator corrupted on purpose
            region = str(item.get("mahalla_code") or "")[:4]
            if region in regions and region not in lines:
                lines[region] = line
    name = "appeals_2099-Q4.jsonl"
    (world / "appeals" / name).write_text("\n".join(lines.values()) + "\n", encoding="utf-8")
    keys = {region: json.loads(line)["appeal_id"] for region, line in lines.items()}
    return name, keys


def test_a_rerun_of_one_region_leaves_the_other_regions_untouched(
    graph_db, agencies, hub_resources: ResourceFactory, world: Path, tmp_path: Path
) -> None:
    resources = hub_resources(graph_db.url, agencies)
    hub = resources["hub_db"]
    assert isinstance(hub, HubDatabase)
    instance = DagsterInstance.ephemeral()
    run_intake(resources, instance)
    with hub.session() as session:
        codes = session.scalars(select(SourceRecord.mahalla_code).distinct())
        regions = sorted({c[:4] for c in codes if c})
    assert len(regions) >= 2
    first, other = regions[0], regions[1]
    for region in regions:
        load_region(resources, instance, region)
    before = _region_state(hub, other)

    name, keys = _redeliver(world, [first, other])
    run_intake(resources, instance)
    load_region(resources, instance, first)

    assert _region_state(hub, other) == before
    with hub.session() as session:
        delivery = session.scalars(select(Delivery).where(Delivery.name == name)).one()
        redelivered = session.scalars(
            select(SourceRecord).where(
                SourceRecord.source == "appeals", SourceRecord.record_key == keys[first]
            )
        ).one()
        assert redelivered.last_delivery_id == delivery.id
        # The delivery waits for the region that has not loaded its rows yet.
        assert delivery.status == "staged"
    assert waiting_regions(hub, "appeals") == {name: [other]}

    load_region(resources, instance, other)
    with hub.session() as session:
        status = session.scalar(select(Delivery.status).where(Delivery.name == name))
    assert status == "loaded"
    assert _region_state(hub, other) != before
