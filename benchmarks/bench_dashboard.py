"""The mahalla dashboard with 12 months of diagnostics, served at 1 and 10 concurrent clients.

    uv run python benchmarks/bench_dashboard.py --persons 1000000
    uv run python benchmarks/bench_dashboard.py --reuse --clients 1,10 --seconds 10 --rounds 2

Stages: seed `--database` (`seed_graph.py`; `--reuse` keeps one seeded before), build every
diagnostic product on it when its monthly table is empty (categories with their evidence,
notebook findings, the monthly indicators of every month up to the graph's evidence date,
the quarterly ratings; the seeded graph's evidence spans 11 months, so its first month's
figures are copied to the month before and revisions are added, `pad_to_twelve_months`),
read it into the page cache (`bench_api_database.prewarm`), start bench_api's
two uvicorn servers (one per core, every request carrying an agency key), and drive them
with bench_api's keep-alive load generator. Two documents, on a random mahalla each:

- `series12`: the mahalla's last 12 months of figures with their revisions;
- `dash12`: the dashboard: the mahalla with its assistant, the 12 months, the assistant's
  rating for the last quarter, and the first ten category disagreements and notebook
  findings with their counts (not who a finding is about or why: that is a personal
  read, which the audit log records with a write of its own per request).

Prints requests/s and p50/p95/p99 per document and concurrency, the verdict against issue
18's target (p95 <= 30 ms at 10 clients) and the load average; drops the database unless
`--keep` or `--reuse`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import time
from datetime import date

import orjson
from bench_api_database import issue_bench_key, prewarm, seeded
from bench_api_load import exchange
from bench_api_report import Row, Samples, rows_of, table
from bench_api_servers import start_servers, stop_servers
from sqlalchemy import create_engine, text

logger = logging.getLogger("bench_dashboard")

SERIES = """query($code: String!, $from: Month!, $to: Month!) { mahalla(code: $code) {
  monthly(from: $from, to: $to) {
    month names values revisions { name oldValue newValue reason }
  }
} }"""
DASHBOARD = """query($code: String!, $from: Month!, $to: Month!, $quarter: Quarter!) {
  mahalla(code: $code) {
    code name assistant { fullName phone }
    monthly(from: $from, to: $to) {
      month names values revisions { name oldValue newValue reason }
    }
    assistantRating(quarter: $quarter) {
      score rankInDistrict rankInRegion rankInCountry components { name value points }
    }
    categoryDisagreements(first: 10) {
      totalCount
      edges { node { household { hubId } assessedCategory computedCategory rule records } }
    }
    notebookFindings(first: 10) { totalCount edges { node { notebook kind asOf } } }
  }
}"""
DOCUMENTS = {"series12": SERIES, "dash12": DASHBOARD}
TARGET_MS = 30.0


def build_diagnostics(url: str) -> str:
    """Every diagnostic product, unless the monthly table already holds figures."""
    from hub.diagnostics.categories import refresh_household_categories
    from hub.diagnostics.evidence import evidence_as_of
    from hub.diagnostics.monthly_store import refresh_monthly_indicators
    from hub.diagnostics.notebooks import refresh_notebook_findings
    from hub.diagnostics.ratings_assistants import refresh_assistant_ratings
    from hub.diagnostics.ratings_bodies import refresh_body_ratings
    from hub.diagnostics.rules import load_rules
    from hub.graph.database import create_hub_engine, create_session_factory

    engine = create_hub_engine(url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            if session.execute(text("SELECT 1 FROM monthly_indicator LIMIT 1")).first():
                return "diagnostics built before"
            started = time.perf_counter()
            as_of = evidence_as_of(session)
            if as_of is None:
                raise SystemExit("The graph is empty: nothing to build diagnostics from.")
            rules = load_rules()
            refresh_household_categories(session, as_of)
            refresh_notebook_findings(session, as_of)
            refresh_monthly_indicators(session, as_of)
            refresh_body_ratings(session, rules, as_of)
            refresh_assistant_ratings(session, rules)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return f"diagnostics built in {time.perf_counter() - started:.0f} s"


def pad_to_twelve_months(url: str) -> str:
    """When the graph's evidence spans fewer than 12 months (the seeded graph's spans 11),
    copy its first month's figures to the months before it, and give every mahalla's
    `placed` a revision in two months, so the series read is 12 months with revisions as
    a year of loads leaves it. Says what it added."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            months = list(
                connection.scalars(
                    text("SELECT DISTINCT month_on FROM monthly_indicator ORDER BY month_on")
                )
            )
            missing = 12 - len(months)
            for back in range(1, missing + 1):
                connection.execute(
                    text(
                        "INSERT INTO monthly_indicator "
                        "SELECT level, code, (month_on - make_interval(months => :back))::date, "
                        "name, value, computed_at FROM monthly_indicator WHERE month_on = :first"
                    ),
                    {"back": back, "first": months[0]},
                )
            revised = 0
            if not connection.scalar(text("SELECT count(*) FROM monthly_indicator_revision")):
                revised = connection.execute(
                    text(
                        "INSERT INTO monthly_indicator_revision "
                        "(level, code, month_on, name, old_value, new_value, reason, revised_at) "
                        "SELECT level, code, month_on, name, value + 1, value, "
                        "'late records (benchmark)', computed_at FROM monthly_indicator "
                        "WHERE level = 'mahalla' AND name = 'placed' AND month_on IN (:a, :b)"
                    ),
                    {"a": months[2], "b": months[5]},
                ).rowcount
    finally:
        engine.dispose()
    copied = f"{missing} month(s) copied back from {months[0]:%Y-%m}" if missing > 0 else ""
    return ", ".join(p for p in (copied, f"{revised} revisions added" if revised else "") if p)


def period(url: str) -> tuple[date, date, date, list[str], int]:
    """The last 12 months with figures, the last quarter rated, the mahallas, and how many
    figures a mahalla's 12 months hold on average."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            months = list(
                connection.scalars(
                    text(
                        "SELECT DISTINCT month_on FROM monthly_indicator WHERE level = 'country' "
                        "ORDER BY month_on DESC LIMIT 12"
                    )
                )
            )
            quarter = connection.scalar(text("SELECT max(quarter_on) FROM assistant_rating"))
            mahallas = list(connection.scalars(text("SELECT code FROM mahalla ORDER BY code")))
            rows = connection.scalar(
                text(
                    "SELECT count(*) FROM monthly_indicator WHERE level = 'mahalla' "
                    "AND month_on BETWEEN :first AND :last"
                ),
                {"first": months[-1], "last": months[0]},
            )
    finally:
        engine.dispose()
    if len(months) < 12 or quarter is None:
        raise SystemExit(f"Only {len(months)} months with figures; 12 are measured.")
    return months[-1], months[0], quarter, mahallas, int(rows) // max(1, len(mahallas))


def _request(name: str, variables: dict[str, str], host: str, api_key: str) -> bytes:
    body = orjson.dumps({"query": DOCUMENTS[name], "variables": variables})
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {api_key}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _client(
    port: int,
    name: str,
    fixed: dict[str, str],
    mahallas: list[str],
    api_key: str,
    until: float,
    budget: list[int],
    rng: random.Random,
    samples: Samples,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until and budget[0] > 0:
            budget[0] -= 1
            variables = {**fixed, "code": rng.choice(mahallas)}
            request = _request(name, variables, f"127.0.0.1:{port}", api_key)
            started = time.perf_counter()
            status, raw = await asyncio.wait_for(exchange(reader, writer, request), 30.0)
            samples.latencies.append(time.perf_counter() - started)
            body = orjson.loads(raw) if status == 200 else {}
            if status != 200 or body.get("errors") or body.get("data") is None:
                samples.errors += 1
    finally:
        writer.close()


async def run_load(
    ports: list[int],
    name: str,
    fixed: dict[str, str],
    mahallas: list[str],
    api_key: str,
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int,
) -> tuple[dict[str, Samples], float]:
    """`clients` keep-alive loops spread over the servers round-robin."""
    samples = Samples()
    budget = [max_requests]
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _client(
                ports[i % len(ports)],
                name,
                fixed,
                mahallas,
                api_key,
                started + seconds,
                budget,
                random.Random(seed * 1000 + i),
                samples,
            )
            for i in range(clients)
        )
    )
    return {name: samples}, time.perf_counter() - started


def measure(args: argparse.Namespace, url: str) -> tuple[list[Row], str]:
    first, last, quarter, mahallas, figures = period(url)
    q = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
    fixed = {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}", "quarter": q}
    api_key = issue_bench_key(url)
    servers = start_servers(url, args.workers)
    ports = [port for _, port in servers]
    rows: list[Row] = []
    try:
        for name in DOCUMENTS:  # warm pools, caches and imports
            asyncio.run(run_load(ports, name, fixed, mahallas, api_key, 4, 2.0, 200, args.seed))
        for clients in args.clients:
            for name in DOCUMENTS:
                pooled = Samples()
                elapsed = 0.0
                for turn in range(args.rounds):
                    results, seconds = asyncio.run(
                        run_load(
                            ports,
                            name,
                            fixed,
                            mahallas,
                            api_key,
                            clients,
                            args.seconds,
                            args.max_requests,
                            args.seed + turn,
                        )
                    )
                    pooled.latencies += results[name].latencies
                    pooled.errors += results[name].errors
                    elapsed += seconds
                rows += rows_of(clients, "graphql", {name: pooled}, elapsed)
    finally:
        stop_servers(servers)
    about = (
        f"months {fixed['from']}..{fixed['to']} (~{figures} figures per mahalla), "
        f"quarter {q}, {len(mahallas)} mahallas"
    )
    return rows, about


def main(argv: list[str] | None = None) -> int:
    from seed_graph import DEFAULT_ADMIN_URL, Plan, create_database, drop_database, seed

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database", default="i18_dashboard")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=6.0, help="per run, at most")
    parser.add_argument("--max-requests", type=int, default=5000, help="per run, at most")
    parser.add_argument("--rounds", type=int, default=1, help="runs per document, pooled")
    parser.add_argument("--clients", type=lambda v: [int(c) for c in v.split(",")], default=[1, 10])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="use (and keep) a seeded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = seeded(args.admin_url, args.database, args.persons) if args.reuse else None
    reused = url is not None
    if url is None:
        url = create_database(args.admin_url, args.database)
        seed(url, Plan(persons=args.persons, seed=args.seed))
    try:
        built = build_diagnostics(url)
        padded = pad_to_twelve_months(url)
        built += f" ({padded})" if padded else ""
        warmed = prewarm(url)
        load_before = os.getloadavg()
        rows, about = measure(args, url)
        load_after = os.getloadavg()
    finally:
        if not (args.keep or reused):
            drop_database(args.admin_url, args.database)
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores, load average before {load_before[0]:.2f}, after "
        f"{load_after[0]:.2f}; servers: {args.workers} uvicorn processes; {args.persons} "
        f"persons; {built}; {warmed}; {about}\n"
    )
    sys.stdout.write(table("mahalla dashboard with 12 months (project):", rows, list(DOCUMENTS)))
    for row in rows:
        if row.clients == 10:
            verdict = "met" if row.p95 <= TARGET_MS else "MISSED"
            sys.stdout.write(
                f"  p95 <= {TARGET_MS:.0f} ms at 10 clients, {row.query}: {row.p95:.1f} ms "
                f"({verdict})\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
