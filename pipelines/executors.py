"""Which executor runs the hub's jobs: one process here, one Kubernetes pod per step there.

`HUB_EXECUTOR` chooses it, once, when the code location loads:

- `in_process` (default): `in_process_executor`, a run's steps one after another in its
  process; for one machine (the demo, `hub run`, the tests).
- `k8s`: dagster-k8s's `k8s_job_executor`, every step (each region partition's step
  included) in its own Kubernetes Job; for the cluster of `deploy/`.

With `k8s`, `HUB_K8S_MAX_CONCURRENT_STEPS` (default 4) caps the pods one run has at once;
the run coordinator of `deploy/dagster.yaml` caps the runs. Each step asks the cluster for
the CPU and memory of its kind (`STEP_RESOURCES`, by the asset's stage: landing reads files,
staging parses them, loading links and writes the graph), so the scheduler places a linking
step only where its memory is free. The requests reach the pods through the executor's
`per_step_k8s_config` (the same settings a `dagster-k8s/config` tag would carry).

dagster-k8s (and the Kubernetes client it brings) is imported only when `k8s` is chosen, so
the embedded set-up does not pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster import ExecutorDefinition, JobDefinition, in_process_executor
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from dagster._record import replace

from hub.config import ConfigurationError

EXECUTOR_VARIABLE = "HUB_EXECUTOR"
MAX_STEPS_VARIABLE = "HUB_K8S_MAX_CONCURRENT_STEPS"
EXECUTORS = ("in_process", "k8s")
DEFAULT_MAX_CONCURRENT_STEPS = 4
K8S_EXECUTOR_NAME = "hub_k8s_executor"


@dataclass(frozen=True, slots=True)
class StepResources:
    """What one step's pod asks of the cluster (Kubernetes quantities)."""

    cpu: str
    memory: str
    memory_limit: str

    def container_config(self) -> dict[str, Any]:
        return {
            "resources": {
                "requests": {"cpu": self.cpu, "memory": self.memory},
                # No CPU limit: a throttled linking step only gets slower; memory is limited
                # so that one runaway region cannot take the node from the others.
                "limits": {"memory": self.memory_limit},
            }
        }


STEP_RESOURCES: Mapping[str, StepResources] = {
    # Landing copies delivery files to the landing area and records them: I/O, little memory.
    "raw": StepResources(cpu="250m", memory="512Mi", memory_limit="1Gi"),
    # Staging parses and validates a region's rows in polars (and GX summarises them).
    "staged": StepResources(cpu="1", memory="2Gi", memory_limit="4Gi"),
    # Loading links a region's persons (Splink on DuckDB) and writes the graph.
    "loaded": StepResources(cpu="1", memory="6Gi", memory_limit="8Gi"),
    # Assets named linked_*: a link over every region's persons at once (issue 19).
    "linked": StepResources(cpu="2", memory="12Gi", memory_limit="16Gi"),
}
DEFAULT_STEP_RESOURCES = StepResources(cpu="250m", memory="1Gi", memory_limit="2Gi")
"""Checks, diagnostics and reports: queries over the graph, done in the database."""


def step_resources(step_name: str) -> StepResources:
    """The resources of an asset's step, by the first stage its name says (`loaded_tax`,
    `region_loaded_tax` for a region partition's load); the default for any other."""
    for word in step_name.split("_"):
        if word in STEP_RESOURCES:
            return STEP_RESOURCES[word]
    return DEFAULT_STEP_RESOURCES


def k8s_executor_config(step_names: Iterable[str], max_concurrent: int) -> dict[str, Any]:
    """The `k8s_job_executor` configuration: a default for every step, and per step the
    resources of its stage where they differ from the default."""
    per_step = {
        name: {"container_config": step_resources(name).container_config()}
        for name in sorted(set(step_names))
        if step_resources(name) != DEFAULT_STEP_RESOURCES
    }
    return {
        "max_concurrent": max_concurrent,
        "step_k8s_config": {"container_config": DEFAULT_STEP_RESOURCES.container_config()},
        "per_step_k8s_config": per_step,
        # Step Jobs go when their run's pod goes, so a cancelled run leaves no pods behind.
        "enable_owner_references": True,
    }


def chosen_executor(environ: Mapping[str, str] | None = None) -> str:
    """`HUB_EXECUTOR`'s value, checked; `in_process` when unset."""
    env = os.environ if environ is None else environ
    value = env.get(EXECUTOR_VARIABLE, "").strip() or "in_process"
    if value not in EXECUTORS:
        raise ConfigurationError(
            f"{EXECUTOR_VARIABLE} has value {value!r}. Use one of: {', '.join(EXECUTORS)}."
        )
    return value


def max_concurrent_steps(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    raw = env.get(MAX_STEPS_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MAX_CONCURRENT_STEPS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{MAX_STEPS_VARIABLE} has value {raw!r}. Not an integer above 0.")
    return int(raw)


def select_executor(
    step_names: Iterable[str], environ: Mapping[str, str] | None = None
) -> ExecutorDefinition:
    """The executor of the jobs that name none of their own and of the UI's
    materialisations: `in_process_executor`, or the configured `k8s_job_executor` (then
    `with_executor` moves the other jobs onto it too)."""
    if chosen_executor(environ) == "in_process":
        # On a small machine a process per step spends more time importing Dagster and GX
        # than working; one process keeps a run's imports to one.
        return in_process_executor
    from dagster_k8s import k8s_job_executor

    config = k8s_executor_config(step_names, max_concurrent_steps(environ))
    return k8s_job_executor.configured(config, name=K8S_EXECUTOR_NAME)


Job = JobDefinition | UnresolvedAssetJobDefinition


def with_executor(jobs: Sequence[Job], executor: ExecutorDefinition) -> list[Job]:
    """The jobs, those that name an executor of their own moved onto `executor`.

    On Kubernetes every step must be a pod, whatever a job chose for one machine (a
    multiprocess executor, say), and a Definitions-wide executor reaches only the jobs that
    name none. A job that a schedule or sensor holds must name none: its copy here and the
    schedule's would be two definitions of one job, which Dagster refuses.
    """
    moved: list[Job] = []
    for job in jobs:
        if job.executor_def is None or job.executor_def is executor:
            moved.append(job)
        elif isinstance(job, JobDefinition):
            moved.append(job.with_executor_def(executor))
        else:
            moved.append(replace(job, executor_def=executor))
    return moved
