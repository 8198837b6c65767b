"""Token buckets of cost per key: the per-key rate limit.

A key's bucket holds up to one minute of its role's cost (`cost_per_minute`) and refills
continuously at that rate; a request takes its requested cost out before it executes, or
is refused with the seconds until the bucket will hold enough (RATE_LIMITED, HTTP 429,
`Retry-After`). A burst of a whole minute's cost is allowed; sustained use is not.

`RedisBuckets` keeps the buckets in Redis (`HUB_REDIS_URL`) so that every process of the
API shares them; one Lua script reads, refills and takes atomically, with Redis's clock
(`TIME`), so the processes' clocks do not matter. `MemoryBuckets` keeps them in the
process (the default, and a single-process deployment's choice).

A request need not wait for Redis: each process takes a lease of a key's cost with a
request's (`hub.api.limits.leases`) and spends it locally, taking the next lease in the
background, so most requests take their cost with no round trip.

A Redis outage fails OPEN to the process's memory buckets (`FailoverBuckets`): the API
stays up and each process still limits each key, only no longer jointly; a warning is
logged when Redis is lost and when it is back. The choice favours availability: the
limits that protect the database (ceiling, budget, timeouts) do not depend on Redis.
After a failure Redis is not asked again for `RETRY_REDIS_AFTER_S`, so an outage does not
add a connection timeout to every request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("hub.api.limits")

RETRY_REDIS_AFTER_S = 5.0
REDIS_TIMEOUT_S = 0.25
_MEMORY_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class Take:
    """A bucket's answer: whether the cost was taken, what is left, and when to retry."""

    allowed: bool
    remaining: int
    retry_after_s: float
    store: str
    # Cost taken beyond `cost` for the process to spend later (a lease: Redis only).
    leased: int = 0


class Buckets(Protocol):
    def take_now(self, key: str, cost: int, per_minute: int) -> Take | None:
        """`take` when it needs no wait (on the server's loop), else None."""

    async def take(self, key: str, cost: int, per_minute: int) -> Take: ...


class MemoryBuckets:
    """Buckets in this process (used from the server's event loop only: no lock)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, cost: int, per_minute: int) -> Take:
        return self.take_now(key, cost, per_minute)

    def take_now(self, key: str, cost: int, per_minute: int) -> Take:
        now = self._clock()
        rate = per_minute / 60.0
        tokens, at = self._buckets.get(key, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + max(0.0, now - at) * rate)
        if tokens >= cost:
            tokens -= cost
            allowed, wait = True, 0.0
        else:
            allowed, wait = False, (cost - tokens) / rate
        if len(self._buckets) >= _MEMORY_KEYS and key not in self._buckets:
            self._buckets.clear()  # a flood of distinct keys: forget them all, start full
        self._buckets[key] = (tokens, now)
        return Take(allowed, int(tokens), wait, "memory")


# KEYS[1] the bucket; ARGV capacity (a minute's cost), cost, and the lease wanted beyond it.
# Returns allowed (0/1), tokens left (floor), the milliseconds until `cost` would fit, and
# the lease taken (at most what is left once `cost` is: 0 when `cost` is refused).
_TAKE = """
local capacity = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local lease = tonumber(ARGV[3]) or 0
local rate = capacity / 60000.0
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
local leased = 0
if tokens >= cost then
  leased = math.max(0, math.min(lease, math.floor(tokens - cost)))
  tokens = tokens - cost - leased
  allowed = 1
else
  wait = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 61000)
return {allowed, math.floor(tokens), wait, leased}
"""


class RedisBuckets:
    """Buckets in Redis at `url`, keys `prefix + key` (see the module docstring)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.prefix = prefix
        self._redis: Redis = Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
        )
        self._script = self._redis.register_script(_TAKE)

    def take_now(self, key: str, cost: int, per_minute: int) -> None:
        return None  # always a round trip

    async def take(self, key: str, cost: int, per_minute: int, lease: int = 0) -> Take:
        """Take `cost`, and up to `lease` more when the bucket holds it (`Take.leased`)."""
        allowed, remaining, wait_ms, leased = await self._script(
            keys=[self.prefix + key], args=[per_minute, cost, lease]
        )
        return Take(bool(allowed), int(remaining), int(wait_ms) / 1000.0, "redis", int(leased))

    async def close(self) -> None:
        await self._redis.aclose()


class SharedBuckets(Protocol):
    """Buckets every process shares (Redis's, leased or not)."""

    def take_now(self, key: str, cost: int, per_minute: int) -> Take | None: ...

    async def take(self, key: str, cost: int, per_minute: int) -> Take: ...

    async def close(self) -> None: ...


class FailoverBuckets:
    """The shared buckets while Redis answers, this process's memory buckets while it
    does not."""

    def __init__(self, shared: SharedBuckets, memory: MemoryBuckets | None = None) -> None:
        self.shared = shared
        self.memory = memory or MemoryBuckets()
        self._down_until = 0.0

    def take_now(self, key: str, cost: int, per_minute: int) -> Take | None:
        if time.monotonic() < self._down_until:
            return self.memory.take_now(key, cost, per_minute)
        return self.shared.take_now(key, cost, per_minute)

    async def take(self, key: str, cost: int, per_minute: int) -> Take:
        now = time.monotonic()
        if now >= self._down_until:
            try:
                taken = await self.shared.take(key, cost, per_minute)
            except (RedisError, OSError) as exc:
                if self._down_until == 0.0:
                    logger.warning(
                        "Redis is unreachable (%s); rate limits fall back to each process's "
                        "memory until it answers again.",
                        exc,
                    )
                self._down_until = now + RETRY_REDIS_AFTER_S
            else:
                if self._down_until:
                    logger.warning("Redis answers again; rate limits are shared once more.")
                    self._down_until = 0.0
                return taken
        return self.memory.take_now(key, cost, per_minute)

    async def close(self) -> None:
        await self.shared.close()
