"""Set-based fetches behind the DataLoaders: one statement for a whole batch of keys.

`fetch_by_keys` returns one record (or None) per key, in key order; `fetch_groups` returns
one list of records per parent key, in key order. Keys are sent in chunks of `CHUNK` so a
large batch stays within every database's limit on bound parameters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, tuple_

from hub.api.records import record_fields, select_records, to_records

R = TypeVar("R")
CHUNK = 1000


def _in(column: ColumnElement[Any], keys: Sequence[Any]) -> ColumnElement[bool]:
    # One key (a person's relations, a dashboard's mahalla) is compared with `=`: an
    # expanding IN is re-rendered into SQL on every execution, which costs more CPU than
    # the round trip.
    if len(keys) == 1:
        equal: ColumnElement[bool] = column == keys[0]
        return equal
    return column.in_(keys)


def _key_clause(table: Table, key: Sequence[str], keys: Sequence[Any]) -> ColumnElement[bool]:
    if len(key) == 1:
        return _in(table.c[key[0]], keys)
    return tuple_(*(table.c[k] for k in key)).in_(keys)


def _key_of(record: Any, key: Sequence[str]) -> Hashable:
    values = tuple(getattr(record, name) for name in key)
    return values[0] if len(values) == 1 else values


def fetch_by_keys(
    connection: Connection,
    record: type[R],
    table: Table,
    key: Sequence[str],
    keys: Sequence[Hashable],
) -> list[R | None]:
    """The record whose `key` columns equal each of `keys` (a tuple for composite keys)."""
    found: dict[Hashable, R] = {}
    names = record_fields(record)
    missing = [k for k in key if k not in names]
    if missing:
        raise ValueError(f"Record {record.__name__} lacks its key field(s) {missing}.")
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        stmt = select_records(record, table).where(_key_clause(table, key, chunk))
        for item in to_records(record, connection.execute(stmt).all()):
            found[_key_of(item, key)] = item
    return [found.get(k) for k in keys]


def fetch_groups(
    connection: Connection,
    record: type[R],
    table: Table,
    parent: str,
    keys: Sequence[Hashable],
    order_by: Sequence[str],
) -> list[list[R]]:
    """Every record whose `parent` column is each of `keys`, ordered by `order_by` columns."""
    groups: defaultdict[Hashable, list[R]] = defaultdict(list)
    unique = list(dict.fromkeys(keys))
    ordering = [table.c[parent], *(table.c[c] for c in order_by)]
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        stmt = select_records(record, table).where(_in(table.c[parent], chunk)).order_by(*ordering)
        for item in to_records(record, connection.execute(stmt).all()):
            groups[getattr(item, parent)].append(item)
    return [groups.get(k, []) for k in keys]
