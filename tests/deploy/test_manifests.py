"""Every manifest under deploy/ validates offline against the Kubernetes schemas (strict), and
the objects fit together: probes on the API's health endpoint, the Service and the autoscaler
on the Deployment, every secret from a Secret of the template, the settings valid for the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from kubernetes.utils import parse_quantity
from kubernetes_validate.utils import all_versions, major_minor
from starlette.testclient import TestClient

from connectors.settings import BANK_KEY_VARIABLE, TAX_TOKEN_VARIABLE
from hub.access.pepper import PEPPER_VARIABLE
from hub.api.settings import load_api_settings
from hub.config import HubSettings
from pipelines.executors import chosen_executor, max_concurrent_steps
from pipelines.instance import POSTGRES_VARIABLE
from pipelines.settings import load_pipeline_settings
from tests.deploy.kubernetes_schemas import (
    KUBERNETES_VERSION,
    manifest_documents,
    validate_manifest,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MANIFEST_FILES = [*sorted((DEPLOY / "manifests").glob("*.yaml")), DEPLOY / "secrets.example.yaml"]
SECRET_VARIABLES = {
    "HUB_DATABASE_URL",
    "HUB_DATABASE_READ_URL",
    "HUB_REDIS_URL",
    POSTGRES_VARIABLE,
    PEPPER_VARIABLE,
    TAX_TOKEN_VARIABLE,
    BANK_KEY_VARIABLE,
}
"""Settings that carry a password, a token or a key: only ever from a Secret."""
VERSIONS = [v for v in all_versions() if major_minor(v) >= major_minor(KUBERNETES_VERSION)]


def _objects() -> list[dict[str, Any]]:
    return [document for path in MANIFEST_FILES for document in manifest_documents(path)]


def _one(kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in _objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _api_container() -> dict[str, Any]:
    (container,) = _one("Deployment", "hub-api")["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("version", [VERSIONS[0], VERSIONS[-1]])
@pytest.mark.parametrize("path", MANIFEST_FILES, ids=lambda path: path.name)
def test_manifest_validates_against_the_kubernetes_schemas(path: Path, version: str) -> None:
    documents = list(manifest_documents(path))
    assert documents
    for document in documents:
        validate_manifest(document, version)


def test_an_unknown_field_fails_strict_validation() -> None:
    broken = _one("Deployment", "hub-api")
    broken["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readynessProbe"):
        validate_manifest(broken)


def test_every_object_lives_in_the_hub_namespace() -> None:
    for document in _objects():
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "mahalla-hub", document["metadata"]


def test_api_probes_ask_the_health_endpoint_on_the_served_port(tmp_path: Path) -> None:
    container = _api_container()
    command = container["command"]
    port = int(command[command.index("--port") + 1])
    (http,) = [p for p in container["ports"] if p["name"] == "http"]
    assert http["containerPort"] == port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    # The path is the app's: a real app over an empty database answers it.
    from hub.api.app import create_app

    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}", data_dir=tmp_path)
    with TestClient(create_app(settings, audit=False)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}


def test_service_and_autoscaler_point_at_the_api_deployment() -> None:
    deployment = _one("Deployment", "hub-api")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = _one("Service", "hub-api")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpa = _one("HorizontalPodAutoscaler", "hub-api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "hub-api",
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    # The autoscaler owns the count; a fixed `replicas` would fight it on every apply.
    assert "replicas" not in deployment["spec"]
    # CPU utilisation is measured against the request, so there must be one.
    assert parse_quantity(_api_container()["resources"]["requests"]["cpu"]) > 0


def test_postgres_is_an_external_service() -> None:
    primary = _one("Service", "hub-postgres")
    assert "selector" not in primary["spec"]
    slices = [o for o in _objects() if o["kind"] == "EndpointSlice"]
    assert [s["metadata"]["labels"]["kubernetes.io/service-name"] for s in slices] == [
        "hub-postgres"
    ]
    assert slices[0]["ports"][0]["port"] == primary["spec"]["ports"][0]["port"]
    replica = _one("Service", "hub-postgres-replica")
    assert replica["spec"]["type"] == "ExternalName"


def test_secrets_come_only_from_secrets_of_the_template() -> None:
    secrets = {
        o["metadata"]["name"]: set(o["stringData"]) for o in _objects() if o["kind"] == "Secret"
    }
    for document in _objects():
        if document["kind"] == "ConfigMap":
            assert not SECRET_VARIABLES & set(document["data"]), document["metadata"]["name"]
    for container in [
        _api_container(),
        _one("Job", "hub-migrate")["spec"]["template"]["spec"]["containers"][0],
    ]:
        for variable in container.get("env", []):
            if variable["name"] in SECRET_VARIABLES:
                reference = variable["valueFrom"]["secretKeyRef"]
                assert reference["key"] in secrets[reference["name"]], variable
    api_env = {variable["name"] for variable in _api_container()["env"]}
    assert {"HUB_DATABASE_URL", PEPPER_VARIABLE} <= api_env
    # The API never sees the agencies' credentials.
    assert not {TAX_TOKEN_VARIABLE, BANK_KEY_VARIABLE} & api_env


def test_secret_template_holds_placeholders_only() -> None:
    for document in _objects():
        if document["kind"] == "Secret":
            for key, value in document["stringData"].items():
                assert "CHANGE-ME" in value, (document["metadata"]["name"], key)


def test_settings_pass_the_hubs_own_checks() -> None:
    settings = _one("ConfigMap", "hub-settings")["data"]
    assert chosen_executor(settings) == "k8s"
    assert max_concurrent_steps(settings) >= 1
    load_api_settings(settings)
    load_pipeline_settings(settings)
    assert all(isinstance(value, str) for value in settings.values())


def test_volumes_and_requests_are_real_quantities() -> None:
    claim = _one("PersistentVolumeClaim", "hub-data")
    # Run and step pods of one run share it from different nodes.
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert parse_quantity(claim["spec"]["resources"]["requests"]["storage"]) > 0
    resources = _api_container()["resources"]
    assert parse_quantity(resources["requests"]["memory"]) <= parse_quantity(
        resources["limits"]["memory"]
    )


def test_dagsters_pods_use_settings_secrets_and_volume_that_exist() -> None:
    import yaml

    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text(encoding="utf-8"))
    names = {(o["kind"], o["metadata"]["name"]) for o in _objects()}
    (code,) = values["dagster-user-deployments"]["deployments"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    for pods in (code, launcher):
        assert {("ConfigMap", c["name"]) for c in pods["envConfigMaps"]} <= names
        assert {("Secret", s["name"]) for s in pods["envSecrets"]} <= names
        claims = {v["persistentVolumeClaim"]["claimName"] for v in pods["volumes"]}
        assert {("PersistentVolumeClaim", claim) for claim in claims} <= names
    assert ("Secret", values["global"]["postgresqlSecretName"]) in names
    postgres = values["postgresql"]
    assert ("Service", postgres["postgresqlHost"]) in names
    assert postgres["enabled"] is False
