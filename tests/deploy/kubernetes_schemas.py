"""Offline checks against the Kubernetes schemas that `kubernetes-validate` ships.

`validate_manifest` is kubernetes-validate's own check of a whole object (kind and
apiVersion chosen by the object), strict: an unknown field is an error. `definition_errors`
checks a part of an object (a container's resources, a probe, a volume) against one
definition of the same bundled schemas, for the parts of Helm values and Dagster config that
end up in a pod spec. No network: the schemas are files inside the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

KUBERNETES_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests are written for (autoscaling/v2, EndpointSlice v1,
PodDisruptionBudget policy/v1 are all GA there); every later bundled version is checked too."""

# The bundled definitions' own $id; a $ref relative to it finds them in the registry.
_DEFINITIONS_BASE = "https://kubernetes.io/api/"


def manifest_documents(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a YAML file with one or more documents (empty documents skipped)."""
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if document:
            yield document


def validate_manifest(document: dict[str, Any], version: str = KUBERNETES_VERSION) -> None:
    """Raise kubernetes_validate.ValidationError when the object breaks the schema."""
    kubernetes_validate.validate(document, version, strict=True)


@cache
def _registry(version: str) -> Registry:
    definitions = schema_contents(
        f"kubernetes-json-schema/v{version}-local-strict/_definitions.json", version
    )
    return Resource.from_contents(definitions) @ Registry()


def definition_errors(value: Any, definition: str, version: str = KUBERNETES_VERSION) -> list[str]:
    """What is wrong with `value` as the Kubernetes `definition` (e.g.
    io.k8s.api.core.v1.Probe), strict; empty when it is valid."""
    schema = {
        "$id": f"{_DEFINITIONS_BASE}check.json",
        "$ref": f"/api/_definitions.json#/$defs/{definition}",
    }
    validator = jsonschema.Draft202012Validator(schema, registry=_registry(version))
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(value)
    ]
