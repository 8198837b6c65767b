"""deploy/dagster.yaml passes Dagster's own instance validation, its run launcher and run
coordinator accept their config, and it agrees with the Helm values the chart renders from."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster._config import process_config, validate_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster._core.storage.config import pg_config

from pipelines.instance import POSTGRES_VARIABLE, instance_settings
from tests.deploy.instance_files import built_launcher, instance_config
from tests.deploy.kubernetes_schemas import manifest_documents

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _validated(config: dict[str, Any], home: Path) -> dict[str, Any]:
    """The instance config as Dagster loads a DAGSTER_HOME holding it (all its checks)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    value, custom_class = dagster_instance_config(str(home))
    assert custom_class is None
    return dict(value)


def _class_config_errors(config: dict[str, Any]) -> list[str]:
    """Each configurable class's config checked against the class's own config type: the
    instance schema leaves a class's `config` open, and Dagster checks it only when it builds
    the class (at a daemon's or a run's start)."""
    errors = []
    for section in ("run_launcher", "run_coordinator", "scheduler"):
        entry = config[section]
        klass = getattr(importlib.import_module(entry["module"]), entry["class"])
        result = validate_config(klass.config_type(), entry.get("config", {}))
        errors += [f"{section}: {error.message}" for error in result.errors or []]
    return errors


def _secret_keys(name: str) -> set[str]:
    for document in manifest_documents(DEPLOY / "secrets.example.yaml"):
        if document["metadata"]["name"] == name:
            return set(document["stringData"])
    raise AssertionError(f"no Secret {name} in the template")


def test_instance_passes_dagsters_instance_validation(tmp_path: Path) -> None:
    value = _validated(instance_config(), tmp_path / "home")
    assert value["run_launcher"]["class"] == "K8sRunLauncher"
    assert value["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert set(value["storage"]) == {"postgres"}


def test_launcher_coordinator_and_scheduler_accept_their_config() -> None:
    instance = instance_config()
    assert (instance["run_launcher"]["module"], instance["run_launcher"]["class"]) == (
        "dagster_k8s",
        "K8sRunLauncher",
    )
    assert _class_config_errors(instance) == []


def test_run_launcher_is_built_from_the_config(tmp_path: Path) -> None:
    """Dagster rehydrates the launcher from the file; only where it finds the cluster differs
    (a kubeconfig here, the pod's service account in the cluster)."""
    built = built_launcher(tmp_path)
    assert built.job_namespace == "mahalla-hub"
    assert built.instance_config_map == "dagster-instance"
    assert built.env_secrets == ["hub-pipelines"]
    assert built.env_config_maps == ["hub-settings"]
    assert built.resources["requests"] == {"cpu": "250m", "memory": "512Mi"}


def test_storage_url_comes_from_the_pipelines_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = instance_config()["storage"]["postgres"]
    assert storage == {"postgres_url": {"env": POSTGRES_VARIABLE}}
    assert POSTGRES_VARIABLE in _secret_keys("hub-pipelines")
    monkeypatch.delenv(POSTGRES_VARIABLE, raising=False)
    assert not process_config(pg_config(), storage).success
    template_url = "postgresql+psycopg2://dagster:CHANGE-ME@hub-postgres:5432/dagster"
    monkeypatch.setenv(POSTGRES_VARIABLE, template_url)
    resolved = process_config(pg_config(), storage)
    assert resolved.success
    assert resolved.value["postgres_url"] == template_url
    # The hub's own instance writer accepts the same URL (it insists on psycopg2).
    assert instance_settings({POSTGRES_VARIABLE: template_url})["storage"] == {
        "postgres": {"postgres_url": {"env": POSTGRES_VARIABLE}}
    }


def test_a_misspelt_section_fails_dagsters_instance_validation(tmp_path: Path) -> None:
    broken = {**instance_config(), "run_monitorng": {"enabled": True}}
    with pytest.raises(DagsterInvalidConfigError) as raised:
        _validated(broken, tmp_path / "home")
    assert "run_monitorng" in str(raised.value)


@pytest.mark.parametrize(
    ("section", "key"),
    [("run_launcher", "job_namepsace"), ("run_coordinator", "max_concurent_runs")],
)
def test_a_misspelt_class_key_fails_the_class_check(section: str, key: str) -> None:
    broken = copy.deepcopy(instance_config())
    broken[section]["config"][key] = "x"
    errors = _class_config_errors(broken)
    assert len(errors) == 1
    assert errors[0].startswith(section)
    assert key in errors[0]


def test_instance_and_helm_values_agree() -> None:
    """The chart writes its instance from the values; both must describe the same queue and
    the same run pods."""
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text(encoding="utf-8"))
    instance = instance_config()
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert (
        queue["maxConcurrentRuns"] == instance["run_coordinator"]["config"]["max_concurrent_runs"]
    )
    assert (
        queue["tagConcurrencyLimits"]
        == instance["run_coordinator"]["config"]["tag_concurrency_limits"]
    )
    chart = values["runLauncher"]["config"]["k8sRunLauncher"]
    ours = instance["run_launcher"]["config"]
    assert [s["name"] for s in chart["envSecrets"]] == ours["env_secrets"]
    assert [c["name"] for c in chart["envConfigMaps"]] == ours["env_config_maps"]
    assert chart["volumes"] == ours["volumes"]
    assert chart["volumeMounts"] == ours["volume_mounts"]
    assert chart["resources"] == ours["resources"]
    assert chart["failPodOnRunFailure"] == ours["fail_pod_on_run_failure"]
    assert values["global"]["dagsterHome"] == ours["dagster_home"]
    monitoring = values["dagsterDaemon"]["runMonitoring"]
    assert monitoring["startTimeoutSeconds"] == instance["run_monitoring"]["start_timeout_seconds"]
    assert (
        values["dagsterDaemon"]["runRetries"]["maxRetries"]
        == (instance["run_retries"]["max_retries"])
    )
