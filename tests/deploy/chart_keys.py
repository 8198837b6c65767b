"""Which key paths of a Helm values file the Dagster chart documents.

`dagster_chart_keys.json` beside this file is the key structure of the chart's
values.schema.json (its header says where it comes from and what each kind of node means).
`undocumented_keys` walks a values mapping along it and names every key path the chart does
not document; `kubernetes_objects` lists the parts the chart hands to Kubernetes (resources,
probes, volumes...), which tests/deploy/kubernetes_schemas.py checks against Kubernetes' own
schema instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHART_KEYS_FILE = Path(__file__).with_name("dagster_chart_keys.json")


@dataclass(frozen=True)
class KubernetesObject:
    """A part of the values that the chart passes to Kubernetes as it is."""

    path: str
    definition: str
    value: Any


class ChartKeys:
    """The documented key structure of one chart version."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.source: Mapping[str, str] = document["source"]
        self._definitions: Mapping[str, Any] = document["definitions"]
        self._root = document["root"]

    @classmethod
    def load(cls, path: Path = CHART_KEYS_FILE) -> ChartKeys:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def undocumented_keys(self, values: Mapping[str, Any]) -> list[str]:
        """Key paths of `values` (a.b[].c) that the chart does not document."""
        return sorted(set(self._walk(self._root, values, "", [])))

    def kubernetes_objects(self, values: Mapping[str, Any]) -> list[KubernetesObject]:
        found: list[KubernetesObject] = []
        list(self._walk(self._root, values, "", found))
        return found

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, str) and node.startswith("#"):
            node = self._definitions[node[1:]]
        return node

    def _walk(
        self, node: Any, value: Any, path: str, found: list[KubernetesObject]
    ) -> Iterator[str]:
        node = self._resolve(node)
        if value is None or node == "object":
            return
        if node == "scalar":
            if isinstance(value, dict | list):
                yield path
            return
        if node == "map":
            yield from (f"{path}.{key}" for key, item in value.items() if isinstance(item, dict))
            return
        if isinstance(node, str) and node.startswith("k8s:"):
            found.append(KubernetesObject(path, node.removeprefix("k8s:"), value))
            return
        if "anyOf" in node:
            yield from self._walk_any(node["anyOf"], value, path, found)
            return
        if "items" in node:
            for item in value if isinstance(value, list) else []:
                yield from self._walk(node["items"], item, f"{path}[]", found)
            return
        yield from self._walk_properties(node, value, path, found)

    def _walk_any(
        self, options: list[Any], value: Any, path: str, found: list[KubernetesObject]
    ) -> Iterator[str]:
        """The value is documented when one of the options documents all of it."""
        best: list[str] | None = None
        for option in options:
            tried: list[KubernetesObject] = []
            missing = list(self._walk(option, value, path, tried))
            if self._fits(option, value) and (best is None or len(missing) < len(best)):
                best, kept = missing, tried
        if best is None:
            yield path
            return
        found.extend(kept)
        yield from best

    def _fits(self, node: Any, value: Any) -> bool:
        node = self._resolve(node)
        if node == "scalar":
            return not isinstance(value, dict | list)
        if node in ("object", "map") or (isinstance(node, str) and node.startswith("k8s:")):
            return isinstance(value, dict)
        if "items" in node:
            return isinstance(value, list)
        if "anyOf" in node:
            return any(self._fits(option, value) for option in node["anyOf"])
        return isinstance(value, dict)

    def _walk_properties(
        self, node: Mapping[str, Any], value: Any, path: str, found: list[KubernetesObject]
    ) -> Iterator[str]:
        if not isinstance(value, dict):
            yield path
            return
        properties: Mapping[str, Any] = node.get("properties", {})
        rest = {}
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key in properties:
                yield from self._walk(properties[key], item, where, found)
            elif "k8s" in node:
                rest[key] = item
            else:
                yield where
        if "k8s" in node:
            found.append(KubernetesObject(path, node["k8s"], rest))
