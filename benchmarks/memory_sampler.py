"""Peak memory of a benchmark's own process, sampled in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class MemorySampler:
    """Samples this process's RSS every `interval` seconds, with timestamps."""

    interval: float = 0.05
    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemorySampler:
        process = psutil.Process()

        def sample() -> None:
            while not self._stop.is_set():
                self.samples.append((time.time(), process.memory_info().rss / 2**20))
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
