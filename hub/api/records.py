"""Reading table rows into frozen record dataclasses: what the data layer hands upwards.

A record class lists, as its fields, columns of one table by their column names;
`select_records` selects exactly those columns and `to_records` builds the records
positionally (cheaper than ORM entities: no identity map, no attribute instrumentation).
ORM instances never leave the data layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, Row, Select, Table, select
from sqlalchemy.orm import DeclarativeBase

R = TypeVar("R")


def table_of(model: type[DeclarativeBase]) -> Table:
    """The table a model is mapped to (every graph model maps exactly one)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table.")
    return table


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def record_fields(record: type[Any]) -> tuple[str, ...]:
    """The field names of a record dataclass (memoised: called for every batch)."""
    names = _FIELDS.get(record)
    if names is None:
        names = _FIELDS[record] = tuple(f.name for f in dataclasses.fields(record))
    return names


def record_columns(record: type[Any], table: Table) -> list[Column[Any]]:
    """The columns of `table` named by the fields of `record`, in field order."""
    return [table.c[name] for name in record_fields(record)]


def select_records(record: type[Any], table: Table) -> Select[Any]:
    return select(*record_columns(record, table))


def to_records(record: type[R], rows: Iterable[Row[Any] | Sequence[Any]]) -> list[R]:
    return [record(*row) for row in rows]
