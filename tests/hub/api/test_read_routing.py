"""The read router's rules without a replica server: what the replica's answers amount
to (`hub.api.replica_lag`), the back-off while it is unreachable, one measurement for
concurrent requests, one log line per change of state."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.read_routing import ReadRouter, ReplicaState
from hub.api.read_settings import ReadRoutingSettings
from hub.api.replica_lag import LagReading, reading_of
from hub.graph.database import create_hub_async_engine

# Nothing listens on port 9 (discard): connecting is refused at once.
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"


@pytest.mark.parametrize(
    ("answers", "reading"),
    [
        # A promoted replica, or a primary named as the replica: nothing to wait for.
        ((False, False, False, None), LagReading(0.0, in_recovery=False)),
        # Everything received is replayed: current, however old the last commit is.
        ((True, True, True, 7200.0), LagReading(0.0, in_recovery=True)),
        ((True, True, False, 12.5), LagReading(12.5, in_recovery=True)),
        ((True, True, False, -0.2), LagReading(0.0, in_recovery=True)),  # clocks apart
        (
            (True, False, True, 0.1),
            LagReading(None, True, "it is not streaming from the primary"),
        ),
        ((True, True, False, None), LagReading(None, True, "it has replayed no transaction yet")),
    ],
)
def test_the_replicas_answers_amount_to_its_lag(
    answers: tuple[bool, bool, bool, float | None], reading: LagReading
) -> None:
    assert reading_of(*answers) == reading


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def unreachable() -> Iterator[tuple[AsyncEngine, list[int]]]:
    """An engine whose server refuses connections, and the count of its tries."""
    engine = create_hub_async_engine(UNREACHABLE)
    tries: list[int] = []

    def count(*args: Any) -> None:
        tries.append(1)

    event.listen(engine.sync_engine, "do_connect", count)
    yield engine, tries
    asyncio.run(engine.dispose())


def test_an_unreachable_replica_is_tried_again_after_a_doubling_wait(
    unreachable: tuple[AsyncEngine, list[int]], caplog: pytest.LogCaptureFixture
) -> None:
    replica, tries = unreachable
    clock = Clock()
    settings = ReadRoutingSettings(retry_seconds=1.0, retry_max_seconds=4.0)
    router = ReadRouter(create_hub_async_engine(UNREACHABLE), replica, settings, clock=clock)
    caplog.set_level(logging.INFO, logger="hub.api.read_routing")

    async def scenario() -> list[tuple[int, float]]:
        seen = []
        for advance in (0.0, 0.5, 0.5, 1.0, 1.0, 4.0, 4.0, 4.0):
            clock.now += advance
            db = await router.open()  # starts a try when one is due, does not wait for it
            await router.aclose()
            assert db.served_by is None  # nothing ran yet
            status = await router.status()
            assert status.state is ReplicaState.DOWN and status.serves == "primary"
            assert router.snapshot()["readsFrom"] == "primary"
            seen.append((len(tries), router.snapshot()["retryInSeconds"]))
        await router.primary.dispose()  # type: ignore[union-attr]
        return seen

    assert asyncio.run(scenario()) == [
        (1, 1.0),  # first try fails: next in 1 s
        (1, 0.5),  # not due: no try
        (2, 2.0),  # due: fails again, the wait doubles
        (2, 1.0),
        (3, 4.0),
        (4, 4.0),  # capped at retry_max_seconds
        (5, 4.0),
        (6, 4.0),
    ]
    logged = [r for r in caplog.records if r.name == "hub.api.read_routing"]
    assert [r.levelname for r in logged] == ["WARNING"]
    assert "unreachable" in logged[0].getMessage() and "127.0.0.1:9/none" in logged[0].getMessage()


def test_concurrent_requests_share_one_measurement(
    unreachable: tuple[AsyncEngine, list[int]],
) -> None:
    replica, tries = unreachable
    router = ReadRouter(create_hub_async_engine(UNREACHABLE), replica, clock=Clock())

    async def scenario() -> set[ReplicaState]:
        statuses = await asyncio.gather(*(router.status() for _ in range(10)))
        await router.primary.dispose()  # type: ignore[union-attr]
        return {status.state for status in statuses}

    assert asyncio.run(scenario()) == {ReplicaState.DOWN}
    assert len(tries) == 1


def test_requests_already_on_a_failed_replica_do_not_lengthen_the_wait(
    unreachable: tuple[AsyncEngine, list[int]],
) -> None:
    replica, _ = unreachable
    clock = Clock()
    settings = ReadRoutingSettings(retry_seconds=1.0, retry_max_seconds=8.0)
    router = ReadRouter(create_hub_async_engine(UNREACHABLE), replica, settings, clock=clock)
    for _ in range(5):
        router.replica_failed(ConnectionError("server closed the connection"))
    snapshot = router.snapshot()
    assert (snapshot["replica"], snapshot["retryInSeconds"]) == ("down", 1.0)
    assert "server closed the connection" in str(snapshot["reason"])
    asyncio.run(router.primary.dispose())  # type: ignore[union-attr]


def test_a_request_does_not_wait_for_a_down_replicas_next_try() -> None:
    # A server that accepts connections and never answers: trying it takes the whole
    # connect timeout. While the replica is down the request reads from the primary at
    # once; the try finishes later, for the requests after it.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        replica = create_hub_async_engine(
            f"postgresql+psycopg://nobody@127.0.0.1:{port}/none",
            connect_args={"connect_timeout": 2},
        )
        clock = Clock()
        settings = ReadRoutingSettings(retry_seconds=1.0, retry_max_seconds=8.0)
        router = ReadRouter(create_hub_async_engine(UNREACHABLE), replica, settings, clock=clock)
        router.replica_failed(ConnectionError("gone"))
        clock.now += 1.0

        async def scenario() -> tuple[object, object]:
            db = await router.open()
            assert db.served_by is None
            during = router.snapshot()["retryInSeconds"]  # the try is still running
            await router.aclose()
            after = router.snapshot()["retryInSeconds"]
            await router.primary.dispose()  # type: ignore[union-attr]
            await replica.dispose()
            return during, after

        during, after = asyncio.run(scenario())
    assert (during, after) == (0.0, 2.0)
