"""The Kubernetes Job dagster-k8s would create for one step, from deploy/dagster.yaml's run
launcher and the hub's executor config, is valid Kubernetes and carries what the step needs:
its stage's resources, the hub's settings and secrets, the shared data volume.

The Job is built the way `K8sStepHandler` builds it (launcher context, executor context,
the step's override, `construct_dagster_k8s_job`), without a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dagster_k8s.container_context import K8sContainerContext
from dagster_k8s.job import UserDefinedDagsterK8sConfig, construct_dagster_k8s_job
from kubernetes.client import ApiClient

from pipelines.executors import k8s_executor_config, step_resources
from tests.deploy.instance_files import built_launcher
from tests.deploy.kubernetes_schemas import validate_manifest

IMAGE = "registry.example.org/mahalla-hub:0.1.0"


def _step_job(folder: Path, step: str) -> dict[str, Any]:
    launcher = built_launcher(folder)
    config = k8s_executor_config([step, "raw_survey"], max_concurrent=4)
    context = K8sContainerContext(namespace=launcher.job_namespace).merge(
        K8sContainerContext(
            env_config_maps=launcher.env_config_maps,
            env_secrets=launcher.env_secrets,
            volume_mounts=launcher.volume_mounts,
            volumes=launcher.volumes,
            resources=launcher.resources,
            service_account_name=launcher.service_account_name,
        )
    )
    context = context.merge(
        K8sContainerContext(
            run_k8s_config=UserDefinedDagsterK8sConfig.from_dict(config["step_k8s_config"])
        )
    ).merge(
        K8sContainerContext(
            run_k8s_config=UserDefinedDagsterK8sConfig.from_dict(
                config["per_step_k8s_config"].get(step, {})
            )
        )
    )
    job = construct_dagster_k8s_job(
        job_config=context.get_k8s_job_config(IMAGE, launcher),
        args=["dagster", "api", "execute_step"],
        job_name=f"dagster-step-{step.replace('_', '-')}",
        pod_name=f"dagster-step-{step.replace('_', '-')}",
        component="step_worker",
        user_defined_k8s_config=context.run_k8s_config,
        labels={"dagster/op": step},
    )
    serialised: dict[str, Any] = ApiClient().sanitize_for_serialization(job)
    return serialised


def launcher_requests(folder: Path) -> dict[str, str]:
    requests: dict[str, str] = built_launcher(folder).resources["requests"]
    return requests


@pytest.mark.parametrize("step", ["loaded_survey", "staged_tax", "household_categories"])
def test_step_job_is_valid_kubernetes_with_the_hubs_settings(tmp_path: Path, step: str) -> None:
    job = _step_job(tmp_path, step)
    validate_manifest(job)
    (container,) = job["spec"]["template"]["spec"]["containers"]
    # The step's stage resources, in place of the launcher's (the run pod's): a check or a
    # diagnostic gets the default.
    assert container["resources"] == step_resources(step).container_config()["resources"]
    assert container["resources"]["requests"] != launcher_requests(tmp_path)
    sources = {(kind, ref["name"]) for item in container["envFrom"] for kind, ref in item.items()}
    assert sources == {("configMapRef", "hub-settings"), ("secretRef", "hub-pipelines")}
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/var/lib/mahalla-hub"}
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for v in job["spec"]["template"]["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert claims == {"hub-data"}
