"""Benchmark the GraphQL API against PostGraphile 5 and a hand-written-SQL floor.

    uv run python benchmarks/bench_api.py --persons 1000000 --seconds 4
    uv run python benchmarks/bench_api.py --persons 200000 --reuse --clients 1,10 --rounds 3

Stages: seed a dedicated PostgreSQL database (`hub_bench`, see `seed_graph.py`; `--reuse`
keeps one seeded earlier), read it into the page cache (`pg_prewarm`), start two uvicorn
servers (subprocesses, loopback only, one per core) each serving both the API (`/graphql`)
and the floor (`/floor/...`: the same data read by hand-written SQL and returned by plain
Starlette endpoints on the same stack, `bench_api_floor.py`), and, unless
`--no-postgraphile`, two PostGraphile 5 servers (Node, one per core) on the same database
(`bench_api_postgraphile.py`, installed by npm on first use) whose answers are first checked
equal to the project's (`bench_api_answers.py`). Then drive them from this process with an
asyncio load generator (raw HTTP/1.1 on keep-alive connections, spread over the servers
round-robin) at 1, 10 and 50 concurrent clients. Each (query, server, concurrency) runs
for at most `--seconds` and `--max-requests`, the servers taking turns per query; then a
realistic mix of the four queries runs against the project's GraphQL. Prints requests/s
and p50/p95/p99 per query with the project's throughput over PostGraphile's
(`bench_api_report.py`), and drops the database it seeded unless `--keep` (a database
reused with `--reuse` is always kept: it took minutes to seed).

Queries: person by PINFL with every nested record; a mahalla dashboard (assistant and
statistics); a page of 100 persons with their households; a district's mahallas with
statistics.

Parts: the database (`bench_api_database.py`), the servers (`bench_api_servers.py`), the
load generator (`bench_api_load.py`) and the turns, rounds and pairs of runs
(`bench_api_measure.py`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import bench_api_postgraphile as postgraphile
from bench_api_database import prewarm, seeded
from bench_api_floor import ACCESS_VARIABLE, FLOOR_READS_VARIABLE
from bench_api_measure import measure
from bench_api_paired import access_overhead
from bench_api_queries import QUERIES
from bench_api_report import table, verdicts

WORKERS = 2

POSTGRAPHILE_NOTE = (
    "PostGraphile serves the stored values (tiyin, lower-case codes, closedOn, the mahalla\n"
    "indicators row with its JSON breakdowns); the answers check derived the project's values\n"
    "from them (bench_api_answers.py). Both read the same statistics: the indicators row.\n"
)


def main(argv: list[str] | None = None) -> int:
    from seed_graph import DEFAULT_ADMIN_URL, Plan, create_database, drop_database, seed

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database", default="hub_bench")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=4.0, help="per run, at most")
    parser.add_argument("--max-requests", type=int, default=5000, help="per run, at most")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of each query and server, pooled; the servers take turns within a round",
    )
    parser.add_argument(
        "--clients", type=lambda v: [int(c) for c in v.split(",")], default=[1, 10, 50]
    )
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument(
        "--reuse", action="store_true", help="use (and keep) a database seeded before"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--floor-reads",
        choices=("engine", "threads"),
        default="engine",
        help="the floor reads through the API's engine as the API does (engine), or through "
        "a synchronous engine in Starlette's thread pool (threads)",
    )
    parser.add_argument(
        "--postgraphile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also measure PostGraphile 5 on the same database, installed on first use by "
        "npm ci in benchmarks/postgraphile (default: when npm is available)",
    )
    parser.add_argument(
        "--access",
        choices=("keys", "off", "both", "control"),
        default="keys",
        help="keys: every GraphQL request carries an API key and personal reads are audited "
        "(the server's default); off: the servers trust every request as that key's agency "
        "and write no audit log (rules and limits still apply); both: the two in turn in one "
        "run, with their ratio; control: as both, but both sets of servers off (an A/A run: "
        "the method's own bias and spread)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=6,
        help="with --access both: each round's on and off runs as this many pairs of short "
        "runs (--seconds / --pairs each), the order swapped every pair",
    )
    parser.add_argument(
        "--pair-warmup",
        type=float,
        default=0.25,
        help="seconds each paired run goes on before it is counted",
    )
    parser.add_argument(
        "--check-keys",
        type=int,
        default=20,
        help="persons and mahallas whose answers are checked equal before measuring",
    )
    args = parser.parse_args(argv)
    if args.postgraphile is None:
        args.postgraphile = postgraphile.available()
    installed = postgraphile.install() if args.postgraphile else ""
    os.environ[FLOOR_READS_VARIABLE] = args.floor_reads
    os.environ[ACCESS_VARIABLE] = args.access
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per health probe
    load_before = os.getloadavg()
    url = seeded(args.admin_url, args.database, args.persons) if args.reuse else None
    reused = url is not None
    if url is None:
        started = time.perf_counter()
        url = create_database(args.admin_url, args.database)
        timings = seed(url, Plan(persons=args.persons, seed=args.seed))
        sys.stdout.write(
            f"seeded {args.persons} persons in {time.perf_counter() - started:.0f} s "
            f"({', '.join(f'{k} {v:.0f} s' for k, v in timings.items())})\n"
        )
    warmed = prewarm(url)
    try:
        rows, checked, paired = measure(args, url)
    finally:
        if not (args.keep or reused):
            drop_database(args.admin_url, args.database)
    theirs = f" and {args.workers} PostGraphile Node processes" if args.postgraphile else ""
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores, load average before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}; servers: {args.workers} uvicorn processes{theirs}; "
        f"{args.persons} persons; {warmed}; floor reads: {args.floor_reads}; "
        f"access: {args.access}\n"
    )
    if args.postgraphile:
        sys.stdout.write(f"{installed}; {checked}\n")
    isolated = [r for r in rows if r.mode != "mix"]
    queries = list(QUERIES)
    servers = "project, PostGraphile, floor" if args.postgraphile else "project, floor"
    sys.stdout.write(table(f"one query at a time ({servers}, in turn):", isolated, queries))
    if args.postgraphile:
        sys.stdout.write(POSTGRAPHILE_NOTE)
    mix = [r for r in rows if r.mode == "mix"]
    sys.stdout.write(table("realistic mix (project):", mix, queries))
    sys.stdout.write(verdicts(isolated))
    if paired is not None:
        sys.stdout.write(access_overhead(isolated, paired))
    return 0


if __name__ == "__main__":
    sys.exit(main())
