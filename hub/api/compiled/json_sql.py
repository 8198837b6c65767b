"""SQL that builds JSON, per database: what the compiler emits for objects, lists and the
values whose JSON text the GraphQL scalars fix (booleans, timestamps, enum names, cursors).

PostgreSQL builds objects and lists as JSON text, concatenated, in `PostgresTextJson`
(`hub.api.compiled.json_text_sql`, cheaper for the database than `json_build_object`);
`PostgresJson` here is the rest of its SQL. SQLite builds objects with `json_object`; a
JSON value that crosses a subquery loses its JSON subtype there, so nested values are
wrapped in `json(...)` to be embedded rather than quoted. SQLite's `json_group_array`
takes an `ORDER BY` only from 3.44 on, and the order in which an aggregate sees the rows
of an ordered subquery is not documented, so on SQLite this module builds no lists at
all: a selection holding a list (every connection, an enum list) is not compiled there and
goes the regular way (`NotCompiled`). Base64 is missing from SQLite too, so cursors are
compiled on PostgreSQL only.

A value the database holds that GraphQL cannot show (an enum value outside its enum, a
missing required object) becomes `INVALID`, a string no loaded value contains (it starts
with the control character U+0001, which the pipeline never loads); the execution looks
for it in the statement's JSON and then resolves the field the regular way, which raises
graphql-core's located error (`hub.api.compiled.execution`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

INVALID_TEXT = "hub:invalid-value"
# How the marker looks in JSON text on both databases: the control character escaped.
INVALID_JSON_TEXT = "\\u0001" + INVALID_TEXT


class NotCompiled(Exception):  # noqa: N818 - a decision, not a failure
    """The selection cannot be compiled (the reason says why); it goes the regular way."""


def key(name: str) -> ColumnElement[Any]:
    """An object key as a literal in the SQL text (GraphQL names are [_A-Za-z0-9]+)."""
    if not name.replace("_", "a").isalnum() or not name.isascii():
        raise NotCompiled(f"not a GraphQL name: {name!r}")
    return literal_column(f"'{name}'", String)


class JsonSql:
    """The JSON-building SQL of one database (see the module docstring)."""

    name = ""
    builds_lists = False

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        raise NotImplementedError

    def embedded(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON value from a subquery, to be embedded in an object as JSON."""
        raise NotImplementedError

    def array(
        self, element: ColumnElement[Any], order_by: Sequence[ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        """The aggregate of `element` over the rows of the enclosing select, in order."""
        raise NotCompiled(f"ordered lists on {self.name}")

    def tuple_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """A JSON array of `values` (JSON values, `embedded`), in the order given."""
        return func.json_array(*values)

    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def timestamp(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A timestamp (UTC) as Python's `datetime.isoformat()` writes it."""
        raise NotImplementedError

    def marker(self) -> ColumnElement[Any]:
        """`INVALID` as a text value."""
        raise NotImplementedError

    def invalid_json(self) -> ColumnElement[Any]:
        """`INVALID` as a JSON value (for a missing required object)."""
        raise NotImplementedError

    def cursor(self, offset: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotCompiled(f"cursors on {self.name}")

    def global_id(self, type_name: str, key_text: ColumnElement[Any]) -> ColumnElement[Any]:
        """A relay id: base64 of "Type:key", as strawberry's `GlobalID` writes it."""
        raise NotCompiled(f"relay ids on {self.name}")

    def enum_array(self, array: ColumnElement[Any], names: dict[str, str]) -> ColumnElement[Any]:
        """A JSON array column of stored enum values as a JSON list of their names, in the
        array's order ([] for NULL or a non-array)."""
        raise NotCompiled(f"ordered lists on {self.name}")

    def json_text(self, column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
        """The member `name` of a JSON object column, as text."""
        raise NotImplementedError

    def json_int(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A number read by `json_text` as an integer."""
        return cast(value, BigInteger)

    def json_value_int(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """The value of a JSON object's item (`entries`), a number, as an integer."""
        return cast(value, BigInteger)

    def entries(self, column: ColumnElement[Any]) -> Any:
        """The items of a JSON object column, a table of (key, value), and their order by
        key as Python sorts strings (code points)."""
        raise NotCompiled(f"JSON object items on {self.name}")

    def as_text(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        """The statement's result: its JSON as text (the driver decodes nothing)."""
        return cast(json_value, Text)

    def month(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        """The month of a date as the `Month` scalar writes it ("2026-03")."""
        raise NotImplementedError

    def quarter(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        """The quarter of a date as the `Quarter` scalar writes it ("2026-Q1")."""
        raise NotImplementedError

    def enum_name(self, value: ColumnElement[Any], names: dict[str, str]) -> ColumnElement[Any]:
        """The GraphQL name of the stored `value` (`names`: stored value -> name);
        `INVALID` for a value outside the enum, NULL for NULL."""
        whens = [(value == literal_column(_quoted(v), String), _name(n)) for v, n in names.items()]
        return case(*whens, (value.is_(None), null()), else_=self.marker())


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name(name: str) -> ColumnElement[Any]:
    return literal_column(_quoted(name), String)


def _base64(text: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL's base64 of a text's UTF-8 bytes, on one line as Python writes it
    (PostgreSQL breaks lines at 76 characters)."""
    utf8 = func.convert_to(text, literal_column("'UTF8'"))
    encoded = func.encode(utf8, literal_column("'base64'"))
    return func.replace(encoded, literal_column("E'\\n'"), literal_column("''"))


class PostgresJson(JsonSql):
    name = "postgresql"
    builds_lists = True

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        args: list[ColumnElement[Any]] = []
        for name, value in pairs:
            args += [key(name), value]
        return func.json_build_object(*args)

    def embedded(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        return json_value

    def array(
        self, element: ColumnElement[Any], order_by: Sequence[ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        aggregated = func.json_agg(aggregate_order_by(element, *order_by))
        return func.coalesce(aggregated, literal_column("'[]'::json"))

    def tuple_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_build_array(*values)

    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return value

    def timestamp(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        utc = func.timezone(literal_column("'UTC'"), value)
        micro = func.to_char(utc, literal_column("'US'"))
        text = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
        fraction = case(
            (micro == literal_column("'000000'"), literal_column("''")),
            else_=literal_column("'.'").op("||")(micro),
        )
        return case(
            (value.is_(None), null()),
            else_=text.op("||")(fraction).op("||")(literal_column("'+00:00'")),
        )

    def marker(self) -> ColumnElement[Any]:
        return func.chr(literal_column("1")).op("||")(_name(INVALID_TEXT))

    def invalid_json(self) -> ColumnElement[Any]:
        return func.to_json(self.marker())

    def cursor(self, offset: ColumnElement[Any]) -> ColumnElement[Any]:
        return _base64(literal_column("'offset:'").op("||")(cast(offset, Text)))

    def json_text(self, column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
        return column.op("->>")(literal_column(_quoted(name)))

    def global_id(self, type_name: str, key_text: ColumnElement[Any]) -> ColumnElement[Any]:
        return _base64(literal_column(_quoted(f"{type_name}:")).op("||")(key_text))

    def enum_array(self, array: ColumnElement[Any], names: dict[str, str]) -> ColumnElement[Any]:
        items = (
            func.json_array_elements_text(array)
            .table_valued("value", with_ordinality="position")
            .render_derived()
        )
        listed = (
            select(self.array(self.enum_name(items.c.value, names), [items.c.position]))
            .select_from(items)
            .scalar_subquery()
        )
        is_array = func.json_typeof(array) == literal_column("'array'")
        return case((is_array, listed), else_=self.empty_array())

    def empty_array(self) -> ColumnElement[Any]:
        return literal_column("'[]'::json")

    def json_value_int(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return cast(value.op("#>>")(literal_column("'{}'")), BigInteger)

    def entries(self, column: ColumnElement[Any]) -> Any:
        items = func.json_each(column).table_valued("key", "value").render_derived()
        return items, [items.c.key.collate("C")]

    def month(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.to_char(day, literal_column("'YYYY-MM'"))

    def quarter(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.to_char(day, literal_column("'YYYY\"-Q\"Q'"))


class SqliteJson(JsonSql):
    name = "sqlite"

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        args: list[ColumnElement[Any]] = []
        for name, value in pairs:
            args += [key(name), value]
        return func.json_object(*args)

    def embedded(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.json(json_value)

    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.json(
            case(
                (value.is_(None), null()),
                (value, literal_column("'true'")),
                else_=literal_column("'false'"),
            )
        )

    def timestamp(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff" (UTC, `hub.graph.types`).
        text = type_coerce(value, String)
        micro = func.substr(text, 21, 6)
        fraction = case(
            (
                and_(func.length(text) > 19, micro != literal_column("'000000'")),
                literal_column("'.'").op("||")(micro),
            ),
            else_=literal_column("''"),
        )
        whole = (
            func.substr(text, 1, 10)
            .op("||")(literal_column("'T'"))
            .op("||")(func.substr(text, 12, 8))
        )
        return case(
            (value.is_(None), null()),
            else_=whole.op("||")(fraction).op("||")(literal_column("'+00:00'")),
        )

    def marker(self) -> ColumnElement[Any]:
        return func.char(literal_column("1")).op("||")(_name(INVALID_TEXT))

    def invalid_json(self) -> ColumnElement[Any]:
        return func.json_quote(self.marker())

    def json_text(self, column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
        return func.json_extract(column, literal_column(_quoted(f'$."{name}"')))

    def as_text(self, json_value: ColumnElement[Any]) -> ColumnElement[Any]:
        return type_coerce(json_value, Text)

    # Dates are stored as "YYYY-MM-DD" text.
    def month(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.substr(day, 1, 7)

    def quarter(self, day: ColumnElement[Any]) -> ColumnElement[Any]:
        month = cast(func.substr(day, 6, 2), Integer)
        number = (month + literal_column("2")).op("/")(literal_column("3"))
        return func.substr(day, 1, 4).op("||")(literal_column("'-Q'")).op("||")(number)


def json_sql_for(dialect_name: str) -> JsonSql:
    if dialect_name == "postgresql":
        from hub.api.compiled.json_text_sql import PostgresTextJson

        return PostgresTextJson()
    if dialect_name == "sqlite":
        return SqliteJson()
    raise NotCompiled(f"no JSON building for {dialect_name}")
