"""The monthly products are month partitions: a run rebuilds the months of its range, the
sensor after a load asks for the months due only, and the report's metadata says where
its files are."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey, DagsterInstance, SkipReason, materialize
from sqlalchemy import func, select

from hub.diagnostics.monthly_store import months_due
from hub.graph.models import MonthlyIndicator, Person
from pipelines.monthly_assets import MONTHLY_ASSETS_DEFS
from pipelines.monthly_automation import month_ranges, monthly_requests, range_tags
from pipelines.resources import HubDatabase
from tests.hub.diagnostics.small_world import SmallWorld
from tests.hub.diagnostics.test_monthly import FEB, JAN, _surveyed, build

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase


def _world(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        for name, on in (("a", JAN), ("b", JAN), ("c", FEB)):
            _surveyed(w, name, on)


def _months_stored(graph_db: GraphDatabase) -> dict[date, int]:
    stmt = select(MonthlyIndicator.month_on, func.count()).group_by(MonthlyIndicator.month_on)
    with graph_db.session() as session:
        return {month: count for month, count in session.execute(stmt)}


def test_contiguous_months_make_one_range_each_inside_the_partitions() -> None:
    months = [date(2022, 4, 1), JAN, FEB, date(1999, 12, 1), FEB, date(2031, 1, 1)]
    assert month_ranges(months, "2030-12-01") == [
        ("2022-01-01", "2022-02-01"),
        ("2022-04-01", "2022-04-01"),
    ]
    assert month_ranges([date(2022, 12, 1), date(2023, 1, 1)], None) == [
        ("2022-12-01", "2023-01-01")
    ]
    assert month_ranges([], None) == []


def test_a_run_builds_its_range_and_only_due_months_are_asked_for_after(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    _world(graph_db)
    with graph_db.session() as session:
        assert months_due(session, date(2022, 2, 25)) == [JAN, FEB]  # nothing built yet
    hub = HubDatabase(database_url=graph_db.url, reports_dir=str(tmp_path / "reports"))
    instance = DagsterInstance.ephemeral()
    result = materialize(
        MONTHLY_ASSETS_DEFS,
        resources={"hub_db": hub},
        instance=instance,
        tags=range_tags("2022-01-01", "2022-02-01"),
    )
    assert result.success
    for asset in ("monthly_indicators", "monthly_report"):
        assert instance.get_materialized_partitions(AssetKey(asset)) == {
            "2022-01-01",
            "2022-02-01",
        }
    assert set(_months_stored(graph_db)) == {JAN, FEB}
    report = tmp_path / "reports" / "2022-02" / "region-1703.html"
    assert report.is_file() and (tmp_path / "reports" / "2022-01" / "region-1703.html").is_file()
    materialization = result.asset_materializations_for_node("monthly_report")[0]
    assert materialization.metadata["index"].value == (tmp_path / "reports" / "index.html").as_uri()
    with graph_db.session() as session:
        # January is closed and nothing late arrived: only the open month is due.
        assert months_due(session, date(2022, 2, 25)) == [FEB]
    with graph_db.session() as session, session.begin():
        w = SmallWorld(session)
        w.persons["a1"] = session.scalars(select(Person.id).where(Person.hub_id == "P-a1")).one()
        w.loan("L9", "a1", "loan", "microloan", 1_000_000, date(2022, 1, 20))
    with graph_db.session() as session:
        # A late January loan: January is due again, beside the open month.
        assert months_due(session, date(2022, 2, 25)) == [JAN, FEB]


def test_a_single_month_partition_rebuilds_that_month_and_names_each_region_file(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    _world(graph_db)
    hub = HubDatabase(database_url=graph_db.url, reports_dir=str(tmp_path / "reports"))
    result = materialize(
        MONTHLY_ASSETS_DEFS,
        resources={"hub_db": hub},
        instance=DagsterInstance.ephemeral(),
        partition_key="2022-02-01",
    )
    assert result.success
    assert set(_months_stored(graph_db)) == {FEB}
    metadata = result.asset_materializations_for_node("monthly_report")[0].metadata
    assert metadata["files"].value == 1
    path = tmp_path / "reports" / "2022-02" / "region-1703.html"
    assert metadata["region-1703"].value == path.as_uri()


def test_after_a_load_the_sensor_asks_for_each_range_due(graph_db: GraphDatabase) -> None:
    hub = HubDatabase(database_url=graph_db.url)
    skipped = monthly_requests(hub, "run-1")
    assert isinstance(skipped, SkipReason)  # an empty graph has no month
    _world(graph_db)
    requests = monthly_requests(hub, "run-2")
    assert isinstance(requests, list)
    assert [(r.run_key, r.tags) for r in requests] == [
        ("run-2-2022-01-01-2022-02-01", range_tags("2022-01-01", "2022-02-01"))
    ]
