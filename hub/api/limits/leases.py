"""Leases of a key's shared bucket: the Redis rate limit without a round trip per request.

Taking a request's cost from Redis cost every request a round trip: about 0.15 ms of this
process's CPU (redis-py's asyncio client) and 0.3-0.5 ms of waiting, as much as a small
query. So a process takes more than the cost when the bucket holds it: a lease of
`per_minute // LEASE_PARTS` beyond the request's own (one round trip, in the same Lua call,
`hub.api.limits.buckets.RedisBuckets.take`), and spends it on the key's next requests
locally (`take_now`, no await). When what is left of a lease falls below half of one, the
next is taken by a task in the background, so under steady use requests never wait for
Redis; a request the lease does not cover takes its cost (and a new lease) itself.

What this keeps: the shared bucket is never overdrawn (a lease is taken out of it before a
token of it is spent), so no key spends more than its cost per minute across processes.
What it gives up: a process may hold up to one and a half leases of a key unspent (at most
1.5% of its minute with `LEASE_PARTS` = 100), which the key's requests to other processes
then cannot use; a lease unused for `LEASE_SECONDS` is dropped (never returned: returning
could overdraw). A key whose per-minute cost is under `2 * LEASE_PARTS` requests' worth (a
lease smaller than two requests) gets no leases: each request asks Redis, as before.
`Take.remaining` of a request served from a lease is what Redis had left at the last
answer plus the lease left here: an estimate, as any count shared by processes is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from hub.api.limits.buckets import RedisBuckets, Take

logger = logging.getLogger("hub.api.limits")

LEASE_PARTS = 100
LEASE_SECONDS = 10.0
_MAX_LEASES = 100_000


@dataclass(slots=True)
class _Lease:
    tokens: int  # taken from the shared bucket, not yet spent here
    shared: int  # what the shared bucket held after the last answer
    until: float  # the monotonic time after which the tokens are dropped
    refilling: bool = False


class LeasedBuckets:
    """Redis buckets spent by leases (see the module docstring); used from the server's
    loop only."""

    def __init__(
        self,
        redis: RedisBuckets,
        *,
        parts: int = LEASE_PARTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self._parts = parts
        self._clock = clock
        self._leases: dict[str, _Lease] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _size(self, cost: int, per_minute: int) -> int:
        size = per_minute // self._parts
        return size if size >= 2 * cost else 0

    def take_now(self, key: str, cost: int, per_minute: int) -> Take | None:
        """`cost` out of the key's lease here, or None when the lease does not cover it."""
        lease = self._leases.get(key)
        if lease is None or lease.tokens < cost:
            return None
        now = self._clock()
        if now >= lease.until:
            del self._leases[key]
            return None
        lease.tokens -= cost
        size = self._size(cost, per_minute)
        if lease.tokens * 2 < size and not lease.refilling:
            lease.refilling = True
            task = asyncio.get_running_loop().create_task(self._refill(key, size, per_minute))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return Take(True, lease.shared + lease.tokens, 0.0, "redis")

    async def take(self, key: str, cost: int, per_minute: int) -> Take:
        """`cost` from the lease, else from Redis with a new lease beside it."""
        taken = self.take_now(key, cost, per_minute)
        if taken is not None:
            return taken
        size = self._size(cost, per_minute)
        taken = await self.redis.take(key, cost, per_minute, size)
        self._add(key, taken)
        lease = self._leases.get(key)
        if taken.allowed and lease is not None:
            return Take(True, taken.remaining + lease.tokens, 0.0, "redis")
        return taken

    async def _refill(self, key: str, size: int, per_minute: int) -> None:
        try:
            taken = await self.redis.take(key, 0, per_minute, size)
        except (RedisError, OSError) as exc:
            # The next request the lease does not cover asks Redis itself (and fails over).
            logger.debug("A rate-limit lease could not be taken: %s", exc)
            taken = None
        lease = self._leases.get(key)
        if lease is not None:
            lease.refilling = False
        if taken is not None:
            self._add(key, taken)

    def _add(self, key: str, taken: Take) -> None:
        until = self._clock() + LEASE_SECONDS
        lease = self._leases.get(key)
        if lease is None:
            if not taken.leased:
                return
            if len(self._leases) >= _MAX_LEASES:
                self._leases.clear()  # a flood of distinct keys: drop (never return) them
            self._leases[key] = _Lease(taken.leased, taken.remaining, until)
            return
        lease.shared = taken.remaining
        if taken.leased:
            lease.tokens += taken.leased
            lease.until = until

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.redis.close()
