"""Completing a page of nodes straight from the rows of its statement.

A page of 100 persons with their households went through every layer of the API: rows
into records, records into nodes, households primed into their DataLoader, an `Edge` per
node, and then the planned execution (`hub.api.planned_execution`) read each node back,
field by field, to build the response. Every layer is cheap per item, and together they
cost several times the SQL and the JSON.

When a connection's selection is simple enough to know in advance (plain fields of its
nodes and to-one relations read in the same statement, no fragments, no directives), the
resolver compiles it once per document into one function from the statement's rows to the
response's `edges`, as join-monster and PostGraphile do for GraphQL over SQL. Per row it
reads the selected columns, converts them as the node's `of` does, serializes them as the
planned execution would (the field's `FieldPlan`: strings as they are, enum members by
name, other scalars by their serializer) and nests the related node's fields.

- A node type declares where its fields lie in a statement's rows with a `RowShape`
  (column index and conversion per node attribute, and its joined to-one relations); a
  test checks each shape against the node's `of` on real records.
- `completed_edges(info, shape)` gives the compiled function for the connection being
  resolved, or None when its selection is anything else (a fragment, a directive, a field
  the shape does not hold, a relation that is not joined, a field with arguments): then
  the resolver builds nodes as before.
- The function returns None for a page with anything irregular (a null in a non-null
  field, a value its serializer refuses, an unknown enum value); the resolver then builds
  that page the regular way, which reports the error exactly as it always did.
- The result is a `CompletedEdges`, which only the planned execution takes, and only for
  the very field node it was compiled for (`PlannedExecutionContext._plain`); the resolver
  asks for it only when the request runs under the planned execution (`Context.
  completes_rows`). Anywhere else it is not a list, so it could never pass for one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    SelectionSetNode,
    Undefined,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from hub.api.pagination import CompletedEdges, encode_cursor
from hub.api.planned_execution import (
    LEAF,
    OBJECT,
    RESOLVER,
    FieldPlan,
    called_plainly,
    field_plan,
)
from hub.api.records import record_fields
from hub.api.relations import ToOne
from hub.api.vocabulary import enum_value

if TYPE_CHECKING:
    from hub.api.context import Info

# How a stored value becomes the node attribute's value: a function, or an Enum class
# (the member whose value is the stored one). A null column is a null attribute.
Conversion = Callable[[Any], Any] | type[Enum]
Row = Sequence[Any]
EdgesBuilder = Callable[[Sequence[Row], int], "CompletedEdges | None"]


@dataclass(frozen=True, eq=False)
class RowShape:
    """Where one node type's plain fields, and its to-one relations read in the same
    statement, lie in that statement's rows.

    `columns`: node attribute -> (row index, conversion of the stored value as the node's
    `of` converts it; None: as stored). `relations`: a to-one relation -> (the related
    node's shape, the row index that is null exactly when the relation is absent). Each
    must hold for every row: a test checks shapes against `of` and the resolvers."""

    columns: Mapping[str, tuple[int, Conversion | None]]
    relations: Mapping[ToOne, tuple[RowShape, int]] = field(default_factory=dict)
    # A field whose resolver takes only its node and returns an object made from the same
    # row (a statistics' `employment`): resolver -> the object's shape.
    objects: Mapping[Callable[..., Any], RowShape] = field(default_factory=dict)
    # ... or a list of objects made from one column (a statistics' loans by programme):
    # resolver -> (the column's index, its items as tuples, an item's shape over a tuple).
    lists: Mapping[Callable[..., Any], tuple[int, Callable[[Any], Iterable[Row]], RowShape]] = (
        field(default_factory=dict)
    )


def record_shape(
    record: type[Any],
    start: int,
    *,
    same: Iterable[str],
    converted: Mapping[str, tuple[str, Conversion | None]] | None = None,
) -> dict[str, tuple[int, Conversion | None]]:
    """Columns of a `RowShape` for a record class whose fields are read from `start` on:
    the node attributes in `same` hold the record field of their name as it is, those in
    `converted` (attribute -> (record field, conversion or None)) that field converted."""
    at = {name: start + i for i, name in enumerate(record_fields(record))}
    columns: dict[str, tuple[int, Conversion | None]] = {name: (at[name], None) for name in same}
    for attribute, (name, conversion) in (converted or {}).items():
        columns[attribute] = (at[name], conversion)
    return columns


class _UnsupportedError(Exception):
    """The selection is not one a compiled function completes."""


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # GraphQL's Int
_IRREGULAR = object()  # a generated enum lookup: the stored value is not a member
_KEPT = 1024
# (ids of the field node, shape and connection type) -> (them, the builder or None).
_COMPILED: dict[
    tuple[int, int, int], tuple[FieldNode, RowShape, GraphQLOutputType, EdgesBuilder | None]
] = {}


def completed_edges(info: Info, shape: RowShape) -> EdgesBuilder | None:
    """The function completing the `edges` of the connection being resolved from rows of
    `shape` (`build(rows, start)`, `start` the offset of the first row), or None when its
    selection is not one it can complete (see the module docstring)."""
    if not getattr(info.context, "completes_rows", False):
        return None
    raw = info._raw_info
    if len(raw.field_nodes) != 1:
        return None
    node = raw.field_nodes[0]
    connection_type = raw.return_type
    key = (id(node), id(shape), id(connection_type))
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is node and hit[1] is shape and hit[2] is connection_type:
        return hit[3]
    converter: GraphQLCoreConverter = raw.schema._strawberry_schema.schema_converter  # type: ignore[attr-defined]
    try:
        build: EdgesBuilder | None = _compile(node, connection_type, shape, converter)
    except _UnsupportedError:
        build = None
    if len(_COMPILED) >= _KEPT:
        _COMPILED.clear()
    _COMPILED[key] = (node, shape, connection_type, build)
    return build


def _object_type(graphql_type: GraphQLOutputType) -> GraphQLObjectType:
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if not isinstance(graphql_type, GraphQLObjectType):
        raise _UnsupportedError
    return graphql_type


def _fields(selection_set: SelectionSetNode | None) -> list[tuple[str, FieldNode]]:
    """(response key, node) of each selection: plain fields only, each key once."""
    if selection_set is None:
        raise _UnsupportedError
    found: list[tuple[str, FieldNode]] = []
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise _UnsupportedError
        found.append(((selection.alias or selection.name).value, selection))
    if len({key for key, _ in found}) != len(found):
        raise _UnsupportedError  # a key selected twice merges selections: the regular way
    return found


class _Writer:
    """The generated function's lines and the values they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.env: dict[str, Any] = {"IRREGULAR": _IRREGULAR, "UNDEFINED": Undefined}
        self.count = 0

    def name(self, value: Any) -> str:
        self.count += 1
        name = f"c{self.count}"
        self.env[name] = value
        return name

    def local(self) -> str:
        self.count += 1
        return f"v{self.count}"


def _compile(
    node: FieldNode,
    connection_type: GraphQLOutputType,
    shape: RowShape,
    converter: GraphQLCoreConverter,
) -> EdgesBuilder:
    connection = _object_type(connection_type)
    edges = [n for _, n in _fields(node.selection_set) if n.name.value == "edges"]
    if len(edges) != 1 or edges[0].arguments:
        raise _UnsupportedError
    edges_node = edges[0]
    edges_field = connection.fields.get("edges")
    edges_type = None if edges_field is None else edges_field.type
    if isinstance(edges_type, GraphQLNonNull):
        edges_type = edges_type.of_type
    if not isinstance(edges_type, GraphQLList):
        raise _UnsupportedError
    edge_type = _object_type(edges_type.of_type)  # `hub.api.pagination.Edge`'s
    if "node" not in edge_type.fields:
        raise _UnsupportedError
    writer = _Writer()
    lines = writer.lines
    lines += [
        "def build(rows, start):",
        "    out = []",
        "    append = out.append",
        "    offset = start",
        "    for row in rows:",
    ]
    entries: list[tuple[str, str]] = []
    for key, selection in _fields(edges_node.selection_set):
        name = selection.name.value
        if name == "__typename":
            entries.append((key, repr(edge_type.name)))
        elif name == "cursor" and not selection.arguments and selection.selection_set is None:
            entries.append((key, f"{writer.name(encode_cursor)}(offset)"))
        elif name == "node" and not selection.arguments:
            plan = field_plan(edge_type.fields["node"], converter)
            if plan.kind is not OBJECT or plan.object_type is None:
                raise _UnsupportedError
            target = writer.local()
            _object_lines(writer, plan.object_type, selection, shape, converter, target, 2, "row")
            entries.append((key, target))
        else:
            raise _UnsupportedError
    lines += [
        f"        append({_dict(entries)})",
        "        offset += 1",
        f"    return CompletedEdges({writer.name(edges_node)}, out)",
    ]
    writer.env["CompletedEdges"] = CompletedEdges
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<rows completed>", "exec"), writer.env)
    inner: Callable[[Sequence[Row], int], CompletedEdges | None] = writer.env["build"]

    def guarded(rows: Sequence[Row], start: int) -> CompletedEdges | None:
        try:
            return inner(rows, start)
        except Exception:  # noqa: BLE001 - anything unexpected: the regular way reports it
            return None

    return guarded


def _dict(entries: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{key!r}: {value}" for key, value in entries) + "}"


def _object_lines(
    writer: _Writer,
    object_type: GraphQLObjectType,
    selection: FieldNode,
    shape: RowShape,
    converter: GraphQLCoreConverter,
    target: str,
    depth: int,
    row: str,
) -> None:
    """Lines setting `target` to the completed object of `object_type` selected by
    `selection` from the tuple `row` (a variable of the generated code), or returning
    None when a value is irregular."""
    indent = "    " * depth
    lines = writer.lines
    entries: list[tuple[str, str]] = []
    for key, child in _fields(selection.selection_set):
        name = child.name.value
        if name == "__typename":
            entries.append((key, repr(object_type.name)))
            continue
        field_def = object_type.fields.get(name)
        if field_def is None or child.arguments:
            raise _UnsupportedError
        plan = field_plan(field_def, converter)
        value = writer.local()
        if plan.kind is LEAF and plan.attribute in shape.columns:
            if child.selection_set is not None:
                raise _UnsupportedError
            index, conversion = shape.columns[plan.attribute]
            lines += _leaf_lines(writer, plan, f"{row}[{index}]", conversion, value, indent)
        elif plan.kind is not RESOLVER or plan.object_type is None or plan.arguments:
            raise _UnsupportedError
        elif plan.relation is not None and plan.relation in shape.relations:
            if plan.returns_list:
                raise _UnsupportedError
            related, present = shape.relations[plan.relation]
            lines.append(f"{indent}if {row}[{present}] is None:")
            lines.append(
                f"{indent}    {value} = None" if plan.nullable else f"{indent}    return None"
            )
            lines.append(f"{indent}else:")
            _object_lines(
                writer, plan.object_type, child, related, converter, value, depth + 1, row
            )
        elif not called_plainly(plan) or plan.resolver is None:
            raise _UnsupportedError
        elif plan.resolver in shape.objects and not plan.returns_list:
            made = shape.objects[plan.resolver]
            _object_lines(writer, plan.object_type, child, made, converter, value, depth, row)
        elif plan.resolver in shape.lists and plan.returns_list:
            index, items_of, item_shape = shape.lists[plan.resolver]
            item, items = writer.local(), writer.name(items_of)
            completed = writer.local()
            lines += [f"{indent}{value} = []", f"{indent}for {item} in {items}({row}[{index}]):"]
            _object_lines(
                writer, plan.object_type, child, item_shape, converter, completed, depth + 1, item
            )
            lines.append(f"{indent}    {value}.append({completed})")
        else:
            raise _UnsupportedError
        entries.append((key, value))
    lines.append(f"{indent}{target} = {_dict(entries)}")


def _leaf_lines(
    writer: _Writer,
    plan: FieldPlan,
    read: str,
    conversion: Conversion | None,
    value: str,
    indent: str,
) -> list[str]:
    """Lines setting `value` to the serialized leaf, as the planned execution's compiled
    selection serializes it (`compile_runner`), or returning None where it would not take
    its fast branch."""
    null = f"{value} = None" if plan.nullable else "return None"
    lines = [f"{indent}v = {read}"]
    names = plan.enum_names
    if isinstance(conversion, type) and issubclass(conversion, Enum) and names:
        # The stored value's GraphQL name, through the member the node would hold.
        names = {member.value: names[member] for member in conversion if member in names}
    elif conversion is not None:
        if isinstance(conversion, type) and issubclass(conversion, Enum):
            convert = writer.name(partial(enum_value, conversion))  # as `optional_enum`
        else:
            convert = writer.name(conversion)
        lines += [f"{indent}if v is not None:", f"{indent}    v = {convert}(v)"]
    lines += [f"{indent}if v is None:", f"{indent}    {null}"]
    if plan.as_is is not None:
        kind = writer.name(plan.as_is)
        lines += [
            f"{indent}elif v.__class__ is {kind}:",
            f"{indent}    {value} = v",
            f"{indent}else:",
            f"{indent}    return None",
        ]
    elif names is not None:
        lines += [
            f"{indent}else:",
            f"{indent}    {value} = {writer.name(names)}.get(v, IRREGULAR)",
            f"{indent}    if {value} is IRREGULAR:",
            f"{indent}        return None",
        ]
    else:
        serialize = writer.name(plan.serialize)
        if plan.serialize is GraphQLInt.serialize:  # returns such an int unchanged
            lines += [
                f"{indent}elif v.__class__ is int and {_INT_MIN} <= v <= {_INT_MAX}:",
                f"{indent}    {value} = v",
            ]
        lines += [
            f"{indent}else:",
            f"{indent}    {value} = {serialize}(v)",
            f"{indent}    if {value} is None or {value} is UNDEFINED:",
            f"{indent}        return None",
        ]
    return lines
