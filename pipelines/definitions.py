"""The hub's one Dagster `Definitions`: assets, checks, jobs, schedules, sensors, resources.

Resources read the environment (contracts/SOURCES.md names the variables); secrets come
through `EnvVar`, so they are resolved at run time and never shown in the UI. `HUB_EXECUTOR`
chooses where the jobs' steps run (pipelines/executors.py): here in one process, or on
Kubernetes one pod per step (deploy/).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dagster import Definitions, EnvVar

from connectors.settings import FOLDER_VARIABLES
from pipelines.assets import ALL_ASSETS, agency_key
from pipelines.automation import API_SCHEDULE_DEFS, FOLDER_SENSORS, JOBS, record_failed_runs
from pipelines.checks import QUALITY_CHECKS
from pipelines.executors import chosen_executor, select_executor, with_executor
from pipelines.monthly_assets import MONTHLY_ASSETS_DEFS
from pipelines.monthly_automation import monthly_after_loads, monthly_job
from pipelines.regional_assets import REGIONAL_ASSETS
from pipelines.regional_jobs import REGIONAL_JOBS
from pipelines.resources import BankAgency, FolderAgency, HubDatabase, TaxAgency
from pipelines.settings import load_pipeline_settings
from pipelines.staging.plausible_dates import PlausibleDates


def build_resources() -> dict[str, object]:
    # Checked at start-up so that a bad setting stops the code location, naming the variable.
    PlausibleDates.from_env()
    settings = load_pipeline_settings()
    resources: dict[str, object] = {
        "hub_db": HubDatabase(land_max_ended_share=settings.land_max_ended_share)
    }
    for source, variable in FOLDER_VARIABLES.items():
        resources[agency_key(source)] = FolderAgency(
            folder=EnvVar(variable), settle_seconds=settings.settle_seconds
        )
    resources[agency_key("tax")] = TaxAgency(
        base_url=EnvVar("HUB_TAX_API_URL"), token=EnvVar("HUB_TAX_API_TOKEN")
    )
    resources[agency_key("bank")] = BankAgency(
        base_url=EnvVar("HUB_BANK_API_URL"), api_key=EnvVar("HUB_BANK_API_KEY")
    )
    return resources


def build_definitions(environ: Mapping[str, str] | None = None) -> Definitions:
    """The hub's Definitions, on the executor `HUB_EXECUTOR` of `environ` chooses."""
    env = os.environ if environ is None else environ
    assets = [*ALL_ASSETS, *MONTHLY_ASSETS_DEFS, *REGIONAL_ASSETS]
    # Asset steps get the resources of their stage; checks run on the default.
    executor = select_executor([asset.node_def.name for asset in assets], env)
    jobs = [*JOBS, monthly_job, *REGIONAL_JOBS]
    if chosen_executor(env) == "k8s":
        jobs = with_executor(jobs, executor)
    return Definitions(
        assets=assets,
        asset_checks=QUALITY_CHECKS,
        jobs=jobs,
        schedules=API_SCHEDULE_DEFS,
        sensors=[*FOLDER_SENSORS, record_failed_runs, monthly_after_loads],
        resources=build_resources(),
        executor=executor,
    )


defs = build_definitions()
