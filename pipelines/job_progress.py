"""Run one Dagster job from the command line: its full log to a file, one line per step here.

`dagster job execute` prints every debug event of a run (about 150 lines for the main job
before anything useful). `run_job` sends all of it to a log file and, while the job runs,
reads the run's events from the Dagster instance and prints one line per materialized
asset with its counts, one per failed step with its message, and a closing line with the
checks' results and where the full log is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from dagster import (
    AssetCheckEvaluation,
    DagsterEventType,
    DagsterInstance,
    EventLogEntry,
    RunsFilter,
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"

SHOWN_EVENTS = {
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}


@dataclass
class JobProgress:
    """What a run has shown so far; `line` turns one event into what the user reads."""

    materialized: int = 0
    failed_steps: list[str] = field(default_factory=list)
    checks_passed: int = 0
    failed_checks: list[str] = field(default_factory=list)

    def line(self, entry: EventLogEntry) -> str | None:
        event = entry.dagster_event
        if event is None:
            return None
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = entry.asset_materialization
            if materialization is None:
                return None
            self.materialized += 1
            counts = " ".join(
                f"{name}={value.value}"
                for name, value in materialization.metadata.items()
                if isinstance(value.value, int) and not isinstance(value.value, bool)
            )
            name = materialization.asset_key.to_user_string()
            if materialization.partition:
                name += f" [{materialization.partition}]"
            return f"  done    {name:<22} {counts}".rstrip()
        if event.event_type == DagsterEventType.STEP_FAILURE:
            step = event.step_key or "?"
            self.failed_steps.append(step)
            return f"  FAILED  {step:<22} {_failure_text(event.event_specific_data)}"
        evaluation = event.event_specific_data
        if not isinstance(evaluation, AssetCheckEvaluation):
            return None
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            self.checks_passed += 1
            return None
        self.failed_checks.append(name)
        return f"  check   {name} failed"


def _failure_text(data: object) -> str:
    """The innermost cause's first line, without its class path ('tax is unavailable')."""
    error = getattr(data, "error", None)
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    first = error.message.strip().splitlines()[0] if error.message.strip() else ""
    name, colon, rest = first.partition(": ")
    return rest if colon and name.endswith(error.cls_name) else first


def _run_id(instance: DagsterInstance, job: str, started: datetime) -> str | None:
    runs = instance.get_runs(RunsFilter(job_name=job, created_after=started), limit=1)
    return runs[0].run_id if runs else None


def _print_new(
    instance: DagsterInstance, run_id: str, seen: int, progress: JobProgress, out: TextIO
) -> int:
    entries: Sequence[EventLogEntry] = instance.all_logs(run_id, of_type=SHOWN_EVENTS)
    for entry in entries[seen:]:
        line = progress.line(entry)
        if line is not None:
            out.write(line + "\n")
            out.flush()
    return len(entries)


def run_job(
    job: str,
    env: dict[str, str],
    log_file: Path,
    *,
    out: TextIO = sys.stdout,
    poll_seconds: float = 1.0,
    tags: dict[str, str] | None = None,
) -> tuple[int, JobProgress]:
    """Run `job` of `pipelines.definitions` in the instance at env['DAGSTER_HOME'] (with
    the run `tags`, e.g. a partition range); returns `dagster job execute`'s exit code and
    what the run showed."""
    home = env["DAGSTER_HOME"]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    dagster = str(Path(sys.executable).parent / "dagster")
    argv = [dagster, "job", "execute", "-m", "pipelines.definitions", "-j", job]
    if tags:
        argv += ["--tags", json.dumps(tags)]
    started = datetime.now(UTC)
    progress, seen, run_id = JobProgress(), 0, None
    shown = f"{job} {tags[RANGE_START]}..{tags[RANGE_END]}" if tags and RANGE_START in tags else job
    out.write(f"{shown}: running; full log in {log_file}\n")
    with (
        log_file.open("ab") as log,
        DagsterInstance.from_config(home) as instance,
        subprocess.Popen(argv, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT) as process,
    ):
        while True:
            finished = process.poll() is not None
            run_id = run_id or _run_id(instance, job, started)
            if run_id is not None:
                seen = _print_new(instance, run_id, seen, progress, out)
            if finished:
                break
            time.sleep(poll_seconds)
    return process.returncode, progress
