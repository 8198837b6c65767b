"""Reading table rows into frozen record dataclasses: what the data layer hands upwards.

A record class lists, as its fields, columns of one table by their column names;
`select_records` selects exactly those columns and `to_records` builds the records
positionally (cheaper than ORM entities: no identity map, no attribute instrumentation).
ORM instances never leave the data layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from types import MemberDescriptorType
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, Row, Select, Table, select
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


_SELECTS: dict[tuple[type[Any], Table], Select[Any]] = {}


def select_records(record: type[Any], table: Table) -> Select[Any]:
    """SELECT the record's columns (memoised: statements are immutable, every method that
    adds to one returns a copy)."""
    stmt = _SELECTS.get((record, table))
    if stmt is None:
        stmt = _SELECTS[record, table] = select(*record_columns(record, table))
    return stmt


def select_labelled(columns: Sequence[ColumnElement[Any]]) -> Select[Any]:
    """SELECT `columns` of several joined tables, labelled by position (`c0`, `c1`, ...)
    so that equal column names of different tables do not collide; rows are then cut into
    records with `record_at`."""
    return select(*(c.label(f"c{i}") for i, c in enumerate(columns)))


def record_at(
    row: Sequence[Any],
    start: int,
    record: type[R],
    build: Callable[[Iterable[Sequence[Any]]], Sequence[R]] | None = None,
) -> tuple[R | None, int]:
    """The `record` whose fields are the row's values from `start` on, and where the next
    record starts; None when the first of them is null (an outer join found nothing).
    `build` makes records from rows when `to_records` is not how (default: it is)."""
    end = start + len(record_fields(record))
    if row[start] is None:
        return None, end
    values = row[start:end]
    return (to_records(record, (values,)) if build is None else build((values,)))[0], end


def to_records(record: type[R], rows: Iterable[Row[Any] | Sequence[Any]]) -> list[R]:
    """One record per row, the row's values in field order."""
    build = _BUILDERS.get(record)
    if build is None:
        build = _BUILDERS[record] = _builder(record)
    return build(rows)


Builder = Callable[[Iterable[Any]], list[Any]]
_BUILDERS: dict[type[Any], Builder] = {}


def _builder(record: type[Any]) -> Builder:
    """A function building `record`s from rows as `record(*row)` would, only cheaper.

    A frozen dataclass's `__init__` sets each field with `object.__setattr__`, a call per
    field: about 1.5 µs for a 15-field record, hundreds of records per page. For a slotted
    dataclass whose `__init__` only assigns its fields (no `__post_init__`, every field in
    `__init__`, none with a default), the built function allocates the instance and stores
    each field through its slot descriptor instead, which is what `__init__` ends up doing.
    Any other class is built by calling it.
    """
    fields = dataclasses.fields(record) if dataclasses.is_dataclass(record) else ()
    setters: list[Any] = [getattr(record, f.name, None) for f in fields]
    plain = (
        bool(fields)
        and not hasattr(record, "__post_init__")
        and all(f.init and f.default is f.default_factory is dataclasses.MISSING for f in fields)
        and all(isinstance(s, MemberDescriptorType) for s in setters)
    )
    if not plain:
        return lambda rows: [record(*row) for row in rows]
    values = ", ".join(f"v{i}" for i in range(len(fields)))
    stores = "".join(f"        s{i}(item, v{i})\n" for i in range(len(fields)))
    source = (
        "def build(rows):\n"
        "    out = []\n"
        "    append = out.append\n"
        "    for row in rows:\n"
        f"        {values}, = row\n"
        "        item = new(cls)\n"
        f"{stores}"
        "        append(item)\n"
        "    return out\n"
    )
    env: dict[str, Any] = {"new": object.__new__, "cls": record}
    env.update({f"s{i}": setter.__set__ for i, setter in enumerate(setters)})
    exec(compile(source, f"<records of {record.__qualname__}>", "exec"), env)
    build: Builder = env["build"]
    return build
