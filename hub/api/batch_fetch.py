"""Set-based fetches behind the DataLoaders: one statement for a whole batch of keys.

`fetch_by_keys` returns one record (or None) per key, in key order; `fetch_groups` returns
one list of records per parent key, in key order. Keys are sent in chunks of `CHUNK` so a
large batch stays within every database's limit on bound parameters.

Each statement is built once and reused with bound parameters (`keyed`): building a
statement anew for every batch (coercing every column and comparison, generating its cache
key) cost more CPU than executing it. A batch of one key (a person's relations, a
dashboard's mahalla) compares with `= :key`; a batch of many compares with
`= ANY(:keys)` (an array) on PostgreSQL, whose SQL text never changes, and with an
expanding `IN` elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

from hub.api.driver_rows import fetch_rows
from hub.api.records import record_fields, select_records, to_records

R = TypeVar("R")
CHUNK = 1000

S = TypeVar("S", bound=Executable)
Match = Callable[[Sequence[ColumnElement[Any]]], ColumnElement[bool]]

_STATEMENTS: dict[Hashable, Any] = {}


def _one(columns: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    if len(columns) == 1:
        equal: ColumnElement[bool] = columns[0] == bindparam("key")
        return equal
    return and_(*(c == bindparam(f"key{i}") for i, c in enumerate(columns)))


def _any(columns: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    if len(columns) == 1:
        column = columns[0]
        found: ColumnElement[bool] = column == any_(bindparam("keys", type_=ARRAY(column.type)))
        return found
    return _in(columns)


def _in(columns: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    column = columns[0] if len(columns) == 1 else tuple_(*columns)
    return column.in_(bindparam("keys", expanding=True))


def kept_statement(name: Hashable, build: Callable[[], S]) -> S:
    """The statement `build()`, built once per `name` and kept: `name` must identify
    everything `build` puts in the statement (its values go in as bound parameters)."""
    stmt = _STATEMENTS.get(name)
    if stmt is None:
        stmt = _STATEMENTS[name] = build()
    return stmt


def keyed(
    connection: Connection,
    name: Hashable,
    keys: Sequence[Any],
    build: Callable[[Match], S],
) -> tuple[S, dict[str, Any]]:
    """The statement `build(match)` for this many `keys`, built once per `name`, and its
    parameters.

    `build` receives `match`, which turns the key column(s) into the WHERE condition the
    parameters fill: `name` must identify everything `build` puts in the statement. Keys
    of several columns are tuples.
    """
    if len(keys) == 1:
        key: Any = keys[0]
        params = {"key": key} if not isinstance(key, tuple) else _positional(key)
        match: Match = _one
        shape = "one"
    else:
        params = {"keys": list(keys)}
        shape = connection.dialect.name
        match = _any if shape == "postgresql" else _in
    stmt = kept_statement((name, shape), lambda: build(match))
    return stmt, params


def _positional(key: tuple[Any, ...]) -> dict[str, Any]:
    return {f"key{i}": value for i, value in enumerate(key)}


def _key_of(record: Any, key: Sequence[str]) -> Hashable:
    values = tuple(getattr(record, name) for name in key)
    return values[0] if len(values) == 1 else values


def fetch_by_keys(
    connection: Connection,
    record: type[R],
    table: Table,
    key: Sequence[str],
    keys: Sequence[Hashable],
    where: ColumnElement[bool] | None = None,
    shape: Hashable = None,
) -> list[R | None]:
    """The record whose `key` columns equal each of `keys` (a tuple for composite keys),
    among the rows `where` admits (a caller's row filter, `hub.api.access.rows`, which
    carries its values: `shape` names it in the kept statement's name)."""
    found: dict[Hashable, R] = {}

    def build(match: Match) -> Select[Any]:
        missing = [k for k in key if k not in record_fields(record)]
        if missing:
            raise ValueError(f"Record {record.__name__} lacks its key field(s) {missing}.")
        stmt = select_records(record, table).where(match([table.c[k] for k in key]))
        return stmt if where is None else stmt.where(where)

    unique = list(dict.fromkeys(keys))
    name = ("by_keys", record, table, tuple(key), shape)
    for start in range(0, len(unique), CHUNK):
        stmt, params = keyed(connection, name, unique[start : start + CHUNK], build)
        for item in to_records(record, fetch_rows(connection, stmt, params)):
            found[_key_of(item, key)] = item
    return [found.get(k) for k in keys]


def fetch_groups(
    connection: Connection,
    record: type[R],
    table: Table,
    parent: str,
    keys: Sequence[Hashable],
    order_by: Sequence[str],
    where: ColumnElement[bool] | None = None,
    shape: Hashable = None,
) -> list[list[R]]:
    """Every record whose `parent` column is each of `keys`, ordered by `order_by` columns,
    among the rows `where` admits (named by `shape`, as for `fetch_by_keys`)."""
    groups: defaultdict[Hashable, list[R]] = defaultdict(list)
    unique = list(dict.fromkeys(keys))
    column = table.c[parent]
    ordering = [column, *(table.c[c] for c in order_by)]
    conditions = [] if where is None else [where]
    for start in range(0, len(unique), CHUNK):
        stmt, params = keyed(
            connection,
            ("groups", record, table, parent, tuple(order_by), shape),
            unique[start : start + CHUNK],
            lambda match: (
                select_records(record, table)
                .where(match([column]), *conditions)
                .order_by(*ordering)
            ),
        )
        for item in to_records(record, fetch_rows(connection, stmt, params)):
            groups[getattr(item, parent)].append(item)
    return [groups.get(k, []) for k in keys]
