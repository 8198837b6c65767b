"""CPU the audit log costs per audited response: on the event loop, in the whole API
process, and in PostgreSQL.

    uv run python benchmarks/bench_audit.py --responses 3000 --rate 150

`bench_api.py --access both` measures the audit log only inside the whole request's cost
(keys, rules and audit on beside off), where a few per cent drown in a shared machine's
noise. This drives the API's `AuditRecorder` alone, as the view does after each sent
response, for the two benchmark queries that return persons: `person` (one person, told
by its compiled statement) and `page100` (a page of 100). Responses are queued at
`--rate` per second (about what one API process serves at 10 clients), paced by the
event loop as requests would be, then the recorder is flushed. Printed per response:
CPU of the event loop's thread (what requests wait behind), of the whole process (all
threads: what the process's core loses; less the harness's own cost, measured first with
a recorder that records nothing) and of the PostgreSQL backends writing the log
(read from /proc: run it on the database's machine); and the rows per transaction.

The database (`--database`, re-created and migrated) holds only the audit log. The same
script measures an older checkout of the recorder by putting that checkout first on
PYTHONPATH (it uses only `AuditRecorder(engine, schema)`, `record`, `flush`, and `close`
when there is one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from bench_api_queries import PAGE_QUERY, PERSON_QUERY
from seed_graph import DEFAULT_ADMIN_URL, create_database, drop_database
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import _access_engine
from hub.api.audit import AuditRecorder
from hub.api.context import ExecutedOperation
from hub.api.principal import SCOPES, Principal, Role
from hub.api.schema import SCHEMA
from hub.config import HubSettings

PRINCIPAL = Principal(name="bench", role=Role.AGENCY, scopes=SCOPES, key_id="0123456789abcdef")


@dataclass(frozen=True)
class Shape:
    """One benchmark query's audited response: its document, variables, persons, size."""

    query: str
    variables: dict[str, str]
    root: str
    persons: int
    body_bytes: int


SHAPES = {
    "person": Shape(PERSON_QUERY, {"pinfl": "31503851234566"}, "person", 1, 2_500),
    "page100": Shape(PAGE_QUERY, {"code": "1703202001"}, "persons", 100, 30_000),
}


def _operation(shape: Shape, n: int) -> tuple[ExecutedOperation, bytes]:
    ids = tuple(f"H{n:07d}{i:03d}" for i in range(shape.persons))
    operation = ExecutedOperation(shape.query, dict(shape.variables), None, {shape.root: ids})
    filler = "x" * shape.body_bytes
    body = orjson.dumps({"data": {shape.root: {"filler": filler}}})
    return operation, body


class _NoAudit:
    """A recorder that records nothing: the harness's own cost (building and pacing)."""

    def submit(self, *_: object) -> None:
        return None

    async def flush(self) -> None:
        return None


def _backend_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the processes `pids` (those still running)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _writers(url: str, database: str) -> list[int]:
    """The PostgreSQL backends connected to `database` other than this query's."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :db "
                        "AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                )
            )
    finally:
        engine.dispose()


def _transactions(url: str) -> int:
    """Transactions that wrote the audit log so far (a row's `xmin` is its writer's)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(DISTINCT xmin::text) FROM audit_log")))
    finally:
        engine.dispose()


async def _drive(
    recorder: AuditRecorder | _NoAudit, shape: Shape, count: int, rate: float, start: int
) -> float:
    """Queue `count` responses at `rate` per second; the loop thread's CPU seconds spent."""
    loop_cpu = 0.0
    interval = 1.0 / rate
    next_at = time.perf_counter()
    for n in range(count):
        operation, body = _operation(shape, start + n)
        before = time.thread_time()
        recorder.submit(PRINCIPAL, [operation], body, datetime.now(UTC))
        loop_cpu += time.thread_time() - before
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return loop_cpu


async def _harness(shape: Shape, args: argparse.Namespace) -> float:
    """CPU seconds per response of building and pacing them with no recorder."""
    process = time.process_time()
    await _drive(_NoAudit(), shape, args.responses, args.rate, 0)
    return (time.process_time() - process) / float(args.responses)


async def _measure(url: str, database: str, shape: Shape, args: argparse.Namespace) -> str:
    harness = await _harness(shape, args)
    engine = _access_engine(HubSettings(database_url=url, data_dir=Path(tempfile.gettempdir())))
    assert isinstance(engine, AsyncEngine)  # PostgreSQL's
    durability = {} if args.synchronous_commit else {"synchronous_commit": False}
    recorder = AuditRecorder(engine, SCHEMA._schema, linger_seconds=args.linger, **durability)
    try:
        await _drive(recorder, shape, int(args.rate), args.rate, 0)  # warm: a second's worth
        await recorder.flush()
        writers = _writers(url, database)
        before_tx = _transactions(url)
        backends, process = _backend_cpu(writers), time.process_time()
        loop_cpu = await _drive(recorder, shape, args.responses, args.rate, int(args.rate))
        await recorder.flush()
        process = time.process_time() - process - harness * args.responses
        backends = _backend_cpu(writers) - backends
        batches = _transactions(url) - before_tx
    finally:
        close: Any = getattr(recorder, "close", None)  # an older recorder has none
        if close is not None:
            await close()
        await engine.dispose()
    per = 1e6 / args.responses
    return (
        f"{next(k for k, v in SHAPES.items() if v is shape):<8} {args.responses:>9} "
        f"{args.rate:>6.0f} {loop_cpu * per:>10.0f} {process * per:>13.0f} "
        f"{backends * per:>13.0f} {args.responses / max(batches, 1):>10.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database", default="hub_bench_audit")
    parser.add_argument("--responses", type=int, default=3000, help="per query shape")
    parser.add_argument("--rate", type=float, default=150.0, help="responses per second")
    parser.add_argument(
        "--linger", type=float, default=0.05, help="the writer's wait for more entries, seconds"
    )
    parser.add_argument(
        "--synchronous-commit",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="--no-synchronous-commit: audit commits do not wait for the disk",
    )
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    url = create_database(args.admin_url, args.database)
    lines = []
    try:
        for name in args.shapes:
            lines.append(asyncio.run(_measure(url, args.database, SHAPES[name], args)))
    finally:
        drop_database(args.admin_url, args.database)
    header = (
        f"{'query':<8} {'responses':>9} {'rate/s':>6} {'loop µs':>10} {'process µs':>13} "
        f"{'postgres µs':>13} {'rows/tx':>10}"
    )
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores, load average before {load:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; linger {args.linger * 1000:.0f} ms, synchronous_commit "
        f"{'on' if args.synchronous_commit else 'off'}; CPU per audited response\n{header}\n"
        + "\n".join(lines)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
