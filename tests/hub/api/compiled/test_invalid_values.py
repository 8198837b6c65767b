"""A stored value GraphQL cannot show never reaches the client as invalid data.

A value outside its enum makes the compiled statement's JSON carry the `INVALID` marker;
the field is then resolved the regular way, which fails as graphql-core fails it (a
masked, located error). A null in a non-null field cannot be stored: every non-null leaf
the mapping reads from a column reads a NOT NULL column.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType
from sqlalchemy import Table, create_engine, update

from hub.api.compiled.json_sql import json_sql_for
from hub.api.compiled.mapping import MAPPINGS, Leaf, One
from hub.api.people.records import PERSON
from hub.api.schema import SCHEMA
from hub.api.territory.data import INDICATORS

from .conftest import Paths
from .test_coverage import compiled_roots

MAIN_PINFL = "31503851234566"


@contextmanager
def _stored(paths: Paths, table: Table, where: Any, **values: Any) -> Iterator[None]:
    """`values` stored in the rows of `table` matching `where` for the block's duration."""
    engine = create_engine(paths.engine.url.render_as_string(hide_password=False))
    columns = [table.c[name] for name in values]
    try:
        with engine.begin() as connection:
            before = connection.execute(
                table.select().with_only_columns(*columns).where(where)
            ).one()
            connection.execute(update(table).where(where).values(**values))
        yield
    finally:
        with engine.begin() as connection:
            restored = dict(zip(values, before, strict=True))
            connection.execute(update(table).where(where).values(**restored))
        engine.dispose()


@pytest.mark.parametrize(
    ("document", "table", "where", "values", "path"),
    [
        (
            f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId sex }} }}',
            PERSON,
            PERSON.c.pinfl == MAIN_PINFL,
            {"sex": "X"},
            ["person", "sex"],
        ),
        (
            '{ mahalla(code: "1703202001") { code statistics { notebookEntries { notebook } } } }',
            INDICATORS,
            INDICATORS.c.mahalla_code == "1703202001",
            {"notebook_entries": {"bronze": 3}},
            ["mahalla", "statistics", "notebookEntries", 0, "notebook"],
        ),
    ],
)
def test_a_value_outside_its_enum_fails_as_the_regular_path_fails_it(
    paths: Paths, document: str, table: Table, where: Any, values: dict[str, Any], path: list[Any]
) -> None:
    if paths.backend == "postgresql":  # SQLite builds no lists: check it compiles where it can
        assert set(compiled_roots(document).values()) == {None}
    with _stored(paths, table, where, **values):
        mine, theirs = paths.both(document)
    assert mine == theirs
    (error,) = mine["errors"]
    assert error["path"][: len(path)] == path[: len(error["path"])]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_every_required_column_leaf_reads_a_not_null_column() -> None:
    tables: dict[str, Table] = {}
    for mapping in MAPPINGS.values():
        for mapped in mapping.values():
            if isinstance(mapped, One):
                tables[mapped.type_name] = mapped.table
    checked = 0
    for type_name, table in tables.items():
        object_type = SCHEMA._schema.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        for name, mapped in MAPPINGS[type_name].items():
            if not isinstance(mapped, Leaf) or not isinstance(
                object_type.fields[name].type, GraphQLNonNull
            ):
                continue
            value = mapped.value(table, json_sql_for("postgresql"))
            column = table.c.get(getattr(value, "name", ""))
            if column is not None and value is column:
                assert not column.nullable, f"{type_name}.{name} reads nullable {column}"
                checked += 1
    assert checked >= 30
