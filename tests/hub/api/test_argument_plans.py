"""Planned argument conversion gives what strawberry's own conversion gives.

For every argument of every field of the API's schema, values of its type (None, empty and
full input objects, lists, nested inputs, enum members, relay ids) are converted by
`hub.api.argument_plans` and by `strawberry.types.arguments.convert_argument`, and must be
equal (input objects compare as dataclasses, field by field).
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.maybe import Maybe
from strawberry.types.unset import UNSET

from hub.api.argument_plans import UNSUPPORTED, argument_converter
from hub.api.planned_execution import Kind, field_plan
from hub.api.schema import SCHEMA

CONVERTER = SCHEMA.schema_converter
REGISTRY, CONFIG = CONVERTER.scalar_registry, CONVERTER.config


def _samples(type_: Any, depth: int = 0) -> list[Any]:
    """Coerced values of `type_`, as graphql-core hands them to strawberry."""
    if isinstance(type_, LazyType):
        return _samples(type_.resolve_type(), depth)
    if isinstance(type_, StrawberryOptional):
        return [None, *_samples(type_.of_type, depth)]
    if isinstance(type_, StrawberryList):
        items = _samples(type_.of_type, depth + 1)
        return [[], items[-1:], items[:3]]
    if type_ is GlobalID:
        return [str(GlobalID("Person", "P-1"))]
    if has_enum_definition(type_):
        return list(type_)[:2]
    if has_object_definition(type_):
        definition = type_.__strawberry_definition__
        if depth > 2:
            return [{}]
        full = {}
        for field in definition.fields:
            name = CONFIG.name_converter.from_field(field)
            options = _samples(field.resolve_type(type_definition=definition), depth + 1)
            full[name] = options[-1]
        return [{}, full]
    return ["text", 7]  # a scalar: passed on unchanged, whatever its value


def _converted(type_: Any, value: Any) -> Any:
    convert = argument_converter(type_, REGISTRY, CONFIG)
    assert convert is not UNSUPPORTED, type_
    return value if convert is None else convert(value)  # type: ignore[operator]


def test_every_argument_of_the_schema_converts_as_strawberry_converts_it() -> None:
    checked = 0
    input_objects = 0
    for graphql_type in SCHEMA._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            definition = (field_def.extensions or {}).get(CONVERTER.DEFINITION_BACKREF)
            for argument in getattr(definition, "arguments", ()):
                for value in [*_samples(argument.type), UNSET]:
                    expected = convert_argument(value, argument.type, REGISTRY, CONFIG)
                    assert _converted(argument.type, value) == expected, (argument, value)
                    input_objects += type(expected).__name__.endswith(("Filter", "OrderBy"))
                    checked += 1
    assert checked > 100 and input_objects > 10


def test_a_maybe_argument_is_left_to_strawberry() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def echo(self, text: Maybe[str]) -> str:
            return "set" if text else "unset"

    schema = strawberry.Schema(query=Query)
    field_def = schema._schema.type_map["Query"].fields["echo"]  # type: ignore[union-attr]
    definition = field_def.extensions[schema.schema_converter.DEFINITION_BACKREF]
    converter = schema.schema_converter
    argument = definition.arguments[0]
    assert (
        argument_converter(argument.type, converter.scalar_registry, converter.config)
        is UNSUPPORTED
    )
    assert field_plan(field_def, converter).kind is Kind.REGULAR
