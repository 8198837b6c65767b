"""Jobs, schedules and sensors: the hub runs itself.

- one job per source (its raw → staged → loaded assets and checks, then the diagnostics),
  and `hub_main_job` with everything but the month-partitioned products, which
  `monthly_job` builds after each load (pipelines.monthly_automation);
- a schedule for each API source (the APIs are pulled incrementally from their cursors);
- a sensor for each file folder: a new or changed file starts that source's job once the
  folder looked the same on two ticks in a row (a file still being written changes between
  them); the job itself only lands settled files it has not landed before;
- a run-failure sensor that records every failed run in `<data dir>/alerts.jsonl` and the
  Dagster log, for whoever is on duty.
"""

import hashlib
import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    JobDefinition,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    run_failure_sensor,
    sensor,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from hub.config import load_settings
from pipelines.assets import agency_key
from pipelines.diagnostics_assets import DIAGNOSTIC_ASSETS
from pipelines.monthly_assets import MONTHLY_ASSETS
from pipelines.sources import SOURCES

API_SCHEDULES = {"tax": "0 * * * *", "bank": "30 2 * * *"}
"""Tax hourly (its cursor makes each pull small); bank nightly (the gateway reports daily)."""


def source_job(source: str) -> UnresolvedAssetJobDefinition:
    selection = AssetSelection.assets(
        f"raw_{source}", f"staged_{source}", f"loaded_{source}", *DIAGNOSTIC_ASSETS
    )
    return define_asset_job(
        f"{source}_job",
        selection=selection,
        description=f"Land, stage and load new {source} deliveries, then refresh diagnostics.",
    )


hub_main_job = define_asset_job(
    "hub_main_job",
    # The month-partitioned products run in `monthly_job`, after it, for the months due.
    # The region-partitioned loads run in the region jobs instead (pipelines.regional_jobs).
    selection=AssetSelection.all()
    - AssetSelection.assets(*MONTHLY_ASSETS, "assistant_ratings")
    - AssetSelection.groups("regions"),
    description="Every source end to end, then the diagnostics: what the demo runs "
    "(then monthly_job for the months due).",
    # No executor of its own: pipelines/executors.py chooses one for every job (HUB_EXECUTOR).
)

SOURCE_JOBS = {name: source_job(name) for name in SOURCES}


def _folder_signature(folder: Path) -> str:
    entries = sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()
    )
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def next_folder_step(cursor: str | None, signature: str) -> tuple[str, bool]:
    """The sensor's new cursor and whether to start a run, for the folder's `signature`.

    The cursor keeps the signature of the previous tick and that of the last run started:
    a run starts when the folder is unchanged since the previous tick and differs from
    what the last run saw.
    """
    state = json.loads(cursor) if cursor and cursor.startswith("{") else {}
    settled = state.get("seen") == signature
    start = settled and state.get("ran") != signature
    ran = signature if start else state.get("ran")
    return json.dumps({"seen": signature, "ran": ran}), start


def folder_sensor(source: str) -> SensorDefinition:
    @sensor(
        name=f"{source}_folder_sensor",
        job=SOURCE_JOBS[source],
        minimum_interval_seconds=60,
        required_resource_keys={agency_key(source)},
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Starts {source}_job when a file in the {source} folder is new or "
        "changed and has stayed the same for one more tick.",
    )
    def watch(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        folder = Path(getattr(context.resources, agency_key(source)).folder)
        if not folder.is_dir():
            return SkipReason(f"The {source} folder {folder} does not exist.")
        signature = _folder_signature(folder)
        cursor, start = next_folder_step(context.cursor, signature)
        context.update_cursor(cursor)
        if start:
            return RunRequest(run_key=f"{source}-{signature[:16]}")
        if json.loads(cursor)["ran"] == signature:
            return SkipReason(f"No new or changed file in {folder}.")
        return SkipReason(f"{folder} changed since the last tick; waiting for it to settle.")

    return watch


API_SCHEDULE_DEFS = [
    ScheduleDefinition(
        name=f"{source}_schedule",
        job=SOURCE_JOBS[source],
        cron_schedule=cron,
        execution_timezone="Asia/Tashkent",
        default_status=DefaultScheduleStatus.STOPPED,
        description=f"Pulls the {source} API incrementally from its saved cursor.",
    )
    for source, cron in API_SCHEDULES.items()
]

FOLDER_SENSORS = [folder_sensor(s.name) for s in SOURCES.values() if s.transport == "files"]


@run_failure_sensor(
    name="record_failed_runs",
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes every failed run to alerts.jsonl in the hub's data folder.",
)
def record_failed_runs(context: RunFailureSensorContext) -> None:
    run = context.dagster_run
    failure = context.failure_event.message or "no message"
    alert = {"run_id": run.run_id, "job": run.job_name, "message": failure}
    context.log.error(f"Run {run.run_id} of {run.job_name} failed: {failure}")
    path = load_settings().data_dir / "alerts.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as alerts:
        alerts.write(json.dumps(alert, ensure_ascii=False) + "\n")


JOBS: list[UnresolvedAssetJobDefinition | JobDefinition] = [hub_main_job, *SOURCE_JOBS.values()]
