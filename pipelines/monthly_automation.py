"""`monthly_job` and what starts it: after each load, only the months the load touched.

`monthly_job` materialises the month-partitioned products (pipelines.monthly_assets) and
the assistants' quarterly ratings built on them, for one range of months per run. After
every successful run of `hub_main_job` or a source's job, `monthly_after_loads` reads the
graph for the months due (`hub.diagnostics.monthly_store.months_due`: the open month,
months never written, closed months with late records) and requests one run per
contiguous range of them. `hub run hub_main_job` and the demo do the same by hand
(`run_monthly_after`), as no sensor runs there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    SkipReason,
    define_asset_job,
    run_status_sensor,
)

from hub.config import load_settings
from hub.diagnostics.monthly_store import months_due
from pipelines.automation import SOURCE_JOBS, hub_main_job
from pipelines.diagnostics_assets import as_of_day
from pipelines.job_progress import RANGE_END, RANGE_START, run_job
from pipelines.monthly_assets import FIRST_MONTH, MONTHLY_ASSETS, MONTHS
from pipelines.resources import HubDatabase

MONTHLY_JOB_ASSETS = (*MONTHLY_ASSETS, "assistant_ratings")

monthly_job = define_asset_job(
    "monthly_job",
    selection=AssetSelection.assets(*MONTHLY_JOB_ASSETS),
    description=(
        "The monthly indicators and regional reports for a range of months, then the "
        "assistants' ratings: started after every load for the months it touched."
    ),
)


def month_ranges(months: list[date], last_key: str | None) -> list[tuple[str, str]]:
    """Contiguous runs of `months` as (first, last) partition keys, inside the partitions
    (months before `FIRST_MONTH` or after the last partition are left out)."""
    first = date.fromisoformat(FIRST_MONTH)
    last = date.fromisoformat(last_key) if last_key else None
    kept = sorted(m for m in set(months) if m >= first and (last is None or m <= last))
    ranges: list[tuple[str, str]] = []
    for month in kept:
        if ranges and _next(date.fromisoformat(ranges[-1][1])) == month:
            ranges[-1] = (ranges[-1][0], month.isoformat())
        else:
            ranges.append((month.isoformat(), month.isoformat()))
    return ranges


def _next(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else month.replace(month=month.month + 1)


def due_ranges(hub: HubDatabase) -> list[tuple[str, str]]:
    """The ranges of months a monthly run must rebuild now."""
    with hub.session() as session:
        months = months_due(session, as_of_day(session))
    return month_ranges(months, MONTHS.get_last_partition_key())


def range_tags(first: str, last: str) -> dict[str, str]:
    return {RANGE_START: first, RANGE_END: last}


@run_status_sensor(
    name="monthly_after_loads",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[hub_main_job, *SOURCE_JOBS.values()],
    request_job=monthly_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After each successful load, rebuilds the monthly products of the months "
    "it touched (the open month, months never built, closed months with late records).",
)
def monthly_after_loads(context: RunStatusSensorContext) -> list[RunRequest] | SkipReason:
    return monthly_requests(HubDatabase(), context.dagster_run.run_id)


def monthly_requests(hub: HubDatabase, after_run: str) -> list[RunRequest] | SkipReason:
    """One `monthly_job` run per range of months due, keyed by the load run it follows."""
    ranges = due_ranges(hub)
    if not ranges:
        return SkipReason("No month to rebuild: the graph has no dated records.")
    return [
        RunRequest(run_key=f"{after_run}-{first}-{last}", tags=range_tags(first, last))
        for first, last in ranges
    ]


def run_monthly_after(env: dict[str, str], logs: Path) -> list[str]:
    """Run `monthly_job` for each range of months due, as the sensor would after a load
    (for `hub run` and the demo, where no sensor runs); returns the ranges that failed."""
    hub = HubDatabase(database_url=load_settings(env).database_url)
    failed = []
    for first, last in due_ranges(hub):
        code, progress = run_job(
            "monthly_job", env, logs / "monthly_job.log", tags=range_tags(first, last)
        )
        if code != 0 or progress.failed_steps:
            failed.append(f"{first}..{last}")
    return failed
