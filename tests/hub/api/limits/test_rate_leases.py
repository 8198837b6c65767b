"""Leases of the shared (Redis) buckets: a key's requests spend a lease with no round trip,
the next lease is taken in the background, the shared bucket is never overdrawn across
processes, small limits take no lease, and an unused lease is dropped
(`hub.api.limits.leases`). Against the real Redis (CI runs it)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from hub.api.limits.buckets import RedisBuckets, Take
from hub.api.limits.leases import LEASE_SECONDS, LeasedBuckets
from tests.hub.api.limits.test_rate_limits import REDIS_URL, redis_or_skip


class CountingRedis(RedisBuckets):
    """RedisBuckets that count their round trips."""

    def __init__(self, prefix: str) -> None:
        super().__init__(REDIS_URL, prefix)
        self.trips = 0

    async def take(self, key: str, cost: int, per_minute: int, lease: int = 0) -> Take:
        self.trips += 1
        return await super().take(key, cost, per_minute, lease)


def _prefix() -> str:
    return f"hub:test:{uuid.uuid4().hex}:"


async def _settle(buckets: LeasedBuckets, trips: int, redis: CountingRedis) -> None:
    for _ in range(500):
        if redis.trips >= trips and not buckets._tasks:
            return
        await asyncio.sleep(0.01)


def test_a_lease_serves_the_next_requests_and_the_next_lease_comes_in_the_background() -> None:
    redis_or_skip()
    redis = CountingRedis(_prefix())
    buckets = LeasedBuckets(redis)  # a lease of 1,000 at 100,000 per minute

    async def run() -> list[Take | None]:
        try:
            first = await buckets.take("k", 10, 100_000)
            assert redis.trips == 1 and first.allowed
            taken = [buckets.take_now("k", 10, 100_000) for _ in range(60)]
            assert redis.trips == 1  # none of those waited for Redis
            await _settle(buckets, 2, redis)  # below half a lease after 51: one refill
            assert redis.trips == 2
            taken += [buckets.take_now("k", 10, 100_000) for _ in range(40)]
            return taken
        finally:
            await buckets.close()

    taken = asyncio.run(run())
    assert all(t is not None and t.allowed for t in taken)
    remaining = [t.remaining for t in taken if t is not None]
    assert remaining[0] > remaining[49]  # it counts down as the lease is spent
    assert 97_000 <= remaining[-1] <= 100_000


def test_leases_never_overdraw_the_bucket_two_processes_share() -> None:
    redis_or_skip()
    prefix = _prefix()
    processes = [LeasedBuckets(RedisBuckets(REDIS_URL, prefix)) for _ in range(2)]
    per_minute, cost = 60_000, 50  # leases of 600

    async def run() -> tuple[int, float, Take]:
        spent, refused = 0, None
        started = time.monotonic()
        try:
            for n in range(4000):
                taken = await processes[n % 2].take("k", cost, per_minute)
                if taken.allowed:
                    spent += cost
                elif refused is None:
                    refused = taken
                    break
        finally:
            for buckets in processes:
                await buckets.close()
        assert refused is not None, "the key was never refused"
        return spent, time.monotonic() - started, refused

    spent, seconds, refused = asyncio.run(run())
    refilled = per_minute / 60 * seconds
    assert spent <= per_minute + refilled  # never more than the key's minute
    # At most one and a half leases unspent in each process.
    assert spent >= per_minute - 2 * 900 - cost
    assert refused.retry_after_s > 0


def test_a_small_limit_takes_no_lease_and_asks_redis_each_time() -> None:
    redis_or_skip()
    redis = CountingRedis(_prefix())
    buckets = LeasedBuckets(redis)  # 6 per minute: a lease would be smaller than 2 requests

    async def run() -> list[Take]:
        try:
            return [await buckets.take("k", 3, 6) for _ in range(3)]
        finally:
            await buckets.close()

    first, second, third = asyncio.run(run())
    assert redis.trips == 3
    assert (first.remaining, second.remaining) == (3, 0) and not third.allowed


def test_an_unused_lease_is_dropped_not_spent() -> None:
    redis_or_skip()
    now = [1000.0]
    redis = CountingRedis(_prefix())
    buckets = LeasedBuckets(redis, clock=lambda: now[0])

    async def run() -> tuple[Take | None, Take | None]:
        try:
            await buckets.take("k", 10, 100_000)
            held = buckets.take_now("k", 10, 100_000)
            now[0] += LEASE_SECONDS
            return held, buckets.take_now("k", 10, 100_000)
        finally:
            await buckets.close()

    held, dropped = asyncio.run(run())
    assert held is not None and held.allowed
    assert dropped is None  # the request asks Redis again
    assert redis.trips == 1


@pytest.mark.parametrize("lease", [0, 500])
def test_the_script_leases_at_most_what_is_left_and_nothing_on_refusal(lease: int) -> None:
    redis_or_skip()
    buckets = RedisBuckets(REDIS_URL, _prefix())

    async def run() -> list[Take]:
        try:
            return [await buckets.take("k", cost, 600, lease) for cost in (300, 200, 200)]
        finally:
            await buckets.close()

    first, second, refused = asyncio.run(run())
    assert (first.leased, first.remaining) == (min(lease, 300), 300 - min(lease, 300))
    assert not refused.allowed and refused.leased == 0
    if lease:
        assert not second.allowed  # the first lease took what the second asked
