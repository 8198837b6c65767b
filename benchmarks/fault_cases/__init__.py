"""Hostile and broken deliveries for `benchmarks/bench_faults.py` (issue 14).

A case builds its own faulty delivery in a fresh folder, runs it through the hub the way a
scheduled run would (connector, staging, loading) and reports what became of every record.
`bench_faults.py` runs each case in a fresh process, so that its wall time and peak memory
are its own, and prints one table row per case.

Each module of this package (one per group of cases) exposes ``CASES: list[FaultCase]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FaultOutcome:
    """What the hub made of one faulty delivery.

    `delivered` counts what the delivery physically holds (lines, items, elements),
    independently of the parser; `lost` is what is neither accepted nor rejected and must
    be 0. `note` says in a few words how the hub reacted (a held snapshot, a clear error).
    """

    delivered: int
    accepted: int
    rejected: int
    note: str = ""

    @property
    def lost(self) -> int:
        return self.delivered - self.accepted - self.rejected


@dataclass(frozen=True)
class FaultCase:
    """`run(workdir)` builds the delivery under `workdir` (empty, private to the case), runs
    it against the pipeline and returns the outcome; it raises only on a hub bug."""

    name: str
    item: int
    source: str
    run: Callable[[Path], FaultOutcome]
