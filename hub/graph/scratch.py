"""Temporary tables for set-based work: a frame of keys or rows put beside the graph's tables.

Linking a delivery reads and writes tens of thousands of rows chosen by key. Sending those
keys as IN lists of a few thousand parameters, or updating row by row, costs more in the
driver and in round trips than in the database itself; a temporary table filled in one go
(PostgreSQL: `COPY`, a frame as one CSV; SQLite: one `executemany` on the driver's cursor)
lets one statement join them instead. `scratch_table` creates and fills one, typed like a
graph table's columns of the same names; `update_from` overwrites a table's columns from a
frame's rows matched on a key with one `UPDATE ... FROM` (both databases support it).

The tables live in the caller's transaction and are dropped when done (`drop`, `keys_of`),
so a long load does not pile them up; a transaction rolled back takes them with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.orm import Session

from hub.graph.csv_copy import copy_csv
from hub.graph.driver_writes import DriverWriteError, copy_rows, sqlite_executemany

GROWTH = 0.2
"""A transaction that grows a table by more than this share of its rows re-analyses it."""


class ScratchError(DriverWriteError):
    """A frame does not fit the table it is typed after (the message says which column)."""


Rows = pl.DataFrame | Sequence[Mapping[str, Any]]
"""A frame, or rows as mappings with the same keys (for values a frame cannot hold: JSON)."""


def _unpack(rows: Rows) -> tuple[list[str], list[Sequence[Any]]]:
    if isinstance(rows, pl.DataFrame):
        return rows.columns, list(rows.iter_rows())
    if not rows:
        return [], []
    names = list(rows[0])
    return names, [tuple(row[c] for c in names) for row in rows]


def _columns(like: Table, names: list[str]) -> list[Column[Any]]:
    unknown = [c for c in names if c not in like.c]
    if unknown:
        raise ScratchError(f"Table '{like.name}' has no column(s) {unknown}.")
    return [Column(c, like.c[c].type) for c in names]


def scratch_table(session: Session, like: Table, rows: Rows, columns: Sequence[str] = ()) -> Table:
    """A new temporary table holding `rows`, each column typed as `like`'s of that name
    (`columns`: the names when `rows` is an empty sequence of mappings)."""
    if isinstance(rows, pl.DataFrame) and _copies_csv(session):
        return _create_from_frame(session, like, rows)
    names, values = _unpack(rows)
    return _create(session, like, names or list(columns), values)


def _copies_csv(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _create_from_frame(session: Session, like: Table, frame: pl.DataFrame) -> Table:
    """`_create` for a frame on PostgreSQL: its rows go out as one CSV (`copy_csv`), with
    no Python object per value."""
    table = _create(session, like, frame.columns, [])
    if not frame.is_empty():
        copy_csv(session, like, frame, into=table.name)
        session.execute(text(f'ANALYZE "{table.name}"'))
    return table


def _create(session: Session, like: Table, names: list[str], values: list[Sequence[Any]]) -> Table:
    table = Table(
        f"scratch_{like.name}_{uuid.uuid4().hex[:10]}",
        MetaData(),
        *_columns(like, names),
        prefixes=["TEMPORARY"],
    )
    session.flush()  # the ORM's pending rows first: the statements that follow bypass it
    connection = session.connection()
    table.create(connection)
    if not values:
        return table
    if connection.dialect.name == "postgresql":
        copy_rows(session, table.name, list(table.c), values)
        # Autovacuum never gathers statistics on temporary tables: without them the
        # planner guesses their size and may walk a large table once per key.
        session.execute(text(f'ANALYZE "{table.name}"'))
    else:
        quoted = ", ".join(f'"{c.name}"' for c in table.c)
        marks = ", ".join("?" for _ in table.c)
        insert = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
        sqlite_executemany(session, insert, list(table.c), values)
    return table


def drop(session: Session, table: Table) -> None:
    session.execute(text(f'DROP TABLE "{table.name}"'))


@contextmanager
def keys_of(
    session: Session, column: Column[Any], values: Sequence[Any] | pl.Series
) -> Iterator[Table]:
    """`key_table` for the length of a block, dropped after it (after an error the
    transaction's rollback removes it: a statement in a failed PostgreSQL transaction
    would only fail)."""
    table = key_table(session, column, values)
    yield table
    drop(session, table)


def analyze_if_grown(session: Session, table: Table, added: int) -> None:
    """Refresh PostgreSQL's statistics of `table` when this transaction added a good share
    of its rows: autovacuum only sees committed rows, so until then the planner believes
    the table as small as before and may walk a scratch table once per row it finds
    (ANALYZE inside the transaction counts its own new rows)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    known = session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
        {"name": table.name},
    ).scalar()
    if known is None or added > max(float(known), 0.0) * GROWTH:
        session.execute(text(f'ANALYZE "{table.name}"'))


def key_table(session: Session, column: Column[Any], values: Sequence[Any] | pl.Series) -> Table:
    """A one-column scratch table of the distinct non-null `values`, typed like `column`
    (for `column.in_(select(table))` and joins in place of IN lists)."""
    series = pl.Series(column.name, values).drop_nulls().unique()
    return scratch_table(session, column.table, series.to_frame())


def update_from(
    session: Session,
    target: Table,
    rows: Rows,
    key: Sequence[str] = ("id",),
    *,
    unique: Sequence[str] = (),
    changed_only: bool = False,
) -> int:
    """Set `target`'s columns named in `rows` (all but `key`) from the row whose `key`
    matches; rows matching nothing change nothing. Keys must be unique in `rows`.

    `unique`: columns under a unique constraint whose values may move between the rows
    updated (a PINFL passing from one person to another): they are cleared first on the
    rows where they change, as the constraint is checked row by row.
    `changed_only`: leave alone the rows whose columns already hold the values (on
    PostgreSQL every row updated is written again, with all its index entries).
    Returns the number of rows updated."""
    if isinstance(rows, pl.DataFrame):
        if rows.is_empty():
            return 0
        if rows.select(key).is_duplicated().any():
            raise ScratchError(f"Rows for '{target.name}' repeat a key {list(key)}.")
        names = rows.columns
        staged = scratch_table(session, target, rows)
    else:
        names, values = _unpack(rows)
        if not values:
            return 0
        at = [names.index(k) for k in key]
        if len({tuple(v[i] for i in at) for v in values}) < len(values):
            raise ScratchError(f"Rows for '{target.name}' repeat a key {list(key)}.")
        staged = _create(session, target, names, values)
    matched = " AND ".join(f'"{target.name}"."{k}" = s."{k}"' for k in key)
    source = f'FROM "{staged.name}" AS s WHERE {matched}'
    for column in unique:
        moved = f'"{target.name}"."{column}" IS DISTINCT FROM s."{column}"'
        session.execute(text(f'UPDATE "{target.name}" SET "{column}" = NULL {source} AND {moved}'))
    columns = [c for c in names if c not in key]
    assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    if changed_only:
        differs = " OR ".join(f'"{target.name}"."{c}" IS DISTINCT FROM s."{c}"' for c in columns)
        source = f"{source} AND ({differs})"
    result = session.execute(text(f'UPDATE "{target.name}" SET {assignments} {source}'))
    drop(session, staged)
    return int(result.rowcount)  # type: ignore[attr-defined]


__all__ = [
    "ScratchError",
    "analyze_if_grown",
    "drop",
    "key_table",
    "keys_of",
    "scratch_table",
    "update_from",
]
