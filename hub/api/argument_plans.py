"""Converting a field's coerced arguments to the resolver's Python values, planned per type.

strawberry converts arguments (`strawberry.types.arguments.convert_argument`) by walking the
argument's type anew for every call: resolving annotations, testing for generics, lazy types,
enums and input objects, and converting each input field's name. For a list query with a
filter that walk cost more than the SQL statement. `argument_converter(type_, ...)` makes the
same decisions once per type and returns a function that only does the conversion, or
`None` when the value passes unchanged; `UNSUPPORTED` when the type is outside what it
plans (a `Maybe`, a generic input, anything strawberry itself would refuse), and the field
is then executed strawberry's way. `tests/hub/api/test_argument_plans.py` converts values of
every argument of the schema both ways and compares them.

Rules, as `convert_argument` applies them: None and UNSET stay as they are at every level;
scalars and enums pass unchanged (graphql-core has already turned an enum's name into its
member), except relay's `GlobalID`, built from its text; a list of leaves passes unchanged,
any other list is converted item by item; an input object becomes its class, called with
the converted values of the fields given (by their GraphQL names), so defaults fill the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Convert = Callable[[Any], Any]
Registry = Mapping[object, Any]


class _Unsupported:
    """The marker of a type `argument_converter` does not plan."""


UNSUPPORTED: Final = _Unsupported()


def _is_leaf(type_: Any, registry: Registry) -> bool:
    if isinstance(type_, LazyType):
        return _is_leaf(type_.resolve_type(), registry)
    return is_scalar(type_, registry) or isinstance(type_, StrawberryEnumDefinition)


def _keeping_none(convert: Convert) -> Convert:
    def converted(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        return convert(value)

    return converted


def _list_of(convert: Convert) -> Convert:
    def converted(value: Any) -> Any:
        return [convert(item) for item in value]

    return _keeping_none(converted)


def _input_object(cls: type, fields: tuple[tuple[str, str, Convert | None], ...]) -> Convert:
    def converted(value: Any) -> Any:
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, convert in fields:
            if graphql_name in value:
                item = value[graphql_name]
                kwargs[python_name] = item if convert is None else convert(item)
        return cls(**kwargs)

    return _keeping_none(converted)


def argument_converter(
    type_: StrawberryType | type, registry: Registry, config: StrawberryConfig
) -> Convert | _Unsupported | None:
    """The conversion of values of `type_` (None: unchanged; UNSUPPORTED: not planned)."""
    if isinstance(type_, StrawberryMaybe):
        return UNSUPPORTED
    if isinstance(type_, StrawberryOptional):
        return argument_converter(type_.of_type, registry, config)
    if isinstance(type_, StrawberryList):
        item = type_.of_type
        inner = item.of_type if isinstance(item, StrawberryOptional) else item
        if inner is not GlobalID and _is_leaf(inner, registry):
            return None
        convert = argument_converter(item, registry, config)
        if isinstance(convert, _Unsupported):
            return UNSUPPORTED
        return _list_of(convert) if convert is not None else None
    if type_ is GlobalID:
        return _keeping_none(GlobalID.from_id)
    if _is_leaf(type_, registry):
        return None
    if isinstance(type_, LazyType):
        return argument_converter(type_.resolve_type(), registry, config)
    if has_enum_definition(type_):
        return None  # an enum's definition is a leaf: its members pass unchanged
    if has_object_definition(type_) and isinstance(type_, type):
        definition = type_.__strawberry_definition__
        if not definition.is_input or definition.is_graphql_generic:
            return UNSUPPORTED
        fields: list[tuple[str, str, Convert | None]] = []
        for field in definition.fields:
            convert = argument_converter(
                field.resolve_type(type_definition=definition), registry, config
            )
            if isinstance(convert, _Unsupported):
                return UNSUPPORTED
            fields.append((config.name_converter.from_field(field), field.python_name, convert))
        return _input_object(type_, tuple(fields))
    return UNSUPPORTED
