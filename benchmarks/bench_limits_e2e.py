"""CPU per request of the four benchmark queries with the limits on and off, in-process.

    uv run python benchmarks/bench_limits_e2e.py --persons 20000 --requests 300 [--redis URL]

Seeds a PostgreSQL database of its own (`seed_graph.py`, dropped afterwards unless
`--keep`), then calls the ASGI application directly, as `bench_api_cpu.py` does, with two
schemas over one engine, alternating request by request (`--rounds` turns of `--requests`
requests per query and mode):

- off: the schema as it was before the limits (strawberry's `ParserCache` and
  `ValidationCache`; errors are classified by `HubSchema.execute` in both; no cost, no
  bucket, no budget);
- on: the hub's schema (`LimitsGuard`): document limits, the kept cost,
  a token bucket (in memory, or in Redis with `--redis`) and the admission budget.

Both go through the hub's view, so the body and response size checks are in both. The
per-minute limit is set far above what the run spends, so nothing is refused. Prints the
CPU per request (all threads of the process) of each and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api_cpu import _requester
from bench_api_load import read_keys
from bench_api_queries import QUERIES
from seed_graph import DEFAULT_ADMIN_URL, Plan, create_database, drop_database, seed
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from hub.api.app import tune_garbage_collector
from hub.api.compiled.execution import CompiledExecutionContext
from hub.api.limits.guard import Limiter
from hub.api.limits.settings import LimitSettings, default_roles
from hub.api.principal import SCOPES, Principal, Role
from hub.api.scalars import SCALAR_MAP
from hub.api.schema import NODE_TYPES, SCHEMA, HubSchema, Query
from hub.api.view import HubGraphQL
from hub.graph.database import create_hub_async_engine


def _schema_before_the_limits() -> HubSchema:
    return HubSchema(
        query=Query,
        types=list(NODE_TYPES),
        extensions=[
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=CompiledExecutionContext,
    )


def _settings(redis: str | None) -> LimitSettings:
    roles = {r: replace(limits, cost_per_minute=10**12) for r, limits in default_roles().items()}
    return LimitSettings(roles=roles, redis_url=redis, redis_prefix=f"hub:bench:{uuid.uuid4()}:")


_AGENCY = Principal(name="bench", role=Role.AGENCY, scopes=SCOPES)


async def _agency(request: Any) -> Principal:
    """Every request comes from an agency that sees every person (the key is not measured
    here, only the limits)."""
    return _AGENCY


async def _measure(url: str, args: argparse.Namespace) -> dict[tuple[str, str], list[float]]:
    tune_garbage_collector()  # as the server does at start-up
    engine = create_hub_async_engine(url, pool_size=10, isolation_level="AUTOCOMMIT")
    limiter = Limiter(_settings(args.redis))
    apps = {
        "off": HubGraphQL(
            _schema_before_the_limits(),
            engine,
            graphiql=False,
            authenticator=_agency,
            limiter=limiter,
        ),
        "on": HubGraphQL(SCHEMA, engine, graphiql=False, authenticator=_agency, limiter=limiter),
    }
    keys = read_keys(url, 2000, args.seed)
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for name in QUERIES:
            requests = {m: _requester(app, "graphql", name, QUERIES) for m, app in apps.items()}
            rng = random.Random(args.seed)
            for request in requests.values():
                for _ in range(20):
                    await request(keys.for_query(name, rng))
            # The modes alternate request by request (in both orders), so both meet the
            # same moments of a busy machine and of the garbage collector.
            modes = list(requests)
            for turn in range(args.rounds):
                spent = dict.fromkeys(modes, 0.0)
                for i in range(args.requests * 2):
                    mode = modes[(i + turn) % 2]
                    key = keys.for_query(name, rng)
                    started = time.process_time()
                    body = await requests[mode](key)
                    spent[mode] += time.process_time() - started
                    if b'"errors"' in body:
                        raise RuntimeError(f"{mode} {name}: {body[:300]!r}")
                for mode in modes:
                    cpu.setdefault((name, mode), []).append(spent[mode] / args.requests * 1000)
    finally:
        await limiter.close()
        await engine.dispose()
    return cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50, help="per query, mode and turn")
    parser.add_argument("--rounds", type=int, default=20, help="turns of each mode per query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis", default=None, help="keep the buckets in this Redis")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    name = f"hub_bench_limits_{uuid.uuid4().hex[:8]}"
    url = create_database(args.admin_url, name)
    try:
        seed(url, Plan(persons=args.persons, seed=args.seed))
        load = os.getloadavg()[0]
        cpu = asyncio.run(_measure(url, args))
    finally:
        if not args.keep:
            drop_database(args.admin_url, name)
    store = "redis" if args.redis else "memory"
    out = [
        f"{args.persons} persons; {args.rounds} turns x {args.requests} requests per query "
        f"and mode; buckets in {store}; load average {load:.2f} -> {os.getloadavg()[0]:.2f}",
        f"{'query':<10} {'off cpu ms':>10} {'on cpu ms':>10} {'overhead':>9}   (median of turns)",
    ]
    for query in QUERIES:
        off = sorted(cpu[(query, "off")])[len(cpu[(query, "off")]) // 2]
        on = sorted(cpu[(query, "on")])[len(cpu[(query, "on")]) // 2]
        out.append(f"{query:<10} {off:>10.3f} {on:>10.3f} {(on - off) / off:>9.1%}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
