"""CPU per request of the API's four benchmark queries, GraphQL beside the floor, in-process.

    uv run python benchmarks/bench_api_cpu.py --requests 500

Where `bench_api.py` measures throughput and latency over HTTP (load generator, servers,
PostgreSQL and the wire all share the machine's cores), this calls the same ASGI
application directly, one request after another, and divides the process's CPU time (all
its threads) by the number of requests: the server-side cost of each query, without the
HTTP server or the network. It needs the database `bench_api.py --keep` or `--reuse`
left seeded (`hub_bench` by default). Prints a table.

CPU time on a shared virtual machine varies by ±20% from run to run; `--instructions`
adds the instructions this process executes per request (Linux `perf stat` attached to
it around each measured loop), which repeat within about 1% and so compare two versions
of the code even on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

Message = MutableMapping[str, Any]


async def _call(
    app: Any,
    method: str,
    path: str,
    body: bytes = b"",
    query: bytes = b"",
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> bytes:
    """One request through the ASGI app; the response body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


def _requester(
    app: Any, mode: str, name: str, queries: dict[str, str]
) -> Callable[[str], Awaitable[bytes]]:
    if mode == "floor":
        return lambda key: _call(app, "GET", f"/floor/{name}", query=f"key={key}".encode())
    variable = "pinfl" if name == "person" else "code"

    def graphql(key: str) -> Awaitable[bytes]:
        body = orjson.dumps({"query": queries[name], "variables": {variable: key}})
        return _call(app, "POST", "/graphql", body)

    return graphql


class InstructionCounter:
    """Instructions this process executes in user mode between `start` and `stop`, counted
    by `perf stat` attached to it (needs Linux perf; a clear error without it)."""

    def __init__(self) -> None:
        self._perf: subprocess.Popen[str] | None = None

    def start(self) -> None:
        command = ["perf", "stat", "-x", ",", "-e", "instructions:u", "-p", str(os.getpid())]
        try:
            self._perf = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        except FileNotFoundError:
            raise SystemExit("--instructions needs Linux perf (Debian: linux-perf)") from None
        time.sleep(0.3)  # perf attaches asynchronously

    def stop(self) -> int:
        assert self._perf is not None
        self._perf.send_signal(signal.SIGINT)
        _, report = self._perf.communicate(timeout=30)
        for line in report.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("instructions"):
                if not fields[0].isdigit():
                    raise SystemExit(f"perf could not count instructions here: {line}")
                return int(fields[0])
        raise SystemExit(f"perf printed no instruction count: {report!r}")


async def _measure(
    args: argparse.Namespace,
) -> list[tuple[str, float, float, float, float, float | None, float | None]]:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_api_floor import create_bench_app
    from bench_api_load import read_keys
    from bench_api_queries import QUERIES

    app = create_bench_app()
    keys = read_keys(os.environ["HUB_DATABASE_URL"], 2000, args.seed)
    rows = []
    for name in QUERIES:
        if args.only and name not in args.only:
            continue
        figures: dict[str, tuple[float, float]] = {}
        instructions: dict[str, float | None] = {"graphql": None, "floor": None}
        for mode in ("graphql", "floor"):
            request = _requester(app, mode, name, QUERIES)
            warm = random.Random(args.seed)
            for _ in range(20):
                await request(keys.for_query(name, warm))
            rng = random.Random(args.seed + 1)
            counter = InstructionCounter() if args.instructions else None
            if counter is not None:
                counter.start()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                body = await request(keys.for_query(name, rng))
                if b'"errors"' in body:
                    raise RuntimeError(f"{mode} {name} answered with errors: {body[:300]!r}")
            figures[mode] = (
                (time.process_time() - cpu) / args.requests * 1000,
                (time.perf_counter() - wall) / args.requests * 1000,
            )
            if counter is not None:
                instructions[mode] = counter.stop() / args.requests / 1e6
        (g_cpu, g_wall), (f_cpu, f_wall) = figures["graphql"], figures["floor"]
        rows.append(
            (name, g_cpu, g_wall, f_cpu, f_wall, instructions["graphql"], instructions["floor"])
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench")
    parser.add_argument("--requests", type=int, default=500, help="per query and endpoint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--only", nargs="+", metavar="QUERY", help="measure these queries only (default: all)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions per request (Linux perf; repeatable to about 1%%)",
    )
    args = parser.parse_args(argv)
    os.environ["HUB_DATABASE_URL"] = args.url
    # Every request as a trusted agency without the audit log (`bench_api_floor`'s
    # `--access off`), and no per-minute cost limit: this measures the read path alone.
    os.environ.setdefault("BENCH_ACCESS", "off")
    os.environ.setdefault("HUB_API_COST_PER_MINUTE_AGENCY", str(10**12))
    load = os.getloadavg()[0]
    rows = asyncio.run(_measure(args))
    out = [
        f"machine: {os.cpu_count()} cores, load average before {load:.2f}, "
        f"after {os.getloadavg()[0]:.2f}; {args.requests} requests per query and endpoint",
        f"{'query':<10} {'GraphQL cpu ms':>14} {'wall ms':>8} {'floor cpu ms':>12} "
        f"{'wall ms':>8} {'cpu ratio':>9}"
        + (
            f" {'GraphQL M instr':>15} {'floor M instr':>13} {'ratio':>6}"
            if args.instructions
            else ""
        ),
    ]
    for name, g_cpu, g_wall, f_cpu, f_wall, g_ins, f_ins in rows:
        line = (
            f"{name:<10} {g_cpu:>14.2f} {g_wall:>8.2f} {f_cpu:>12.2f} {f_wall:>8.2f} "
            f"{f_cpu / g_cpu:>9.2f}"
        )
        if g_ins is not None and f_ins is not None:
            line += f" {g_ins:>15.2f} {f_ins:>13.2f} {f_ins / g_ins:>6.2f}"
        out.append(line)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
