"""Files read while still being written (issue 14.4) and files unreadable as a whole (14.5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.graph.models import Delivery, EmploymentRecord, LandLease, Reject
from pipelines.resources import HubDatabase
from tests.pipelines.agency_files import (
    employment_file,
    employment_row,
    run_folder,
    snapshot,
    write_registry,
)

SNAPSHOT = "leases_2022-12-01.xml"
AN_HOUR = 3600.0


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    hub = HubDatabase(database_url=graph_db.url, landing_dir=str(tmp_path / "landing"))
    write_registry(tmp_path / "registry")
    run_folder(hub, tmp_path / "registry", "registry")
    return hub


def _count(hub: HubDatabase, *where) -> int:  # type: ignore[no-untyped-def]
    with hub.session() as session:
        return session.scalar(select(func.count()).where(*where)) or 0


def _statuses(hub: HubDatabase, source: str) -> list[tuple[str, str]]:
    with hub.session() as session:
        stmt = select(Delivery.name, Delivery.status).where(Delivery.source == source)
        return [tuple(row) for row in session.execute(stmt.order_by(Delivery.id))]  # type: ignore[misc]


def test_a_file_still_being_written_waits_until_it_has_settled(
    hub: HubDatabase, tmp_path: Path
) -> None:
    land = tmp_path / "land"
    land.mkdir()
    whole = snapshot(range(1, 13))
    path = land / SNAPSHOT
    path.write_bytes(whole[: len(whole) // 2])

    first = run_folder(hub, land, "land", settle_seconds=AN_HOUR)
    assert first.landed.landed == [] and first.landed.waiting == [SNAPSHOT]
    assert "still changing" in first.landed.warnings[0]

    path.write_bytes(whole)  # the agency finishes writing
    second = run_folder(hub, land, "land", settle_seconds=AN_HOUR)
    assert second.landed.waiting == [SNAPSHOT]

    third = run_folder(hub, land, "land", settle_seconds=AN_HOUR)  # unchanged since the last look
    assert third.landed.waiting == [] and third.landed.delivered == 12
    assert _statuses(hub, "land") == [(SNAPSHOT, "loaded")]
    assert _count(hub, LandLease.is_current) == 12


def test_a_file_untouched_for_the_settle_time_is_taken_at_the_first_look(
    hub: HubDatabase, tmp_path: Path
) -> None:
    land = tmp_path / "land"
    land.mkdir()
    path = land / SNAPSHOT
    path.write_bytes(snapshot(range(1, 4)))
    two_hours_ago = path.stat().st_mtime - 2 * AN_HOUR
    os.utime(path, (two_hours_ago, two_hours_ago))
    assert run_folder(hub, land, "land", settle_seconds=AN_HOUR).landed.delivered == 3


def test_a_later_complete_version_supersedes_a_partial_reading_and_resolves_its_rejects(
    hub: HubDatabase, tmp_path: Path
) -> None:
    land = tmp_path / "land"
    land.mkdir()
    whole = snapshot(range(1, 13))
    cut = whole.index(b'<Lease id="LS-0000008"') + 40
    (land / SNAPSHOT).write_bytes(whole[:cut])  # taken while the agency was still writing
    partial = run_folder(hub, land, "land")
    assert partial.landed.accepted == 7 and partial.landed.rejected == 1
    assert _count(hub, Reject.source == "land", Reject.status == "open") == 1

    (land / SNAPSHOT).write_bytes(whole)
    complete = run_folder(hub, land, "land")
    assert complete.landed.delivered == 12
    assert _count(hub, Reject.source == "land", Reject.status == "open") == 0
    with hub.session() as session:
        tail = session.scalars(select(Reject).where(Reject.source == "land")).one()
        assert tail.status == "resolved"
        assert tail.resolved_by_delivery_id == complete.landed.landed[0]
    assert _statuses(hub, "land") == [(SNAPSHOT, "loaded"), (SNAPSHOT, "loaded")]
    assert _count(hub, LandLease.is_current) == 12


def test_a_partial_version_waiting_to_load_is_superseded_by_the_complete_one(
    hub: HubDatabase, tmp_path: Path
) -> None:
    land = tmp_path / "land"
    land.mkdir()
    (land / "leases_2022-11-01.xml").write_bytes(snapshot(range(1, 13)))
    run_folder(hub, land, "land")
    whole = snapshot(range(1, 13))
    (land / SNAPSHOT).write_bytes(whole[: whole.index(b'<Lease id="LS-0000003"') + 10])
    assert run_folder(hub, land, "land").loaded.held == [SNAPSHOT]  # 10 of 12 would end

    (land / SNAPSHOT).write_bytes(whole)
    run_folder(hub, land, "land")
    assert _statuses(hub, "land")[1:] == [(SNAPSHOT, "superseded"), (SNAPSHOT, "loaded")]
    assert _count(hub, Reject.source == "land", Reject.status == "open") == 0
    assert _count(hub, LandLease.is_current) == 12


UNREADABLE = b"record;pinfl;name\r\nE1;1;x\r\n"
"""An employment file whose header is not the contract's: no row of it can be read."""


def test_an_unreadable_file_is_quarantined_whole_and_the_later_files_load(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    folder.mkdir()
    (folder / "employment_2022-01.csv").write_bytes(UNREADABLE)
    (folder / "employment_2022-02.csv").write_bytes(employment_file([employment_row(1)]))
    (folder / "employment_2022-03.csv").write_bytes(employment_file([employment_row(2)]))

    reports = run_folder(hub, folder, "employment")
    assert len(reports.landed.quarantined) == 1
    assert _statuses(hub, "employment") == [
        ("employment_2022-01.csv", "quarantined"),
        ("employment_2022-02.csv", "loaded"),
        ("employment_2022-03.csv", "loaded"),
    ]
    assert _count(hub, EmploymentRecord.id.is_not(None)) == 2
    with hub.session() as session:
        (entry,) = session.scalars(select(Reject).where(Reject.source == "employment")).all()
    assert entry.rule == "unreadable_file" and entry.origin == "employment_2022-01.csv"
    assert "header" in entry.reasons[0]

    # Reruns read nothing again and add nothing.
    for _ in range(2):
        again = run_folder(hub, folder, "employment")
        assert again.landed.landed == [] and again.landed.quarantined == []
    assert _count(hub, Delivery.source == "employment") == 3
    assert _count(hub, Reject.source == "employment") == 1


def test_an_unreadable_file_is_read_again_once_its_content_changes(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    folder.mkdir()
    (folder / "employment_2022-01.csv").write_bytes(UNREADABLE)
    run_folder(hub, folder, "employment")
    (folder / "employment_2022-01.csv").write_bytes(employment_file([employment_row(1)]))
    fixed = run_folder(hub, folder, "employment")
    assert fixed.landed.accepted == 1
    assert _statuses(hub, "employment") == [
        ("employment_2022-01.csv", "superseded"),
        ("employment_2022-01.csv", "loaded"),
    ]
    assert _count(hub, Reject.source == "employment", Reject.status == "open") == 0


def test_a_month_fixed_after_a_later_month_loaded_does_not_overwrite_it(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    folder.mkdir()
    (folder / "employment_2022-01.csv").write_bytes(UNREADABLE)
    february = employment_row(1, status="самозанятый")
    (folder / "employment_2022-02.csv").write_bytes(employment_file([february]))
    run_folder(hub, folder, "employment")
    (folder / "employment_2022-01.csv").write_bytes(employment_file([employment_row(1)]))
    run_folder(hub, folder, "employment")
    with hub.session() as session:
        (record,) = session.scalars(select(EmploymentRecord)).all()
    assert (record.status, record.source_file) == ("self_employed", "employment_2022-02.csv")
