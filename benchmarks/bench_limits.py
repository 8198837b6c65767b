"""What the limits cost per request, on the API's four benchmark documents, in-process.

    uv run python benchmarks/bench_limits.py [--repeat 2000] [--redis redis://127.0.0.1:6379/0]

No database and no HTTP: each check the limits add to a request is timed on its own
(`hub.api.limits`), best of five runs of `--repeat` calls, in microseconds per request:

- document: the byte-bounded cache's lookup of a parsed, validated document (what every
  request after the first pays; strawberry's entry-bounded caches did the same lookup);
- cost walk: the cost walk, with the variables' coercion and the argument checks (a
  document's first request with given page sizes); cost kept: the same document's cost
  found again (every later request: only the raw variables are checked);
- bucket+budget: a memory token bucket's take and the admission budget's admit/release;
- hop: handing those two to the server's loop from a worker thread's loop (SQLite only);
- redis: a token bucket's take in Redis (one round trip; only with `--redis`).

Prints a table; the sum (document, cost kept, bucket+budget, redis) is the overhead the
limits add to a request whose document and page sizes were seen before; add `hop` on
SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api_queries import QUERIES

from hub.api.limits.cost import operation_cost, walk_operation
from hub.api.limits.document import limit_rules, parse_limited
from hub.api.limits.document_cache import (
    CachedDocument,
    DocumentCache,
    estimated_bytes,
)
from hub.api.limits.guard import Limiter
from hub.api.limits.settings import DEFAULT_LIMITS
from hub.api.principal import Principal, Role
from hub.api.schema import SCHEMA

VARIABLES = {"pinfl": "31503851234566", "code": "1703202001"}
PRINCIPAL = Principal(name="bench", role=Role.AGENCY, key_id="bench")


def _best_us(call: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - started) / repeat)
    return best * 1e6


def _async_us(loop: asyncio.AbstractEventLoop, make: Callable[[], Any], repeat: int) -> float:
    async def run() -> None:
        for _ in range(repeat):
            await make()

    return _best_us(lambda: loop.run_until_complete(run()), 1) / repeat


def _document_us(text: str, repeat: int) -> float:
    cache = DocumentCache(DEFAULT_LIMITS.document_cache_bytes)
    key = (text, DEFAULT_LIMITS.document_key)
    cache.put(key, CachedDocument(parse_limited(text, DEFAULT_LIMITS), estimated_bytes(text)))

    def lookup() -> None:
        entry = cache.get(key)
        assert entry is not None
        list(entry.validated[1]) if entry.validated else None

    return _best_us(lookup, repeat)


def _cost_us(text: str, repeat: int, *, kept: bool) -> tuple[int, float]:
    document = parse_limited(text, DEFAULT_LIMITS)
    role = DEFAULT_LIMITS.for_role(Role.AGENCY)
    schema = SCHEMA._schema

    def walk() -> int:
        if kept:
            return operation_cost(schema, document, None, VARIABLES, DEFAULT_LIMITS, role)
        return walk_operation(schema, document, None, VARIABLES, DEFAULT_LIMITS, role).total

    return walk(), _best_us(walk, repeat)


def _admission_us(repeat: int) -> tuple[float, float]:
    loop = asyncio.new_event_loop()
    limiter = Limiter(DEFAULT_LIMITS)

    async def once() -> None:
        await limiter.admit(PRINCIPAL, 1)
        await limiter.admission.release(1)

    direct = _async_us(loop, once, repeat)
    # The hop: a worker thread's loop hands both calls to the server's loop (SQLite).
    server = asyncio.new_event_loop()
    thread = threading.Thread(target=server.run_forever, daemon=True)
    thread.start()
    limits = server.call_soon_threadsafe  # keep a reference: the loop runs in `thread`
    assert limits is not None

    async def make_request_limits() -> Any:
        return limiter.for_request(PRINCIPAL)

    request = asyncio.run_coroutine_threadsafe(make_request_limits(), server).result()

    async def hopped() -> None:
        await request.admit(1)
        await request.release(1)

    hop = _async_us(loop, hopped, max(1, repeat // 4))
    server.call_soon_threadsafe(server.stop)
    thread.join()
    return direct, hop - direct


def _redis_us(url: str, repeat: int) -> float:
    from hub.api.limits.buckets import RedisBuckets

    loop = asyncio.new_event_loop()
    buckets = RedisBuckets(url, f"hub:bench:{uuid.uuid4().hex}:")
    try:
        return _async_us(loop, lambda: buckets.take("bench", 1, 10**9), repeat)
    finally:
        loop.run_until_complete(buckets.close())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--redis", default=None, help="a Redis URL to time its bucket too")
    args = parser.parse_args()
    limit_rules(DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_aliases)
    bucket, hop = _admission_us(args.repeat)
    redis = _redis_us(args.redis, args.repeat // 4) if args.redis else None
    header = f"{'query':<10} {'cost':>6} {'document':>9} {'cost walk':>10} {'cost kept':>10} "
    header += f"{'bucket+budget':>14} {'hop':>7} {'redis':>7} {'sum':>8}   (µs per request)"
    lines = [header]
    for name, text in QUERIES.items():
        cost, walk = _cost_us(text, args.repeat, kept=False)
        _, kept = _cost_us(text, args.repeat, kept=True)
        document = _document_us(text, args.repeat)
        extra = redis if redis is not None else 0.0
        total = document + kept + bucket + extra
        redis_cell = f"{redis:7.1f}" if redis is not None else f"{'-':>7}"
        lines.append(
            f"{name:<10} {cost:>6} {document:9.1f} {walk:10.1f} {kept:10.1f} "
            f"{bucket:14.1f} {hop:7.1f} {redis_cell} {total:8.1f}"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
