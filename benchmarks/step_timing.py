"""Per-step seconds, peak memory and CPU seconds of an in-process Dagster run (bench_pipeline)."""

from __future__ import annotations

from dagster import DagsterEventType, DagsterInstance
from memory_sampler import MemorySampler


def step_times(
    instance: DagsterInstance, run_id: str, memory: MemorySampler
) -> dict[str, tuple[float, float]]:
    """Seconds and peak RSS per step of a run, from its event log."""
    return {
        step: (end - begin, memory.peak(begin, end))
        for step, (begin, end) in _windows(instance, run_id).items()
    }


def step_cpu(
    instance: DagsterInstance, run_id: str, sampler: MemorySampler
) -> dict[str, tuple[float, float]]:
    """CPU seconds per step of a run: in this process, and in the database's backends."""
    return {
        step: sampler.cpu(begin, end) for step, (begin, end) in _windows(instance, run_id).items()
    }


def _windows(instance: DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    starts: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            windows[event.step_key] = (starts.get(event.step_key, entry.timestamp), entry.timestamp)
    return windows
