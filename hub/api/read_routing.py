"""Where the API's reads go: a streaming replica while it is close behind, else the primary.

With `HUB_DATABASE_READ_URL` set, `ReadRouter.open` hands each request a `RequestDatabase`
on the replica, or on the primary (`HUB_DATABASE_URL`) while the replica is

- **lagging**: its replay lag (`hub.api.replica_lag`) is more than
  `HUB_READ_MAX_LAG_SECONDS`, or unknown. The lag is measured at most once per
  `HUB_READ_LAG_CHECK_SECONDS`, by the first request (or health check) that finds the
  last measurement too old; requests arriving meanwhile wait for that one measurement
  instead of starting their own (only while the replica is in use: see `status`). Reads
  return to the replica when a measurement finds it within the bound again.
- **down**: connecting to it failed, a measurement or a request's batch lost its
  connection (the request's reads then finish on the primary, see `Fallback`). It is
  tried again after `HUB_READ_RETRY_SECONDS`, the wait doubling after each failed try up
  to `HUB_READ_RETRY_MAX_SECONDS`; until then no request tries it.

Each change of state is logged once (WARNING when reads leave the replica, INFO when they
return), never once per request. `snapshot` is what `/healthz` reports. Writes never come
here: the audit log and key bookkeeping have the primary's engine (`hub.api.app`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.idle_connections import IdleConnections
from hub.api.read_settings import ReadRoutingSettings
from hub.api.replica_lag import LagReading, measure_lag
from hub.api.request_database import Fallback, RequestDatabase

logger = logging.getLogger(__name__)

PRIMARY = "primary"
REPLICA = "replica"
# With a replica configured, every GraphQL response names the database that served its
# reads (`primary` or `replica`; absent when the request read nothing).
READ_DATABASE_HEADER = "X-Hub-Read-Database"


class ReplicaState(StrEnum):
    UNKNOWN = "unknown"  # not measured yet
    IN_USE = "in_use"  # reads go to the replica
    LAGGING = "lagging"  # further behind than allowed (or unknown): reads on the primary
    DOWN = "down"  # unreachable: reads on the primary until the next try


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """The replica as last seen: its state, its lag (seconds; None: unknown or down),
    why reads left it, and the monotonic times of the measurement and the next try."""

    state: ReplicaState
    lag_seconds: float | None = None
    reason: str | None = None
    measured_at: float = float("-inf")
    retry_at: float | None = None
    failures: int = 0

    @property
    def serves(self) -> str:
        return REPLICA if self.state is ReplicaState.IN_USE else PRIMARY


class ReadRouter:
    """Chooses each request's database among the primary and an optional replica."""

    def __init__(
        self,
        primary: Engine | AsyncEngine,
        replica: AsyncEngine | None = None,
        settings: ReadRoutingSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self._settings = settings or ReadRoutingSettings()
        self._clock = clock
        self._status = ReplicaStatus(ReplicaState.UNKNOWN)
        self._measuring: asyncio.Task[None] | None = None
        self._where = _where(replica) if replica is not None else ""
        # The primary's connections kept between requests (`hub.api.idle_connections`).
        self.idle = IdleConnections(primary) if isinstance(primary, AsyncEngine) else None

    async def open(self) -> RequestDatabase:
        """A request's database: the replica (falling back to the primary) when it is in
        use, else the primary."""
        if self.replica is None:
            return RequestDatabase(self.primary, idle=self.idle)
        status = await self.status()
        if status.state is not ReplicaState.IN_USE:
            return RequestDatabase(self.primary, label=PRIMARY, idle=self.idle)
        assert isinstance(self.primary, AsyncEngine)
        fallback = Fallback(self.primary, PRIMARY, self.replica_failed)
        return RequestDatabase(self.replica, label=REPLICA, fallback=fallback)

    async def status(self, *, wait: bool = False) -> ReplicaStatus:
        """The replica's status, measured again when the last measurement is older than
        `lag_check_seconds` (or, while it is down, its next try is due).

        While the replica is in use (or not measured yet) the caller waits for the new
        measurement, so a replica that fell behind is not read from. While reads are on
        the primary anyway (lagging, down) only `wait=True` (the health check) waits: a
        request reads from the primary at once, and the measurement decides for the
        requests after it, so an unreachable replica's connect timeout never holds up
        requests."""
        if self.replica is None or not self._due():
            return self._status
        if self._measuring is None:
            self._measuring = asyncio.create_task(self._measure(self.replica))
        if wait or self._status.state in {ReplicaState.UNKNOWN, ReplicaState.IN_USE}:
            # Shielded: a request cancelled while waiting does not cancel the others' answer.
            await asyncio.shield(self._measuring)
        return self._status

    async def aclose(self) -> None:
        """Wait for a measurement still running and close the kept connections (the
        application is shutting down)."""
        if self._measuring is not None:
            await asyncio.wait({self._measuring})
        if self.idle is not None:
            await self.idle.discard()

    def replica_failed(self, error: BaseException) -> None:
        """A request could not read from the replica: it is down, tried again later.
        (Requests that were already on it when it went down say so again: only the first
        counts, the later tries' failures lengthen the wait.)"""
        if self._status.state is not ReplicaState.DOWN:
            self._down(error)

    def snapshot(self) -> dict[str, object]:
        """The replica's state for `/healthz` (no measurement: see `status`)."""
        status = self._status
        now = self._clock()
        report: dict[str, object] = {
            "readsFrom": status.serves,
            "replica": status.state.value,
            "lagSeconds": None if status.lag_seconds is None else round(status.lag_seconds, 3),
            "maxLagSeconds": self._settings.max_lag_seconds,
        }
        if status.reason is not None:
            report["reason"] = status.reason
        if status.retry_at is not None:
            report["retryInSeconds"] = round(max(status.retry_at - now, 0.0), 3)
        return report

    def _due(self) -> bool:
        status = self._status
        now = self._clock()
        if status.retry_at is not None:
            return now >= status.retry_at
        return now - status.measured_at >= self._settings.lag_check_seconds

    async def _measure(self, replica: AsyncEngine) -> None:
        try:
            # The engine's connect_timeout bounds the connection; this bounds the whole.
            async with asyncio.timeout(self._settings.connect_timeout_seconds + 5):
                reading = await measure_lag(replica)
        except (DBAPIError, OSError, TimeoutError) as exc:
            self._down(exc)
        else:
            self._measured(reading)
        finally:
            self._measuring = None

    def _measured(self, reading: LagReading) -> None:
        limit = self._settings.max_lag_seconds
        lag = reading.lag_seconds
        now = self._clock()
        if lag is not None and lag <= limit:
            self._change(ReplicaStatus(ReplicaState.IN_USE, lag, measured_at=now))
            return
        if lag is None:
            reason = f"its replay lag is unknown: {reading.unknown_because}"
        else:
            reason = f"it is {lag:.1f} s behind (HUB_READ_MAX_LAG_SECONDS is {limit:g})"
        self._change(ReplicaStatus(ReplicaState.LAGGING, lag, reason, measured_at=now))

    def _down(self, error: BaseException) -> None:
        previous = self._status
        failures = previous.failures + 1 if previous.state is ReplicaState.DOWN else 1
        wait = min(
            self._settings.retry_seconds * 2 ** (failures - 1), self._settings.retry_max_seconds
        )
        now = self._clock()
        reason = f"it is unreachable ({_first_line(error)}); next try in {wait:g} s"
        self._change(
            ReplicaStatus(
                ReplicaState.DOWN,
                reason=reason,
                measured_at=now,
                retry_at=now + wait,
                failures=failures,
            )
        )

    def _change(self, status: ReplicaStatus) -> None:
        previous, self._status = self._status, status
        if status.state is previous.state:
            return
        if status.state is ReplicaState.IN_USE:
            logger.info(
                "Reads go to the replica %s (%.1f s behind).", self._where, status.lag_seconds
            )
        else:
            logger.warning(
                "Reads go to the primary instead of the replica %s: %s", self._where, status.reason
            )


def _where(engine: AsyncEngine) -> str:
    url = make_url(engine.url)
    return f"at {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
