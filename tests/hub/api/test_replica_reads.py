"""The API on a real streaming replica (`tests.postgres_replica`): reads served by it,
writes (audit rows, key bookkeeping) on the primary, and what happens while it lags
(replay paused) or is down (stopped), and once it recovers."""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from hub.access.keys import KeySpec
from hub.api.app import create_app
from hub.api.principal import SCOPES, Role
from hub.api.read_routing import READ_DATABASE_HEADER
from hub.api.read_settings import ReadRoutingSettings
from hub.api.request_database import Fallback, RequestDatabase
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.database import (
    create_hub_async_engine,
    create_hub_engine,
    create_session_factory,
    upgrade_database,
)
from hub.graph.models import ApiKey, AuditRecord, Region
from tests.api_keys import issue_key
from tests.conftest import IN_CI, POSTGRES_ADMIN_URL
from tests.hub.api.conftest import build_graph
from tests.postgres_replica import (
    ReplicaUnavailableError,
    StreamingReplica,
    start_replica,
    wait_until,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# One replica for the module, in one xdist worker (`scripts/test` runs `--dist loadgroup`).
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("pg_replica")]

REGIONS = "query Regions { regions { totalCount } }"
PERSONS = "query Persons { persons(first: 2) { edges { node { hubId } } } }"
ROUTING_LOG = "hub.api.read_routing"
# Codes of the regions the tests add (the fixture graph's are 17xx).
_NEW_REGION_CODES = (str(code) for code in count(9000))


@dataclass(frozen=True)
class Replicated:
    """A graph database on the primary and the same database seen through the replica."""

    replica: StreamingReplica
    primary_url: str
    replica_url: str

    def add_region(self) -> str:
        """Insert a region on the primary; its code."""
        code = next(_NEW_REGION_CODES)
        engine = create_hub_engine(self.primary_url)
        try:
            with engine.begin() as connection:
                connection.execute(insert(Region).values(code=code, name=f"Test {code}"))
        finally:
            engine.dispose()
        return code

    def count_regions(self, url: str) -> int:
        engine = create_hub_engine(url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(select(func.count()).select_from(Region)).scalar_one()
                )
        finally:
            engine.dispose()

    def replica_caught_up(self) -> bool:
        return self.count_regions(self.replica_url) == self.count_regions(self.primary_url)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    """A replica of the test server streaming a graph database of its own (both removed
    at the end: the replica stopped, its folder deleted, its slot and the database dropped)."""
    try:
        replica = start_replica(POSTGRES_ADMIN_URL)
    except (ReplicaUnavailableError, OSError) as exc:
        message = f"No streaming replica of {POSTGRES_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the replica tests must run)", pytrace=False)
        pytest.skip(message)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"i19_replica_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        primary_url = make_url(POSTGRES_ADMIN_URL).set(database=name)
        primary = primary_url.render_as_string(hide_password=False)
        upgrade_database(primary)
        engine = create_hub_engine(primary)
        with create_session_factory(engine)() as session, session.begin():
            build_graph(session)
        engine.dispose()
        world = Replicated(replica, primary, replica.url(name))
        wait_until(lambda: _answers(world), timeout=60)
        yield world
    finally:
        replica.remove()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _answers(world: Replicated) -> bool:
    try:
        return world.replica_caught_up()
    except Exception:  # noqa: BLE001 - the database is not replayed yet
        return False


@dataclass
class ReplicaApi:
    client: TestClient
    headers: dict[str, str]

    def regions(self) -> tuple[int, str]:
        """The region count the API answers and the database that served it."""
        response = self.client.post("/graphql", json={"query": REGIONS}, headers=self.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["regions"]["totalCount"], response.headers[READ_DATABASE_HEADER]

    def served_by(self) -> str:
        return self.regions()[1]

    def health(self) -> dict[str, Any]:
        response = self.client.get("/healthz")
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report


@contextmanager
def _api(world: Replicated, tmp_path: Path, reads: ReadRoutingSettings) -> Iterator[ReplicaApi]:
    settings = HubSettings(
        database_url=world.primary_url, data_dir=tmp_path, database_read_url=world.replica_url
    )
    key = issue_key(settings, KeySpec(owner="replica-test", role=Role.AGENCY, scopes=SCOPES))
    # The key was just written on the primary: it works at once only because keys are
    # looked up there, whatever the replica has replayed.
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False), read_settings=reads)
    with TestClient(app) as client:
        yield ReplicaApi(client, {"Authorization": f"Bearer {key}"})


@pytest.fixture
def api(replicated: Replicated, tmp_path: Path) -> Iterator[ReplicaApi]:
    """The API reading from the replica, with a lag bound (1 s) and back-off (0.2-1 s)
    short enough for a test to see both."""
    reads = ReadRoutingSettings(
        max_lag_seconds=1.0, lag_check_seconds=0.1, retry_seconds=0.2, retry_max_seconds=1.0
    )
    with _api(replicated, tmp_path, reads) as api:
        yield api


def test_reads_are_served_by_the_replica(replicated: Replicated, tmp_path: Path) -> None:
    # Replay paused, a region added on the primary is not on the replica: the API, which
    # tolerates an hour of lag here, still answers the replica's count.
    reads = ReadRoutingSettings(max_lag_seconds=3600.0, lag_check_seconds=0.1)
    replica = replicated.replica
    with _api(replicated, tmp_path, reads) as api:
        # A commit replayed just now: a replica that has replayed none since it started
        # has an unknown lag once it falls behind, and would not be read from.
        replicated.add_region()
        wait_until(replicated.replica_caught_up, timeout=30)
        before, served_by = api.regions()
        assert served_by == "replica"
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            replicated.add_region()
            assert replicated.count_regions(replicated.primary_url) == before + 1
            assert api.regions() == (before, "replica")
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
        wait_until(replicated.replica_caught_up, timeout=30)
        assert api.regions() == (before + 1, "replica")
        health = api.health()
        assert health["status"] == "ok"
        assert (health["reads"]["readsFrom"], health["reads"]["replica"]) == ("replica", "in_use")


def test_audit_rows_and_key_use_are_written_on_the_primary_and_reach_the_replica(
    replicated: Replicated, api: ReplicaApi
) -> None:
    response = api.client.post("/graphql", json={"query": PERSONS}, headers=api.headers)
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers[READ_DATABASE_HEADER] == "replica"
    portal = api.client.portal
    assert portal is not None
    portal.call(api.client.app.state.audit.flush)  # type: ignore[attr-defined]
    key_id = api.headers["Authorization"].split("_")[1]
    audited = select(func.count()).select_from(AuditRecord).where(AuditRecord.key_id == key_id)
    used = select(ApiKey.last_used_at).where(ApiKey.id == key_id)

    def on(url: str) -> tuple[int, object]:
        engine = create_hub_engine(url)
        try:
            with engine.connect() as connection:
                return connection.execute(audited).scalar_one(), connection.execute(used).scalar()
        finally:
            engine.dispose()

    # `last_used_at` is written by a task of its own, a moment after the request.
    wait_until(lambda: on(replicated.primary_url)[1] is not None, timeout=30)
    rows, last_used_at = on(replicated.primary_url)
    assert rows == 1
    wait_until(lambda: on(replicated.replica_url) == (1, last_used_at), timeout=30)


def test_a_lagging_replica_sends_reads_to_the_primary_until_it_catches_up(
    replicated: Replicated, api: ReplicaApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ROUTING_LOG)
    assert api.served_by() == "replica"
    replica = replicated.replica
    replica.execute("SELECT pg_wal_replay_pause()")
    try:
        replicated.add_region()
        wait_until(lambda: api.served_by() == "primary", timeout=30)
        # The primary's answer, which the paused replica does not have yet.
        expected = replicated.count_regions(replicated.primary_url)
        assert api.regions() == (expected, "primary")
        assert replicated.count_regions(replicated.replica_url) == expected - 1
        health = api.health()
        assert (health["status"], health["reads"]["replica"]) == ("degraded", "lagging")
        assert health["reads"]["readsFrom"] == "primary"
        assert "behind" in health["reads"]["reason"]
        assert api.served_by() == "primary"
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")
    wait_until(lambda: api.served_by() == "replica", timeout=30)
    assert api.regions() == (expected, "replica")
    assert api.health()["status"] == "ok"
    changes = [r for r in caplog.records if r.name == ROUTING_LOG]
    # Logged once when reads left the replica and once when they came back, however
    # many requests and measurements there were in between.
    assert [r.levelname for r in changes[-2:]] == ["WARNING", "INFO"]
    assert sum(r.levelname == "WARNING" for r in changes) == 1


def test_a_replica_that_is_down_sends_reads_to_the_primary_and_is_used_again_after_restart(
    replicated: Replicated, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The lag is measured once a minute here, so the router still believes in the replica
    # when it stops: the next request finds out itself, and finishes on the primary.
    reads = ReadRoutingSettings(lag_check_seconds=60.0, retry_seconds=0.2, retry_max_seconds=1.0)
    caplog.set_level(logging.INFO, logger=ROUTING_LOG)
    replica = replicated.replica
    with _api(replicated, tmp_path, reads) as api:
        count, served_by = api.regions()
        assert served_by == "replica"
        replica.stop()
        try:
            assert api.regions() == (count, "primary")
            assert [api.regions() for _ in range(5)] == [(count, "primary")] * 5
            health = api.health()
            assert (health["status"], health["reads"]["replica"]) == ("degraded", "down")
            assert "unreachable" in health["reads"]["reason"]
            assert health["reads"]["retryInSeconds"] <= 1.0
        finally:
            replica.start()
        wait_until(lambda: api.served_by() == "replica", timeout=30)
        assert api.regions() == (count, "replica")
        assert api.health()["status"] == "ok"
    warnings_ = [r for r in caplog.records if r.name == ROUTING_LOG and r.levelname == "WARNING"]
    assert len(warnings_) == 1 and "unreachable" in warnings_[0].getMessage()


def test_a_replica_cut_off_from_the_primary_is_not_trusted(
    replicated: Replicated, api: ReplicaApi
) -> None:
    # Without its WAL receiver the replica has replayed all it received, and would look
    # current however much it missed.
    replica = replicated.replica
    assert api.served_by() == "replica"
    replica.execute("ALTER SYSTEM SET primary_conninfo = ''")
    replica.execute("SELECT pg_reload_conf()")
    try:
        wait_until(lambda: api.served_by() == "primary", timeout=30)
        health = api.health()
        assert health["reads"]["replica"] == "lagging"
        assert "not streaming" in health["reads"]["reason"]
    finally:
        replica.execute("ALTER SYSTEM RESET primary_conninfo")
        replica.execute("SELECT pg_reload_conf()")
    wait_until(lambda: api.served_by() == "replica", timeout=30)


def test_a_request_whose_replica_goes_down_between_batches_finishes_on_the_primary(
    replicated: Replicated,
) -> None:
    # Each batch asks the server it runs on whether it is in recovery: the first batch
    # runs on the replica (True); the replica stops; the next runs on the primary (False).
    replica = replicated.replica
    failures: list[BaseException] = []

    def in_recovery(connection: Connection) -> bool:
        return bool(connection.execute(text("SELECT pg_is_in_recovery()")).scalar())

    async def request() -> list[tuple[bool, str | None]]:
        primary = create_hub_async_engine(replicated.primary_url, isolation_level="AUTOCOMMIT")
        standby = create_hub_async_engine(replicated.replica_url, isolation_level="AUTOCOMMIT")
        db = RequestDatabase(
            standby, label="replica", fallback=Fallback(primary, "primary", failures.append)
        )
        try:
            seen = [(await db.run(in_recovery), db.served_by)]
            await asyncio.to_thread(replica.stop)
            try:
                seen += [(await db.run(in_recovery), db.served_by) for _ in range(2)]
            finally:
                await asyncio.to_thread(replica.start)
            return seen
        finally:
            await db.close()
            await primary.dispose()
            await standby.dispose()

    assert asyncio.run(request()) == [(True, "replica"), (False, "primary"), (False, "primary")]
    assert len(failures) == 1


def test_a_read_the_replica_cancels_for_a_recovery_conflict_is_answered_by_the_primary(
    replicated: Replicated,
) -> None:
    # With max_standby_streaming_delay = 0 the replica cancels a query that holds a lock
    # the replay of the primary's ACCESS EXCLUSIVE lock needs (SQLSTATE 40001); the
    # request repeats it on the primary, and the replica is not reported down.
    replica = replicated.replica
    failures: list[BaseException] = []
    statement = "SELECT pg_is_in_recovery(), count(*) FROM region, pg_sleep(2)"
    running = (
        f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '{statement}'"
    )

    def slow_read(connection: Connection) -> tuple[bool, int]:
        in_recovery, regions = connection.execute(text(statement)).one()
        return bool(in_recovery), int(regions)

    def lock_on_the_primary_once_the_replica_reads() -> None:
        wait_until(
            lambda: replica.execute(running, make_url(replicated.replica_url).database) == 1,
            timeout=30,
        )
        engine = create_hub_engine(replicated.primary_url)
        try:
            with engine.begin() as connection:
                connection.execute(text("LOCK TABLE region IN ACCESS EXCLUSIVE MODE"))
        finally:
            engine.dispose()

    async def request() -> tuple[tuple[bool, int], str | None]:
        primary = create_hub_async_engine(replicated.primary_url, isolation_level="AUTOCOMMIT")
        standby = create_hub_async_engine(replicated.replica_url, isolation_level="AUTOCOMMIT")
        db = RequestDatabase(
            standby, label="replica", fallback=Fallback(primary, "primary", failures.append)
        )
        locker = asyncio.ensure_future(
            asyncio.to_thread(lock_on_the_primary_once_the_replica_reads)
        )
        try:
            answer = await db.run(slow_read)
            await locker
            return answer, db.served_by
        finally:
            await db.close()
            await primary.dispose()
            await standby.dispose()

    replica.execute("ALTER SYSTEM SET max_standby_streaming_delay = 0")
    replica.execute("SELECT pg_reload_conf()")
    try:
        wait_until(lambda: replica.execute("SHOW max_standby_streaming_delay") == "0", timeout=10)
        (in_recovery, regions), served_by = asyncio.run(request())
    finally:
        replica.execute("ALTER SYSTEM RESET max_standby_streaming_delay")
        replica.execute("SELECT pg_reload_conf()")
    assert (in_recovery, served_by) == (False, "primary")
    assert regions == replicated.count_regions(replicated.primary_url)
    assert failures == []
