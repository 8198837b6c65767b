"""The walk that counts what an operation can return, field by field, from its parsed and
validated document and its variables' values.

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

Arguments are checked on the way (`hub.api.limits.input_checks`).
"""

from __future__ import annotations

import base64
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    visit,
)
from graphql.execution.collect_fields import should_include_node
from graphql.execution.values import get_argument_values

from hub.api.limits.errors import (
    CostLimitExceededError,
    FieldLimitExceededError,
    IntrospectionDisabledError,
)
from hub.api.limits.input_checks import check_input, page_size
from hub.api.limits.settings import LimitSettings, RoleLimits

LIST_FACTOR = 10
TOTAL_COUNT_COST = 1


def is_connection(graphql_type: Any) -> bool:
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and "edges" in graphql_type.fields
    )


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
        # The variables the total depends on (see `hub.api.limits.cost`).
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
            if name == "totalCount" and is_connection(parent):
                self._add(multiplier * TOTAL_COUNT_COST)
            return
        if node.selection_set is None or named.name == "PageInfo":
            return
        if page is not None and name == "edges":
            self.selections(named, node.selection_set, multiplier * page)
            return
        if is_connection(named) or name in ("node", "nodes"):
            self._note_variables(node)
        if is_connection(named):
            self._add(multiplier)
            self.selections(named, node.selection_set, multiplier, page_size(arguments))
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


def global_id_type(value: Any) -> str:
    """The type a relay global id names ("" for anything else)."""
    if not isinstance(value, str):
        return ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 underneath
        return ""
