"""Rebuild `dagster_chart_keys.json` from a Dagster chart's values.schema.json.

    helm pull dagster/dagster --version 1.13.27 --untar --untardir chart-1.13.27
    .tools/bin/uv run python tests/deploy/derive_chart_keys.py \
        chart-1.13.27/dagster/values.schema.json --commit 1.13.27 \
        > tests/deploy/dagster_chart_keys.json

Keeps only the key structure (the node kinds of the fixture's header): enums and plain types
become `scalar`, objects without documented keys `object` (or `map` when their values must be
strings), references to the Kubernetes schema `k8s:<definition>`, and `null` alternatives
are dropped (a key set to null is documented whatever else it may be).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

_K8S_REF = re.compile(r"_definitions\.json#/definitions/([\w.]+)(?:/properties/(\w+))?$")
# Parts of a pod spec the chart refers to by property rather than by definition.
_K8S_PROPERTIES = {"tolerations": {"items": "k8s:io.k8s.api.core.v1.Toleration"}}


FORMAT = [
    "The value keys the Dagster Helm chart documents, derived from the chart's ",
    "values.schema.json (https://github.com/dagster-io/dagster, ",
    "helm/dagster/values.schema.json, Apache-2.0, Copyright Dagster Labs) at the commit under ",
    "'source'. Only its key structure is kept: definitions by the schema's names; a node is ",
    "'scalar' (no keys below), 'object' (the chart leaves the keys below free), 'map' (free ",
    "names, scalar values), 'k8s:<definition>' (a Kubernetes object, checked against ",
    "Kubernetes' own schema), {'k8s': <definition>, 'properties': {...}} (a Kubernetes object ",
    "plus the chart's own keys), {'properties': {...}} (exactly these keys), {'items': node} ",
    "(a list), {'anyOf': [node, ...]}, or '#Name' (a definition). tests/deploy/chart_keys.py ",
    "reads it; tests/deploy/derive_chart_keys.py rebuilds it from a chart version's schema.",
]


def _name(definition: str) -> str:
    """A definition's name without pydantic's module prefix (a__b__kubernetes__Service ->
    KubernetesService)."""
    parts = definition.split("__")
    return parts[0] if len(parts) == 1 else parts[-2].capitalize() + parts[-1]


def derive_node(schema: Mapping[str, Any]) -> Any:
    """The fixture node of one JSON schema node."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/definitions/"):
        return "#" + _name(ref.removeprefix("#/definitions/"))
    if "anyOf" in schema:
        # Keys beside anyOf (items, additionalProperties) belong to every alternative.
        shared = {k: v for k, v in schema.items() if k not in ("anyOf", "title", "$ref")}
        nodes: list[Any] = []
        for option in schema["anyOf"]:
            node = derive_node({**shared, **option})
            if option.get("type") != "null" and node not in nodes:
                nodes.append(node)
        return nodes[0] if len(nodes) == 1 else {"anyOf": nodes}
    if (match := _K8S_REF.search(ref)) is not None:
        definition, prop = match.groups()
        if prop is not None:
            return _K8S_PROPERTIES.get(prop, "map")
        properties = {k: derive_node(v) for k, v in schema.get("properties", {}).items()}
        if properties:
            return {"k8s": definition, "properties": properties}
        return f"k8s:{definition}"
    if schema.get("properties"):
        return {"properties": {k: derive_node(v) for k, v in schema["properties"].items()}}
    if schema.get("type") == "array":
        return {"items": derive_node(schema.get("items", {}))}
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties")
        return "map" if isinstance(extra, dict) and extra.get("type") == "string" else "object"
    return "scalar"


def derive_chart_keys(schema: Mapping[str, Any], commit: str) -> dict[str, Any]:
    """The fixture for `schema` (a whole values.schema.json); enums are inlined as scalars."""
    all_definitions = schema.get("definitions", {})
    enums = {_name(name) for name, node in all_definitions.items() if "enum" in node}
    definitions = {
        _name(name): _inline_enums(derive_node(node), enums)
        for name, node in all_definitions.items()
        if "enum" not in node
    }
    root = _name(schema.get("title", "HelmValues"))
    definitions[root] = _inline_enums(derive_node({"properties": schema["properties"]}), enums)
    return {
        "$comment": FORMAT,
        "chart": "dagster",
        "source": {
            "repository": "dagster-io/dagster",
            "path": "helm/dagster/values.schema.json",
            "commit": commit,
            "licence": "Apache-2.0",
        },
        "root": f"#{root}",
        "definitions": definitions,
    }


def _inline_enums(node: Any, enums: set[str]) -> Any:
    if isinstance(node, str):
        return "scalar" if node.startswith("#") and node[1:] in enums else node
    if isinstance(node, list):
        return [_inline_enums(item, enums) for item in node]
    if isinstance(node, dict):
        return {key: _inline_enums(value, enums) for key, value in node.items()}
    return node


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema", help="the chart's values.schema.json")
    parser.add_argument("--commit", required=True, help="the chart's tag or commit")
    args = parser.parse_args(argv)
    with open(args.schema, encoding="utf-8") as file:
        schema = json.load(file)
    json.dump(derive_chart_keys(schema, args.commit), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
