"""A request's reads moving from the replica to the primary mid-request: the replica
stopping between two batches, and a statement it cancels for a recovery conflict."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Boolean, Connection, Integer, column, text
from sqlalchemy.engine import make_url

from hub.api.request_database import Fallback, RequestDatabase
from hub.graph.database import create_hub_async_engine, create_hub_engine
from tests.hub.api.replica.conftest import Replicated
from tests.postgres_replica import wait_until

# One replica for the session, in one xdist worker (see conftest).
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("pg_replica")]


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


@pytest.mark.parametrize("path", ["sqlalchemy", "driver"])
def test_a_read_the_replica_cancels_for_a_recovery_conflict_is_answered_by_the_primary(
    replicated: Replicated, path: str
) -> None:
    # With max_standby_streaming_delay = 0 the replica cancels a query that holds a lock
    # the replay of the primary's ACCESS EXCLUSIVE lock needs (SQLSTATE 40001); the
    # request repeats it on the primary, and the replica is not reported down.
    replica = replicated.replica
    failures: list[BaseException] = []
    # The read sleeps on the replica until the conflict cancels it (30 s at most, so a busy
    # machine's late lock still conflicts; a replica that never cancels answers after them
    # and fails the test) and not at all when the primary repeats it.
    statement = (
        "SELECT pg_is_in_recovery(), count(*) FROM region, "
        "pg_sleep(CASE WHEN pg_is_in_recovery() THEN 30 ELSE 0 END)"
    )
    running = (
        f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '{statement}'"
    )

    def slow_read(connection: Connection) -> tuple[bool, int]:
        in_recovery, regions = connection.execute(text(statement)).one()
        return bool(in_recovery), int(regions)

    # The compiled API's statements run on psycopg's own cursor (`hub.api.driver_rows`),
    # whose errors SQLAlchemy never wraps.
    on_driver = text(statement).columns(column("in_recovery", Boolean), column("n", Integer))

    async def read(db: RequestDatabase) -> tuple[bool, int]:
        if path == "sqlalchemy":
            return await db.run(slow_read)
        ((in_recovery, regions),) = await db.fetch_now(on_driver, {})
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
            answer = await read(db)
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
