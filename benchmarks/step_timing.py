"""Per-step seconds and peak memory of an in-process Dagster run (bench_pipeline)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil
from dagster import DagsterEventType, DagsterInstance


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

    def peak(self, start: float, end: float) -> float:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0.0)


def step_times(
    instance: DagsterInstance, run_id: str, memory: MemorySampler
) -> dict[str, tuple[float, float]]:
    """Seconds and peak RSS per step of a run, from its event log."""
    starts: dict[str, float] = {}
    steps: dict[str, tuple[float, float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            begin = starts.get(event.step_key, entry.timestamp)
            steps[event.step_key] = (entry.timestamp - begin, memory.peak(begin, entry.timestamp))
    return steps
