"""Peak memory and CPU time of a benchmark's own process, sampled in a background thread.

With `database` named, the CPU time of the PostgreSQL server processes serving that
database is sampled too (found by their process title, `postgres: <user> <database> ...`;
the server must run on this machine): on a machine other jobs share, the CPU seconds a
step costs in this process and in its database backends move much less than its
wall-clock seconds, which follow the load average.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class MemorySampler:
    """Samples this process's RSS every `interval` seconds, with timestamps, and the CPU
    seconds used so far by it and by the backends of `database`."""

    interval: float = 0.05
    database: str | None = None
    samples: list[tuple[float, float]] = field(default_factory=list)
    cpu_samples: list[tuple[float, float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemorySampler:
        process = psutil.Process()
        backends: dict[int, psutil.Process] = {}
        spent: dict[int, float] = {}  # last CPU seen per backend: one that exits keeps it
        found_at = 0.0

        def backend_cpu() -> float:
            nonlocal found_at
            if self.database is None:
                return 0.0
            if time.monotonic() - found_at > 1.0:
                found_at = time.monotonic()
                for candidate in psutil.process_iter(["pid", "cmdline"]):
                    words = " ".join(candidate.info["cmdline"] or []).split()
                    if words[:1] == ["postgres:"] and self.database in words:
                        backends.setdefault(candidate.info["pid"], candidate)
            for pid, backend in list(backends.items()):
                try:
                    times = backend.cpu_times()
                    spent[pid] = times.user + times.system
                except psutil.Error:
                    backends.pop(pid)
            return sum(spent.values())

        def sample() -> None:
            while not self._stop.is_set():
                now = time.time()
                self.samples.append((now, process.memory_info().rss / 2**20))
                own = process.cpu_times()
                self.cpu_samples.append((now, own.user + own.system, backend_cpu()))
                time.sleep(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        """The highest RSS (MB) sampled so far."""
        return max((rss for _, rss in self.samples), default=0.0)

    def peak(self, start: float, end: float) -> float:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0.0)

    def cpu(self, start: float, end: float) -> tuple[float, float]:
        """CPU seconds used between `start` and `end` by this process and by the
        database's backends (0.0 without `database`), from the samples nearest inside."""
        inside = [(own, db) for t, own, db in self.cpu_samples if start <= t <= end]
        if len(inside) < 2:
            return 0.0, 0.0
        return inside[-1][0] - inside[0][0], inside[-1][1] - inside[0][1]
