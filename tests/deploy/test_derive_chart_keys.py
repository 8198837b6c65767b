"""derive_chart_keys turns a chart's values.schema.json into the key structure the Helm
values test walks; here on a small schema written for the test with the constructs the
Dagster chart's (pydantic-generated) schema uses."""

from __future__ import annotations

from typing import Any

from tests.deploy.chart_keys import ChartKeys
from tests.deploy.derive_chart_keys import derive_chart_keys

K8S = "https://kubernetesjsonschema.dev/v1.18.0/_definitions.json#/definitions/"
SCHEMA: dict[str, Any] = {
    "title": "DagsterHelmValues",
    "type": "object",
    "properties": {
        "server": {"$ref": "#/definitions/Server"},
        "extra": {"title": "Extra", "type": "object"},
        "pullSecrets": {"type": "array", "items": {"$ref": "#/definitions/SecretRef"}},
    },
    "definitions": {
        "PullPolicy": {"enum": ["Always", "Never"], "type": "string"},
        "Image": {
            "type": "object",
            "properties": {
                "tag": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
                "pullPolicy": {"$ref": "#/definitions/PullPolicy"},
            },
        },
        "SecretRef": {"type": "object", "properties": {}, "$ref": K8S + "io.k8s.api.core.v1.X"},
        "Annotations": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "$ref": K8S + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/annotations",
        },
        "Tolerations": {
            "type": "array",
            "items": {"type": "object"},
            "$ref": K8S + "io.k8s.api.core.v1.PodSpec/properties/tolerations",
        },
        "StartupProbe": {
            "type": "object",
            "properties": {"enabled": {"type": "boolean"}},
            "$ref": K8S + "io.k8s.api.core.v1.Probe",
        },
        "a__b__kubernetes__Service": {
            "type": "object",
            "properties": {"port": {"type": "integer"}},
            "additionalProperties": False,
        },
        "Server": {
            "type": "object",
            "properties": {
                "image": {"anyOf": [{"$ref": "#/definitions/Image"}, {"type": "null"}]},
                "service": {"$ref": "#/definitions/a__b__kubernetes__Service"},
                "annotations": {"$ref": "#/definitions/Annotations"},
                "tolerations": {"$ref": "#/definitions/Tolerations"},
                "startupProbe": {"$ref": "#/definitions/StartupProbe"},
                "env": {
                    "anyOf": [
                        {"type": "object", "additionalProperties": {"type": "string"}},
                        {"type": "array", "items": {"$ref": "#/definitions/SecretRef"}},
                    ]
                },
                "labels": {
                    "additionalProperties": {"type": "string"},
                    "anyOf": [{"type": "object"}, {"type": "null"}],
                },
                "args": {
                    "items": {"type": "string"},
                    "anyOf": [{"type": "array"}, {"type": "null"}],
                },
            },
        },
    },
}


def test_schema_constructs_become_key_structure() -> None:
    derived = derive_chart_keys(SCHEMA, commit="0" * 40)
    definitions = derived["definitions"]
    assert derived["root"] == "#DagsterHelmValues"
    assert "PullPolicy" not in definitions
    assert definitions["Image"] == {"properties": {"tag": "scalar", "pullPolicy": "scalar"}}
    assert definitions["SecretRef"] == "k8s:io.k8s.api.core.v1.X"
    assert definitions["Annotations"] == "map"
    assert definitions["Tolerations"] == {"items": "k8s:io.k8s.api.core.v1.Toleration"}
    assert definitions["StartupProbe"] == {
        "k8s": "io.k8s.api.core.v1.Probe",
        "properties": {"enabled": "scalar"},
    }
    server = definitions["Server"]["properties"]
    assert server["image"] == "#Image"
    assert server["service"] == "#KubernetesService"
    assert server["env"] == {"anyOf": ["map", {"items": "#SecretRef"}]}
    assert server["labels"] == "map"
    assert server["args"] == {"items": "scalar"}
    assert definitions["DagsterHelmValues"]["properties"]["extra"] == "object"


def test_derived_keys_drive_the_values_check() -> None:
    chart = ChartKeys(derive_chart_keys(SCHEMA, commit="0" * 40))
    values = {
        "server": {
            "image": {"tag": 3, "pullPolicy": "Always", "digest": "x"},
            "service": {"port": 80, "type": "ClusterIP"},
            "startupProbe": {"enabled": True, "periodSeconds": 5},
            "env": {"A": "1"},
        },
        "extra": {"anything": {"goes": 1}},
    }
    assert chart.undocumented_keys(values) == ["server.image.digest", "server.service.type"]
    (probe,) = chart.kubernetes_objects(values)
    assert (probe.path, probe.value) == ("server.startupProbe", {"periodSeconds": 5})
