"""Identity linkage against the sandbox's ground truth: this project, plain Splink, exact PINFL.

    uv run python benchmarks/bench_linkage.py [--people 20000] [--seeds 1 2] [--noise default high]
    uv run python benchmarks/bench_linkage.py --scale 100000 1000000     # this project only

For every (seed, noise) a sandbox world is generated once (cached under --worlds), its
deliveries are read into person mentions through the connectors and staging
(``hub.identity.linkage.world``), and the three methods link the SAME mentions in the same
run. ``truth/records.csv`` (which true person every record is) is read only here, to score:
pairwise precision, recall and F1 over all pairs of mentions (an unlinked mention is a
person of its own), and the share of true persons whose mentions form exactly one cluster.
Wall seconds and the process's peak RSS while the method ran (sampled every 50 ms) are the
method's own: the project's time is linking with its shipped model; plain Splink's
includes training on the mentions (it has no other model). Comparison counts are the pairs
each method scored; "recall ceiling" is the recall a perfect linker reaches (anonymous
appeals, with neither name, PINFL nor phone, cannot be linked by anything) and "reach" is
each method's recall over the pairs that do not involve such a mention. ``--misses`` prints,
after each world, the project's missed true pairs and false pairs by cause
(``linkage_misses``). ``--scale``
times the project alone at each size and prints the ratio of the last size's time to the
first's. Targets (issue 13): default noise precision >= 0.998
and recall >= 0.99, high noise F1 >= 0.97, 1M people <= 180 s and <= 6 GB, ratio <= 12.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psutil
from linkage_baselines import exact_pinfl, plain_splink
from linkage_blocking import rule_pair_counts
from linkage_misses import ANONYMOUS, false_pairs, missed_pairs, print_breakdown
from memory_sampler import MemorySampler

from hub.identity.linkage import resolve_identities
from hub.identity.linkage.engine import link_mentions, resolve_linked
from hub.identity.linkage.world import world_mentions
from sandbox.generate import generate_world, noise_preset

Method = Callable[[pl.DataFrame], tuple[pl.Series, int]]


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def project(mentions: pl.DataFrame) -> tuple[pl.Series, int]:
    resolution = resolve_identities(mentions)
    labels = resolution.assignments.select(
        pl.coalesce(pl.col("cluster").cast(pl.String), pl.col("mention_id"))
    ).to_series()
    return labels, resolution.comparisons


METHODS: dict[str, Method] = {
    "this project": project,
    "plain Splink": plain_splink,
    "exact PINFL": exact_pinfl,
}


def world(worlds: Path, people: int, seed: int, noise: str) -> Path:
    folder = worlds / f"p{people}-s{seed}-{noise}"
    if not (folder / "world.json").is_file():
        generate_world(folder, people, seed=seed, noise=noise_preset(noise))
    return folder


def mentions_of(folder: Path) -> pl.DataFrame:
    """The world's mentions, read once through connectors and staging, then cached beside it."""
    cached = folder / "linkage_mentions.parquet"
    if not cached.is_file():
        world_mentions(folder).write_parquet(cached)
    return pl.read_parquet(cached)


def scores(mentions: pl.DataFrame, truth: pl.Series, labels: pl.Series) -> dict[str, float]:
    frame = pl.DataFrame({"truth": truth, "label": labels})

    def pairs(*columns: str) -> float:
        counts = frame.group_by(*columns).len()["len"].cast(pl.Float64)
        return float((counts * (counts - 1) / 2).sum())

    together, predicted, true = pairs("truth", "label"), pairs("label"), pairs("truth")
    precision = together / predicted if predicted else 1.0
    recall = together / true if true else 1.0
    exact = frame.group_by("truth").agg(
        one=pl.col("label").n_unique() == 1, label=pl.col("label").first(), n=pl.len()
    )
    sizes = frame.group_by("label").len().rename({"len": "size"})
    exact = exact.join(sizes, on="label")
    recovered = exact.filter(pl.col("one") & (pl.col("n") == pl.col("size"))).height
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "exact": recovered / exact.height,
    }


def reachable_recall(mentions: pl.DataFrame, truth: pl.Series, labels: pl.Series) -> float:
    """Recall over the true pairs neither of whose mentions is anonymous (see ``ceiling``)."""
    named = ~mentions.select(ANONYMOUS).to_series()
    return scores(mentions.filter(named), truth.filter(named), labels.filter(named))["recall"]


def ceiling(mentions: pl.DataFrame, truth: pl.Series) -> float:
    """The recall a perfect linker reaches: a mention with neither name, PINFL nor phone (an
    anonymous appeal) cannot be linked by anything, so its true pairs are out of reach."""
    reachable = mentions.with_columns(truth=truth).select(
        pl.when(ANONYMOUS).then("mention_id").otherwise("truth")
    )
    return scores(mentions, truth, reachable.to_series())["recall"]


def truth_of(folder: Path, mentions: pl.DataFrame) -> pl.Series:
    records = pl.read_csv(folder / "truth" / "records.csv", infer_schema=False)
    joined = mentions.select("source", "record_key").join(
        records.select("source", "record_key", "person_id"),
        on=["source", "record_key"],
        how="left",
        maintain_order="left",
    )
    return joined.select(
        pl.coalesce("person_id", pl.concat_str(pl.lit("?"), "record_key"))
    ).to_series()


@dataclass(frozen=True)
class Cost:
    seconds: float
    cpu_seconds: float  # all threads of this process: the method's own work on a shared machine
    peak_mb: float

    def cells(self) -> str:
        return f"{self.seconds:>8.1f} {self.cpu_seconds:>8.1f} {self.peak_mb:>8.0f}"


def run(method: Method, mentions: pl.DataFrame) -> tuple[pl.Series, int, Cost]:
    process = psutil.Process()
    with MemorySampler() as peak:
        started, cpu = time.perf_counter(), process.cpu_times()
        labels, comparisons = method(mentions)
        seconds, after = time.perf_counter() - started, process.cpu_times()
    used = after.user + after.system - cpu.user - cpu.system
    return labels, comparisons, Cost(seconds, used, peak.mb)


HEADER = (
    f"{'world':<24} {'method':<13} {'mentions':>9} {'compared':>10} {'precision':>9} "
    f"{'recall':>7} {'reach':>7} {'F1':>7} {'exact':>7} {'seconds':>8} {'cpu s':>8} {'peak MB':>8}"
)


def quality(args: argparse.Namespace) -> None:
    _out(HEADER)
    for noise in args.noise:
        for seed in args.seeds:
            folder = world(args.worlds, args.people, seed, noise)
            mentions = mentions_of(folder)
            truth = truth_of(folder, mentions)
            for name in args.methods:
                labels, compared, cost = run(METHODS[name], mentions)
                s = scores(mentions, truth, labels)
                _out(
                    f"{folder.name:<24} {name:<13} {mentions.height:>9} {compared:>10} "
                    f"{s['precision']:>9.4f} {s['recall']:>7.4f} "
                    f"{reachable_recall(mentions, truth, labels):>7.4f} {s['f1']:>7.4f} "
                    f"{s['exact']:>7.4f} {cost.cells()}"
                )
            _out(f"{folder.name:<24} recall ceiling {ceiling(mentions, truth):.4f}")
            if args.misses:
                misses(mentions, truth)


def misses(mentions: pl.DataFrame, truth: pl.Series) -> None:
    """The project's missed true pairs and false pairs, by cause (``linkage_misses``)."""
    linked = link_mentions(mentions)
    resolution = resolve_linked(linked)
    true_total = _pair_count(truth)
    print_breakdown(
        "missed true pairs",
        missed_pairs(mentions, truth, linked, resolution.assignments),
        true_total,
    )
    wrong = false_pairs(mentions, truth, linked)
    predicted = _pair_count(pl.Series(linked.clusters.cluster))
    print_breakdown("false pairs", wrong, predicted)


def _pair_count(labels: pl.Series) -> float:
    counts = labels.value_counts()["count"].cast(pl.Float64)
    return float((counts * (counts - 1) / 2).sum())


def scale(args: argparse.Namespace) -> None:
    _out(
        f"{'people':>9} {'mentions':>9} {'compared':>11} {'seconds':>8} {'cpu s':>8} {'peak MB':>8}"
    )
    times, rules = [], []
    for people in args.scale:
        mentions = mentions_of(world(args.worlds, people, args.seeds[0], "default"))
        _, compared, cost = run(project, mentions)
        times.append(cost.seconds)
        _out(f"{people:>9} {mentions.height:>9} {compared:>11} {cost.cells()}")
        rules.append(rule_pair_counts(mentions))
        del mentions
    _out("pairs per blocking rule (not deduplicated) at the first and last size, and growth:")
    for index, (rule, first) in enumerate(rules[0]):
        last = rules[-1][index][1]
        growth = f"{last / first:>6.1f}x" if first else "     -"
        _out(f"  {first:>10} {last:>10} {growth}  {rule}")
    _out(f"time ratio {args.scale[-1]:,} / {args.scale[0]:,} people: {times[-1] / times[0]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--noise", nargs="+", default=["default", "high"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument(
        "--misses",
        action="store_true",
        help="after each world, the project's missed and false pairs by cause",
    )
    parser.add_argument("--scale", type=int, nargs="+", help="people per size (project only)")
    parser.add_argument(
        "--worlds", type=Path, default=Path(tempfile.gettempdir()) / "bench_linkage_worlds"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.worlds.mkdir(parents=True, exist_ok=True)
    if args.scale:
        scale(args)
    else:
        quality(args)


if __name__ == "__main__":
    main()
