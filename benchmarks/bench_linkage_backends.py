"""Identity linkage on DuckDB and on Spark local, at growing world sizes: time and memory.

    uv run python benchmarks/bench_linkage_backends.py [--people 10000 50000 100000]
        [--backends duckdb spark] [--spark-master local[2]] [--spark-driver-memory 4g]

For each world size (people; a sandbox world is generated once and its mentions cached
beside it, as ``bench_linkage`` does) and backend, the linkage (``run_engine`` with the
shipped model: features, scoring on the backend, clustering in polars) runs in a fresh
child process, so that each row's memory is its own and Spark's JVM starts cold. The table
shows the seconds to link (the Spark session's start is its own column, paid once per
process), the peak resident memory of the child process together with its descendants
(the JVM for Spark) sampled every 100 ms, the pairs scored, and microseconds per person.
The load average is printed on every row: the machine is shared, so figures are noisy.

``measure_linkage(backend, people)`` is the one measurement, for ``bench_scale``.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import polars as pl
import psutil

from hub.identity.linkage.backend_settings import LinkageBackendSettings

WORLDS = Path(tempfile.gettempdir()) / "bench_linkage_backends_worlds"


@dataclass(frozen=True)
class SparkSizing:
    master: str = "local[2]"
    driver_memory: str = "4g"
    shuffle_partitions: int = 8


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def mentions_file(people: int, *, worlds: Path = WORLDS, seed: int = 1) -> Path:
    """The cached mentions of a default-noise world of ``people`` (generated when missing)."""
    from hub.identity.linkage.world import world_mentions
    from sandbox.generate import generate_world, noise_preset

    folder = worlds / f"p{people}-s{seed}-default"
    cached = folder / "linkage_mentions.parquet"
    if not cached.is_file():
        if not (folder / "world.json").is_file():
            generate_world(folder, people, seed=seed, noise=noise_preset("default"))
        world_mentions(folder).write_parquet(cached)
    return cached


def _link(mentions: Path, backend: LinkageBackendSettings, answer: Connection) -> None:
    """In the child: link the mentions once on ``backend`` and send back the figures."""
    from hub.identity.linkage.engine import run_engine

    logging.basicConfig(level=logging.WARNING)
    frame = pl.read_parquet(mentions)
    started = time.perf_counter()
    if backend.backend == "spark":
        from hub.identity.linkage.spark_session import spark_session

        spark_session(backend)
    ready = time.perf_counter()
    resolution = run_engine(frame, backend=backend)
    done = time.perf_counter()
    clusters = resolution.assignments["cluster"].n_unique()
    answer.send(
        {
            "mentions": frame.height,
            "comparisons": resolution.comparisons,
            "clusters": clusters,
            "startup_s": ready - started,
            "link_s": done - ready,
        }
    )
    answer.close()


def _tree_rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def measure_linkage(
    backend: str,
    people: int,
    *,
    worlds: Path = WORLDS,
    seed: int = 1,
    spark: SparkSizing | None = None,
) -> dict[str, Any]:
    """Link a world of ``people`` on ``backend`` ("duckdb" or "spark") in a child process.

    Returns backend, people, mentions, comparisons, clusters, startup_s (Spark session
    start, 0 on DuckDB), link_s, peak_mb (the child and its JVM), us_per_person, load.
    """
    sizing = spark or SparkSizing()
    settings = LinkageBackendSettings(
        backend="spark" if backend == "spark" else "duckdb",
        spark_master=sizing.master,
        spark_driver_memory=sizing.driver_memory,
        spark_shuffle_partitions=sizing.shuffle_partitions,
    )
    if settings.backend != backend:
        raise ValueError(f"Backend {backend!r} is not 'duckdb' or 'spark'.")
    mentions = mentions_file(people, worlds=worlds, seed=seed)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_link, args=(mentions, settings, send))
    child.start()
    watched, peak = psutil.Process(child.pid), 0.0
    while not receive.poll(0.1):
        if not child.is_alive():
            raise RuntimeError(
                f"Linking {people} people on {backend} failed (exit {child.exitcode})."
            )
        peak = max(peak, _tree_rss_mb(watched))
    figures: dict[str, Any] = receive.recv()
    child.join()
    return figures | {
        "backend": backend,
        "people": people,
        "peak_mb": peak,
        "us_per_person": figures["link_s"] / people * 1e6,
        "load": os.getloadavg()[0],
    }


HEADER = (
    f"{'people':>8} {'mentions':>9} {'backend':<7} {'compared':>9} {'start s':>8} "
    f"{'link s':>8} {'peak MB':>8} {'us/person':>9} {'load':>5}"
)


def _row(m: dict[str, Any]) -> str:
    return (
        f"{m['people']:>8} {m['mentions']:>9} {m['backend']:<7} {m['comparisons']:>9} "
        f"{m['startup_s']:>8.1f} {m['link_s']:>8.1f} {m['peak_mb']:>8.0f} "
        f"{m['us_per_person']:>9.0f} {m['load']:>5.2f}"
    )


def memory_limit_estimate(rows: list[dict[str, Any]], limit_mb: float) -> str:
    """Where a backend's peak memory, extended along a line through its measured points,
    reaches ``limit_mb`` (an extrapolation, labelled as one)."""
    lines = []
    for backend in sorted({r["backend"] for r in rows}):
        points = sorted((r["people"], r["peak_mb"]) for r in rows if r["backend"] == backend)
        if len(points) < 2:
            continue
        (x0, y0), (x1, y1) = points[0], points[-1]
        slope = (y1 - y0) / (x1 - x0)
        if slope <= 0:
            continue
        people = x1 + (limit_mb - y1) / slope
        lines.append(
            f"{backend}: {slope * 1e6 / 1024:.1f} GB per million people beyond the measured "
            f"sizes; {limit_mb / 1024:.0f} GB reached near {people / 1e6:.1f} million people "
            f"(EXTRAPOLATED linearly from {x0:,} and {x1:,} people)"
            + (" -- the JVM grows toward its heap: not a limit" if backend == "spark" else "")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worlds", type=Path, default=WORLDS)
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-driver-memory", default="4g")
    parser.add_argument("--spark-shuffle-partitions", type=int, default=8)
    parser.add_argument("--memory-limit-gb", type=float, default=24.0)
    args = parser.parse_args()
    args.worlds.mkdir(parents=True, exist_ok=True)
    sizing = SparkSizing(args.spark_master, args.spark_driver_memory, args.spark_shuffle_partitions)
    _out(HEADER)
    rows = []
    for people in args.people:
        for backend in args.backends:
            row = measure_linkage(backend, people, worlds=args.worlds, seed=args.seed, spark=sizing)
            rows.append(row)
            _out(_row(row))
    _out(memory_limit_estimate(rows, args.memory_limit_gb * 1024))


if __name__ == "__main__":
    main()
