"""CPU per request of the API with keys, rules, limits and audit on beside off, in-process.

    uv run python benchmarks/bench_access_cpu.py --url postgresql+psycopg://.../hub_bench

`bench_api.py --access both` compares the two by throughput over HTTP, which on a shared
machine drifts by more than the difference (the same run has shown a query that writes no
audit row at 0.78 and at 1.01). This calls the same two applications directly, one request
after another, in turn (`--rounds`), and divides CPU time by the requests: this process's
(all threads: the audit writer's too) and the PostgreSQL backends' serving it (read from
/proc: run it on the database's machine). When the server is CPU-bound, as at 10 clients,
throughput goes as the inverse of CPU per request, so `off/on` of the total estimates the
throughput ratio on÷off. A third application has keys, rules and limits on but writes no
audit log (`keys-no-audit`): `no audit/on` is then what the audit log alone costs. Needs a
database `bench_api.py --keep`/`--reuse` left seeded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from bench_api_cpu import _call
from bench_api_database import issue_bench_key
from bench_api_floor import ACCESS_VARIABLE, create_bench_app
from bench_api_load import read_keys
from bench_api_queries import QUERIES
from bench_audit import _backend_cpu, _writers
from sqlalchemy.engine import make_url

from hub.api.app import tune_garbage_collector

MODES = ("off", "keys-no-audit", "keys")


def _requester(app: Any, name: str, api_key: str) -> Callable[[str], Awaitable[bytes]]:
    variable = "pinfl" if name == "person" else "code"
    headers = ((b"authorization", f"Bearer {api_key}".encode()),) if api_key else ()

    def graphql(key: str) -> Awaitable[bytes]:
        body = orjson.dumps({"query": QUERIES[name], "variables": {variable: key}})
        return _call(app, "POST", "/graphql", body, headers=headers)

    return graphql


async def _run(
    app: Any,
    request: Callable[[str], Awaitable[bytes]],
    keys: Any,
    name: str,
    count: int,
    seed: int,
) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        body = await request(keys.for_query(name, rng))
        if b'"errors"' in body:
            raise RuntimeError(f"{name} answered with errors: {body[:300]!r}")
    audit = getattr(app.state, "audit", None)
    if audit is not None:
        await audit.flush()  # the rows of these requests are part of their cost


async def _measure(args: argparse.Namespace) -> list[str]:
    url = args.url
    keys = read_keys(url, 2000, args.seed)
    api_key = issue_bench_key(url)
    apps = {}
    for mode in MODES:
        os.environ[ACCESS_VARIABLE] = mode
        apps[mode] = create_bench_app()
    # What each server's lifespan does at start-up (these apps are called without one):
    # untuned, collections of the start-up heap drifted CPU per request between modes.
    tune_garbage_collector()
    lines = []
    for name in args.queries:
        requests = {m: _requester(apps[m], name, "" if m == "off" else api_key) for m in apps}
        for mode, app in apps.items():  # warm: pools, caches, the audit writer's connection
            await _run(app, requests[mode], keys, name, 30, args.seed)
        pids = _writers(url, make_url(url).database or "")
        totals = {m: [0.0, 0.0] for m in apps}
        for turn in range(args.rounds):
            for mode in MODES[turn % 3 :] + MODES[: turn % 3]:
                process, backends = time.process_time(), _backend_cpu(pids)
                await _run(apps[mode], requests[mode], keys, name, args.requests, args.seed + turn)
                totals[mode][0] += time.process_time() - process
                totals[mode][1] += _backend_cpu(pids) - backends
        n = args.requests * args.rounds
        cpu = {m: (app_s / n * 1e3, pg_s / n * 1e3) for m, (app_s, pg_s) in totals.items()}
        total = {m: sum(c) for m, c in cpu.items()}
        lines.append(
            f"{name:<10} "
            + " ".join(f"{cpu[m][0]:>7.2f} {cpu[m][1]:>6.2f}" for m in MODES)
            + f" {total['off'] / total['keys']:>7.2f}"
            + f" {total['keys-no-audit'] / total['keys']:>9.2f}"
        )
    for app in apps.values():
        # The writer's thread (an older recorder without `close` has none to stop).
        close = getattr(getattr(app.state, "audit", None), "close", None)
        if close is not None:
            await close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench")
    parser.add_argument("--requests", type=int, default=300, help="per query, mode and round")
    parser.add_argument("--rounds", type=int, default=4, help="off and on in turn, pooled")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", nargs="+", choices=list(QUERIES), default=list(QUERIES))
    args = parser.parse_args(argv)
    os.environ["HUB_DATABASE_URL"] = args.url
    os.environ.setdefault("HUB_API_COST_PER_MINUTE_AGENCY", str(10**12))
    os.environ.setdefault("HUB_DATA_DIR", tempfile.mkdtemp(prefix="bench-access-"))
    load = os.getloadavg()[0]
    lines = asyncio.run(_measure(args))
    database = make_url(args.url).database
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores, load average before {load:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; {database}; {args.requests} requests x {args.rounds} "
        "rounds per query and mode, in turn\n"
        "CPU ms per request (app: this process, all threads; pg: its PostgreSQL backends)\n"
        f"{'':10} {'off app':>7} {'pg':>6} {'noaud app':>7} {'pg':>6} {'on app':>7} {'pg':>6} "
        f"{'off/on':>7} {'noaud/on':>9}\n" + "\n".join(lines) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
