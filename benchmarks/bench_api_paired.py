"""Access control on against off, measured in short paired runs (`bench_api.py --access both`).

Whole runs of a few seconds each, pooled, moved by 15-20% between turns on a shared
machine: more than the overhead they were to show. So both servers stay up and warm, and
each (query, concurrency) is measured as many short pairs: one run on the servers with
keys and audit, one on those without, back to back, the order swapped every pair, each run
after a short warm-up that is not counted (it opens the connections, and it takes the
audit work the previous run's last responses left queued: the audit writer batches for
its linger, so without it the spill of an "on" run would land in the "off" run after it).
Each pair gives its own on/off ratios (requests/s, p50, p95); the report gives their
median and interquartile range, so a reader can tell the overhead from the noise: drift
slower than a pair cancels within it, and what is left shows as spread.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from bench_api_report import Row, Samples

ON, OFF = "graphql", "graphql-off"
# One run's samples by query, and its measured seconds.
RunResult = tuple[dict[str, Samples], float]


@dataclass(frozen=True)
class PairRatio:
    """One pair's on/off ratios for the query it ran."""

    rps: float
    p50: float
    p95: float


@dataclass
class PairedRuns:
    """Every pair's ratios, by (clients, query), and the runs' samples pooled by mode."""

    seconds: float
    warmup: float
    ratios: dict[tuple[int, str], list[PairRatio]] = field(default_factory=dict)

    def run(
        self,
        clients: int,
        query: str,
        count: int,
        first: int,
        load: Callable[[str, int], RunResult],
    ) -> dict[str, list[RunResult]]:
        """`count` pairs of `load(mode, index)`, on first in even pairs (counting from
        `first`, so rounds go on alternating), off first in odd ones; the runs by mode."""
        runs: dict[str, list[RunResult]] = {ON: [], OFF: []}
        for index in range(first, first + count):
            order = (ON, OFF) if index % 2 == 0 else (OFF, ON)
            pair = {mode: load(mode, index) for mode in order}
            for mode, result in pair.items():
                runs[mode].append(result)
            ratio = pair_ratio(query, pair[ON], pair[OFF])
            if ratio is not None:
                self.ratios.setdefault((clients, query), []).append(ratio)
        return runs


def pair_ratio(query: str, on: RunResult, off: RunResult) -> PairRatio | None:
    """on ÷ off for one pair; None when either run answered nothing."""
    on_samples, off_samples = on[0].get(query), off[0].get(query)
    if not on_samples or not off_samples or not on_samples.latencies:
        return None
    if not off_samples.latencies:
        return None
    on_rps, off_rps = len(on_samples.latencies) / on[1], len(off_samples.latencies) / off[1]
    return PairRatio(
        rps=on_rps / off_rps,
        p50=on_samples.percentile(0.50) / off_samples.percentile(0.50),
        p95=on_samples.percentile(0.95) / off_samples.percentile(0.95),
    )


def spread(values: list[float]) -> tuple[float, float, float]:
    """The median and the first and third quartiles of `values` (all three the value when
    there is one)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, q1, q3


def _spread_text(values: list[float]) -> str:
    median, q1, q3 = spread(values)
    return f"{median:5.2f} [{q1:4.2f}-{q3:4.2f}]"


def access_overhead(rows: list[Row], paired: PairedRuns) -> str:
    """Keys and audit on beside off, per query and concurrency: the pooled table's
    throughput ratio and latencies, then the pairs' ratios as median [interquartile range]."""
    by = {(r.clients, r.query, r.mode): r for r in rows}
    lines = [
        "keys and audit on vs off: paired runs of "
        f"{paired.seconds:.2f} s (after {paired.warmup:.2f} s of warm-up), order swapped each "
        "pair; req/s and p50/p95 ms pooled over the runs; the pairs' on/off ratios as "
        "median [interquartile range]:",
        f"{'query':10} {'clients':>7} {'req/s on/off':>13} {'p50 on/off ms':>15} "
        f"{'p95 on/off ms':>15} {'pairs':>5} {'paired req/s':>17} {'paired p50':>17} "
        f"{'paired p95':>17}",
    ]
    for (clients, query, mode), on in sorted(by.items()):
        off = by.get((clients, query, OFF))
        if mode != ON or off is None or off.rps <= 0:
            continue
        ratios = paired.ratios.get((clients, query), [])
        columns = (
            [
                _spread_text([r.rps for r in ratios]),
                _spread_text([r.p50 for r in ratios]),
                _spread_text([r.p95 for r in ratios]),
            ]
            if ratios
            else ["", "", ""]
        )
        lines.append(
            f"{query:10} {clients:>7} {on.rps / off.rps:>13.2f} "
            f"{on.p50:>7.1f}/{off.p50:<7.1f} {on.p95:>7.1f}/{off.p95:<7.1f} {len(ratios):>5} "
            + " ".join(f"{c:>17}" for c in columns)
        )
    return "\n".join(lines) + "\n"
