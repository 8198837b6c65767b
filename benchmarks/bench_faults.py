"""Hostile and broken deliveries against the pipeline: what became of every record, how long
it took, and how much memory it needed (issue 14).

    uv run python benchmarks/bench_faults.py                 # every case
    uv run python benchmarks/bench_faults.py --list          # the cases, by group
    uv run python benchmarks/bench_faults.py --only 'land_*' tax_api_bad_item --scale 10

The cases are the `CASES` of every module of `benchmarks/fault_cases/` (found with pkgutil).
Each runs in a fresh process (multiprocessing, spawn) in its own empty folder, so that its
wall time and memory are its own: the child imports the case's module, notes its resident
memory, runs the case and reports its outcome, wall time and peak resident memory above that
baseline (`ru_maxrss` less the resident size before the case). `--scale` is passed to the
cases as the environment variable `FAULT_CASES_SCALE` (a number, default 1): cases multiply
their input sizes by it.

The table: case, issue item, source, delivered, accepted, rejected, lost (must be 0), wall
seconds, peak MB above the baseline, and the hub's reaction. The exit status is 1 when a
case lost records, failed, timed out or needed 1 GB or more above its baseline.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import logging
import multiprocessing
import os
import pkgutil
import re
import resource
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "benchmarks")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import fault_cases  # noqa: E402  (the paths above make the package importable)

log = logging.getLogger("bench_faults")

SCALE_VARIABLE = "FAULT_CASES_SCALE"
MEMORY_LIMIT = 1 << 30
"""Peak memory above the baseline that any single delivery may need (1 GiB)."""


@dataclass(frozen=True)
class CaseRef:
    module: str
    name: str
    item: int
    source: str


@dataclass(frozen=True)
class Row:
    case: CaseRef
    outcome: fault_cases.FaultOutcome | None
    seconds: float
    peak_bytes: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.error is None
            and self.outcome is not None
            and self.outcome.lost == 0
            and self.peak_bytes < MEMORY_LIMIT
        )


def discover() -> list[CaseRef]:
    """Every case of every module of `fault_cases`, by module then in `CASES` order."""
    found = []
    for info in sorted(pkgutil.iter_modules(fault_cases.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"fault_cases.{info.name}")
        for case in getattr(module, "CASES", []):
            found.append(CaseRef(module.__name__, case.name, case.item, case.source))
    return found


def _case(ref: CaseRef) -> fault_cases.FaultCase:
    module = importlib.import_module(ref.module)
    for case in module.CASES:
        if case.name == ref.name:
            return case  # type: ignore[no-any-return]
    raise LookupError(f"{ref.module} has no case {ref.name!r}")


def _child(ref: CaseRef, workdir: str, scale: float, pipe: Connection) -> None:
    """Run one case in this (fresh) process and send back what happened."""
    os.environ[SCALE_VARIABLE] = str(scale)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    try:
        case = _case(ref)
        baseline = psutil.Process().memory_info().rss
        started = time.perf_counter()
        outcome = case.run(Path(workdir))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        pipe.send(("done", outcome, seconds, max(0, peak - baseline)))
    except Exception as exc:  # noqa: BLE001  (a case's failure is a row of the table)
        pipe.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        pipe.close()


def run_case(ref: CaseRef, scale: float, timeout: float, keep: bool) -> Row:
    workdir = tempfile.mkdtemp(prefix=f"fault-{re.sub(r'[^A-Za-z0-9_.-]', '_', ref.name)}-")
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(ref, workdir, scale, send), name=ref.name)
    started = time.perf_counter()
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            child.kill()
            return Row(
                ref, None, time.perf_counter() - started, 0, f"timed out after {timeout:g} s"
            )
        message: tuple[Any, ...] = receive.recv()
    except EOFError:
        return Row(ref, None, time.perf_counter() - started, 0, "the case's process died")
    finally:
        child.join(10)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if message[0] == "error":
        log.error("%s failed:\n%s", ref.name, message[2])
        return Row(ref, None, time.perf_counter() - started, 0, message[1])
    _, outcome, seconds, peak = message
    return Row(ref, outcome, seconds, peak)


HEADER = (
    "case",
    "item",
    "source",
    "delivered",
    "accepted",
    "rejected",
    "lost",
    "wall s",
    "peak MB",
    "ok",
    "note",
)


def _cells(row: Row) -> list[str]:
    o = row.outcome
    counts = ["-"] * 4 if o is None else [str(n) for n in (o.delivered, o.accepted, o.rejected)]
    if o is not None:
        counts.append(str(o.lost))
    return [
        row.case.name,
        str(row.case.item),
        row.case.source,
        *counts,
        f"{row.seconds:.2f}",
        f"{row.peak_bytes / 2**20:.1f}",
        "yes" if row.ok else "NO",
        (row.error if o is None else o.note) or "",
    ]


def write_table(rows: list[Row]) -> None:
    """The table in Markdown, as the other benchmarks print theirs."""
    lines = [HEADER, ["---"] * len(HEADER), *(_cells(r) for r in rows)]
    sys.stdout.write("".join("| " + " | ".join(line) + " |\n" for line in lines))


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these cases (names or shell patterns)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help=f"input size factor, passed as {SCALE_VARIABLE} (default 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds a case may run before it is stopped (default 900)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each case's folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)
    args = _parse(argv)
    cases = discover()
    if args.only:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c.name, p) for p in args.only)]
    if args.list:
        for case in cases:
            sys.stdout.write(f"{case.name}\titem {case.item}\t{case.source}\t{case.module}\n")
        return 0
    if not cases:
        log.error("No case matches %s.", args.only)
        return 2
    rows = []
    for case in cases:
        log.info("running %s", case.name)
        rows.append(run_case(case, args.scale, args.timeout, args.keep))
    sys.stdout.write(f"scale {args.scale:g}, {len(rows)} cases, each in a fresh process\n\n")
    write_table(rows)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
