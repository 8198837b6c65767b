"""deploy/helm/values.yaml names only keys the Dagster chart documents, and what it hands to
Kubernetes (resources, volumes, secret references) is valid Kubernetes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.chart_keys import ChartKeys
from tests.deploy.kubernetes_schemas import definition_errors

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VALUES_FILE = DEPLOY / "helm" / "values.yaml"


@pytest.fixture(scope="module")
def chart() -> ChartKeys:
    return ChartKeys.load()


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))
    return loaded


def test_values_name_only_keys_the_chart_documents(chart: ChartKeys, values: dict) -> None:
    assert chart.undocumented_keys(values) == []


def test_values_pin_the_chart_version_of_the_pinned_dagster() -> None:
    from dagster.version import __version__

    header = VALUES_FILE.read_text(encoding="utf-8").splitlines()[:3]
    assert any(f"--version {__version__}" in line for line in header), header


def test_kubernetes_parts_of_the_values_are_valid_kubernetes(
    chart: ChartKeys, values: dict
) -> None:
    parts = chart.kubernetes_objects(values)
    # Resources, volumes, mounts and env sources of the code server and the run launcher.
    assert {part.definition for part in parts} >= {
        "io.k8s.api.core.v1.ResourceRequirements",
        "io.k8s.api.core.v1.Volume",
        "io.k8s.api.core.v1.VolumeMount",
        "io.k8s.api.core.v1.SecretEnvSource",
        "io.k8s.api.core.v1.ConfigMapEnvSource",
    }
    problems = {
        part.path: errors
        for part in parts
        if (errors := definition_errors(part.value, part.definition))
    }
    assert problems == {}


@pytest.mark.parametrize(
    ("changed", "path"),
    [
        (
            {"runLauncher": {"config": {"k8sRunLauncher": {"jobNamepsace": "x"}}}},
            "runLauncher.config.k8sRunLauncher.jobNamepsace",
        ),
        (
            {"dagster-user-deployments": {"deployments": [{"name": "x", "envFrom": []}]}},
            "dagster-user-deployments.deployments[].envFrom",
        ),
        (
            {
                "dagsterDaemon": {
                    "runCoordinator": {
                        "config": {
                            "queuedRunCoordinator": {
                                "tagConcurrencyLimits": [{"key": "k", "limit": 1, "perValue": True}]
                            }
                        }
                    }
                }
            },
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[].perValue",
        ),
        ({"global": {"dagsterHome": {"nested": "x"}}}, "global.dagsterHome"),
    ],
)
def test_a_key_the_chart_does_not_document_is_named(
    chart: ChartKeys, changed: dict, path: str
) -> None:
    assert chart.undocumented_keys(changed) == [path]


def test_a_misspelt_kubernetes_field_in_the_values_is_found(chart: ChartKeys) -> None:
    changed = {"dagsterWebserver": {"resources": {"request": {"cpu": "1"}}}}
    (part,) = chart.kubernetes_objects(changed)
    assert part.path == "dagsterWebserver.resources"
    assert definition_errors(part.value, part.definition) != []


def test_the_chart_keys_say_where_they_come_from(chart: ChartKeys) -> None:
    assert chart.source["repository"] == "dagster-io/dagster"
    assert chart.source["path"] == "helm/dagster/values.schema.json"
    assert len(chart.source["commit"]) == 40
