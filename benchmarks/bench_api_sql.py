"""PostgreSQL's CPU per request for the four benchmark queries: the API's statements beside
the floor's hand-written SQL, replayed on one connection.

    uv run python benchmarks/bench_api_sql.py --url postgresql+psycopg://.../hub_bench

`bench_api_cpu.py` measures the server process's CPU per request; the database's share is
not in it. This script asks the API (in-process, `bench_api_floor.create_bench_app`) and
the floor each query for `--keys` keys, records every statement they send (an engine
listener: both then execute through SQLAlchemy, the text and parameters unchanged), and
replays them on one psycopg connection of its own, `--rounds` times for each side in turn:
the CPU time of that connection's server process (`/proc/<pid>/stat`, so PostgreSQL must
run on this machine), the statements, the bytes they return and the wall time per
request. Statements are prepared by psycopg after their fifth execution, as in the API;
the last column counts the generic and custom plans PostgreSQL made for them (a custom
plan is planned at every execution), and `--plan-cache-modes` replays the API's statements
under each `plan_cache_mode` given, to show what the planning costs. Prints a table; the
API's figure is the whole compiled statement (JSON built in SQL), the floor's the flat rows
its Python turns into JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

Recorded = list[tuple[str, Any]]  # (SQL in psycopg's pyformat style, parameters)


def _backend_cpu(pid: int) -> float:
    """Seconds of CPU (user and system) the server process `pid` has used."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError as exc:
        message = f"cannot read PostgreSQL's process {pid}: is it on this machine? {exc}"
        raise SystemExit(message) from None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _record(url: str, keys: int, seed: int) -> dict[tuple[str, str], list[Recorded]]:
    """The statements each (query, side) sent, one list per request."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_api_cpu import _requester
    from bench_api_floor import create_bench_app
    from bench_api_load import read_keys
    from bench_api_queries import QUERIES

    app = create_bench_app()
    sample = read_keys(url, max(keys, 50), seed)
    seen: Recorded = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    # On the Engine class, so the API's asyncio engine (its sync face) is heard too; with a
    # listener the API executes through SQLAlchemy (`hub.api.driver_rows`).
    event.listen(Engine, "before_cursor_execute", listener)
    recorded: dict[tuple[str, str], list[Recorded]] = {}
    try:
        for name in QUERIES:
            rng = random.Random(seed)
            chosen = [sample.for_query(name, rng) for _ in range(keys)]
            for side in ("graphql", "floor"):
                request = _requester(app, side, name, QUERIES)
                await request(chosen[0])  # imports, pools and caches, unrecorded
                requests = recorded[(name, side)] = []
                for key in chosen:
                    seen.clear()
                    body = await request(key)
                    if b'"errors"' in body:
                        raise SystemExit(f"{side} {name} answered with errors: {body[:300]!r}")
                    requests.append(list(seen))
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    return recorded


def _replay(
    dsn: str, requests: Sequence[Recorded], repeat: int, plan_cache_mode: str = "auto"
) -> tuple[float, float, float, float, str]:
    """CPU ms of the server process, wall ms, statements and bytes per request, and the
    prepared statements' generic and custom plans ("generic/custom")."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        pid = connection.info.backend_pid
        cursor = connection.cursor()
        cursor.execute("SELECT set_config('plan_cache_mode', %s, false)", [plan_cache_mode])
        for statements in requests[:5] * 2:  # prepared from here on
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        size = 0
        count = 0
        cpu, wall = _backend_cpu(pid), time.perf_counter()
        for _ in range(repeat):
            for statements in requests:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    for row in cursor.fetchall():
                        size += sum(len(str(value)) for value in row)
                    count += 1
        done = repeat * len(requests)
        figures = (
            (_backend_cpu(pid) - cpu) / done * 1000,
            (time.perf_counter() - wall) / done * 1000,
            count / done,
            size / done,
        )
        # How PostgreSQL planned the prepared statements: a custom plan is planned anew
        # at every execution.
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)"
            " FROM pg_prepared_statements"
        )
        plans = cursor.fetchone()
        assert plans is not None
        return (*figures, f"{plans[0]}/{plans[1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench")
    parser.add_argument("--keys", type=int, default=20, help="keys per query")
    parser.add_argument("--repeat", type=int, default=20, help="replays of the keys per round")
    parser.add_argument("--rounds", type=int, default=2, help="turns of each side")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--plan-cache-modes",
        default="auto",
        help="PostgreSQL plan_cache_mode values to replay the API's statements under, "
        "comma-separated (auto, force_generic_plan, force_custom_plan): the planning's share",
    )
    args = parser.parse_args(argv)
    os.environ["HUB_DATABASE_URL"] = args.url
    # As bench_api_cpu: a trusted agency without the audit log, no per-minute cost limit.
    os.environ.setdefault("BENCH_ACCESS", "off")
    os.environ.setdefault("HUB_API_COST_PER_MINUTE_AGENCY", str(10**12))
    load = os.getloadavg()[0]
    recorded = asyncio.run(_record(args.url, args.keys, args.seed))
    dsn = make_url(args.url).set(drivername="postgresql").render_as_string(hide_password=False)
    totals: dict[tuple[str, str], list[tuple[float, float, float, float, str]]] = {}
    names = list(dict.fromkeys(name for name, _ in recorded))
    modes = args.plan_cache_modes.split(",")
    sides = [("graphql", mode) for mode in modes] + [("floor", "auto")]
    for turn in range(args.rounds):
        for name in names:  # the sides take turns: each round starts with the next
            for side, mode in sides[turn % len(sides) :] + sides[: turn % len(sides)]:
                label = side if len(modes) == 1 or side == "floor" else f"{side}/{mode}"
                runs = totals.setdefault((name, label), [])
                runs.append(_replay(dsn, recorded[(name, side)], args.repeat, mode))
    lines = [
        f"machine: {os.cpu_count()} cores, load average before {load:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; {args.keys} keys x {args.repeat} x {args.rounds} rounds",
        f"{'query':<10} {'side':<28} {'pg cpu ms':>9} {'wall ms':>8} {'stmts':>6} {'bytes':>7}"
        f" {'plans g/c':>11}",
    ]
    for (name, side), runs in totals.items():
        cpu = sum(r[0] for r in runs) / len(runs)
        wall = sum(r[1] for r in runs) / len(runs)
        lines.append(
            f"{name:<10} {side:<28} {cpu:>9.3f} {wall:>8.2f} {runs[0][2]:>6.0f}"
            f" {runs[0][3]:>7.0f} {runs[-1][4]:>11}"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
