"""`regional_job`: one region's rows of every staged delivery loaded (a run per region).

Its steps run in processes of their own (multiprocess executor, at most 2 at once), and
each such process imports the job: `regional_job_from_environment` binds it to the one
resource it needs without importing the rest of the hub's definitions (checks,
diagnostics, automation), whose import costs a step process several seconds.

The step processes are forked from a forkserver that has imported this module once
(Dagster's `start_method: forkserver` with `preload_modules`): Dagster, Splink, DuckDB,
polars and SQLAlchemy are imported once per run worker instead of once per step, which
was most of a small region's CPU (about 8 s of imports for each of a run's six steps).
Nothing in this module opens a connection or starts a thread at import, so forking after
it is safe. A forked step inherits the environment the forkserver started with (the run
worker's, at its first step), not a later change of the parent's `os.environ`.
"""

from dagster import (
    AssetSelection,
    Definitions,
    JobDefinition,
    define_asset_job,
    multiprocess_executor,
)

from pipelines.regional_assets import REGIONAL_LOAD_ASSETS
from pipelines.resources import HubDatabase
from pipelines.settings import load_pipeline_settings

REGION_STEPS_AT_ONCE = 2
PRELOADED = [__name__]

regional_job = define_asset_job(
    "regional_job",
    selection=AssetSelection.assets(*REGIONAL_LOAD_ASSETS),
    description="One region's rows of every staged delivery, linked and loaded.",
    executor_def=multiprocess_executor.configured(
        {
            "max_concurrent": REGION_STEPS_AT_ONCE,
            "start_method": {"forkserver": {"preload_modules": PRELOADED}},
        }
    ),
)


def regional_job_from_environment() -> JobDefinition:
    """`regional_job` bound to the graph and landing store the environment names
    (HUB_DATABASE_URL, HUB_DATA_DIR): what `dagster.reconstructable` needs to run it
    outside a code location (the scale benchmark, the tests)."""
    settings = load_pipeline_settings()
    hub = HubDatabase(land_max_ended_share=settings.land_max_ended_share)
    defs = Definitions(assets=REGIONAL_LOAD_ASSETS, jobs=[regional_job], resources={"hub_db": hub})
    return defs.resolve_job_def("regional_job")
