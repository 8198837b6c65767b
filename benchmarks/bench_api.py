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
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench_api_postgraphile as postgraphile
import httpx
import orjson
from bench_api_answers import check_same, persons_with_records
from bench_api_floor import ACCESS_VARIABLE, FLOOR_READS_VARIABLE
from bench_api_paired import OFF, ON, PairedRuns, access_overhead
from bench_api_queries import QUERIES
from bench_api_report import Row, Samples, replace_mode, rows_of, table, verdicts
from server_process import await_answer
from sqlalchemy import create_engine, text

logger = logging.getLogger("bench_api")
HERE = Path(__file__).resolve().parent
WORKERS = 2

MIX = {"person": 40, "dashboard": 30, "page100": 15, "district": 15}
POSTGRAPHILE_NOTE = (
    "PostGraphile serves the stored values (tiyin, lower-case codes, closedOn, the mahalla\n"
    "indicators row with its JSON breakdowns); the answers check derived the project's values\n"
    "from them (bench_api_answers.py). Both read the same statistics: the indicators row.\n"
)

# --- The load generator (this process) and the server (a uvicorn subprocess). ---


@dataclass
class Keys:
    """Values to draw request parameters from (real keys of the seeded graph)."""

    pinfls: list[str]
    mahallas: list[str]
    districts: list[str]
    # The API key the project's GraphQL requests carry (`--access keys`), else "".
    api_key: str = ""

    def for_query(self, name: str, rng: random.Random) -> str:
        if name == "person":
            return rng.choice(self.pinfls)
        if name == "district":
            return rng.choice(self.districts)
        return rng.choice(self.mahallas)


def read_keys(url: str, sample: int, seed: int) -> Keys:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pinfls = list(
                connection.scalars(
                    text(
                        "SELECT pinfl FROM person WHERE pinfl IS NOT NULL "
                        "ORDER BY random() LIMIT :n"
                    ),
                    {"n": sample},
                )
            )
            mahallas = list(connection.scalars(text("SELECT code FROM mahalla ORDER BY code")))
            districts = list(connection.scalars(text("SELECT code FROM district ORDER BY code")))
    finally:
        engine.dispose()
    random.Random(seed).shuffle(pinfls)
    return Keys(pinfls=pinfls, mahallas=mahallas, districts=districts)


def _request(mode: str, name: str, key: str, host: str, api_key: str = "") -> bytes:
    """One HTTP/1.1 keep-alive request, as bytes on the wire."""
    if mode == "floor":
        return (f"GET /floor/{name}?key={key} HTTP/1.1\r\nHost: {host}\r\n\r\n").encode()
    documents = postgraphile.QUERIES if mode == "postgraphile" else QUERIES
    variable = "pinfl" if name == "person" else "code"
    body = orjson.dumps({"query": documents[name], "variables": {variable: key}})
    authorization = f"Authorization: Bearer {api_key}\r\n" if mode == "graphql" and api_key else ""
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{authorization}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send `request` and read one response (status, body) on a keep-alive connection.

    The load generator speaks HTTP/1.1 itself, on raw asyncio streams: a general client
    (httpx) spent about a millisecond of CPU per request, on the same two cores as the
    server it measures, which lowered every figure and compressed the GraphQL/floor ratio.
    """
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length is None:
        raise RuntimeError("The server answered without a Content-Length; cannot measure it.")
    return status, await reader.readexactly(length)


async def _client(
    address: tuple[str, int],
    mode: str,
    pick: Callable[[random.Random], str],
    keys: Keys,
    results: dict[str, Samples],
    window: tuple[float, float],
    budget: list[int],
    rng: random.Random,
) -> None:
    """Requests in a loop until the window's end; only those started inside the window
    (after its warm-up) are counted."""
    host = f"{address[0]}:{address[1]}"
    measured_from, deadline = window
    reader, writer = await asyncio.open_connection(*address)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            name = pick(rng)
            request = _request(mode, name, keys.for_query(name, rng), host, keys.api_key)
            started = time.perf_counter()
            status, raw = await asyncio.wait_for(_exchange(reader, writer, request), 30.0)
            elapsed = time.perf_counter() - started
            if started < measured_from:
                continue  # warming up: the connection, and work the previous run left
            budget[0] -= 1
            samples = results.setdefault(name, Samples())
            body = orjson.loads(raw) if status == 200 else {}
            if status != 200 or body.get("errors") or body.get("data") is None:
                samples.errors += 1
            samples.latencies.append(elapsed)
    finally:
        writer.close()


async def run_load(
    base_urls: list[str],
    mode: str,
    pick: Callable[[random.Random], str],
    keys: Keys,
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int,
    warmup: float = 0.0,
) -> tuple[dict[str, Samples], float]:
    """`clients` concurrent loops, one keep-alive connection each, for at most `seconds`
    and `max_requests` in total after `warmup` seconds not counted; client i connects to
    server i mod len(base_urls)."""
    urls = [httpx.URL(base) for base in base_urls]
    addresses = [(url.host, url.port or 80) for url in urls]
    results: dict[str, Samples] = {}
    budget = [max_requests]
    started = time.perf_counter() + warmup
    deadline = started + seconds
    await asyncio.gather(
        *(
            _client(
                addresses[i % len(addresses)],
                mode,
                pick,
                keys,
                results,
                (started, deadline),
                budget,
                random.Random(seed * 1000 + i),
            )
            for i in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    return results, elapsed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_servers(
    url: str, workers: int, access: str | None = None
) -> list[tuple[subprocess.Popen[bytes], int]]:
    """`workers` single-process uvicorn servers, each on its own loopback port.

    Not one server with `--workers`: its processes share one listening socket and whichever
    wakes first accepts, so the few keep-alive connections of a run sometimes all went to
    one process, and that run measured one core. The load generator instead spreads its
    connections over the servers round-robin, as a load balancer in front of them would.
    """
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for _ in range(workers):
            port = _free_port()
            started.append((start_server(url, port, access), port))
    except BaseException:
        stop_servers(started)
        raise
    return started


def stop_servers(servers: list[tuple[subprocess.Popen[bytes], int]]) -> None:
    for process, _ in servers:
        stop_server(process)


def start_server(url: str, port: int, access: str | None = None) -> subprocess.Popen[bytes]:
    # The pepper, like --access, reaches the servers through this process's environment.
    # The key's rate limit stays on but far above what the load generator asks, so its
    # bucket is taken on every request and never refuses one.
    env = dict(
        os.environ,
        HUB_DATABASE_URL=url,
        HUB_API_POOL_SIZE="10",
        HUB_API_MAX_OVERFLOW="20",
        HUB_API_COST_PER_MINUTE_AGENCY=os.environ.get(
            "HUB_API_COST_PER_MINUTE_AGENCY", str(10**12)
        ),
    )
    if access is not None:
        env[ACCESS_VARIABLE] = access
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench_api_floor:create_bench_app",
        "--factory",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}/healthz"
    return await_answer(
        process, lambda client: client.get(url).status_code == 200, "The API server", 60
    )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Main ---


def _seeded(admin_url: str, database: str, persons: int) -> str | None:
    """The URL of `database` when it exists and holds `persons` persons, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError, ProgrammingError

    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(text("SELECT count(*) FROM person"))
    except (OperationalError, ProgrammingError):
        return None
    finally:
        engine.dispose()
    return url if count == persons else None


def prewarm(url: str) -> str:
    """Read every table and index of the graph into the operating system's page cache
    (`pg_prewarm`, mode `read`), so that runs measure a database whose working set is in
    memory, as a server's is in steady state, not the disk reads of whichever keys a run
    happens to draw first. Says what it did (or why it could not)."""
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    started = time.perf_counter()
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            blocks = connection.scalar(
                text(
                    "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't')"
                )
            )
    except DBAPIError as exc:
        return f"database not prewarmed ({type(exc.orig).__name__}: {exc.orig})"
    finally:
        engine.dispose()
    megabytes = int(blocks or 0) * 8192 / 2**20
    return f"database prewarmed: {megabytes:.0f} MB read in {time.perf_counter() - started:.1f} s"


def _pick_one(name: str) -> Callable[[random.Random], str]:
    return lambda rng: name


def _pick_mix(rng: random.Random) -> str:
    return rng.choices(list(MIX), weights=list(MIX.values()))[0]


def check_answers(bases: dict[str, list[str]], url: str, keys: Keys, count: int) -> str:
    """Ask the project and PostGraphile the four queries for `count` keys each (every
    district, and the persons with the most records of each kind besides) and fail
    (`AnswersDifferError`) unless they answer alike (`bench_api_answers`)."""
    samples = {
        "person": [*persons_with_records(url), *keys.pinfls[:count]],
        "dashboard": keys.mahallas[:count],
        "page100": keys.mahallas[-count:],
        "district": keys.districts,
    }
    ours = {"Authorization": f"Bearer {keys.api_key}"} if keys.api_key else {}
    with httpx.Client(timeout=60) as client:
        for name, sample in samples.items():
            variable = "pinfl" if name == "person" else "code"
            for key in sample:
                answers = [
                    client.post(
                        f"{bases[mode][0]}/graphql",
                        json={"query": documents[name], "variables": {variable: key}},
                        headers=ours if mode == "graphql" else {},
                    ).json()
                    for mode, documents in (
                        ("graphql", QUERIES),
                        ("postgraphile", postgraphile.QUERIES),
                    )
                ]
                check_same(name, key, *answers)
    return "answers checked equal: " + ", ".join(f"{k} {len(v)}" for k, v in samples.items())


def _pool(
    before: tuple[dict[str, Samples], float] | None, results: dict[str, Samples], elapsed: float
) -> tuple[dict[str, Samples], float]:
    """The samples and time of one more round added to those of the rounds `before`."""
    if before is None:
        return results, elapsed
    pooled, total = before
    for name, samples in results.items():
        into = pooled.setdefault(name, Samples())
        into.latencies += samples.latencies
        into.errors += samples.errors
    return pooled, total + elapsed


def issue_bench_key(url: str) -> str:
    """An agency key with every scope and no territory (it reads every person, so the
    compiled path answers whole selections) in the bench database, hashed with a pepper
    this run sets for its servers (`HUB_API_KEY_PEPPER` in the environment they inherit)."""
    import secrets
    from datetime import UTC, datetime

    from hub.access.keys import KeySpec, create_key
    from hub.api.principal import SCOPES, Role
    from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database

    pepper = os.environ.setdefault("HUB_API_KEY_PEPPER", secrets.token_hex(32))
    upgrade_database(url)
    engine = create_hub_engine(url)
    spec = KeySpec(owner="bench", role=Role.AGENCY, scopes=SCOPES)
    try:
        with create_session_factory(engine)() as session, session.begin():
            text = create_key(session, spec, pepper.encode(), datetime.now(UTC))
    finally:
        engine.dispose()
    return str(text)


def _pair_load(
    args: argparse.Namespace, bases: dict[str, list[str]], name: str, keys: Keys, clients: int
) -> Callable[[str, int], tuple[dict[str, Samples], float]]:
    """One short run of `name` on `mode`'s servers, pair `index` (both of a pair draw the
    same keys)."""

    def load(mode: str, index: int) -> tuple[dict[str, Samples], float]:
        return asyncio.run(
            run_load(
                bases[mode],
                mode,
                _pick_one(name),
                keys,
                clients,
                args.seconds / args.pairs,
                args.max_requests,
                args.seed * 1000 + index,
                warmup=args.pair_warmup,
            )
        )

    return load


def measure(args: argparse.Namespace, url: str) -> tuple[list[Row], str, PairedRuns | None]:
    """The rows, what the answers check found, and with `--access both` the paired runs.
    For each concurrency and query, the servers take turns (project, PostGraphile, floor;
    `--rounds` times, each round starting with the next), so drift on a shared machine hits
    all alike; access on and off run in `--pairs` short pairs in the project's turn."""
    keys = read_keys(url, sample=5000, seed=args.seed)
    if args.access in ("keys", "both"):
        keys.api_key = issue_bench_key(url)
    paired_modes = ("both", "control")
    first = {"both": "keys", "control": "off"}.get(args.access)
    servers = start_servers(url, args.workers, first)
    ours = [f"http://127.0.0.1:{port}" for _, port in servers]
    bases = {"graphql": ours}
    if args.access in paired_modes:
        # The same servers without keys and audit, taking their turns in the same run:
        # separate runs drifted by up to half (the floor's own figures did).
        servers += start_servers(url, args.workers, "off")
        bases["graphql-off"] = [f"http://127.0.0.1:{port}" for _, port in servers[-args.workers :]]
    paired = (
        PairedRuns(args.seconds / args.pairs, args.pair_warmup)
        if args.access in paired_modes
        else None
    )
    theirs: list[subprocess.Popen[bytes]] = []
    checked = ""
    rows: list[Row] = []
    try:
        if args.postgraphile:
            reader = postgraphile.grant_reader(url)
            theirs, ports = postgraphile.start_servers(reader, args.workers, _free_port)
            bases["postgraphile"] = [f"http://127.0.0.1:{port}" for port in ports]
            checked = check_answers(bases, url, keys, args.check_keys)
            logger.info(checked)
        bases["floor"] = ours
        for mode, base in bases.items():  # warm every path (pools, caches, imports, JIT)
            asyncio.run(run_load(base, mode, _pick_mix, keys, 4, 2.0, 200, args.seed))
        for clients in args.clients:
            for name in QUERIES:
                pooled: dict[str, tuple[dict[str, Samples], float]] = {}
                # On and off run together, in pairs (`bench_api_paired`), in on's turn.
                modes = [mode for mode in bases if mode != OFF]
                for turn in range(args.rounds):
                    # Each round starts with the next server, so none always follows another.
                    for mode in modes[turn % len(modes) :] + modes[: turn % len(modes)]:
                        if mode == ON and paired is not None:
                            load = _pair_load(args, bases, name, keys, clients)
                            runs = paired.run(clients, name, args.pairs, turn * args.pairs, load)
                            for paired_mode, results_of_mode in runs.items():
                                for results, elapsed in results_of_mode:
                                    pooled[paired_mode] = _pool(
                                        pooled.get(paired_mode), results, elapsed
                                    )
                            continue
                        results, elapsed = asyncio.run(
                            run_load(
                                bases[mode],
                                mode,
                                _pick_one(name),
                                keys,
                                clients,
                                args.seconds,
                                args.max_requests,
                                args.seed + turn,
                            )
                        )
                        pooled[mode] = _pool(pooled.get(mode), results, elapsed)
                for mode, (results, elapsed) in pooled.items():
                    rows += rows_of(clients, mode, results, elapsed)
            results, elapsed = asyncio.run(
                run_load(
                    ours,
                    "graphql",
                    _pick_mix,
                    keys,
                    clients,
                    args.seconds,
                    args.max_requests,
                    args.seed,
                )
            )
            rows += [replace_mode(r, "mix") for r in rows_of(clients, "graphql", results, elapsed)]
    finally:
        postgraphile.stop_servers(theirs)
        stop_servers(servers)
    return rows, checked, paired


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
    url = _seeded(args.admin_url, args.database, args.persons) if args.reuse else None
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
