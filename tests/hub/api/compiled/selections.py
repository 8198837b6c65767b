"""Hypothesis strategies: documents selecting random parts of the schema from a root field.

Each object's selection is a random non-empty subset of its fields (any field of the
schema, mapped or not: a selection that does not compile must be answered alike too),
sometimes aliased, sometimes under `@include`/`@skip` or an inline fragment on the
object's own type; connections get random `first`/`after`; depth is bounded.
"""

from __future__ import annotations

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType
from hypothesis import strategies as st

from hub.api.pagination import encode_cursor
from hub.api.schema import SCHEMA

MAIN_PINFL = "31503851234566"
ROOTS = [
    f'person(pinfl: "{MAIN_PINFL}")',
    'person(pinfl: "31503851234567")',
    'household(hubId: "H-1")',
    'mahalla(code: "1703202001")',
    'mahalla(code: "1703203001")',
    'district(code: "1703202")',
    'region(code: "1703")',
    "persons",
    'persons(filter: {mahallaCode: "1703203001"}, orderBy: {field: NAME, direction: DESC})',
    "households",
    'mahallas(filter: {regionCode: "1703"})',
    "districts",
    "regions(orderBy: {field: NAME})",
    "deliveries",
    'deliveries(source: "bank")',
]
MAX_DEPTH = 4


def _object(graphql_type: GraphQLOutputType) -> GraphQLObjectType | None:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type if isinstance(graphql_type, GraphQLObjectType) else None


@st.composite
def _page_arguments(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"first: {draw(st.integers(0, 3))}")
    if draw(st.integers(0, 3)) == 0:
        parts.append(f'after: "{encode_cursor(draw(st.integers(0, 2)))}"')
    return f"({', '.join(parts)})" if parts else ""


@st.composite
def selection(draw: st.DrawFn, object_type: GraphQLObjectType, depth: int) -> str:
    names = sorted(object_type.fields)
    if depth >= MAX_DEPTH:  # leaves only (an object needs a selection of its own)
        names = [n for n in names if _object(object_type.fields[n].type) is None] or names[:0]
    chosen = draw(
        st.lists(st.sampled_from([*names, "__typename"]), min_size=1, max_size=5, unique=True)
    )
    parts: list[str] = []
    for i, name in enumerate(chosen):
        text = f"a{i}: {name}" if draw(st.integers(0, 4)) == 0 else name
        roll = draw(st.integers(0, 9))
        child = None
        if name != "__typename":
            field = object_type.fields[name]
            if "first" in field.args:
                text += draw(_page_arguments())
            child = _object(field.type)
        if roll == 0:
            directive = draw(st.sampled_from(["include", "skip"]))
            text += f" @{directive}(if: {draw(st.sampled_from(['true', 'false']))})"
        if child is not None:
            text += " { " + draw(selection(child, depth + 1)) + " }"
        if roll == 1:
            text = f"... on {object_type.name} {{ {text} }}"
        parts.append(text)
    return " ".join(parts)


@st.composite
def documents(draw: st.DrawFn) -> str:
    root = draw(st.sampled_from(ROOTS))
    name = root.split("(")[0]
    query_type = SCHEMA._schema.query_type
    assert query_type is not None
    object_type = _object(query_type.fields[name].type)
    assert object_type is not None
    if "(" not in root and "first" in query_type.fields[name].args:
        root += draw(_page_arguments())
    return "{ " + root + " { " + draw(selection(object_type, 1)) + " } }"
