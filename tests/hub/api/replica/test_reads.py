"""The API on a real streaming replica: reads served by it, writes (audit rows, key
bookkeeping) on the primary, and what happens while it lags (replay paused), is down
(stopped) or is cut off from the primary, and once it recovers."""

from __future__ import annotations

import logging
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.api.read_routing import READ_DATABASE_HEADER
from hub.api.read_settings import ReadRoutingSettings
from hub.graph.database import create_hub_engine
from hub.graph.models import ApiKey, AuditRecord
from tests.hub.api.replica.conftest import (
    PERSONS,
    ROUTING_LOG,
    ReplicaApi,
    Replicated,
    api_over,
)
from tests.postgres_replica import wait_until

# One replica for the session, in one xdist worker (see conftest).
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("pg_replica")]


def test_reads_are_served_by_the_replica(replicated: Replicated, tmp_path: Path) -> None:
    # Replay paused, a region added on the primary is not on the replica: the API, which
    # tolerates an hour of lag here, still answers the replica's count.
    reads = ReadRoutingSettings(max_lag_seconds=3600.0, lag_check_seconds=0.1)
    replica = replicated.replica
    with api_over(replicated, tmp_path, reads) as api:
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
    caplog.clear()  # from here the replica is in use (the `api` fixture waited for it)
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
    levels = [r.levelname for r in caplog.records if r.name == ROUTING_LOG]
    # Logged once when reads left the replica and once when they came back, however many
    # requests (dozens, polling) and measurements there were in between: every line is a
    # change of state. (The machine's other work may have made the replica lag a moment
    # before too, which is logged the same way.)
    assert levels[-2:] == ["WARNING", "INFO"]
    assert all(before != after for before, after in pairwise(levels))


def test_a_replica_that_is_down_sends_reads_to_the_primary_and_is_used_again_after_restart(
    replicated: Replicated, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The lag is measured once a minute here, so the router still believes in the replica
    # when it stops: the next request finds out itself, and finishes on the primary.
    reads = ReadRoutingSettings(lag_check_seconds=60.0, retry_seconds=0.2, retry_max_seconds=1.0)
    caplog.set_level(logging.INFO, logger=ROUTING_LOG)
    replica = replicated.replica
    with api_over(replicated, tmp_path, reads) as api:
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
    # One line when it went down, however many requests and failed tries followed.
    messages = [r.getMessage() for r in caplog.records if r.name == ROUTING_LOG]
    assert sum("unreachable" in message for message in messages) == 1


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
