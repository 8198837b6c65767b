"""What access control adds to one request, part by part, each timed alone.

    uv run python benchmarks/bench_access_parts.py --url postgresql+psycopg://.../hub_bench

`bench_access_cpu.py` compares whole requests with access control on and off; on a shared
machine its per-mode CPU drifts by more than the difference (the same query has shown
off/on 0.88 and 1.00 an hour apart). The parts that "on" adds are few, and each is timed
here in a tight loop, best of `--repeat`, so they hold still on a busy machine:

- `auth`: the key authenticator for a cached key (`hub.api.key_authenticator`: the bearer
  header parsed, one HMAC, expiry), beside the benchmark's trusted authenticator (what
  `--access off` runs);
- `queue`: `AuditRecorder.submit` on the loop (what the view does per response);
- `entries`: the audit writer making a response's audit entries (`AuditRecorder.entries`:
  none for a query that returns nothing personal);
- `row` and `tx`: the append (`append_entries`) of a batch of 1 and of `--batch` rows,
  CPU in this process and in its PostgreSQL backend, solved for the fixed cost of one
  transaction and the cost of one more row (rows go into the database's `audit_log`);
  `chain` is the part of `row` that hashes the entry into the chain and encodes its
  COPY row, timed alone.

Per query, their sum (`tx` shared by `--batch` rows: the writer's batch at about 300
responses a second per process and its 200 ms linger) is the CPU per request that
access control adds; divide by the CPU per request with it off (`bench_access_cpu.py`)
for the overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from bench_api_queries import QUERIES
from bench_audit import PRINCIPAL, SHAPES, Shape, _backend_cpu
from sqlalchemy import Engine, create_engine
from starlette.requests import Request

from hub.access import audit_chain
from hub.access.key_text import new_key_text, secret_hash
from hub.api.audit import AuditRecorder
from hub.api.context import ExecutedOperation
from hub.api.key_authenticator import KeyAuthenticator, StoredKey
from hub.api.schema import SCHEMA

# The dashboard and district documents return no person: their entries are none.
NOT_PERSONAL = {
    name: Shape(QUERIES[name], {"code": "1703202001"}, "mahalla", 0, 3_000)
    for name in ("dashboard", "district")
}


def _best(call: Callable[[], Any], count: int, repeat: int) -> float:
    """µs per call, best of `repeat` loops of `count`."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(count):
            call()
        best = min(best, (time.perf_counter() - start) / count)
    return best * 1e6


async def _auth_us(count: int, repeat: int) -> tuple[float, float]:
    """µs per request of the key authenticator (cached key) and of a trusted one."""
    pepper = b"p" * 32
    key = new_key_text()
    keys = KeyAuthenticator(create_engine("sqlite://"), pepper, cache_seconds=3600)
    stored = StoredKey(PRINCIPAL, secret_hash(key, pepper), None, None)
    keys._cache[key.key_id] = (time.monotonic(), stored)
    keys._used_at[key.key_id] = time.monotonic()  # no last_used_at write in the loop
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())],
    }

    async def trusted(request: Request) -> Any:
        return PRINCIPAL

    timings = []
    for authenticate in (keys, trusted):
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(count):
                await authenticate(Request(scope))
            best = min(best, (time.perf_counter() - start) / count)
        timings.append(best * 1e6)
    return timings[0], timings[1]


def _responses(shape: Shape, count: int) -> list[tuple[ExecutedOperation, bytes]]:
    out = []
    for n in range(count):
        ids = tuple(f"H{n:07d}{i:03d}" for i in range(shape.persons))
        persons = {shape.root: ids} if shape.persons else {}
        operation = ExecutedOperation(shape.query, dict(shape.variables), None, persons)
        body = orjson.dumps({"data": {shape.root: {"filler": "x" * shape.body_bytes}}})
        out.append((operation, body))
    return out


def _writer_us(shape: Shape, count: int, repeat: int) -> tuple[float, float, float]:
    """µs per response: queueing (`submit`, writer never woken), entries, chain + rows."""
    recorder = AuditRecorder(create_engine("sqlite://"), SCHEMA._schema, linger_seconds=3600)
    responses = _responses(shape, count)
    at = datetime.now(UTC)
    queued = iter(responses * repeat)

    def submit() -> None:
        operation, body = next(queued)
        recorder._writer._queue.clear()  # keep the queue short, the writer asleep
        recorder.submit(PRINCIPAL, [operation], body, at)

    async def on_a_loop() -> float:  # the writer's task belongs to the server's loop
        return _best(submit, count, repeat)

    queue = asyncio.run(on_a_loop())
    made: list[Any] = []

    def make() -> None:
        made.clear()
        for operation, body in responses:
            made.extend(recorder.entries(PRINCIPAL, [operation], body, at))

    entries = _best(make, 1, repeat) / count
    if not made:
        return queue, entries, 0.0

    # (An older checkout, first on PYTHONPATH, encodes its COPY rows inline: hashing only.)
    encode = getattr(audit_chain, "copy_values", lambda row: row)

    def chain() -> None:
        for row in audit_chain._chained(audit_chain.GENESIS, made):
            encode(row)

    return queue, entries, _best(chain, 1, repeat) / count


def _append_us(engine: Engine, shape: Shape, batch: int, repeat: int) -> dict[str, float]:
    """Fixed and per-row CPU (µs) of appending, here and in PostgreSQL's backend."""
    recorder = AuditRecorder(create_engine("sqlite://"), SCHEMA._schema)
    at = datetime.now(UTC)
    entries = [
        e for o, b in _responses(shape, batch) for e in recorder.entries(PRINCIPAL, [o], b, at)
    ]
    measured = {}
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        for size in (1, batch):
            part = entries[:size]
            audit_chain.append_entries(connection, part)
            appends = max(repeat * 20, 6000 // size)
            here, there = time.process_time(), _backend_cpu([int(pid or 0)])
            for _ in range(appends):
                audit_chain.append_entries(connection, part)
            measured[f"here{size}"] = (time.process_time() - here) / appends * 1e6
            measured[f"pg{size}"] = (_backend_cpu([int(pid or 0)]) - there) / appends * 1e6
    out = {}
    for side in ("here", "pg"):
        row = (measured[f"{side}{batch}"] - measured[f"{side}1"]) / (batch - 1)
        out[f"{side}_row"], out[f"{side}_tx"] = row, measured[f"{side}1"] - row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench")
    parser.add_argument("--count", type=int, default=2000, help="calls per timed loop")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=60, help="rows per audit transaction")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    auth, trusted = asyncio.run(_auth_us(args.count * 10, args.repeat))
    engine = create_engine(args.url, isolation_level="AUTOCOMMIT", pool_size=1)
    lines = []
    try:
        for name, shape in (*SHAPES.items(), *NOT_PERSONAL.items()):
            queue, entries, chain = _writer_us(shape, args.count, args.repeat)
            rows = {"here_tx": 0.0, "here_row": 0.0, "pg_tx": 0.0, "pg_row": 0.0}
            if shape.persons:
                rows = _append_us(engine, shape, args.batch, args.repeat)
            per_tx = (rows["here_tx"] + rows["pg_tx"]) / args.batch if shape.persons else 0.0
            total = auth - trusted + queue + entries + rows["here_row"] + rows["pg_row"]
            lines.append(
                f"{name:<10} {auth - trusted:>5.1f} {queue:>6.1f} {entries:>8.1f} {chain:>6.1f} "
                f"{rows['here_row']:>7.1f} {rows['pg_row']:>7.1f} "
                f"{rows['here_tx']:>8.0f} {rows['pg_tx']:>7.0f} {total + per_tx:>7.1f}"
            )
    finally:
        engine.dispose()
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores, load average before {load:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; best of {args.repeat}; batch {args.batch} rows\n"
        "µs of CPU per request that access control adds (auth: key authenticator less the "
        "trusted one;\nrow/tx: per audit row and per transaction, here and in PostgreSQL, "
        "chain: part of row;\ntotal: the parts, tx shared by the batch)\n"
        f"{'':10} {'auth':>5} {'queue':>6} {'entries':>8} {'chain':>6} {'row':>7} {'pg row':>7} "
        f"{'tx':>8} {'pg tx':>7} {'total':>7}\n" + "\n".join(lines) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
