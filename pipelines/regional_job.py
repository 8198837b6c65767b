"""The region jobs: one region's rows of every staged delivery loaded, in three runs.

A job runs one partition at a time, and a job's assets must share one partitions
definition, so a region's loads are three jobs, run in this order for the region:

1. `region_first_job` (partition: the region): the sources before the monthly one (survey,
   tax);
2. `region_months_job` (partition: region x month, pipelines.regions.months): the monthly
   source (employment), one run per month with a file, in month order;
3. `region_last_job` (partition: the region): the sources after it (land, bank, appeals).

`region_runs` lists a region's runs; the loads refuse to start out of that order
(pipelines.regions.order). In Dagster's UI an asset backfill of the `regions` group over
the regions (and months) wanted is ordered by the same partition dependencies.

Their steps run in processes of their own (multiprocess executor, at most 2 at once), and
each such process imports its job: `<job>_from_environment` binds it to the one resource
it needs without importing the rest of the hub's definitions (checks, diagnostics,
automation), whose import costs a step process several seconds.

The step processes are forked from a forkserver that has imported this module once
(Dagster's `start_method: forkserver` with `preload_modules`): Dagster, Splink, DuckDB,
polars and SQLAlchemy are imported once per run worker instead of once per step, which
was most of a small region's CPU (about 8 s of imports for each of a run's six steps).
Nothing in this module opens a connection or starts a thread at import, so forking after
it is safe. A forked step inherits the environment the forkserver started with (the run
worker's, at its first step), not a later change of the parent's `os.environ`.
"""

from collections.abc import Sequence

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DagsterInstance,
    Definitions,
    JobDefinition,
    define_asset_job,
    execute_job,
    multiprocess_executor,
    reconstructable,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines.regional_assets import REGIONAL_LOAD_ASSETS
from pipelines.regions.months import MONTHLY_SOURCES, REGION_MONTHS, region_month_key
from pipelines.resources import HubDatabase
from pipelines.settings import load_pipeline_settings

REGION_STEPS_AT_ONCE = 2
PRELOADED = [__name__]


def _job(name: str, assets: Sequence[AssetsDefinition], what: str) -> UnresolvedAssetJobDefinition:
    return define_asset_job(
        name,
        selection=AssetSelection.assets(*assets),
        description=f"One region's {what}, linked and loaded.",
        executor_def=multiprocess_executor.configured(
            {
                "max_concurrent": REGION_STEPS_AT_ONCE,
                "start_method": {"forkserver": {"preload_modules": PRELOADED}},
            }
        ),
    )


def _stages() -> tuple[list[AssetsDefinition], list[AssetsDefinition], list[AssetsDefinition]]:
    monthly = [a for a in REGIONAL_LOAD_ASSETS if a.partitions_def == REGION_MONTHS]
    first = REGIONAL_LOAD_ASSETS.index(monthly[0])
    last = REGIONAL_LOAD_ASSETS.index(monthly[-1]) + 1
    if len(monthly) != len(MONTHLY_SOURCES) or last - first != len(monthly):
        raise RuntimeError("The monthly sources must follow one another in load order.")
    return REGIONAL_LOAD_ASSETS[:first], monthly, REGIONAL_LOAD_ASSETS[last:]


_FIRST, _MONTHS, _LAST = _stages()
region_first_job = _job("region_first_job", _FIRST, "sources before the monthly ones")
region_months_job = _job("region_months_job", _MONTHS, "monthly files of one month")
region_last_job = _job("region_last_job", _LAST, "sources after the monthly ones")
REGION_JOBS = [region_first_job, region_months_job, region_last_job]


def region_runs(region: str, months: Sequence[str]) -> list[tuple[str, str]]:
    """(job name, partition key) of a region's runs, in the order they must run: `months`
    are the months of the monthly source to load (in any order; run oldest first)."""
    return [
        (region_first_job.name, region),
        *((region_months_job.name, str(region_month_key(region, m))) for m in sorted(months)),
        (region_last_job.name, region),
    ]


def _bound(name: str) -> JobDefinition:
    """A region job bound to the graph and landing store the environment names
    (HUB_DATABASE_URL, HUB_DATA_DIR): what `dagster.reconstructable` needs to run it
    outside a code location (the scale benchmark, the tests)."""
    settings = load_pipeline_settings()
    hub = HubDatabase(land_max_ended_share=settings.land_max_ended_share)
    defs = Definitions(assets=REGIONAL_LOAD_ASSETS, jobs=REGION_JOBS, resources={"hub_db": hub})
    return defs.resolve_job_def(name)


def region_first_job_from_environment() -> JobDefinition:
    return _bound(region_first_job.name)


def region_months_job_from_environment() -> JobDefinition:
    return _bound(region_months_job.name)


def region_last_job_from_environment() -> JobDefinition:
    return _bound(region_last_job.name)


FROM_ENVIRONMENT = {
    region_first_job.name: region_first_job_from_environment,
    region_months_job.name: region_months_job_from_environment,
    region_last_job.name: region_last_job_from_environment,
}
"""Job name -> the function `dagster.reconstructable` rebuilds it with."""


def execute_region(instance: DagsterInstance, region: str, months: Sequence[str]) -> None:
    """Run a region's runs (`region_runs`) one after the other in this process, each on the
    multiprocess executor; the environment names the graph and the landing store."""
    for name, key in region_runs(region, months):
        job = reconstructable(FROM_ENVIRONMENT[name])
        with execute_job(job, instance=instance, tags={"dagster/partition": key}) as result:
            if not result.success:
                raise RuntimeError(f"{name} failed for partition {key}")
