"""The cost of an operation, from its parsed and validated document and its variables,
computed before any SQL runs: walked (`hub.api.limits.cost_walk`, where the cost model is)
and kept per document.

The walk cost 65-105 µs on the benchmark's documents (`benchmarks/bench_limits.py`), so a
document's cost is kept (`operation_costs`) per operation, role and the values of the few
variables it depends on: `first`, `last`, `id` and `ids` (the types their global ids name)
and those of `@skip`/`@include`. The raw variables are still checked on every request.
The walk also gives each root field's share (`CostWalk.roots`), which the actual cost of a
response counts for a root field whose answer it does not read (`hub.api.limits.actual`).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values

from hub.api.limits.cost_walk import CostWalk, global_id_type
from hub.api.limits.input_checks import check_input
from hub.api.limits.settings import LimitSettings, RoleLimits


@dataclass
class _Known:
    """A document's costs for one operation and role, by the values they depend on: the
    total and each root field's share."""

    document: DocumentNode
    depends_on: tuple[str, ...]
    costs: dict[tuple[Any, ...], tuple[int, dict[str, int]]] = field(default_factory=dict)


_KNOWN: dict[tuple[Any, ...], _Known] = {}
_KEPT = 1024
_COSTS_PER_DOCUMENT = 64


def _value_key(value: Any) -> Any:
    """What of a variable's value the cost depends on: the types of global ids."""
    if isinstance(value, list):
        return ("list", tuple(global_id_type(v) for v in value))
    if isinstance(value, str):
        return ("id", global_id_type(value))
    return value


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    settings: LimitSettings,
    role: RoleLimits,
) -> int:
    """The requested cost of the operation (`operation_costs`' total)."""
    return operation_costs(schema, document, operation_name, raw_variables, settings, role)[0]


def operation_costs(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    settings: LimitSettings,
    role: RoleLimits,
) -> tuple[int, dict[str, int]]:
    """The requested cost of the operation (see `hub.api.limits.cost_walk`) and each root
    field's share, by response key; raises the limits' errors. 0 when execution will
    refuse the operation anyway (no such operation, variables that do not coerce): that
    refusal runs no SQL either."""
    raw = raw_variables or {}
    for name, value in raw.items():
        check_input(value, settings, f"Variable '${name}'")
    inputs = (settings.max_fields, settings.max_list_length, settings.max_string_length)
    key = (id(document), operation_name, role, inputs, settings.max_input_depth)
    known = _KNOWN.get(key)
    if known is not None and known.document is document:
        values = tuple(_value_key(raw.get(name)) for name in known.depends_on)
        try:
            return known.costs[values]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (an input object): walk every time
            walked = walk_operation(schema, document, operation_name, raw, settings, role)
            return walked.total, walked.roots
    walk = walk_operation(schema, document, operation_name, raw, settings, role)
    if walk.root_type is None:
        # Refused (no such operation, variables that do not coerce): not kept, as the
        # document's other requests, keyed by the variables it depends on, cost their own.
        return walk.total, walk.roots
    if known is None or known.document is not document:
        if len(_KNOWN) >= _KEPT:
            _KNOWN.clear()
        known = _KNOWN[key] = _Known(document, tuple(sorted(walk.depends_on)))
    values = tuple(_value_key(raw.get(name)) for name in known.depends_on)
    if len(known.costs) >= _COSTS_PER_DOCUMENT:
        known.costs.clear()
    with suppress(TypeError):
        known.costs[values] = (walk.total, walk.roots)
    return walk.total, walk.roots


def walk_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw: dict[str, Any],
    settings: LimitSettings,
    role: RoleLimits,
) -> CostWalk:
    walk = CostWalk(schema, {}, {}, settings, role)
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return walk
    root = schema.get_root_type(operation.operation)
    if root is None:
        return walk
    variables = get_variable_values(schema, operation.variable_definitions or (), raw)
    if isinstance(variables, list):
        # Execution refuses them (no SQL); a later request with these values walks again.
        walk.depends_on.update(raw)
        return walk
    walk.fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk.variables = variables
    walk.root_type = root
    walk.selections(root, operation.selection_set, 1)
    return walk
