"""The walk of a root field's selection into a `Sel` tree, the compiler's input.

graphql-core's execution context collects each object's subfields as execution would:
aliases, fragment spreads and inline fragments on the concrete type, `@skip`/`@include`
with the request's variables, and graphql-core coerces each field's arguments
(`get_argument_values`). The walk keeps what shapes the statement: each selected field's
response name, field name and subselection, and for a connection the names of the bind
parameters of its page. The values go into `params`. So the tree is the statement's cache
key: one document, its operation and its directives' values give one tree (the values of
arguments are parameters), and the statement built from it is built once
(`hub.api.compiled.execution`).

A field the mapping does not declare, or arguments the regular path would reject, raise
`NotCompiled`: the root field then goes the regular way.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
)
from graphql.execution import ExecutionContext
from graphql.execution.values import get_argument_values

from hub.api.access.requirements import Verdict, decide
from hub.api.access.rows import RowFilters
from hub.api.access.rule_lookup import row_filter_of, rule_of, visible_type
from hub.api.access.rules import TERRITORY
from hub.api.access.suppressed_counts import is_suppressed_count
from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.mapping import (
    MAPPINGS,
    NODE_IDS,
    NODE_KEYS,
    NOT_FOR_THE_PUBLIC,
    NOT_WITHIN_A_TERRITORY,
    Many,
)
from hub.api.compiled.masks import Mask
from hub.api.compiled.variables import variables_inside
from hub.api.errors import BadUserInputError
from hub.api.pagination import PageArgs, PageWindow
from hub.api.principal import Principal, Role

# Marks a page counted back from the end of the list (`last` without `before`).
FROM_END = "from_end"
# A page's offset parameter when the page starts at the first row (`Walk.page`).
FIRST_ROW = ""
# The parameters of the caller's territory, when a statement filters by it.
ACCESS_LOW = "access_low"
ACCESS_HIGH = "access_high"


class Sel(NamedTuple):
    """One selected field: its response name, field name, subselection (None for a leaf)
    and the names of its bind parameters (a connection's offset and limit). `masked`: the
    caller lacks a scope the field needs, so it is null (and a FORBIDDEN error,
    `hub.api.compiled.masks`). `arguments`: the other arguments given (not null) that the
    mapping reads (`kinds.Arguments`), each with its parameter's name."""

    alias: str
    name: str
    children: tuple[Sel, ...] | None = None
    params: tuple[str, ...] = ()
    masked: bool = False
    arguments: tuple[tuple[str, str], ...] = ()


def named_object(graphql_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """The object type under non-null and list wrappers, else None."""
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type if isinstance(graphql_type, GraphQLObjectType) else None


@dataclass
class Walk:
    """One root field's walk: the execution context and the parameters gathered.

    The walk also applies the rule table (`hub.api.access.rules`) for the request's
    principal: a nullable field it sees only with scopes its key lacks is masked (null,
    and its FORBIDDEN errors: `masks`, `hub.api.compiled.masks`); a field it may not see
    at all, a type it may not see, or a type whose rows its filters restrict raise
    `NotCompiled`, and the root field goes the regular way, which enforces the same
    table. One filter compiles: an agency's territory, a WHERE on the rows' mahalla
    codes at every level where persons, households or records are reached
    (`Builder.access`), with the codes as parameters, so statements stay shared between
    callers of one kind."""

    context: ExecutionContext
    params: dict[str, Any] = field(default_factory=dict)
    count: int = 0
    masks: list[Mask] = field(default_factory=list)
    # The response keys down to the field being walked, and how many of them are fields of
    # objects (not a connection's `edges` or an edge's `node`).
    _keys: list[str] = field(default_factory=list)
    _hops: int = 0

    @cached_property
    def principal(self) -> Principal:
        principal = getattr(self.context.context_value, "principal", None)
        if not isinstance(principal, Principal):
            raise NotCompiled("a request without a principal")
        return principal

    @cached_property
    def rows(self) -> RowFilters:
        return RowFilters.of(self.principal)

    def access_key(self) -> Hashable:
        """What the walk's checks depend on, beyond the document."""
        principal = self.principal
        return (principal.role, principal.scopes, self.rows.key())

    def check_field(self, type_name: str, field_name: str) -> None:
        """NotCompiled unless the principal sees `type_name.field_name` unmasked."""
        requirement = rule_of(type_name, field_name).of(self.principal.role)
        if decide(requirement, self.principal)[0] is not Verdict.SHOW:
            raise NotCompiled(f"{type_name}.{field_name} is restricted for this caller")
        if self.principal.role is Role.PUBLIC and (
            is_suppressed_count(type_name, field_name)
            or (type_name, field_name) in NOT_FOR_THE_PUBLIC
        ):
            raise NotCompiled(f"{type_name}.{field_name}: the public's counts are suppressed")
        if self.rows.territory is not None and (type_name, field_name) in NOT_WITHIN_A_TERRITORY:
            raise NotCompiled(f"{type_name}.{field_name} within a territory")

    def check_type(self, type_name: str) -> None:
        """NotCompiled unless the principal sees every row of `type_name`."""
        if not visible_type(type_name, self.principal.role):
            raise NotCompiled(f"{type_name} is not visible to this caller")
        # A connection's totalCount and cursors count the rows of its node type.
        listed = type_name.removesuffix("Connection").removesuffix("Edge")
        names = {*_names(row_filter_of(type_name)), *_names(row_filter_of(listed))}
        active = {n for n in names if self.rows.active(n)}
        if not active:
            return
        if active != {TERRITORY}:
            raise NotCompiled(f"{type_name}'s rows are filtered for this caller")
        # The territory compiles: a range of the rows' mahalla codes, bound by name
        # (`Builder.access`); the statement then differs only by having it.
        assert self.rows.territory is not None
        self.params[ACCESS_LOW], self.params[ACCESS_HIGH] = self.rows.territory

    def parameter(self, value: Any) -> str:
        name = f"p{self.count}"
        self.count += 1
        self.params[name] = value
        return name

    def root_selection(
        self, object_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> tuple[Sel, ...]:
        """`selection` for a root field's nodes, kept per document node and the values of
        the variables used inside it: a document's requests differ mostly in the root's
        arguments, and walking a large selection cost more than executing its statement."""
        if len(nodes) != 1:
            return self.selection(object_type, nodes)
        node = nodes[0]
        names = variables_inside(node, self.context.fragments)
        try:
            values = tuple(self.context.variable_values[n] for n in names)
            # The type too: `node(id:)` selects on the concrete type of each request's id.
            key = (id(node), object_type.name, values, self.access_key())
            hash(key)
        except (KeyError, TypeError):
            return self.selection(object_type, nodes)
        kept = _WALKS.get(key)
        if kept is None or kept[0] is not node:
            if len(_WALKS) >= _KEPT:
                _WALKS.clear()
            walk = Walk(self.context)
            selected = walk.selection(object_type, nodes)
            kept = _WALKS[key] = (node, selected, walk.params, tuple(walk.masks))
        self.params.update(kept[2])
        self.masks.extend(kept[3])
        return kept[1]

    def selection(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> tuple[Sel, ...]:
        """The subfields of `nodes` on `object_type`, as mapped."""
        self.check_type(object_type.name)
        fields = self.context.collect_subfields(object_type, nodes)
        return tuple(self._field(object_type, alias, group) for alias, group in fields.items())

    def _field(self, parent: GraphQLObjectType, alias: str, nodes: list[FieldNode]) -> Sel:
        name = nodes[0].name.value
        if name == "__typename":
            return Sel(alias, name)
        field_def = parent.fields.get(name)
        if field_def is None:
            raise NotCompiled(f"{parent.name}.{name} is not a field")
        if self._masked(parent.name, name, field_def.type):
            keys = (*self._keys, alias)
            self.masks.append(Mask(keys, parent.name, name, nodes, field_def.type))
            return Sel(alias, name, masked=True)
        self.check_field(parent.name, name)
        mapped = MAPPINGS.get(parent.name, {}).get(name)
        own = (name == "id" and (parent.name in NODE_KEYS or parent.name in NODE_IDS)) or (
            _is_connection_part(parent.name)
        )
        if mapped is None and not own:
            raise NotCompiled(f"{parent.name}.{name} is not mapped")
        child_type = named_object(field_def.type)
        params: tuple[str, ...] = ()
        given: tuple[tuple[str, str], ...] = ()
        if field_def.args:
            arguments = get_argument_values(field_def, nodes[0], self.context.variable_values)
            paged = isinstance(mapped, Many) and mapped.connection
            if paged:
                params = self.page(arguments)
            given = self._arguments(f"{parent.name}.{name}", mapped, arguments, paged)
        if child_type is None:
            return Sel(alias, name, None, params, arguments=given)
        hop = not _is_connection_part(parent.name)
        self._keys.append(alias)
        self._hops += hop
        try:
            return Sel(alias, name, self.selection(child_type, nodes), params, arguments=given)
        finally:
            self._keys.pop()
            self._hops -= hop

    def _arguments(
        self, field: str, mapped: Any, arguments: dict[str, Any], paged: bool
    ) -> tuple[tuple[str, str], ...]:
        """The parameters of the arguments given to `field` beside its page; NotCompiled
        for one its mapping does not read or a value the regular path rejects."""
        declared = getattr(mapped, "arguments", None)
        others = {
            k: v for k, v in arguments.items() if v is not None and not (paged and k in _PAGE)
        }
        unread = set(others) - set(() if declared is None else declared.names)
        if unread:
            raise NotCompiled(f"{field} with the argument {min(unread)}")
        if declared is None:
            return ()
        if declared.check is not None:
            declared.check(others)
        return tuple((n, self.parameter(_stored(others[n]))) for n in declared.names if n in others)

    def _masked(self, type_name: str, field_name: str, field_type: GraphQLOutputType) -> bool:
        """Whether the field compiles as masked: the caller's role sees it with scopes the
        key lacks, and it is nullable (a non-null one would null its parent)."""
        if isinstance(field_type, GraphQLNonNull):
            return False
        requirement = rule_of(type_name, field_name).of(self.principal.role)
        return decide(requirement, self.principal)[0] is Verdict.MASK

    def page(self, arguments: dict[str, Any], prefix: str = "") -> tuple[str, ...]:
        """The offset and limit parameters of a connection's page; a root's are named by
        `prefix`, apart from those of the selection below it. `last` without `before`
        gives the first position allowed and `last`, then `FROM_END`."""
        try:
            args = PageArgs(
                arguments.get("first"),
                arguments.get("after"),
                arguments.get("last"),
                arguments.get("before"),
            )
        except BadUserInputError as exc:
            raise NotCompiled("arguments the regular path rejects") from exc
        if args.last is not None and args.before is None:
            # The window ends at the list's end, known only to the statement: its
            # parameters are the first position allowed and `last` (`connections`).
            start = PageWindow.of(PageArgs(after=args.after)).offset
            return (*self._page_parameters(prefix, start, args.last), FROM_END)
        window = PageWindow.of(args)
        return self._page_parameters(prefix, window.offset, window.limit)

    def _page_parameters(self, prefix: str, offset: int, limit: int) -> tuple[str, str]:
        """The names of the page's offset and limit parameters; a page from the first
        row names no offset (`FIRST_ROW`): its statement says `OFFSET 0`.

        With the offset a parameter, PostgreSQL's estimate for a generic plan assumes
        it skips a tenth of the rows, so it planned every execution of a prepared page
        statement anew (a custom plan: 0.3 ms of a page of 100's 1.1 ms). Told the
        offset, it keeps one generic plan. A document then has at most two statements
        per connection, its first pages' and its later pages'."""
        offset_name = FIRST_ROW if offset == 0 else self._bound(prefix, "offset", offset)
        return offset_name, self._bound(prefix, "limit", limit)

    def _bound(self, prefix: str, name: str, value: int) -> str:
        """A page parameter's name: `prefix` + `name` for a root's, else a numbered one."""
        if not prefix:
            return self.parameter(value)
        self.params[prefix + name] = value
        return prefix + name


_PAGE = frozenset({"first", "after", "last", "before"})


def _stored(value: Any) -> Any:
    """An argument's value as the database holds it (an enum's value)."""
    return value.value if isinstance(value, Enum) else value


def _names(names: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if names is None:
        return ()
    return (names,) if isinstance(names, str) else names


def _is_connection_part(type_name: str) -> bool:
    """The fields of connections, edges and page infos are the compiler's own."""
    return type_name.endswith(("Connection", "Edge")) or type_name == "PageInfo"


_WALKS: dict[
    tuple[int, str, tuple[Any, ...], Hashable],
    tuple[FieldNode, tuple[Sel, ...], dict[str, Any], tuple[Mask, ...]],
] = {}
_KEPT = 1024
