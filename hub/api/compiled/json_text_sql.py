"""PostgreSQL's JSON built as text: objects and lists concatenated from their members' JSON.

`json_build_object` costs PostgreSQL 15 more than the rest of a page's statement: it is
variadic over `"any"`, so every call unpacks its arguments and looks up how to write each
one's type. Here an object is the text `{"key":` ... `}` joined with `||`, a list is
`string_agg(member, ',' ORDER BY ...)` (in the order the aggregate's own `ORDER BY`
gives), a scalar member is `to_json(value)::text`, the function `json_build_object` writes
values with (an integer its text, an enum name a JSON string literal), so the JSON is the
same value as before (without the spaces `json_build_object` puts around its colons). On a
page of 100 persons with their households this took the statement from about 0.48 to 0.34
ms of PostgreSQL's CPU (replayed; the hub ids column dropped too).

Values that already hold JSON text are typed `JsonText` (`JSON_TEXT`), so that an object
embeds them as they are: objects, lists, relations' subqueries and their joined columns
keep the type through SQLAlchemy's labels, subqueries, `coalesce` and `case`. Every member
is written `null` when it is NULL (`||` with NULL is NULL, and `string_agg` skips
NULLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    String,
    Text,
    case,
    cast,
    func,
    literal_column,
    null,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.sql.elements import Null
from sqlalchemy.types import TypeDecorator

from hub.api.compiled.json_sql import PostgresJson, key


class JsonText(TypeDecorator[str]):
    """Text that is JSON: embedded in an object or list as it is."""

    impl = Text
    cache_ok = True


JSON_TEXT = JsonText()
_NULL = "'null'"


def member(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """`value`'s JSON as text, `null` for NULL."""
    if isinstance(value, Null):
        return literal_column(_NULL, JSON_TEXT)
    if isinstance(value.type, JsonText):
        return func.coalesce(value, literal_column(_NULL), type_=JSON_TEXT)
    if isinstance(value.type, JSON | JSONB):
        return func.coalesce(cast(value, Text), literal_column(_NULL), type_=JSON_TEXT)
    if isinstance(value.type, Integer):
        # An integer's text is its JSON (to_json writes it with the same function).
        return func.coalesce(cast(value, Text), literal_column(_NULL), type_=JSON_TEXT)
    if isinstance(value.type, String):
        value = cast(value, Text)  # a literal's type, for to_json
    encoded = cast(func.to_json(value), Text)
    return func.coalesce(encoded, literal_column(_NULL), type_=JSON_TEXT)


def _concatenated(parts: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    text = parts[0]
    for part in parts[1:]:
        text = text.op("||")(part)
    return text


def _literal(text: str) -> ColumnElement[Any]:
    return literal_column("'" + text.replace("'", "''") + "'", Text)


class PostgresTextJson(PostgresJson):
    """PostgreSQL's JSON as text (see the module docstring)."""

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        if not pairs:
            return literal_column("'{}'", JSON_TEXT)
        parts: list[ColumnElement[Any]] = []
        for index, (name, value) in enumerate(pairs):
            key(name)  # a GraphQL name: nothing to escape
            parts += [_literal(("{" if index == 0 else ",") + f'"{name}":'), member(value)]
        parts.append(literal_column("'}'"))
        return _typed(_concatenated(parts))

    def embedded(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        return json_value if isinstance(json_value.type, JsonText) else member(json_value)

    def array(
        self, element: ColumnElement[Any], order_by: Sequence[ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        # string_agg(member, ',' ORDER BY ...): SQLAlchemy's spelling of the separator
        # with the aggregate's order.
        separator: ColumnElement[Any] = aggregate_order_by(literal_column("','"), *order_by)
        joined = func.coalesce(func.string_agg(member(element), separator), literal_column("''"))
        return _typed(_concatenated([literal_column("'['"), joined, literal_column("']'")]))

    def tuple_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        parts: list[ColumnElement[Any]] = [literal_column("'['")]
        for index, value in enumerate(values):
            if index:
                parts.append(literal_column("','"))
            parts.append(member(value))
        parts.append(literal_column("']'"))
        return _typed(_concatenated(parts))

    def invalid_json(self) -> ColumnElement[Any]:
        return cast(func.to_json(self.marker()), JSON_TEXT)

    def empty_array(self) -> ColumnElement[Any]:
        return literal_column("'[]'", JSON_TEXT)

    def enum_name(self, value: ColumnElement[Any], names: dict[str, str]) -> ColumnElement[Any]:
        """The name as a JSON string (a GraphQL name needs no escaping), `INVALID`'s JSON
        for a value outside the enum, NULL for NULL."""
        whens = [(value == _literal(v), _json_name(n)) for v, n in names.items()]
        return case(*whens, (value.is_(None), null()), else_=self.invalid_json())

    def as_text(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        # NULL stays NULL here: the root found nothing (`hub.api.compiled.execution`).
        if isinstance(json_value.type, JsonText):
            return json_value
        return super().as_text(json_value)


def _json_name(name: str) -> ColumnElement[Any]:
    key(name)  # a GraphQL name: nothing to escape
    return literal_column(f"'\"{name}\"'", JSON_TEXT)


def _typed(text: ColumnElement[Any]) -> ColumnElement[Any]:
    return type_coerce(text, JSON_TEXT)
