"""A land snapshot that would end too many current leases waits for an engineer (issue 14.3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, build_asset_check_context
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.cli import app as cli
from hub.config import HubSettings
from hub.graph.models import Delivery, LandLease
from pipelines.checks import QUALITY_CHECKS
from pipelines.resources import HubDatabase
from tests.api_keys import key_headers
from tests.pipelines.agency_files import run_folder, snapshot, write_registry

FIRST = "leases_2022-11-01.xml"
SECOND = "leases_2022-12-01.xml"


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    write_registry(tmp_path / "registry")
    run_folder(hub, tmp_path / "registry", "registry")
    land = tmp_path / "land"
    land.mkdir()
    (land / FIRST).write_bytes(snapshot(range(1, 13)))
    run_folder(hub, land, "land")
    assert _current(hub) == 12
    return hub


def _current(hub: HubDatabase) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).where(LandLease.is_current)) or 0


def _delivery(hub: HubDatabase, name: str) -> Delivery:
    with hub.session() as session:
        found = session.scalars(select(Delivery).where(Delivery.name == name)).one()
        session.expunge(found)
        return found


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(snapshot([]), id="no-leases"),
        pytest.param(b"", id="empty-file"),
        pytest.param(snapshot(range(1, 9)), id="a-third-gone"),
    ],
)
def test_a_snapshot_ending_too_many_leases_is_held_and_the_previous_stays_current(
    hub: HubDatabase, tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "land" / SECOND).write_bytes(content)
    reports = run_folder(hub, tmp_path / "land", "land")
    assert reports.loaded.held == [SECOND]
    held = _delivery(hub, SECOND)
    assert held.status == "held"
    assert held.message is not None
    ended = 12 - content.count(b"<Lease ")
    assert f"would end {ended} of the 12 current leases" in held.message
    assert f"hub deliveries confirm {held.id}" in held.message
    assert _current(hub) == 12
    # A rerun neither loads it nor holds it a second time.
    again = run_folder(hub, tmp_path / "land", "land")
    assert again.landed.landed == [] and again.loaded.held == []
    assert _current(hub) == 12


def test_a_snapshot_ending_a_few_leases_loads_unattended(hub: HubDatabase, tmp_path: Path) -> None:
    (tmp_path / "land" / SECOND).write_bytes(snapshot([*range(1, 12), 13]))
    reports = run_folder(hub, tmp_path / "land", "land")
    assert reports.loaded.held == []
    assert _delivery(hub, SECOND).status == "loaded"
    assert _current(hub) == 12  # 11 kept, 1 ended (8% <= 20%), 1 new


def test_the_share_that_holds_a_snapshot_is_configured(hub: HubDatabase, tmp_path: Path) -> None:
    strict = hub.model_copy(update={"land_max_ended_share": 0.05})
    (tmp_path / "land" / SECOND).write_bytes(snapshot(range(1, 12)))
    assert run_folder(strict, tmp_path / "land", "land").loaded.held == [SECOND]


def test_a_confirmed_snapshot_loads_on_the_next_run(
    hub: HubDatabase, graph_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "land" / SECOND).write_bytes(snapshot([]))
    run_folder(hub, tmp_path / "land", "land")
    held = _delivery(hub, SECOND)
    monkeypatch.setenv("HUB_DATABASE_URL", graph_db.url)

    listed = CliRunner().invoke(cli, ["deliveries", "held"])
    assert listed.exit_code == 0 and f"{held.id}\tland\t{SECOND}" in listed.output
    confirmed = CliRunner().invoke(cli, ["deliveries", "confirm", str(held.id)])
    assert confirmed.exit_code == 0, confirmed.output
    assert _delivery(hub, SECOND).confirmed_at is not None

    run_folder(hub, tmp_path / "land", "land")
    assert _delivery(hub, SECOND).status == "loaded"
    assert _current(hub) == 0
    twice = CliRunner().invoke(cli, ["deliveries", "confirm", str(held.id)])
    assert twice.exit_code == 1 and "is loaded; only a held delivery" in twice.output


def test_the_api_shows_a_held_snapshot_and_why(hub: HubDatabase, graph_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "land" / SECOND).write_bytes(snapshot([]))
    run_folder(hub, tmp_path / "land", "land")
    query = (
        '{ sources(source: "land") { heldDeliveries } '
        'deliveries(source: "land", status: "held") { edges { node { name message } } } }'
    )
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    with TestClient(create_app(settings), headers=key_headers(settings)) as client:
        answer = client.post("/graphql", json={"query": query}).json()
    assert answer["data"]["sources"] == [{"heldDeliveries": 1}]
    (edge,) = answer["data"]["deliveries"]["edges"]
    assert edge["node"]["name"] == SECOND
    assert "would end 12 of the 12 current leases" in edge["node"]["message"]


def test_the_held_delivery_check_fails_naming_the_snapshot_and_the_command(
    hub: HubDatabase, tmp_path: Path
) -> None:
    key = AssetCheckKey(AssetKey("loaded_land"), "no_held_delivery")
    check = next(c for c in QUALITY_CHECKS if set(c.check_keys) == {key})
    context = build_asset_check_context(resources={"hub_db": hub})
    assert check(context).passed
    (tmp_path / "land" / SECOND).write_bytes(snapshot([]))
    run_folder(hub, tmp_path / "land", "land")
    result = check(build_asset_check_context(resources={"hub_db": hub}))
    assert not result.passed
    (held,) = result.metadata["deliveries"].value  # type: ignore[attr-defined]
    assert held["name"] == SECOND and held["confirm"] == f"hub deliveries confirm {held['id']}"
    assert "would end 12 of the 12 current leases" in held["reason"]


def test_a_newer_snapshot_that_loads_supersedes_a_held_one(
    hub: HubDatabase, tmp_path: Path
) -> None:
    (tmp_path / "land" / SECOND).write_bytes(snapshot([]))
    run_folder(hub, tmp_path / "land", "land")
    (tmp_path / "land" / "leases_2023-01-01.xml").write_bytes(snapshot(range(1, 13)))
    run_folder(hub, tmp_path / "land", "land")
    held = _delivery(hub, SECOND)
    assert held.status == "superseded"
    assert "superseded by the newer snapshot leases_2023-01-01.xml" in (held.message or "")
    assert _current(hub) == 12
