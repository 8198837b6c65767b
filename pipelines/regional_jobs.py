"""The jobs that run the hub by region, beside `hub_main_job` (which stays the demo's).

1. `intake_job`: every source landed and staged, and the register loaded (unpartitioned:
   each country-wide delivery is read once).
2. The region jobs (pipelines.regional_job), a region's runs one after the other:
   `region_first_job` (the region), `region_months_job` (the region x each month with an
   employment file, oldest first), `region_last_job` (the region): that region's rows of
   every source loaded and linked (pipelines.regional_assets). Their steps run in processes
   of their own (multiprocess executor, at most 2 at once); regions run side by side as
   separate runs: backfills of the region partitions, as many at once as the instance's run
   coordinator allows (`QueuedRunCoordinator` max_concurrent_runs; on Kubernetes a pod per
   run).
3. `country_job`: the rows with no region and the persons found in several regions, then
   the diagnostics.
"""

from dagster import AssetSelection, define_asset_job, in_process_executor

from pipelines.diagnostics_assets import DIAGNOSTIC_ASSETS
from pipelines.regional_assets import REGIONAL_SOURCES
from pipelines.regional_job import REGION_JOBS

intake_job = define_asset_job(
    "intake_job",
    selection=AssetSelection.assets(
        *(f"raw_{name}" for name in ("registry", *REGIONAL_SOURCES)),
        *(f"staged_{name}" for name in ("registry", *REGIONAL_SOURCES)),
        "loaded_registry",
    ),
    description="Land and stage every source's new deliveries and load the register: what "
    "the region partitions load from.",
    executor_def=in_process_executor,
)

country_job = define_asset_job(
    "country_job",
    selection=AssetSelection.assets("linked_country", *DIAGNOSTIC_ASSETS),
    description="After the regions: rows with no region, persons across regions, diagnostics.",
    executor_def=in_process_executor,
)

REGIONAL_JOBS = [intake_job, *REGION_JOBS, country_job]
__all__ = ["REGIONAL_JOBS", "country_job", "intake_job"]
