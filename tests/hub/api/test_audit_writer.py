"""The audit log's writer: COPY batches that keep every value and the chain, one chain
across processes, failed writes logged with their entries, and nothing queued lost at
shutdown (`hub.access.audit_chain`, `hub.api.audit_writer`)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.access.audit_chain import AuditEntry, append_entries, append_entries_async, verify_chain
from hub.access.keys import KeySpec
from hub.api.app import create_app
from hub.api.audit import AuditRecorder
from hub.api.audit_writer import WRITER_APPLICATION_NAME, AuditWriter
from hub.api.context import ExecutedOperation
from hub.api.principal import SCOPES, Principal, Role
from hub.api.schema import SCHEMA
from hub.api.settings import ApiSettings, load_api_settings
from hub.config import ConfigurationError, HubSettings
from hub.graph.database import create_hub_async_engine, create_hub_engine, upgrade_database
from hub.graph.models import AuditRecord
from tests.api_keys import issue_key

if TYPE_CHECKING:
    from conftest import BuiltGraph

    from tests.conftest import GraphDatabase

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# Values COPY's text format must escape (tab, newline, backslash) and JSON must quote.
AWKWARD = {"q": 'a\tb\nc\\d "e" ü \U0001f642', "nested": [{"x": None, "y": 1.5}], "n": 0}


def _entry(
    n: int, *, at: datetime | None = None, variables: dict[str, Any] | None = None
) -> AuditEntry:
    return AuditEntry(
        at=at or datetime(2026, 12, 4, 12, 0, 0, n, tzinfo=UTC),
        key_id="0123456789abcdef",
        owner="tax\tcommittee",
        role="agency",
        operation_name=f"Op{n}" if n % 2 else None,
        document_hash="cd" * 32,
        variables=variables if variables is not None else {"n": n},
        person_ids=[f"P{n:06d}", f"P{n + 1:06d}"],
        result_bytes=1000 + n,
    )


def _rows(graph_db: GraphDatabase) -> list[AuditRecord]:
    with graph_db.engine.connect() as connection:
        stmt = select(AuditRecord.__table__).order_by(AuditRecord.id)
        return list(connection.execute(stmt))  # type: ignore[arg-type]


def _intact(graph_db: GraphDatabase) -> int:
    with graph_db.engine.connect() as connection:
        report = verify_chain(connection)
    assert report.intact, report.reason
    return report.rows


def test_batches_keep_every_value_and_the_chain(graph_db: GraphDatabase) -> None:
    tashkent = timezone(timedelta(hours=5))
    entries = [_entry(0, at=datetime(2026, 12, 4, 17, 0, tzinfo=tashkent), variables=AWKWARD)]
    entries += [_entry(n) for n in range(1, 58)]
    with graph_db.engine.connect() as connection:
        for batch in (entries[:1], entries[1:51], entries[51:]):
            append_entries(connection, batch)
    assert _intact(graph_db) == 58
    rows = _rows(graph_db)
    first = rows[0]
    assert first.variables == AWKWARD and first.owner == "tax\tcommittee"
    assert first.at == datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # stored (and chained) in UTC
    assert [r.person_ids for r in rows] == [e.person_ids for e in entries]
    assert [r.operation_name for r in rows] == [e.operation_name for e in entries]
    assert all(r.prev_hash == p.row_hash for p, r in itertools.pairwise(rows))


def test_an_entry_without_a_time_zone_is_refused_and_nothing_written(
    graph_db: GraphDatabase,
) -> None:
    naive = _entry(2, at=datetime(2026, 12, 4, 12, 0))
    with (
        graph_db.engine.connect() as connection,
        pytest.raises(ValueError, match="has no time zone"),
    ):
        append_entries(connection, [_entry(1), naive])
    assert _rows(graph_db) == []


_APPENDER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from hub.access.audit_chain import AuditEntry, append_entries
from hub.graph.database import create_hub_engine
url, base, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
engine = create_hub_engine(url)
with engine.connect() as connection:
    connection.exec_driver_sql("SELECT 1")  # connected before the start
    connection.commit()
    (folder / f"ready-{base}").touch()
    while not (folder / "go").exists():
        time.sleep(0.01)
    for n in range(BATCHES):
        entry = AuditEntry(datetime.now(UTC), None, f"process-{base}", "agency", None,
                           "ab" * 32, {"n": n}, [f"P{base + n}"], 1)
        append_entries(connection, [entry, entry])
engine.dispose()
"""
BATCHES = 150


def test_two_processes_appending_at_once_keep_one_chain(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    script = textwrap.dedent(_APPENDER).replace("BATCHES", str(BATCHES))
    processes = [
        subprocess.Popen([sys.executable, "-c", script, graph_db.url, str(base), str(tmp_path)])
        for base in (1000, 2000)
    ]
    try:
        for _ in range(24000):  # both connected (they import the hub first), then go at once
            if all((tmp_path / f"ready-{b}").exists() for b in (1000, 2000)):
                break
            assert all(p.poll() is None for p in processes), "an appender failed to start"
            time.sleep(0.01)
        (tmp_path / "go").touch()
        assert [p.wait(timeout=240) for p in processes] == [0, 0]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert _intact(graph_db) == 2 * 2 * BATCHES
    assert {r.owner for r in _rows(graph_db)} == {"process-1000", "process-2000"}


def test_a_failed_write_is_logged_with_its_entries_and_the_next_one_is_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = create_hub_engine(url)  # not migrated yet: no audit_log table
    writer = AuditWriter(engine, linger_seconds=0.01)

    async def scenario() -> None:
        try:
            with caplog.at_level(logging.ERROR, logger="hub.api.audit_writer"):
                writer.submit(lambda: [_entry(7)])
                assert await writer.flush(timeout=60)
            (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
            assert "Audit entries NOT written" in record.getMessage()
            assert "P000007" in record.getMessage() and "audit_log" in record.getMessage()
            upgrade_database(url)
            writer.submit(lambda: [_entry(8)])
            assert await writer.flush(timeout=60)
        finally:
            await writer.close()

    asyncio.run(scenario())
    with engine.connect() as connection:
        assert list(connection.scalars(select(AuditRecord.person_ids))) == [_entry(8).person_ids]
        assert verify_chain(connection).intact
    engine.dispose()


def test_work_that_raises_is_logged_and_the_rest_of_its_batch_written(
    graph_db: GraphDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> list[AuditEntry]:
        raise KeyError("no such operation")

    writer = AuditWriter(graph_db.engine, linger_seconds=5)

    async def scenario() -> None:
        for work in (lambda: [_entry(1)], broken, lambda: [_entry(2), _entry(3)]):
            writer.submit(work)
        await writer.close()  # writes the one batch without waiting out the linger

    with caplog.at_level(logging.ERROR, logger="hub.api.audit_writer"):
        asyncio.run(scenario())
    assert any("could not be made" in r.getMessage() for r in caplog.records)
    assert [r.result_bytes for r in _rows(graph_db)] == [1001, 1002, 1003]


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_a_lost_connection_loses_one_logged_batch_and_the_writer_reconnects(
    graph_db: GraphDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_hub_async_engine(graph_db.url)  # the application's kind of engine
    writer = AuditWriter(engine, linger_seconds=0.01)

    async def scenario() -> None:
        try:
            writer.submit(lambda: [_entry(1)])
            assert await writer.flush(timeout=60)
            with graph_db.engine.begin() as connection:
                killed = connection.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": WRITER_APPLICATION_NAME},
                )
            assert killed == 1
            with caplog.at_level(logging.ERROR, logger="hub.api.audit_writer"):
                writer.submit(lambda: [_entry(2)])
                assert await writer.flush(timeout=60)
            assert any("P000002" in r.getMessage() for r in caplog.records)
            writer.submit(lambda: [_entry(3)])
            assert await writer.flush(timeout=60)
        finally:
            await writer.close()
            await engine.dispose()

    asyncio.run(scenario())
    assert [r.result_bytes for r in _rows(graph_db)] == [1001, 1003]
    assert _intact(graph_db) == 2


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_an_asynchronous_commit_stays_inside_its_transaction(graph_db: GraphDatabase) -> None:
    with graph_db.engine.connect() as connection:
        append_entries(connection, [_entry(1), _entry(2)], synchronous_commit=False)
        connection.rollback()
        assert connection.scalar(text("SHOW synchronous_commit")) == "on"
    assert _intact(graph_db) == 2


def test_close_writes_what_is_queued_without_waiting_out_the_linger(
    graph_db: GraphDatabase,
) -> None:
    writer = AuditWriter(graph_db.engine, linger_seconds=3600)

    async def scenario() -> None:
        for n in range(5):
            writer.submit(lambda n=n: [_entry(n)])  # type: ignore[misc]
        await asyncio.wait_for(writer.close(), 120)  # not the hour-long linger
        with pytest.raises(RuntimeError, match="closed"):
            writer.submit(lambda: [_entry(9)])

    asyncio.run(scenario())
    assert _intact(graph_db) == 5


def test_the_application_writes_its_queue_when_it_shuts_down(
    built_graph: BuiltGraph, tmp_path: Path
) -> None:
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    key = issue_key(settings, KeySpec(owner="shutdown", role=Role.AGENCY, scopes=SCOPES))
    # A linger far longer than the test: only the shutdown can have written the row.
    api = ApiSettings(tune_gc=False, audit_linger_ms=3_600_000)
    with TestClient(create_app(settings, api_settings=api)) as client:
        query = "query Shut { persons(first: 2) { edges { node { hubId } } } }"
        response = client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200 and "errors" not in response.json()
    engine = create_hub_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            stmt = select(AuditRecord.operation_name).where(AuditRecord.key_id == key.split("_")[1])
            assert list(connection.scalars(stmt)) == ["Shut"]
    finally:
        engine.dispose()


def test_the_audit_settings_are_read_from_the_environment() -> None:
    default = load_api_settings({})
    assert (default.audit_linger_ms, default.audit_synchronous_commit) == (200, True)
    chosen = load_api_settings(
        {"HUB_API_AUDIT_LINGER_MS": "500", "HUB_API_AUDIT_SYNCHRONOUS_COMMIT": "off"}
    )
    assert (chosen.audit_linger_ms, chosen.audit_synchronous_commit) == (500, False)
    with pytest.raises(ConfigurationError, match="HUB_API_AUDIT_LINGER_MS"):
        load_api_settings({"HUB_API_AUDIT_LINGER_MS": "soon"})
    with pytest.raises(ConfigurationError, match="HUB_API_AUDIT_SYNCHRONOUS_COMMIT"):
        load_api_settings({"HUB_API_AUDIT_SYNCHRONOUS_COMMIT": "maybe"})


def test_a_response_sent_after_the_writer_closed_is_logged_with_its_entries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_hub_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    recorder = AuditRecorder(engine, SCHEMA._schema)
    query = "query Late { persons(first: 1) { edges { node { fullName } } } }"
    operation = ExecutedOperation(query, {}, None, {"persons": ("H-LATE",)})
    body = b'{"data":{"persons":{"edges":[{"node":{"fullName":"Secret Name"}}]}}}'
    principal = Principal(name="late", role=Role.AGENCY, scopes=SCOPES, key_id="k" * 16)

    async def scenario() -> None:
        await recorder.close()
        recorder.submit(principal, [operation], body, datetime.now(UTC))

    with caplog.at_level(logging.ERROR, logger="hub.api.audit"):
        asyncio.run(scenario())
    (record,) = caplog.records
    assert "writer is closed" in record.getMessage() and "H-LATE" in record.getMessage()
    assert "Late" in record.getMessage() and "Secret Name" not in record.getMessage()
    engine.dispose()


def test_the_writer_makes_and_writes_its_entries_on_the_loop_with_no_thread(
    graph_db: GraphDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries are made on the loop's own thread, which serves others between a batch's
    responses; on PostgreSQL the application's asyncio engine is written through from
    there too, with no thread at all (whose wake-ups took Python's lock from requests).
    SQLite's driver has no asynchronous mode: its writes go to a worker thread."""
    postgresql = graph_db.backend == "postgresql"
    engine: Engine | AsyncEngine = graph_db.engine
    if postgresql:

        def synchronous(*args: object, **kwargs: object) -> None:
            raise AssertionError("the asyncio engine was written through a synchronous one")

        monkeypatch.setattr("hub.api.audit_writer.append_entries", synchronous)
        engine = create_hub_async_engine(graph_db.url)
    writer = AuditWriter(engine, linger_seconds=0.01)
    made_on: set[int] = set()
    ticks_seen: list[int] = []

    async def scenario() -> int:
        ticks = 0

        async def other_requests() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        def work(n: int) -> list[AuditEntry]:
            made_on.add(threading.get_ident())
            ticks_seen.append(ticks)
            return [_entry(n)]

        ticker = asyncio.create_task(other_requests())
        threads = threading.active_count()
        try:
            for n in range(64):
                writer.submit(lambda n=n: work(n))  # type: ignore[misc]
            assert await writer.flush(timeout=60)
            assert threading.active_count() == threads or not postgresql
        finally:
            ticker.cancel()
            await writer.close()
            if isinstance(engine, AsyncEngine):
                await engine.dispose()
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert made_on == {loop_thread}
    assert len(set(ticks_seen)) >= 4  # one batch, the loop ran between every 16 of its items
    assert _intact(graph_db) == 64


def test_flush_gives_up_after_its_timeout_and_close_still_writes(
    graph_db: GraphDatabase,
) -> None:
    writer = AuditWriter(graph_db.engine, linger_seconds=3600)

    async def scenario() -> None:
        writer.submit(lambda: [_entry(0)])
        # Nothing written yet: the flush hurries the writer, but gives up first.
        assert not await writer.flush(timeout=0.0)
        await asyncio.wait_for(writer.close(), 120)

    asyncio.run(scenario())
    assert _intact(graph_db) == 1


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_an_asyncio_connection_appends_the_same_rows_and_leaves_its_settings(
    graph_db: GraphDatabase,
) -> None:
    entries = [_entry(0, variables=AWKWARD), *(_entry(n) for n in range(1, 40))]
    engine = create_hub_async_engine(graph_db.url, isolation_level="AUTOCOMMIT")

    async def scenario() -> tuple[object, ...]:
        try:
            async with engine.connect() as connection:
                await append_entries_async(connection, entries[:1], synchronous_commit=False)
                await append_entries_async(connection, entries[1:])
                driver = (await connection.get_raw_connection()).driver_connection
                setting = await connection.scalar(text("SHOW synchronous_commit"))
                return driver.autocommit, setting  # type: ignore[union-attr]
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == (True, "on")
    assert _intact(graph_db) == 40
    rows = _rows(graph_db)
    assert rows[0].variables == AWKWARD and rows[0].owner == "tax\tcommittee"
    assert [r.person_ids for r in rows] == [e.person_ids for e in entries]


def test_a_writer_task_that_failed_is_logged_and_the_next_response_starts_another(
    graph_db: GraphDatabase, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = AuditWriter(graph_db.engine, linger_seconds=0)
    write = AuditWriter._write
    calls: list[int] = []

    async def fails_once(self: AuditWriter, batch: list[Any]) -> None:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("a bug in the writer")
        await write(self, batch)

    monkeypatch.setattr(AuditWriter, "_write", fails_once)

    async def scenario() -> None:
        writer.submit(lambda: [_entry(1)])
        assert await writer.flush(timeout=60)  # counted as done: its failure is logged
        writer.submit(lambda: [_entry(2)])
        assert await writer.flush(timeout=60)
        await writer.close()

    with caplog.at_level(logging.ERROR, logger="hub.api.audit_writer"):
        asyncio.run(scenario())
    assert any("audit writer stopped" in r.getMessage() for r in caplog.records)
    assert [r.result_bytes for r in _rows(graph_db)] == [1002]
