"""Scale benchmark of the hub run by region: N regions of P people each, two regions at once.

    uv run python benchmarks/bench_scale.py --regions 1 2 4 --people 20000

For each N a sandbox world of N x P people spanning N regions is generated once (cached
under --worlds; 2% of bank and employment records name another region), its agencies
served by a `sandbox serve` subprocess, and loaded into a new PostgreSQL database (dropped
afterwards; its name starts with --prefix, `hub_bench` unless given, so that runs side by
side never drop each other's) the way the regional jobs run it (pipelines.regional_jobs):
intake (land, stage, register) in-process; then per region, in a process of its own, its
runs one after the other (`region_first_job`, `region_months_job` for each employment
month, `region_last_job`), each on the multiprocess executor, --at-once regions at a time;
then the country step.
Printed, one table (a row as soon as it is measured): per N the wall time of each phase,
the peak RSS of each region's run (its process and its step processes, summed, sampled
every 0.2 s), the time per person,
and the linkage time of one region of P people on DuckDB and on Spark local, from
`measure_linkage` in benchmarks/bench_linkage_backends.py ("failed" for a backend that
cannot run here). The load average is printed with the table: figures on a shared
machine are noisy.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psutil
from bench_linkage_backends import measure_linkage
from bench_pipeline import (
    DATABASE_PREFIX,
    Agencies,
    database_prefix,
    drop_database,
    fresh_database,
    resources,
)
from dagster import DagsterInstance, materialize
from sqlalchemy import create_engine, text

from pipelines.assets import ALL_ASSETS
from pipelines.checks import QUALITY_CHECKS
from pipelines.regional_assets import REGIONAL_ASSETS
from pipelines.regional_job import execute_region
from pipelines.regional_jobs import intake_job
from pipelines.regions.order import months_waiting
from pipelines.resources import HubDatabase
from sandbox.generate import generate_world
from sandbox.generate.settings import NoiseSettings

log = logging.getLogger("bench_scale")
POSTGRES = os.environ.get(
    "HUB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
"""The server the benchmark's databases are made on (`HUB_BENCH_POSTGRES_URL`: for example
one sized for national loads by `benchmarks/sized_postgres.py`)."""


def ensure_world(worlds: Path, regions: int, people: int) -> Path:
    world = worlds / f"regions-{regions}x{people}"
    if not (world / "world.json").exists():
        shutil.rmtree(world, ignore_errors=True)
        noise = replace(NoiseSettings(), away_region=0.02)
        started = time.perf_counter()
        generate_world(world, regions * people, seed=20220101, noise=noise, regions=regions)
        log.info("generated %s in %.1f s", world, time.perf_counter() - started)
    return world


class TreePeak:
    """Peak RSS (MB) of a process and all its descendants, summed, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(pid, interval), daemon=True)
        self._thread.start()

    def _sample(self, pid: int, interval: float) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(pid)
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
                self.peak = max(self.peak, rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_region_here(region: str, instance_dir: str) -> None:
    """The child: `region`'s runs (its first sources, its employment months, its last
    sources; environment: the graph, the data)."""
    instance = DagsterInstance.local_temp(instance_dir)
    try:
        execute_region(instance, region, months_waiting(HubDatabase(), region))
    except RuntimeError as exc:
        raise SystemExit(f"region {region} failed: {exc}") from exc


def run_region(region: str, instance_dir: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak MB of one region's run in a child process."""
    argv = [sys.executable, __file__, "--run-region", region, "--instance", str(instance_dir)]
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env)
    peak = TreePeak(child.pid)
    code = child.wait()
    mb = peak.stop()
    if code != 0:
        raise RuntimeError(f"the run of region {region} failed (exit {code})")
    return time.perf_counter() - started, mb


@dataclass
class ScaleRow:
    regions: int
    people: int
    intake_s: float
    regions_s: float
    country_s: float
    per_region: dict[str, tuple[float, float]]
    country: dict[str, Any]  # linked_country's metadata: compared, merged, parts' seconds

    @property
    def wall_s(self) -> float:
        return self.intake_s + self.regions_s + self.country_s


def _materialize(
    selection: Any, run: dict[str, Any], node: str | None = None
) -> tuple[float, dict[str, Any]]:
    """Seconds, and the metadata of asset `node`'s materialisation."""
    started = time.perf_counter()
    result = materialize(
        [*ALL_ASSETS, *QUALITY_CHECKS, *REGIONAL_ASSETS], selection=selection, **run
    )
    if not result.success:
        raise RuntimeError(f"{selection} failed")
    seconds = time.perf_counter() - started
    events = result.asset_materializations_for_node(node) if node else []
    return seconds, {k: v.value for k, v in events[0].metadata.items()} if events else {}


def keep_regions(name: str, hub: HubDatabase, landing: Path, into: Path) -> None:
    """A copy of the graph as the region runs left it (before the country step), as
    database `into.name`, and of its landing store under `into` (for bench_country.py)."""
    hub.engine().dispose()  # a template must have no connection
    kept = into.name
    shutil.rmtree(into.parent / f"{kept}-data", ignore_errors=True)
    shutil.copytree(landing, into.parent / f"{kept}-data" / "landing")
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # This run's own idle pooled connections (engines Dagster's resource copies made);
        # they pre-ping, so the country step opens new ones.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{kept}" TEMPLATE "{name}"'))
    admin.dispose()
    log.info("kept the regions' graph as %s", kept)


def run_scale(
    regions: int,
    people: int,
    worlds: Path,
    at_once: int,
    prefix: str = DATABASE_PREFIX,
    keep: bool = False,
) -> ScaleRow:
    world = ensure_world(worlds, regions, people)
    codes = sorted({line.split(",")[0] for line in _region_lines(world)})
    agencies = Agencies(world)
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    shutil.copytree(world / "employment", scratch / "employment")
    url, name = fresh_database("postgresql", scratch, POSTGRES, prefix)
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_DATA_DIR": str(scratch / "data")}
    try:
        landing = scratch / "data" / "landing"
        found = resources(url, landing, world, agencies, scratch / "employment")
        found["hub_db"].engine()  # migrate before timing
        (scratch / "dagster").mkdir()
        instance = DagsterInstance.local_temp(str(scratch / "dagster"))
        run = {"resources": found, "instance": instance}
        intake_s = _materialize(intake_job.selection, run)[0]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            timed = pool.map(lambda c: run_region(c, scratch / "dagster", env), codes)
            per_region = dict(zip(codes, timed, strict=True))
        regions_s = time.perf_counter() - started
        if keep:
            kept = worlds / f"{prefix}_regions_{regions}x{people}"
            keep_regions(name or "", found["hub_db"], landing, kept)
        country_s, country = _materialize(["linked_country"], run, "linked_country")
        return ScaleRow(regions, people, intake_s, regions_s, country_s, per_region, country)
    finally:
        agencies.close()
        drop_database(POSTGRES, name or "")
        shutil.rmtree(scratch, ignore_errors=True)


def _region_lines(world: Path) -> list[str]:
    """region_soato of every mahalla of the world's register (its first column)."""
    lines = (world / "registry" / "mahallas.csv").read_text(encoding="utf-8").splitlines()
    return lines[1:]


def linkage_times(people: int, backends: list[str]) -> dict[str, str]:
    found = {}
    for backend in backends:
        try:
            found[backend] = f"{measure_linkage(backend, people)['link_s']:.1f}"
        except Exception as exc:  # noqa: BLE001 - a backend that cannot run is reported
            log.warning("linkage on %s failed: %s", backend, exc)
            found[backend] = "failed"
    return found


HEADER = (
    "| regions | people | wall s | intake s | regions s | country s | region run s (each) "
    "| peak MB per region run | us/person | linkage s/region duckdb | spark "
    "| country: records compared, merged, parts s (records found per grouping) |"
)


def server_settings() -> str:
    """The settings of the benchmark's server that decide how loads scale."""
    names = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "autovacuum")
    admin = create_engine(POSTGRES)
    try:
        with admin.connect() as connection:
            return ", ".join(
                f"{name} {connection.execute(text(f'SHOW {name}')).scalar()}" for name in names
            )
    finally:
        admin.dispose()


def print_header(people: int, at_once: int) -> None:
    load = os.getloadavg()
    sys.stdout.write(
        f"\nbench_scale: regions of {people:,} people, {at_once} region runs at a time, "
        f"PostgreSQL ({server_settings()}); "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"{psutil.cpu_count()} cores\n{HEADER}\n" + "|---" * (HEADER.count("|") - 1) + "|\n"
    )


def print_row(row: ScaleRow, linkage: dict[str, str]) -> None:
    """One row, printed as soon as it is measured (a long run keeps what it measured)."""
    total = row.regions * row.people
    seconds = " ".join(f"{s:.0f}" for s, _ in row.per_region.values())
    peaks = " ".join(f"{mb:.0f}" for _, mb in row.per_region.values())
    sys.stdout.write(
        f"| {row.regions} | {total:,} | {row.wall_s:.0f} | {row.intake_s:.0f} | "
        f"{row.regions_s:.0f} | {row.country_s:.0f} | {seconds} | {peaks} | "
        f"{row.wall_s / total * 1e6:.0f} | {linkage['duckdb']} | {linkage['spark']} | "
        f"{_country(row.country)} |\n"
    )


def _country(metadata: dict[str, Any]) -> str:
    parts = metadata.get("seconds") or {}
    timed = " ".join(f"{part} {seconds:.1f}" for part, seconds in parts.items())
    compared = metadata.get("records_compared_across_regions", "?")
    found = " ".join(f"{k} {v}" for k, v in (metadata.get("spanning_records") or {}).items())
    return f"{compared}, {metadata.get('merged_across_regions', '?')}, {timed} (found: {found})"
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--people", type=int, default=20_000, help="people per region")
    parser.add_argument("--at-once", type=int, default=2)
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "hub-scale")
    parser.add_argument("--no-linkage", action="store_true", help="skip DuckDB/Spark timing")
    parser.add_argument(
        "--prefix",
        type=database_prefix,
        default=DATABASE_PREFIX,
        help="start of the PostgreSQL databases' names (created, then dropped)",
    )
    parser.add_argument(
        "--keep-regions",
        action="store_true",
        help="keep a copy of each graph before the country step, as <prefix>_regions_<N>x<P> "
        "(for bench_country.py; dropped by it or by hand)",
    )
    parser.add_argument("--run-region", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_region:
        run_region_here(args.run_region, args.instance)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    backends = ["duckdb", "spark"]
    linkage = (
        dict.fromkeys(backends, "skipped")
        if args.no_linkage
        else linkage_times(args.people, backends)
    )
    print_header(args.people, args.at_once)
    for regions in args.regions:
        row = run_scale(
            regions, args.people, args.worlds, args.at_once, args.prefix, args.keep_regions
        )
        print_row(row, linkage)
    load = os.getloadavg()
    sys.stdout.write(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")


if __name__ == "__main__":
    main()
