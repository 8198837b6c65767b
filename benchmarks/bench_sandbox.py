"""Benchmark the sandbox: generate a world, serve it, and measure the fake APIs' ceiling.

    uv run python benchmarks/bench_sandbox.py --people 1000000 --seconds 10

Stages: generation (in this process), server start-up (a uvicorn subprocess loading the
world's API data), and for each API a bounded loop of full passes with a plain httpx client
on loopback. Prints a table of stage, seconds, peak RSS and rows, then rows per source.
"""

from __future__ import annotations

import argparse
import logging
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from sandbox.generate import generate_world
from sandbox.serve.settings import DEFAULT_BANK_API_KEY, DEFAULT_TAX_TOKEN

logger = logging.getLogger("bench_sandbox")


@dataclass
class Stage:
    name: str
    seconds: float
    peak_rss_mb: float
    rows: int | None = None
    note: str = ""


def _self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_server(world: Path, port: int) -> tuple[subprocess.Popen[bytes], float]:
    code = "from sandbox.cli import app; app()"
    command = [sys.executable, "-c", code, "serve", str(world), "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    with httpx.Client() as client:
        while True:
            try:
                if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return process, time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
            if process.poll() is not None:
                raise RuntimeError(f"Sandbox server exited with code {process.returncode}.")


def _tax_pass(client: httpx.Client, page_size: int) -> tuple[int, int]:
    pages = items = 0
    token: str | None = None
    while True:
        params: dict[str, str | int] = {"page_size": page_size}
        if token:
            params["page_token"] = token
        body = client.get("/tax/v1/taxpayers", params=params).json()
        pages, items = pages + 1, items + len(body["items"])
        token = body["next_page_token"]
        if token is None:
            return pages, items


def _bank_pass(client: httpx.Client, limit: int) -> tuple[int, int]:
    pages = items = offset = 0
    while True:
        body = client.get("/bank/api/v2/loans", params={"offset": offset, "limit": limit}).json()
        pages, items = pages + 1, items + len(body["data"])
        offset += limit
        if offset >= body["total"]:
            return pages, items


def _measure(name: str, run_pass, base: str, headers: dict[str, str], size: int,  # type: ignore[no-untyped-def]
             seconds: float, server: psutil.Process) -> Stage:  # fmt: skip
    pages = items = passes = 0
    peak = 0.0
    with httpx.Client(base_url=base, headers=headers, timeout=30.0) as client:
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            p, i = run_pass(client, size)
            pages, items, passes = pages + p, items + i, passes + 1
            peak = max(peak, server.memory_info().rss / 2**20)
        elapsed = time.perf_counter() - started
    note = f"{pages / elapsed:,.0f} pages/s, {items / elapsed:,.0f} items/s ({passes} passes)"
    return Stage(name, elapsed, peak, items, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220101)
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound per API run")
    parser.add_argument("--out", type=Path, default=None, help="world folder (default: temp)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        world = args.out or Path(tmp) / "world"
        started = time.perf_counter()
        manifest = generate_world(world, args.people, seed=args.seed)
        stages = [Stage("generate", time.perf_counter() - started, _self_peak_mb(),
                        sum(manifest.rows.values()), f"{manifest.people:,} people")]  # fmt: skip
        port = _free_port()
        process, startup = _start_server(world, port)
        try:
            server = psutil.Process(process.pid)
            rss = server.memory_info().rss / 2**20
            stages.append(Stage("serve: start-up", startup, rss, None, "load and sort API data"))
            base = f"http://127.0.0.1:{port}"
            tax = {"Authorization": f"Bearer {DEFAULT_TAX_TOKEN}"}
            bank = {"X-Api-Key": DEFAULT_BANK_API_KEY}
            for size in (1000, 100):
                stages.append(_measure(f"tax page_size={size}", _tax_pass, base, tax, size,
                                       args.seconds, server))  # fmt: skip
            for size in (500, 100):
                stages.append(_measure(f"bank limit={size}", _bank_pass, base, bank, size,
                                       args.seconds, server))  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=10)
    _print(stages, manifest.rows, manifest.corrupt_rows)


def _print(stages: list[Stage], rows: dict[str, int], corrupt: dict[str, int]) -> None:
    lines = [f"{'stage':<20} {'seconds':>8} {'peak RSS MB':>12} {'rows':>10}  note"]
    for s in stages:
        count = "" if s.rows is None else f"{s.rows:,}"
        lines.append(f"{s.name:<20} {s.seconds:>8.1f} {s.peak_rss_mb:>12.0f} {count:>10}  {s.note}")
    lines.append("")
    lines.append(f"{'source':<20} {'rows written':>12} {'corrupt':>8}")
    for source, written in rows.items():
        lines.append(f"{source:<20} {written:>12,} {corrupt[source]:>8,}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
