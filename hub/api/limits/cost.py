"""The cost of an operation, from its parsed and validated document and its variables,
computed before any SQL runs.

The cost counts the objects an operation can return, each field by its rule:

| field | cost |
|---|---|
| scalar or enum | 0: a column of a row already read |
| `totalCount` of a connection | 1: a count statement |
| object | 1 |
| connection | 1, and its `edges` multiply all below them by the page size (*) |
| `pageInfo` | 0 |
| `Query.nodes(ids:)` | one object per id |
| any other list of objects (`loansByProgramme`, ...) | `LIST_FACTOR` (10) objects |
| `__schema`, `__type`, `__typename` | 0: answered from memory (**) |

(*) `first` or `last`, else `DEFAULT_PAGE_SIZE` (20). (**) `__schema` and `__type` only
for roles with introspection (`HUB_API_INTROSPECTION`).

Factors multiply down the tree: 100 mahallas each with 10 programmes cost 100 x 10. Only
what execution would run counts: fields and fragments under `@skip(if: true)` or
`@include(if: false)` cost nothing, and a fragment counts only on the types it applies to.
An object of an abstract type (`node`, `nodes`) costs as the type its global id names, or,
when the id does not name one, as the dearest of its possible types. The walk stops as soon as
the total passes the ceiling (COST_LIMIT_EXCEEDED) or it has visited `max_fields` fields
(FIELD_LIMIT_EXCEEDED), so a document cannot make the walk itself expensive.

Arguments are checked on the way, with the variables' values: a page above
`MAX_PAGE_SIZE` (100), a list longer than `max_list_length` (`nodes(ids:)`), a string
longer than `max_string_length` (a filter) or nesting deeper than `max_input_depth` is
BAD_USER_INPUT (`check_input`, which also checks the raw variables).

The walk cost 65-105 µs on the benchmark's documents (`benchmarks/bench_limits.py`), so a
document's cost is kept (`operation_costs`) per operation, role and the values of the few
variables it depends on: `first`, `last`, `id` and `ids` (the types their global ids name)
and those of `@skip`/`@include`. The raw variables are still checked on every request.
The walk also gives each root field's share (`CostWalk.roots`), which the actual cost of a
response counts for a root field whose answer it does not read (`hub.api.limits.actual`).
"""

from __future__ import annotations

import base64
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    visit,
)
from graphql.execution.collect_fields import should_include_node
from graphql.execution.values import get_argument_values, get_variable_values

from hub.api.errors import BadUserInputError
from hub.api.limits.errors import (
    CostLimitExceededError,
    FieldLimitExceededError,
    IntrospectionDisabledError,
)
from hub.api.limits.settings import LimitSettings, RoleLimits
from hub.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

LIST_FACTOR = 10
TOTAL_COUNT_COST = 1


def check_input(value: Any, settings: LimitSettings, where: str) -> None:
    """BadUserInputError when `value` (an argument or variable, JSON-like) holds a string
    or list too long, or nests too deep; `where` names it in the message."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > settings.max_string_length:
                raise BadUserInputError(
                    f"{where} holds a string of {len(item)} characters. "
                    f"At most {settings.max_string_length}.",
                    maxLength=settings.max_string_length,
                )
        elif isinstance(item, list | tuple | dict):
            if depth >= settings.max_input_depth:
                raise BadUserInputError(
                    f"{where} nests lists or objects deeper than {settings.max_input_depth}.",
                    maxDepth=settings.max_input_depth,
                )
            if len(item) > settings.max_list_length:
                raise BadUserInputError(
                    f"{where} holds a list or object of {len(item)} items. "
                    f"At most {settings.max_list_length}.",
                    maxItems=settings.max_list_length,
                )
            items = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in items)


def _is_connection(graphql_type: Any) -> bool:
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and "edges" in graphql_type.fields
    )


def _page_size(arguments: dict[str, Any]) -> int:
    """The page a connection's arguments ask for; BadUserInputError, worded as the
    resolver words it, for a size above 100 or below 0. (Cursors and `first` with `last`
    are the resolver's to refuse, before its SQL: a kept cost does not depend on them.)"""
    for name in ("first", "last"):
        value = arguments.get(name)
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise BadUserInputError(
                f"Argument '{name}' has value {value}. Must be between 0 and {MAX_PAGE_SIZE}.",
                argument=name,
                maxPageSize=MAX_PAGE_SIZE,
            )
    first, last = arguments.get("first"), arguments.get("last")
    if first is not None:
        return int(first)
    return int(last) if last is not None else DEFAULT_PAGE_SIZE


class CostWalk:
    """One operation's walk (see the module docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        settings: LimitSettings,
        role: RoleLimits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings
        self.role = role
        self.total = 0
        self.fields = 0
        # The variables the total depends on (see the module docstring).
        self.depends_on: set[str] = set()
        # Each root field's cost, by response key.
        self.roots: dict[str, int] = {}
        self.root_type: GraphQLObjectType | None = None

    def _add(self, amount: int) -> None:
        self.total += amount
        if self.total > self.role.cost_ceiling:
            raise CostLimitExceededError(
                f"The query costs more than {self.role.cost_ceiling}, this key's ceiling "
                "per request (see extensions.cost). Ask for smaller pages or fewer fields.",
                cost={"requested": self.total, "ceiling": self.role.cost_ceiling},
            )

    def _type(self, condition: NamedTypeNode | None, parent: GraphQLCompositeType) -> Any:
        if condition is None:
            return parent
        return self.schema.get_type(condition.name.value) or parent

    def _applies(self, condition: Any, parent: GraphQLCompositeType) -> bool:
        """Whether a fragment on `condition` applies to an object of type `parent` (on an
        abstract `parent`, whose concrete type is not known here: always)."""
        if condition is parent or not isinstance(parent, GraphQLObjectType):
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, parent)

    @staticmethod
    def _narrowed(condition: Any, parent: GraphQLCompositeType) -> Any:
        """The type a fragment's fields are read on: the object's own type when known."""
        return parent if isinstance(parent, GraphQLObjectType) else condition

    def _included(self, node: Any) -> bool:
        """`@skip`/`@include` as execution reads them (their variables noted)."""
        if not node.directives:
            return True
        found = _Variables()
        for directive in node.directives:
            visit(directive, found)
        self.depends_on |= found.names
        return should_include_node(self.variables, node)

    def selections(
        self,
        parent: GraphQLCompositeType,
        selection_set: SelectionSetNode,
        multiplier: int,
        page: int | None = None,
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                if parent is self.root_type:
                    before = self.total
                    self._field(parent, selection, multiplier, page)
                    key = (selection.alias or selection.name).value
                    self.roots[key] = self.roots.get(key, 0) + self.total - before
                else:
                    self._field(parent, selection, multiplier, page)
            elif isinstance(selection, InlineFragmentNode):
                inner = self._type(selection.type_condition, parent)
                if self._applies(inner, parent):
                    self.selections(
                        self._narrowed(inner, parent), selection.selection_set, multiplier, page
                    )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    inner = self._type(fragment.type_condition, parent)
                    if self._applies(inner, parent):
                        narrowed = self._narrowed(inner, parent)
                        self.selections(narrowed, fragment.selection_set, multiplier, page)

    def _field(
        self, parent: GraphQLCompositeType, node: FieldNode, multiplier: int, page: int | None
    ) -> None:
        self.fields += 1
        if self.fields > self.settings.max_fields:
            raise FieldLimitExceededError(
                f"The query selects more than {self.settings.max_fields} fields once its "
                "fragments are expanded.",
                maxFields=self.settings.max_fields,
            )
        name = node.name.value
        if name.startswith("__"):
            if name != "__typename" and not self.role.introspection:
                raise IntrospectionDisabledError(
                    f"Introspection ({name}) is not open to this key's role."
                )
            return
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        field_def = parent.fields.get(name)
        if field_def is None:
            return
        arguments: dict[str, Any] = {}
        if field_def.args:
            arguments = get_argument_values(field_def, node, self.variables)
            check_input(arguments, self.settings, f"An argument of {parent.name}.{name}")
        named = get_named_type(field_def.type)
        if not is_composite_type(named):
            if name == "totalCount" and _is_connection(parent):
                self._add(multiplier * TOTAL_COUNT_COST)
            return
        if node.selection_set is None or named.name == "PageInfo":
            return
        if page is not None and name == "edges":
            self.selections(named, node.selection_set, multiplier * page)
            return
        if _is_connection(named) or name in ("node", "nodes"):
            self._note_variables(node)
        if _is_connection(named):
            self._add(multiplier)
            self.selections(named, node.selection_set, multiplier, _page_size(arguments))
            return
        factor = 1
        if is_list_type(get_nullable_type(field_def.type)):
            ids = arguments.get("ids") if name == "nodes" else None
            factor = len(ids) if isinstance(ids, list) else LIST_FACTOR
        if is_abstract_type(named):
            self._abstract(named, node.selection_set, multiplier, factor, arguments)
            return
        self._add(multiplier * factor)
        self.selections(named, node.selection_set, multiplier * factor)

    def _abstract(
        self,
        named: Any,
        selection_set: SelectionSetNode,
        multiplier: int,
        factor: int,
        arguments: dict[str, Any],
    ) -> None:
        """Objects of an abstract type: each as the type its global id names (`node(id:)`,
        `nodes(ids:)`), else as the dearest of the possible types."""
        possible = self.schema.get_possible_types(named)
        ids = arguments.get("ids", [arguments["id"]] if "id" in arguments else None)
        counts: dict[GraphQLObjectType | None, int] = {}
        if isinstance(ids, list) and len(ids) == factor:
            for value in ids:
                named_type = self.schema.get_type(global_id_type(value))
                concrete = named_type if named_type in possible else None
                counts[concrete] = counts.get(concrete, 0) + 1
        else:
            counts[None] = factor
        for concrete, count in counts.items():
            if concrete is not None:
                self._add(multiplier * count)
                self.selections(concrete, selection_set, multiplier * count)
                continue
            start, dearest = self.total, 0
            for candidate in possible:
                self.total = start
                self._add(multiplier * count)
                self.selections(candidate, selection_set, multiplier * count)
                dearest = max(dearest, self.total - start)
            self.total = start
            self._add(dearest)

    def _note_variables(self, node: FieldNode) -> None:
        found = _Variables()
        for argument in node.arguments:
            if argument.name.value in _COST_ARGUMENTS:
                visit(argument, found)
        self.depends_on |= found.names


# The arguments whose values change a cost: a page's size, the ids of `nodes`. (Cursors
# and filters do not; the resolvers check cursors before any SQL.)
_COST_ARGUMENTS = frozenset({"first", "last", "id", "ids"})


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


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


def global_id_type(value: Any) -> str:
    """The type a relay global id names ("" for anything else)."""
    if not isinstance(value, str):
        return ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 underneath
        return ""


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
    """The requested cost of the operation (see the module docstring) and each root
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
