"""Per-step seconds and peak memory of an in-process Dagster run (bench_pipeline)."""

from __future__ import annotations

from dagster import DagsterEventType, DagsterInstance
from memory_sampler import MemorySampler


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
