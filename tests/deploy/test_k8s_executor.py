"""With HUB_EXECUTOR=k8s the Definitions load with every job on dagster-k8s's
k8s_job_executor (one pod per step), and the executor's configuration passes Dagster's run
config validation; without it they stay in one process, without importing dagster-k8s."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from dagster import Definitions
from dagster._core.system_config.objects import ResolvedRunConfig
from kubernetes.utils import parse_quantity

from hub.config import ConfigurationError
from pipelines.executors import (
    DEFAULT_STEP_RESOURCES,
    K8S_EXECUTOR_NAME,
    STEP_RESOURCES,
    select_executor,
)
from tests.deploy.kubernetes_schemas import definition_errors

# What the resources resolve at run time; values only need to be well formed here.
RESOURCE_ENV = {
    "HUB_TAX_API_URL": "https://tax.example.org",
    "HUB_TAX_API_TOKEN": "token",
    "HUB_BANK_API_URL": "https://bank.example.org",
    "HUB_BANK_API_KEY": "key",
    **{
        f"HUB_{source}_DIR": "deliveries"
        for source in ("REGISTRY", "SURVEY", "EMPLOYMENT", "LAND", "APPEALS")
    },
}


@pytest.fixture(scope="module")
def k8s_defs() -> Iterator[Definitions]:
    from pipelines.definitions import build_definitions

    with pytest.MonkeyPatch.context() as patch:
        for name, value in RESOURCE_ENV.items():
            patch.setenv(name, value)
        yield build_definitions({"HUB_EXECUTOR": "k8s", "HUB_K8S_MAX_CONCURRENT_STEPS": "3"})


def _jobs(defs: Definitions) -> list[Any]:
    return list(defs.get_repository_def().get_all_jobs())


def _execution_config(job: Any) -> dict[str, Any]:
    """The executor config of a run of `job` with no run config, as Dagster resolves and
    validates it (the configured k8s executor's values through k8s_job_executor's schema)."""
    resolved = ResolvedRunConfig.build(job, {})
    assert resolved.execution.execution_engine_name == K8S_EXECUTOR_NAME
    config: dict[str, Any] = resolved.execution.execution_engine_config
    return config


def test_every_job_runs_on_the_k8s_executor(k8s_defs: Definitions) -> None:
    from dagster_k8s import k8s_job_executor

    jobs = _jobs(k8s_defs)
    assert {job.name for job in jobs} >= {"hub_main_job", "monthly_job", "survey_job"}
    for job in jobs:
        assert job.executor_def.name == K8S_EXECUTOR_NAME, job.name
        assert job.executor_def.executor_creation_fn is k8s_job_executor.executor_creation_fn


def test_executor_config_passes_dagsters_validation(
    k8s_defs: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in RESOURCE_ENV.items():
        monkeypatch.setenv(name, value)
    for job in _jobs(k8s_defs):
        config = _execution_config(job)
        assert config["max_concurrent"] == 3
        assert config["enable_owner_references"] is True


def test_each_step_asks_for_the_resources_of_its_stage(
    k8s_defs: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in RESOURCE_ENV.items():
        monkeypatch.setenv(name, value)
    job = k8s_defs.get_repository_def().get_job("hub_main_job")
    config = _execution_config(job)
    per_step = config["per_step_k8s_config"]
    steps = {node.name for node in job.graph.node_defs}
    # Every override names a step Dagster runs (a renamed asset would leave one dangling).
    all_steps = {node.name for j in _jobs(k8s_defs) for node in j.graph.node_defs}
    assert set(per_step) <= all_steps
    for source in ("survey", "tax", "land"):
        assert {f"raw_{source}", f"staged_{source}", f"loaded_{source}"} <= steps & set(per_step)
    loaded = per_step["loaded_survey"]["container_config"]["resources"]
    assert loaded == STEP_RESOURCES["loaded"].container_config()["resources"]
    # Checks (even those named after a raw or loaded asset), diagnostics and reports take
    # the default.
    for light in ("household_categories", "quality_survey", "raw_survey_delivered_recently"):
        assert light in all_steps
        assert light not in per_step
    default = config["step_k8s_config"]["container_config"]["resources"]
    assert default == DEFAULT_STEP_RESOURCES.container_config()["resources"]


@pytest.mark.parametrize("resources", [*STEP_RESOURCES.values(), DEFAULT_STEP_RESOURCES])
def test_step_resources_are_valid_kubernetes_requests(resources: Any) -> None:
    requirements = resources.container_config()["resources"]
    assert definition_errors(requirements, "io.k8s.api.core.v1.ResourceRequirements") == []
    assert parse_quantity(resources.cpu) > 0
    assert 0 < parse_quantity(resources.memory) <= parse_quantity(resources.memory_limit)


def test_without_the_switch_every_job_stays_on_this_machine() -> None:
    """In one process, but the region jobs, whose steps run in processes of their own so
    that regions run side by side (`pipelines.regional_job`)."""
    from pipelines.definitions import defs
    from pipelines.regional_job import REGION_JOBS

    regional = {job.name for job in REGION_JOBS}
    assert len(regional) == 3
    for job in _jobs(defs):
        expected = "multiprocess" if job.name in regional else "in_process"
        assert job.executor_def.name == expected, job.name


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HUB_EXECUTOR": "kubernetes"}, "HUB_EXECUTOR"),
        (
            {"HUB_EXECUTOR": "k8s", "HUB_K8S_MAX_CONCURRENT_STEPS": "0"},
            "HUB_K8S_MAX_CONCURRENT_STEPS",
        ),
        (
            {"HUB_EXECUTOR": "k8s", "HUB_K8S_MAX_CONCURRENT_STEPS": "x"},
            "HUB_K8S_MAX_CONCURRENT_STEPS",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(environ: dict, variable: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        select_executor(["loaded_survey"], environ)


def test_the_one_machine_definitions_do_not_import_dagster_k8s() -> None:
    """dagster-k8s brings the Kubernetes client; the embedded set-up should not load it."""
    code = (
        "import sys, pipelines.definitions; "
        "print(sorted(m for m in ('dagster_k8s', 'kubernetes') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.strip() == "[]"


def test_jobs_with_an_executor_of_their_own_are_moved_onto_kubernetes() -> None:
    """A job that chose multiprocess for one machine (a region's steps side by side) must
    still run a pod per step on Kubernetes."""
    from dagster import AssetSelection, define_asset_job, multiprocess_executor

    from pipelines.executors import with_executor

    executor = select_executor(["loaded_survey"], {"HUB_EXECUTOR": "k8s"})
    own = define_asset_job(
        "own", AssetSelection.all(), executor_def=multiprocess_executor.configured({})
    )
    plain = define_asset_job("plain", AssetSelection.all())
    moved_own, moved_plain = with_executor([own, plain], executor)
    assert moved_own.executor_def is executor
    assert (moved_own.name, moved_own.selection) == (own.name, own.selection)
    assert moved_plain is plain


@pytest.mark.parametrize(
    ("step", "stage"),
    [
        ("raw_land", "raw"),
        ("staged_survey", "staged"),
        ("loaded_bank", "loaded"),
        ("region_loaded_bank", "loaded"),
        ("linked_country", "linked"),
    ],
)
def test_a_step_gets_the_resources_of_the_stage_its_name_says(step: str, stage: str) -> None:
    from pipelines.executors import step_resources

    assert step_resources(step) == STEP_RESOURCES[stage]
    assert step_resources("monthly_report") == DEFAULT_STEP_RESOURCES
