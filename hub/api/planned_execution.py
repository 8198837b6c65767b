"""Executing a selection by a plan made once per request, not field by field from scratch.

graphql-core executes every field of every object the same general way: look up the
field's definition, build a `GraphQLResolveInfo`, coerce its arguments, call through
strawberry's resolver wrappers (which build a strawberry `Info` and convert arguments),
check the result for an awaitable and complete it by its type. A page of 100 persons with
their households is some 1,500 such fields, and that machinery, not SQL, was most of the
request's CPU.

`PlannedExecutionContext` decides once per request, for each (type, selection) pair, how
to complete each selected field, and then completes every object of that shape by the
plan:

- a plain scalar or enum attribute (strawberry's basic field: no resolver, no extension,
  no argument): read the attribute and serialize it;
- a plain attribute holding an object, or a list of objects: read it and complete the
  object(s) by their own plan, with no resolver call and no resolve info;
- a field whose resolver is a synchronous method taking `info` and arguments of built-in
  scalar types only (a person's household, their loans with `first`/`after`): call the
  method directly with graphql-core's coerced arguments and a strawberry `Info` over a real
  `GraphQLResolveInfo`, skipping strawberry's argument conversion and wrappers;
- anything else (input objects or enums as arguments, async resolvers, extensions,
  abstract types): graphql-core's regular way.

Anything unexpected on the fast paths (a null in a non-null field, a value that fails to
serialize, an object of the wrong type) is handed to the regular way for that field, so
errors and null propagation come out exactly as graphql-core makes them; errors raised
below a planned field are located and handled as `execute_field` handles them. A schema
with resolver middleware or strawberry exception handlers executes entirely the regular
way. `tests/hub/api/test_planned_execution.py` runs the same queries both ways and
compares the responses.
"""

from __future__ import annotations

from asyncio import gather
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar, cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class Kind(Enum):
    REGULAR = "regular"  # graphql-core's way
    LEAF = "leaf"  # a plain scalar or enum attribute
    OBJECT = "object"  # a plain attribute holding an object
    OBJECT_LIST = "object list"  # a plain attribute holding a list of objects
    RESOLVER = "resolver"  # a synchronous resolver method taking only info


REGULAR, LEAF, OBJECT, OBJECT_LIST, RESOLVER = Kind


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How to complete one selected field (see the module docstring for the kinds)."""

    kind: Kind
    attribute: str = ""
    nullable: bool = True
    serialize: Callable[[Any], Any] | None = None  # LEAF
    as_is: type | None = None  # LEAF: values of exactly this type serialize to themselves
    object_type: GraphQLObjectType | None = None  # OBJECT, OBJECT_LIST, RESOLVER (if plain)
    item_nullable: bool = True  # OBJECT_LIST
    resolver: Callable[..., Any] | None = None  # RESOLVER
    info_parameter: str | None = None  # RESOLVER
    definition: StrawberryField | None = None  # RESOLVER
    arguments: tuple[tuple[str, str], ...] = ()  # RESOLVER: (GraphQL name, Python name)
    returns_list: bool = False  # RESOLVER: a list of `object_type` (items: `item_nullable`)


_REGULAR_PLAN = FieldPlan(REGULAR)
_BUILT_IN_SCALARS = frozenset(("Int", "Float", "String", "Boolean", "ID"))
# graphql-core's serializers return a str as it is for String and ID, and a bool for
# Boolean (Int and Float check ranges and finiteness, so they are always called).
_AS_IS: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
# strawberry's `is_type_of` looks only at the value (`_plain_object` admits no other).
_NO_INFO = cast(GraphQLResolveInfo, None)
_STRAWBERRY_CONVERTER = "strawberry.schema.schema_converter"


def _unwrap(graphql_type: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    """The type without its non-null wrapper, and whether it was nullable."""
    if isinstance(graphql_type, GraphQLNonNull):
        return graphql_type.of_type, False
    return graphql_type, True


def _plain_object(graphql_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """`graphql_type` when it is an object type whose instances a plan can check itself
    (no `is_type_of`, or strawberry's, which only looks at the value)."""
    if not isinstance(graphql_type, GraphQLObjectType):
        return None
    check = graphql_type.is_type_of
    if check is not None and getattr(check, "__module__", None) != _STRAWBERRY_CONVERTER:
        return None
    return graphql_type


def _enum_serializer(enum_type: GraphQLEnumType) -> Callable[[Any], Any]:
    """`enum_type.serialize`, with the Python enum's members looked up in a dict first.

    strawberry's serializer compares the member's value with each GraphQL value in turn,
    reading `Enum.value` (a descriptor) every time."""
    wrapped = getattr(enum_type, "wrapped_cls", None)
    serialize = enum_type.serialize
    if not isinstance(wrapped, type) or not issubclass(wrapped, Enum):
        return serialize
    names: dict[Any, str] = {}
    for member in wrapped:
        for name, value in enum_type.values.items():
            if value.value == member.value:
                names.setdefault(member, name)
    lookup = names.get

    def serialize_member(value: Any) -> Any:
        # Only a member equals a member key (an unhashable value raises: the regular way).
        name = lookup(value)
        return serialize(value) if name is None else name

    return serialize_member


def _plain_arguments(
    field_def: GraphQLField, definition: StrawberryField
) -> tuple[tuple[str, str], ...] | None:
    """(GraphQL name, Python name) of each argument when all are of built-in scalar types
    (whose coerced values strawberry passes on unchanged), else None."""
    arguments = definition.arguments
    if len(arguments) != len(field_def.args):
        return None
    names: list[tuple[str, str]] = []
    for (graphql_name, argument), python in zip(field_def.args.items(), arguments, strict=True):
        inner, _ = _unwrap(argument.type)  # type: ignore[arg-type]
        if getattr(inner, "name", None) not in _BUILT_IN_SCALARS:
            return None
        if python.graphql_name not in (None, graphql_name):
            return None
        names.append((graphql_name, python.python_name))
    return tuple(names)


def plan_field(field_def: GraphQLField) -> FieldPlan:
    """The plan for one field definition (independent of the request)."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return _REGULAR_PLAN
    inner, nullable = _unwrap(field_def.type)
    if getattr(field_def.resolve, "_is_default", False):
        if definition.default_resolver is not getattr or field_def.args:
            return _REGULAR_PLAN
        attribute = definition.python_name
        if isinstance(inner, GraphQLEnumType):
            return FieldPlan(LEAF, attribute, nullable, serialize=_enum_serializer(inner))
        if isinstance(inner, GraphQLScalarType):
            return FieldPlan(
                LEAF,
                attribute,
                nullable,
                serialize=inner.serialize,
                as_is=_AS_IS.get(inner.name) if inner.name in _BUILT_IN_SCALARS else None,
            )
        if (object_type := _plain_object(inner)) is not None:
            return FieldPlan(OBJECT, attribute, nullable, object_type=object_type)
        if isinstance(inner, GraphQLList):
            item, item_nullable = _unwrap(inner.of_type)
            if (object_type := _plain_object(item)) is not None:
                return FieldPlan(
                    OBJECT_LIST,
                    attribute,
                    nullable,
                    object_type=object_type,
                    item_nullable=item_nullable,
                )
        return _REGULAR_PLAN
    resolver = definition.base_resolver
    arguments = _plain_arguments(field_def, definition)
    if (
        resolver is None
        or arguments is None
        or definition.extensions
        or resolver.is_async
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
    ):
        return _REGULAR_PLAN
    function = resolver.wrapped_func
    if isinstance(function, staticmethod | classmethod) or not callable(function):
        return _REGULAR_PLAN
    info = resolver.info_parameter
    object_type = _plain_object(inner)
    item_nullable = True
    if object_type is None and isinstance(inner, GraphQLList):
        item, item_nullable = _unwrap(inner.of_type)
        object_type = _plain_object(item)
    return FieldPlan(
        RESOLVER,
        nullable=nullable,
        resolver=function,
        object_type=object_type,
        item_nullable=item_nullable,
        returns_list=object_type is not None and isinstance(inner, GraphQLList),
        info_parameter=None if info is None else info.name,
        definition=definition,
        arguments=arguments,
    )


K = TypeVar("K")
V = TypeVar("V")


def _by_identity(compute: Callable[[K], V]) -> Callable[[K], V]:
    """`compute`, memoised by the argument's identity: for schema objects, which live as
    long as the process (graphql-core's fields compare by value, so they cannot be dict
    keys). The memo keeps each argument, so its id cannot be reused."""
    memo: dict[int, tuple[K, V]] = {}

    def cached(argument: K) -> V:
        hit = memo.get(id(argument))
        if hit is None or hit[0] is not argument:
            hit = memo[id(argument)] = (argument, compute(argument))
        return hit[1]

    return cached


field_plan = _by_identity(plan_field)


def _origin_of(object_type: GraphQLObjectType) -> type | None:
    """The class strawberry made `object_type` from: a value of exactly that class passes
    `is_type_of` without calling it."""
    extensions = object_type.extensions or {}
    definition = extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    return origin if isinstance(origin, type) else None


_origin = _by_identity(_origin_of)


# One selected field of a selection: response name, its nodes, definition and plan.
Step = tuple[str, list[FieldNode], GraphQLField | None, FieldPlan]

# Subfields and their steps kept across requests (see `collect_subfields`): keyed by the
# ids of the type and of the field's AST node, both held so the ids cannot be reused.
_SHARED_KEPT = 4096
_SHARED_SUBFIELDS: dict[
    tuple[int, int], tuple[GraphQLObjectType, FieldNode, dict[str, list[FieldNode]]]
] = {}
_SHARED_STEPS: dict[int, tuple[dict[str, list[FieldNode]], list[Step]]] = {}


def _has_directives(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    """Whether a selection at this level carries a directive (whose arguments may be
    variables), through inline fragments and fragment spreads."""
    for selection in selection_set.selections:
        if selection.directives:
            return True
        if isinstance(selection, InlineFragmentNode):
            if _has_directives(selection.selection_set, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.directives:
                return True
            if _has_directives(fragment.selection_set, fragments):
                return True
    return False


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, completing each selection by a per-request plan."""

    @cached_property
    def _planning(self) -> bool:
        # strawberry always passes a middleware manager; it wraps resolvers only when it
        # has middleware. Exception handlers change what a resolver's error becomes.
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return False
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        converter = getattr(strawberry_schema, "schema_converter", None)
        return converter is not None and not getattr(converter, "_exception_handler_specs", ())

    @cached_property
    def _info_class(self) -> Callable[..., Any]:
        info_class: Callable[..., Any] = self.schema._strawberry_schema.config.info_class  # type: ignore[attr-defined]
        return info_class

    @cached_property
    def _steps_cache(self) -> dict[int, tuple[dict[str, list[FieldNode]], list[Step]]]:
        return {}

    def _steps(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[Step]:
        # `fields` comes from a subfield cache (this request's, or the process-wide one of
        # `collect_subfields`), so every object of one shape passes the same dict; holding
        # it keeps its id from being reused.
        shared = _SHARED_STEPS.get(id(fields))
        if shared is not None and shared[0] is fields:
            return shared[1]
        cached = self._steps_cache.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        steps = self._plan_steps(parent_type, fields)
        self._steps_cache[id(fields)] = (fields, steps)
        return steps

    def _plan_steps(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[Step]:
        steps: list[Step] = []
        for name, nodes in fields.items():
            field_def = get_field_def(self.schema, parent_type, nodes[0])
            plan = field_plan(field_def) if field_def is not None else _REGULAR_PLAN
            steps.append((name, nodes, field_def, plan))
        return steps

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_nodes: list[FieldNode]
    ) -> dict[str, list[FieldNode]]:
        """graphql-core's subfields, kept across requests for a selection without
        directives: documents are parsed once per text, so the same query brings the same
        nodes, and with no `@skip`/`@include` the subfields do not depend on variables."""
        if not self._planning or len(field_nodes) != 1:
            return super().collect_subfields(return_type, field_nodes)
        node = field_nodes[0]
        key = (id(return_type), id(node))
        shared = _SHARED_SUBFIELDS.get(key)
        if shared is not None and shared[0] is return_type and shared[1] is node:
            return shared[2]
        fields = super().collect_subfields(return_type, field_nodes)
        if node.selection_set is not None and not _has_directives(
            node.selection_set, self.fragments
        ):
            if len(_SHARED_SUBFIELDS) >= _SHARED_KEPT:
                _SHARED_SUBFIELDS.clear()
                _SHARED_STEPS.clear()
            steps = self._plan_steps(return_type, fields)
            _SHARED_STEPS[id(fields)] = (fields, steps)
            _SHARED_SUBFIELDS[key] = (return_type, node, fields)
        return fields

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not self._planning:
            return super().execute_fields(parent_type, source_value, path, fields)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        type_name = parent_type.name
        for name, nodes, field_def, plan in self._steps(parent_type, fields):
            kind = plan.kind
            result: Any = Undefined
            if kind is LEAF:
                try:
                    value = getattr(source_value, plan.attribute)
                    if value is None:
                        if plan.nullable:
                            results[name] = None
                            continue
                    elif type(value) is plan.as_is:  # what serialize returns unchanged
                        results[name] = value
                        continue
                    else:
                        result = plan.serialize(value)  # type: ignore[misc]
                        if result is not None and result is not Undefined:
                            results[name] = result
                            continue
                except Exception:  # noqa: BLE001 - the regular way below reports it properly
                    pass
                result = Undefined
            elif kind is OBJECT or kind is OBJECT_LIST:
                result = self._plain(parent_type, source_value, name, nodes, field_def, plan, path)
            elif kind is RESOLVER:
                result = self._resolve(
                    parent_type, source_value, name, nodes, field_def, plan, path
                )
            if result is Undefined:  # the regular way
                result = self.execute_field(
                    parent_type, source_value, nodes, Path(path, name, type_name)
                )
                if result is Undefined:
                    continue
            results[name] = result
            if is_awaitable(result):
                awaitable_fields.append(name)
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            # Concurrently, as graphql-core does: the fields' DataLoaders batch together.
            values = await gather(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, values, strict=True))
            return results

        return get_results()

    # -- planned fields ------------------------------------------------------------------

    def _field_error(
        self,
        raw_error: Exception,
        nodes: list[FieldNode],
        return_type: GraphQLOutputType,
        path: Path,
    ) -> None:
        """What `execute_field` does with an error: locate it, then null the field or
        (non-null field) raise it to the parent."""
        error = located_error(raw_error, nodes, path.as_list())
        self.handle_field_error(error, return_type, path)

    def _guarded(
        self,
        completed: Any,
        nodes: list[FieldNode],
        return_type: GraphQLOutputType,
        path: Path,
    ) -> Any:
        """`completed`, whose errors (when it is awaitable) are handled as a field's."""
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core does
                self._field_error(raw_error, nodes, return_type, path)
                return None

        return await_completed()

    def _object(
        self, object_type: GraphQLObjectType, nodes: list[FieldNode], path: Path, value: Any
    ) -> AwaitableOrValue[dict[str, Any]] | object:
        """The completed object, or Undefined when `value` is not of `object_type`."""
        check = object_type.is_type_of
        exact = type(value) is _origin(object_type)
        if check is not None and not exact and not check(value, _NO_INFO):
            return Undefined
        subfields = self.collect_subfields(object_type, nodes)
        return self.execute_fields(object_type, value, path, subfields)

    def _plain(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        name: str,
        nodes: list[FieldNode],
        field_def: GraphQLField | None,
        plan: FieldPlan,
        parent_path: Path | None,
    ) -> Any:
        """A plain attribute holding an object or a list of objects; Undefined hands the
        field to the regular way (which reports a null in a non-null field, say)."""
        try:
            value = getattr(source, plan.attribute)
        except Exception:  # noqa: BLE001 - the regular way reports it properly
            return Undefined
        if value is None:
            return None if plan.nullable else Undefined
        assert plan.object_type is not None and field_def is not None
        path = Path(parent_path, name, parent_type.name)
        try:
            if plan.kind is OBJECT:
                completed = self._object(plan.object_type, nodes, path, value)
                if completed is Undefined:
                    return Undefined
            else:
                completed = self._list(plan, nodes, path, value)
                if completed is Undefined:
                    return Undefined
        except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core does
            self._field_error(raw_error, nodes, field_def.type, path)
            return None
        return self._guarded(completed, nodes, field_def.type, path)

    def _list(self, plan: FieldPlan, nodes: list[FieldNode], path: Path, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return Undefined
        object_type = plan.object_type
        assert object_type is not None
        check = object_type.is_type_of
        for item in value:  # anything irregular: the regular way reports it
            if item is None:
                if not plan.item_nullable:
                    return Undefined
            elif check is not None and not check(item, _NO_INFO):
                return Undefined
        item_type: GraphQLOutputType = (
            object_type if plan.item_nullable else GraphQLNonNull(object_type)
        )
        subfields = self.collect_subfields(object_type, nodes)
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(value):
            if item is None:
                completed.append(None)
                continue
            item_path = path.add_key(index, None)
            try:
                result: Any = self.execute_fields(object_type, item, item_path, subfields)
            except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core does
                self._field_error(raw_error, nodes, item_type, item_path)
                result = None
            if is_awaitable(result):
                result = self._guarded(result, nodes, item_type, item_path)
                awaitable_indices.append(index)
            completed.append(result)
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            values = await gather(*(completed[index] for index in awaitable_indices))
            for index, item in zip(awaitable_indices, values, strict=True):
                completed[index] = item
            return completed

        return get_completed()

    def _resolve(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        name: str,
        nodes: list[FieldNode],
        field_def: GraphQLField | None,
        plan: FieldPlan,
        parent_path: Path | None,
    ) -> Any:
        """A field whose resolver is a synchronous method taking at most `info`: called
        directly, its result completed as graphql-core's `execute_field` would."""
        assert field_def is not None and plan.resolver is not None
        path = Path(parent_path, name, parent_type.name)
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        return_type = field_def.type
        try:
            kwargs: dict[str, Any] = {}
            if plan.arguments:
                given = get_argument_values(field_def, nodes[0], self.variable_values)
                kwargs = {python: given[name] for name, python in plan.arguments if name in given}
            if plan.info_parameter is not None:
                kwargs[plan.info_parameter] = self._info_class(
                    _raw_info=info, _field=plan.definition
                )
            result = plan.resolver(source, **kwargs)
            if self.is_awaitable(result):
                return self._await_result(plan, result, return_type, nodes, info, path)
            completed = self._complete(plan, return_type, nodes, info, path, result)
        except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core does
            self._field_error(raw_error, nodes, return_type, path)
            return None
        return self._guarded(completed, nodes, return_type, path)

    def _complete(
        self,
        plan: FieldPlan,
        return_type: GraphQLOutputType,
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        object_type = plan.object_type
        if object_type is not None and result is not None:
            if plan.returns_list:
                completed = self._list(plan, nodes, path, result)
            else:
                completed = self._object(object_type, nodes, path, result)
            if completed is not Undefined:
                return completed
        return self.complete_value(return_type, nodes, info, path, result)

    def _await_result(
        self,
        plan: FieldPlan,
        result: Awaitable[Any],
        return_type: GraphQLOutputType,
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
    ) -> Awaitable[Any]:
        async def await_result() -> Any:
            try:
                completed = self._complete(plan, return_type, nodes, info, path, await result)
                if self.is_awaitable(completed):
                    return await completed
                return completed
            except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core does
                self._field_error(raw_error, nodes, return_type, path)
                return None

        return await_result()
