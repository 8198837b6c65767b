"""End-to-end benchmark of the hub's main job: time and peak memory per stage and in total.

    uv run python benchmarks/bench_pipeline.py --people 100000 1000000 --backend sqlite postgresql

For each size a sandbox world is generated once (cached under --worlds), its agencies are
served by a `sandbox serve` subprocess on loopback, and every asset and check of the main job
is materialised in-process (Dagster's in-process executor) into a fresh graph database:
a SQLite file, or a new PostgreSQL database on --postgres (named --prefix, `hub_bench` unless
given, then a random suffix; dropped afterwards). Per stage
(each Dagster step: raw_*, staged_*, quality_*, loaded_*, mahalla_diagnostics) the table
shows seconds and the peak RSS seen while it ran (sampled every 50 ms), a second table the
CPU seconds it used in this process and in the PostgreSQL backends serving its database
(the figures to compare on a shared machine: wall-clock seconds follow the load average);
then the totals per size and backend, and the ratio between sizes. `--incremental 0.05`
then delivers one more employment file of 5% of the people's count in new records of known
people (`incremental_delivery`) to the same graph, and times that second run against the
first.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
from dagster import DagsterInstance, materialize
from incremental_delivery import write_delivery
from memory_sampler import MemorySampler
from sqlalchemy import create_engine, func, select, text
from step_timing import step_cpu, step_times

from hub.graph.models import Household, Person, Reject, SourceRecord
from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.resources import BankAgency, FolderAgency, HubDatabase, TaxAgency
from sandbox.generate import generate_world
from sandbox.serve.settings import DEFAULT_BANK_API_KEY, DEFAULT_TAX_TOKEN

log = logging.getLogger("bench_pipeline")
FILE_SOURCES = ("registry", "survey", "employment", "land", "appeals")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_world(worlds: Path, people: int) -> Path:
    world = worlds / f"world-{people}"
    if not (world / "world.json").exists():
        started = time.perf_counter()
        shutil.rmtree(world, ignore_errors=True)
        generate_world(world, people, seed=20220101)
        log.info("generated %s in %.1f s", world, time.perf_counter() - started)
    return world


class Agencies:
    """`sandbox serve` in a subprocess, so it does not share this process's GIL."""

    def __init__(self, world: Path) -> None:
        self.port = _free_port()
        sandbox = str(Path(sys.executable).parent / "sandbox")
        argv = [sandbox, "serve", str(world), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the sandbox agencies did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def resources(
    database_url: str, landing: Path, world: Path, agencies: Agencies, employment: Path
) -> dict:
    found: dict[str, object] = {
        "hub_db": HubDatabase(database_url=database_url, landing_dir=str(landing)),
        "tax_agency": TaxAgency(base_url=f"{agencies.url}/tax", token=DEFAULT_TAX_TOKEN),
        "bank_agency": BankAgency(base_url=f"{agencies.url}/bank", api_key=DEFAULT_BANK_API_KEY),
    }
    for source in FILE_SOURCES:
        found[f"{source}_agency"] = FolderAgency(folder=str(world / source), settle_seconds=0)
    # Its own copy: the incremental run adds a file the cached world must not keep.
    found["employment_agency"] = FolderAgency(folder=str(employment), settle_seconds=0)
    return found


DATABASE_PREFIX = "hub_bench"
"""The default start of the PostgreSQL databases the benchmarks create (and drop)."""
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,39}")


def database_prefix(text: str) -> str:
    """`--prefix`: the start of the names of the databases a run creates and drops, so that
    runs side by side (another branch's, another benchmark's) never touch each other's."""
    if not _PREFIX.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"prefix {text!r}: 1 to 40 of a-z, 0-9 and _, not starting with a digit"
        )
    return text


def fresh_database(
    backend: str, scratch: Path, postgres: str, prefix: str = DATABASE_PREFIX
) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{scratch / 'hub.sqlite3'}", None
    name = f"{database_prefix(prefix)}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = postgres.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_database(postgres: str, name: str) -> None:
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class RunResult:
    people: int
    backend: str
    seconds: float
    peak_mb: float
    steps: dict[str, tuple[float, float]]
    cpu: dict[str, tuple[float, float]]  # per step: this process, database backends
    counts: dict[str, int]
    incremental: tuple[int, float, float] | None = None  # rows, seconds, linking seconds


def deliver_more(
    share: float, people: int, world: Path, scratch: Path, instance: DagsterInstance, run: dict
) -> tuple[int, float, float]:
    """The incremental run: one more employment file, its assets materialised again."""
    rows = max(1, round(share * people))
    write_delivery(world / "employment", scratch / "employment", rows)
    with MemorySampler() as memory:
        started = time.time()
        result = materialize(
            selection=["raw_employment", "staged_employment", "loaded_employment"], **run
        )
        seconds = time.time() - started
    if not result.success:
        raise RuntimeError("the incremental delivery failed")
    steps = step_times(instance, result.run_id, memory)
    return rows, seconds, steps["loaded_employment"][0]


def run_once(
    people: int,
    backend: str,
    world: Path,
    postgres: str,
    incremental: float = 0.0,
    prefix: str = DATABASE_PREFIX,
) -> RunResult:
    agencies = Agencies(world)
    scratch = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    shutil.copytree(world / "employment", scratch / "employment")
    url, pg_name = fresh_database(backend, scratch, postgres, prefix)
    try:
        hub = HubDatabase(database_url=url, landing_dir=str(scratch / "landing"))
        hub.engine()  # migrate before timing
        instance = DagsterInstance.ephemeral()
        run = {
            "assets": [*ALL_ASSETS, *QUALITY_CHECKS],
            "resources": resources(
                url, scratch / "landing", world, agencies, scratch / "employment"
            ),
            "instance": instance,
            "raise_on_error": False,
        }
        with MemorySampler(database=pg_name) as memory:
            started = time.time()
            result = materialize(**run)
            finished = time.time()
        if not result.success:
            raise RuntimeError(f"the main job failed on {backend} with {people} people")
        steps = step_times(instance, result.run_id, memory)
        cpu = step_cpu(instance, result.run_id, memory)
        more = (
            deliver_more(incremental, people, world, scratch, instance, run)
            if incremental
            else None
        )
        engine = create_engine(url)
        with engine.connect() as connection:
            counts = {
                model.__name__: connection.scalar(select(func.count()).select_from(model)) or 0
                for model in (Person, Household, SourceRecord, Reject)
            }
        engine.dispose()
        peak = memory.peak(started, finished)
        return RunResult(people, backend, finished - started, peak, steps, cpu, counts, more)
    finally:
        agencies.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if pg_name:
            drop_database(postgres, pg_name)


def print_tables(results: list[RunResult]) -> None:
    by_step: dict[str, dict[tuple[int, str], tuple[float, float]]] = defaultdict(dict)
    for r in results:
        for step, figures in r.steps.items():
            by_step[step][(r.people, r.backend)] = figures
    columns = [(r.people, r.backend) for r in results]
    header = "| stage | " + " | ".join(f"{p:,} {b} s / peak MB" for p, b in columns) + " |"
    sys.stdout.write(header + "\n|" + "---|" * (len(columns) + 1) + "\n")
    for step in sorted(by_step):
        cells = []
        for column in columns:
            seconds, peak = by_step[step].get(column, (float("nan"), float("nan")))
            cells.append(f"{seconds:.1f} / {peak:.0f}")
        sys.stdout.write(f"| {step} | " + " | ".join(cells) + " |\n")
    sys.stdout.write(
        "\n| stage | "
        + " | ".join(f"{p:,} {b} CPU s here / in db" for p, b in columns)
        + " |\n|"
        + "---|" * (len(columns) + 1)
        + "\n"
    )
    cpu = {(r.people, r.backend): r.cpu for r in results}
    for step in sorted(by_step):
        cells = []
        for column in columns:
            here, db = cpu[column].get(step, (float("nan"), float("nan")))
            cells.append(f"{here:.1f} / {db:.1f}")
        sys.stdout.write(f"| {step} | " + " | ".join(cells) + " |\n")
    sys.stdout.write(
        "\n| people | backend | total s | peak MB | persons | households | "
        "source records | quarantined |\n|---|---|---|---|---|---|---|---|\n"
    )
    for r in results:
        c = r.counts
        sys.stdout.write(
            f"| {r.people:,} | {r.backend} | {r.seconds:.1f} | {r.peak_mb:.0f} | "
            f"{c['Person']:,} | {c['Household']:,} | {c['SourceRecord']:,} | {c['Reject']:,} |\n"
        )
    for r in results:
        if r.incremental is not None:
            rows, seconds, linking = r.incremental
            sys.stdout.write(
                f"\n{r.people:,} {r.backend}: a delivery of {rows:,} new employment records "
                f"took {seconds:.1f} s ({linking:.1f} s loading and linking), "
                f"{100 * seconds / r.seconds:.1f}% of the full run\n"
            )
    sizes = sorted({r.people for r in results})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for backend in sorted({r.backend for r in results}):
            pair = {r.people: r for r in results if r.backend == backend}
            if small in pair and large in pair:
                ratio = pair[large].seconds / pair[small].seconds
                sys.stdout.write(
                    f"\n{backend}: {large:,} / {small:,} people took {ratio:.1f}x the time "
                    f"for {large / small:.0f}x the people\n"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--worlds", type=Path, default=Path(tempfile.gettempdir()) / "hub-bench-worlds"
    )
    parser.add_argument(
        "--incremental", type=float, default=0.0, help="then deliver this share of the people"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--prefix",
        type=database_prefix,
        default=DATABASE_PREFIX,
        help="start of the PostgreSQL databases' names (created, then dropped)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("dagster", "httpx", "alembic", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    results = []
    for people in args.people:
        world = ensure_world(args.worlds, people)
        for backend in args.backend:
            log.info("running %s people on %s", people, backend)
            results.append(
                run_once(people, backend, world, args.postgres, args.incremental, args.prefix)
            )
    load = os.getloadavg()
    sys.stdout.write(
        f"\nmachine: {os.cpu_count()} cores, load average {load[0]:.1f} at the end\n\n"
    )
    print_tables(results)


if __name__ == "__main__":
    main()
