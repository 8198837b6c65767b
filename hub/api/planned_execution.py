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
- a field whose resolver is a method (synchronous or async) taking `info` and arguments
  (a person's household, their loans with `first`/`after`, `persons(filter:, first:)`):
  call the method directly with graphql-core's coerced arguments, converted by a plan
  made once per argument type (`hub.api.argument_plans`; built-in scalars pass as they
  are), and a strawberry `Info` over a real `GraphQLResolveInfo`, skipping strawberry's
  per-call argument conversion and wrappers;
- anything else (arguments of types the argument plans leave out, such as `Maybe`,
  extensions, resolvers taking `root` or `parent`, abstract types): graphql-core's
  regular way.

For a selection without directives (the same for every request of one document), the
loop over its fields is compiled into a function with the plain leaves inlined
(`compile_runner`).

A connection whose resolver completed its `edges` straight from the rows of its statement
(`hub.api.row_pages`, a `CompletedEdges`) has them taken as they are, for the field node
they were completed for and no other.

Anything unexpected on the fast paths (a null in a non-null field, a value that fails to
serialize, an object of the wrong type) is handed to the regular way for that field, so
errors and null propagation come out exactly as graphql-core makes them; errors raised
below a planned field are located and handled as `execute_field` handles them. A schema
with resolver middleware or strawberry exception handlers executes entirely the regular
way. `tests/hub/api/test_planned_execution.py` runs the same queries both ways and
compares the responses.
"""

from __future__ import annotations

import inspect
from asyncio import gather
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Literal, TypeVar, cast

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

from hub.api.argument_plans import UNSUPPORTED, Convert, argument_converter
from hub.api.context import Context
from hub.api.pagination import CompletedEdges
from hub.api.relations import ToOne, to_one_of


class Kind(Enum):
    REGULAR = "regular"  # graphql-core's way
    LEAF = "leaf"  # a plain scalar or enum attribute
    OBJECT = "object"  # a plain attribute holding an object
    OBJECT_LIST = "object list"  # a plain attribute holding a list of objects
    RESOLVER = "resolver"  # a resolver method taking info and planned arguments


REGULAR, LEAF, OBJECT, OBJECT_LIST, RESOLVER = Kind


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How to complete one selected field (see the module docstring for the kinds)."""

    kind: Kind
    attribute: str = ""
    nullable: bool = True
    serialize: Callable[[Any], Any] | None = None  # LEAF
    as_is: type | None = None  # LEAF: values of exactly this type serialize to themselves
    enum_names: Mapping[Any, str] | None = None  # LEAF of an enum: member -> GraphQL name
    object_type: GraphQLObjectType | None = None  # OBJECT, OBJECT_LIST, RESOLVER (if plain)
    item_nullable: bool = True  # OBJECT_LIST
    resolver: Callable[..., Any] | None = None  # RESOLVER
    info_parameter: str | None = None  # RESOLVER
    definition: StrawberryField | None = None  # RESOLVER
    # RESOLVER: (GraphQL name, Python name, conversion or None) of each argument
    arguments: tuple[tuple[str, str, Convert | None], ...] = ()
    returns_list: bool = False  # RESOLVER: a list of `object_type` (items: `item_nullable`)
    relation: ToOne | None = None  # RESOLVER: the to-one relation it declares resolving


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


def _enum_names(enum_type: GraphQLEnumType) -> dict[Any, str] | None:
    """The GraphQL name of each member of the Python enum strawberry made `enum_type`
    from (what its serializer returns for the member), or None for another enum type."""
    wrapped = getattr(enum_type, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, Enum):
        return None
    names: dict[Any, str] = {}
    for member in wrapped:
        for name, value in enum_type.values.items():
            if value.value == member.value:
                names.setdefault(member, name)
    return names


def _enum_serializer(enum_type: GraphQLEnumType) -> Callable[[Any], Any]:
    """`enum_type.serialize`, with the Python enum's members looked up in a dict first.

    strawberry's serializer compares the member's value with each GraphQL value in turn,
    reading `Enum.value` (a descriptor) every time."""
    serialize = enum_type.serialize
    names = _enum_names(enum_type)
    if names is None:
        return serialize
    lookup = names.get

    def serialize_member(value: Any) -> Any:
        # Only a member equals a member key (an unhashable value raises: the regular way).
        name = lookup(value)
        return serialize(value) if name is None else name

    return serialize_member


def _plain_arguments(
    field_def: GraphQLField, definition: StrawberryField, converter: GraphQLCoreConverter
) -> tuple[tuple[str, str, Convert | None], ...] | None:
    """(GraphQL name, Python name, conversion) of each argument, the conversion planned by
    `hub.api.argument_plans` (None: the coerced value is passed as it is, as for a built-in
    scalar); None when an argument's type is not planned (a `Maybe[str]` is a String in
    the schema, but strawberry wraps its value)."""
    arguments = definition.arguments
    if len(arguments) != len(field_def.args):
        return None
    planned: list[tuple[str, str, Convert | None]] = []
    for graphql_name, python in zip(field_def.args, arguments, strict=True):
        if python.graphql_name not in (None, graphql_name):
            return None
        found = argument_converter(python.type, converter.scalar_registry, converter.config)
        if found is UNSUPPORTED:
            return None
        planned.append((graphql_name, python.python_name, cast(Convert | None, found)))
    return tuple(planned)


def plan_field(field_def: GraphQLField, converter: GraphQLCoreConverter) -> FieldPlan:
    """The plan for one field definition of the schema `converter` made (independent of
    the request)."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return _REGULAR_PLAN
    inner, nullable = _unwrap(field_def.type)
    if getattr(field_def.resolve, "_is_default", False):
        if definition.default_resolver is not getattr or field_def.args:
            return _REGULAR_PLAN
        attribute = definition.python_name
        if isinstance(inner, GraphQLEnumType):
            return FieldPlan(
                LEAF,
                attribute,
                nullable,
                serialize=_enum_serializer(inner),
                enum_names=_enum_names(inner),
            )
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
    arguments = _plain_arguments(field_def, definition, converter)
    if (
        resolver is None
        or arguments is None
        or definition.extensions
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
    relation = to_one_of(function) if not arguments else None
    return FieldPlan(
        RESOLVER,
        nullable=nullable,
        relation=relation,
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


_FIELD_PLANS: dict[int, tuple[GraphQLField, FieldPlan]] = {}


def field_plan(field_def: GraphQLField, converter: GraphQLCoreConverter) -> FieldPlan:
    """`plan_field`, memoised by the field's identity (a field belongs to one schema, so
    to one converter); the memo holds the field, so its id cannot be reused."""
    hit = _FIELD_PLANS.get(id(field_def))
    if hit is None or hit[0] is not field_def:
        hit = _FIELD_PLANS[id(field_def)] = (field_def, plan_field(field_def, converter))
    return hit[1]


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
# A compiled runner per shared selection (see `compile_runner`), keyed like `_SHARED_STEPS`.
Runner = Callable[["PlannedExecutionContext", GraphQLObjectType, Any, "Path | None"], Any]
_SHARED_RUNNERS: dict[int, tuple[dict[str, list[FieldNode]], Runner]] = {}


def _shared_runner(fields: dict[str, list[FieldNode]]) -> Runner | None:
    """The compiled runner of the shared selection `fields`, if it has one."""
    shared = _SHARED_RUNNERS.get(id(fields))
    return shared[1] if shared is not None and shared[0] is fields else None


_SKIP = object()  # `_step`: the regular way left the field out of the response
_MISSING = object()  # a runner: the attribute could not be read


def called_plainly(plan: FieldPlan) -> bool:
    """Whether a compiled selection may call the field's resolver itself: a synchronous
    method taking nothing but its object (a statistics' `employment`, its
    `loansByProgramme`), returning an object, or a list of objects, of a plain type."""
    resolver = plan.resolver
    return (
        plan.kind is RESOLVER
        and resolver is not None
        and plan.relation is None
        and not plan.arguments
        and plan.info_parameter is None
        and plan.object_type is not None
        and not inspect.iscoroutinefunction(resolver)
        and not inspect.isasyncgenfunction(resolver)
        and not inspect.isgeneratorfunction(resolver)
    )


def _store_completed(i: int, indent: str) -> list[str]:
    """The generated lines storing the completed value `r` of step `i` (at path `p`), its
    errors handled as a field's when it is awaitable."""
    return [
        f"{indent}if ctx.is_awaitable(r):",
        f"{indent}    r = ctx._guarded(r, N{i}, F{i}, p)",
        f"{indent}    pending = [K{i}] if pending is None else [*pending, K{i}]",
        f"{indent}results[K{i}] = r",
    ]


def _object_block(i: int, plan: FieldPlan, slow: Callable[[int, str], list[str]]) -> list[str]:
    """The generated lines completing the value `v` of an OBJECT step, a to-one relation
    or a plainly called resolver (see `compile_runner`) by the runner of its selection,
    and anything irregular the regular way."""
    lines = ["    if v is None:", f"        results[K{i}] = None"] if plan.nullable else []
    branch = "elif" if plan.nullable else "if"
    if plan.returns_list:
        lines += [
            f"    {branch} v.__class__ is list:",
            f"        p = Path(path, K{i}, parent_type.name)",
            "        try:",
            f"            r = ctx._list(P{i}, N{i}, p, v)",
            "        except Exception as error:",
            f"            ctx._field_error(error, N{i}, F{i}, p)",
            "            r = None",
            "        if r is UNDEFINED:",
            *slow(i, "            "),
            "        else:",
            *_store_completed(i, "            "),
        ]
    else:
        lines += [
            f"    {branch} v.__class__ is O{i} and C{i}[0] is not False:",
            f"        child = C{i}[0]",
            "        if child is None:",
            f"            child = C{i}[0] = ctx.child_runner(S{i})",
            "        if child is not False:",
            f"            p = Path(path, K{i}, parent_type.name)",
            "            try:",
            f"                r = child(ctx, T{i}, v, p)",
            "            except Exception as error:",
            f"                ctx._field_error(error, N{i}, F{i}, p)",
            "                r = None",
            *_store_completed(i, "            "),
            "        else:",
            *slow(i, "            "),
        ]
    return [*lines, "    else:", *slow(i, "        ")]


def compile_runner(steps: list[Step]) -> Runner:
    """A function completing an object of one selection as `execute_fields` does, with the
    plain leaves inlined.

    For each LEAF step the generated code reads the attribute and stores it when its type
    is the one that serializes to itself (`as_is`), when it is None in a nullable field,
    when it is a member of the field's enum (its GraphQL name), or when the scalar's
    serializer returns a value. For each OBJECT step (a plain attribute holding an object,
    such as an edge's `node`) it reads the attribute, and for each RESOLVER step whose
    resolver declares a to-one relation (`hub.api.relations.ToOne`: a person's household,
    a mahalla's statistics) it takes the related node from the request's loaders without
    calling the resolver (`ToOne.ready`); when the value is None in a nullable field or an
    instance of exactly the class the object type was made from, it completes it by the
    runner of its own selection, found once (`child_runner`) and kept in the generated
    code, handling errors as `_plain` and `_resolve` do. A RESOLVER step whose resolver
    takes nothing but its object and returns a plain object or list of them
    (`called_plainly`: a statistics' `employment`, its `loansByProgramme`) is called
    directly, its error made the field's as `_resolve` makes it, and its value completed
    the same way (a list by `_list`). Anything else (a relation not loaded yet, an
    unreadable attribute, a null in a non-null field, a value of another type), and every
    other kind of step, goes through `PlannedExecutionContext._step`, the loop body of
    `execute_fields`, which handles the field from scratch (a plain attribute read has no
    side effects; such a resolver is called again, as the regular way calls it), so
    responses and errors are the same as the loop's.
    """
    env: dict[str, Any] = {"MISSING": _MISSING, "SKIP": _SKIP, "UNDEFINED": Undefined}
    lines = ["def run(ctx, parent_type, source, path):", "    results = {}", "    pending = None"]

    def slow(i: int, indent: str) -> list[str]:
        return [
            f"{indent}r = ctx._step(parent_type, source, path, S{i})",
            f"{indent}if r is not SKIP:",
            f"{indent}    results[K{i}] = r",
            f"{indent}    if ctx.is_awaitable(r):",
            f"{indent}        pending = [K{i}] if pending is None else [*pending, K{i}]",
        ]

    for i, step in enumerate(steps):
        name, nodes, field_def, plan = step
        env[f"S{i}"], env[f"K{i}"] = step, name
        origin = None if plan.object_type is None else _origin(plan.object_type)
        attribute = plan.kind is OBJECT and plan.attribute.isidentifier()
        relation = plan.kind is RESOLVER and plan.relation is not None and not plan.returns_list
        call = called_plainly(plan)
        if (attribute or relation or call) and field_def is not None and origin is not None:
            env.update(
                {f"C{i}": [None], f"O{i}": origin, f"T{i}": plan.object_type},
                **{f"N{i}": nodes, f"F{i}": field_def.type, "Path": Path},
            )
            if call:  # the resolver's own value; its error is the field's, as in `_resolve`
                env[f"R{i}"], env[f"P{i}"] = plan.resolver, plan
                lines += [
                    "    try:",
                    f"        v = R{i}(source)",
                    "    except Exception as error:",
                    f"        p = Path(path, K{i}, parent_type.name)",
                    f"        ctx._field_error(error, N{i}, F{i}, p)",
                    f"        results[K{i}] = v = None",
                    "    else:",
                ]
                indent = "    "
            else:
                if attribute:
                    read = f"source.{plan.attribute}"
                else:  # the related node if its loader holds it, else NOT_READY
                    env[f"R{i}"], env["NOT_READY"] = plan.relation, ToOne.NOT_READY
                    read = f"R{i}.ready(source, ctx.context_value.loaders)"
                lines += ["    try:", f"        v = {read}", "    except Exception:"]
                lines += ["        v = MISSING"]
                indent = ""
            block = _object_block(i, plan, slow)
            lines += [indent + line for line in block]
            continue
        if plan.kind is not LEAF or not plan.attribute.isidentifier():
            lines += slow(i, "    ")
            continue
        lines += [
            "    try:",
            f"        v = source.{plan.attribute}",
            "    except Exception:",
            "        v = MISSING",
        ]
        branch = "if"
        if plan.as_is is not None:
            env[f"T{i}"] = plan.as_is
            lines += [f"    if v.__class__ is T{i}:", f"        results[K{i}] = v"]
            branch = "elif"
        if plan.nullable:
            lines += [f"    {branch} v is None:", f"        results[K{i}] = None"]
            branch = "elif"
        if plan.enum_names is not None:
            env[f"N{i}"] = plan.enum_names
            lines += [
                f"    {branch} v.__class__ in N{i}_classes and v in N{i}:",
                f"        results[K{i}] = N{i}[v]",
            ]
            env[f"N{i}_classes"] = frozenset(type(member) for member in plan.enum_names)
            branch = "elif"
        elif plan.as_is is None:
            env[f"F{i}"] = plan.serialize
            lines += [
                f"    {branch} v is not None and v is not MISSING:",
                "        try:",
                f"            r = F{i}(v)",
                "        except Exception:",
                "            r = None",
                "        if r is not None and r is not UNDEFINED:",
                f"            results[K{i}] = r",
                "        else:",
                *slow(i, "            "),
            ]
            branch = "elif"
        # Whatever no branch above took (a null in a non-null field, an unreadable
        # attribute, a value of another type) goes the regular way, and only that.
        lines += ["    else:", *slow(i, "        ")] if branch == "elif" else slow(i, "    ")
    lines += [
        "    if pending is None:",
        "        return results",
        "    return ctx._gather_fields(results, pending)",
    ]
    exec(compile("\n".join(lines) + "\n", "<planned selection>", "exec"), env)
    run: Runner = env["run"]
    return run


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
        planning = converter is not None and not getattr(converter, "_exception_handler_specs", ())
        if planning and isinstance(self.context_value, Context):
            self.context_value.completes_rows = True  # `_plain` takes CompletedEdges
        return planning

    @cached_property
    def _schema_converter(self) -> GraphQLCoreConverter:
        converter: GraphQLCoreConverter = self.schema._strawberry_schema.schema_converter  # type: ignore[attr-defined]
        return converter

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
            plan = (
                field_plan(field_def, self._schema_converter)
                if field_def is not None
                else _REGULAR_PLAN
            )
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
                _SHARED_RUNNERS.clear()
            steps = self._plan_steps(return_type, fields)
            _SHARED_STEPS[id(fields)] = (fields, steps)
            _SHARED_RUNNERS[id(fields)] = (fields, compile_runner(steps))
            _SHARED_SUBFIELDS[key] = (return_type, node, fields)
        return fields

    def child_runner(self, step: Step) -> Runner | Literal[False]:
        """The runner of the selection below an OBJECT step (or a to-one relation), or
        False when that selection has none (it carries directives): the same for every
        request of the document."""
        _, nodes, _, plan = step
        assert plan.object_type is not None
        runner = _shared_runner(self.collect_subfields(plan.object_type, nodes))
        return False if runner is None else runner

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not self._planning:
            return super().execute_fields(parent_type, source_value, path, fields)
        runner = _shared_runner(fields)
        if runner is not None:
            completed: AwaitableOrValue[dict[str, Any]] = runner(
                self, parent_type, source_value, path
            )
            return completed
        results: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        for step in self._steps(parent_type, fields):
            result = self._step(parent_type, source_value, path, step)
            if result is _SKIP:
                continue
            results[step[0]] = result
            if is_awaitable(result):
                pending.append(step[0])
        if not pending:
            return results
        return self._gather_fields(results, pending)

    def _step(
        self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None, step: Step
    ) -> Any:
        """The completed value of one selected field of `source_value` (maybe awaitable),
        or `_SKIP` when the regular way leaves it out."""
        name, nodes, field_def, plan = step
        kind = plan.kind
        result: Any = Undefined
        if kind is LEAF:
            try:
                value = getattr(source_value, plan.attribute)
                if value is None:
                    if plan.nullable:
                        return None
                elif type(value) is plan.as_is:  # what serialize returns unchanged
                    return value
                else:
                    result = plan.serialize(value)  # type: ignore[misc]
                    if result is not None and result is not Undefined:
                        return result
            except Exception:  # noqa: BLE001 - the regular way below reports it properly
                pass
            result = Undefined
        elif kind is OBJECT or kind is OBJECT_LIST:
            result = self._plain(parent_type, source_value, name, nodes, field_def, plan, path)
        elif kind is RESOLVER:
            result = self._resolve(parent_type, source_value, name, nodes, field_def, plan, path)
        if result is Undefined:  # the regular way
            result = self.execute_field(
                parent_type, source_value, nodes, Path(path, name, parent_type.name)
            )
            if result is Undefined:
                return _SKIP
        return result

    def _gather_fields(
        self, results: dict[str, Any], pending: list[str]
    ) -> Awaitable[dict[str, Any]]:
        async def get_results() -> dict[str, Any]:
            # Concurrently, as graphql-core does: the fields' DataLoaders batch together.
            values = await gather(*(results[name] for name in pending))
            results.update(zip(pending, values, strict=True))
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
        if value.__class__ is CompletedEdges:
            # Completed from rows for this very field node (`hub.api.row_pages`); for any
            # other the regular way reports it, as it is not a list.
            return value.items if len(nodes) == 1 and nodes[0] is value.field_node else Undefined
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
        runner = _shared_runner(subfields)
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(value):
            if item is None:
                completed.append(None)
                continue
            item_path = path.add_key(index, None)
            try:
                result: Any = (
                    self.execute_fields(object_type, item, item_path, subfields)
                    if runner is None
                    else runner(self, object_type, item, item_path)
                )
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
        """A field whose resolver is a method taking `info` and planned arguments: called
        directly, its result (awaited, if it is awaitable) completed as graphql-core's
        `execute_field` would."""
        assert field_def is not None and plan.resolver is not None
        path = Path(parent_path, name, parent_type.name)
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        return_type = field_def.type
        try:
            kwargs: dict[str, Any] = {}
            if plan.arguments:
                given = get_argument_values(field_def, nodes[0], self.variable_values)
                for name, python, convert in plan.arguments:
                    if name in given:
                        value = given[name]
                        kwargs[python] = value if convert is None else convert(value)
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
        if not self.is_awaitable(completed):
            return completed
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
