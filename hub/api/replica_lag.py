"""How far a PostgreSQL streaming replica is behind its primary, as the replica tells it.

`measure_lag` runs one statement on the replica:

- `pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()`: everything the replica has
  received is replayed, so it is not behind, however long ago the primary last committed
  (`now() - pg_last_xact_replay_timestamp()` alone would call a replica of an idle primary
  "hours behind");
- otherwise the lag is the age of the last transaction it replayed,
  `now() - pg_last_xact_replay_timestamp()` (the replica's clock against the primary's
  commit time: keep the two machines' clocks in sync);
- a replica whose WAL receiver is not streaming is cut off from the primary: having
  replayed all it received says nothing about what it missed, so its lag is unknown;
- no transaction replayed since the replica started, while it has WAL to replay: unknown;
- a server not in recovery (a promoted replica, or the URL names a primary): no lag.

An unknown lag counts as too much (`hub.api.read_routing`). `pg_stat_wal_receiver` shows
its `status` only to members of `pg_read_all_stats` (or `pg_monitor`); for other roles a
running WAL receiver is taken to be streaming.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

LAG_STATEMENT = text(
    """
SELECT pg_is_in_recovery() AS in_recovery,
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver
               WHERE coalesce(status, 'streaming') = 'streaming') AS streaming,
       coalesce(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false) AS caught_up,
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_age
"""
)


@dataclass(frozen=True, slots=True)
class LagReading:
    """What the replica said: its lag in seconds (None: unknown) and why it is unknown."""

    lag_seconds: float | None
    in_recovery: bool
    unknown_because: str | None = None


def reading_of(
    in_recovery: bool, streaming: bool, caught_up: bool, replay_age: float | None
) -> LagReading:
    """The lag the replica's four answers to `LAG_STATEMENT` amount to (rules above)."""
    if not in_recovery:
        return LagReading(0.0, in_recovery=False)
    if not streaming:
        return LagReading(
            None, in_recovery=True, unknown_because="it is not streaming from the primary"
        )
    if caught_up:
        return LagReading(0.0, in_recovery=True)
    if replay_age is None:
        return LagReading(
            None, in_recovery=True, unknown_because="it has replayed no transaction yet"
        )
    return LagReading(max(replay_age, 0.0), in_recovery=True)


async def measure_lag(replica: AsyncEngine) -> LagReading:
    """Ask `replica` how far behind it is; raises what connecting or the statement raised."""
    async with replica.connect() as connection:
        row = (await connection.execute(LAG_STATEMENT)).one()
    return reading_of(row.in_recovery, row.streaming, row.caught_up, row.replay_age)
