"""Inserts of rows whose keys are known to be new: no conflict handling, no merge.

`hub.graph.bulk.upsert_rows` is what to use when a key may exist. When the caller knows
it does not (it read the keys under the lock it holds, deleted them just before, or
minted them), `insert_frame` and `insert_new` write the rows straight into the table:
PostgreSQL `COPY` (a frame as one CSV: `hub.graph.csv_copy`), SQLite one `executemany` on
the driver's cursor. A key that exists after all fails the write (`insert_frame`:
SQLAlchemy's `IntegrityError` on SQLite, the driver's from its `COPY` on PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Table, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from hub.graph.bulk import (
    BulkWriteError,
    Row,
    check_columns,
    last_per_key,
    table_of,
    with_defaults,
)
from hub.graph.csv_copy import copy_csv
from hub.graph.driver_writes import copy_rows, sqlite_executemany
from hub.graph.frame_upserts import frame_defaults
from hub.graph.scratch import drop, scratch_table


def insert_frame(
    session: Session, target: type[DeclarativeBase] | Table, frame: pl.DataFrame
) -> None:
    """Insert the rows of a polars frame whose keys are known to be new (the caller just
    deleted them, or they are new by construction): no conflict handling, no temporary
    table, no dict per row, and no Python-side defaults: the frame gives every column a
    row needs. PostgreSQL: the frame as one CSV `COPY`-ed into `target`; SQLite: one
    `executemany`."""
    if frame.is_empty():
        return
    tbl = table_of(target)
    if session.get_bind().dialect.name == "postgresql":
        unknown = [c for c in frame.columns if c not in tbl.c]
        if unknown:
            raise BulkWriteError(f"Table '{tbl.name}' has no column(s) {unknown}.")
        copy_csv(session, tbl, frame)
        return
    try:
        _insert_values(session, tbl, frame.columns, frame.iter_rows())
    except sqlite3.IntegrityError as error:
        raise IntegrityError(f"INSERT INTO {tbl.name}", None, error) from error


def _insert_values(
    session: Session, tbl: Table, names: Sequence[str], values: Iterable[Sequence[Any]]
) -> None:
    unknown = [c for c in names if c not in tbl.c]
    if unknown:
        raise BulkWriteError(f"Table '{tbl.name}' has no column(s) {unknown}.")
    columns = [tbl.c[c] for c in names]
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        copy_rows(session, tbl.name, columns, values)
        return
    quoted = ", ".join(f'"{c}"' for c in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{tbl.name}" ({quoted}) VALUES ({marks})'
    sqlite_executemany(session, sql, columns, values)


def insert_new(
    session: Session,
    target: type[DeclarativeBase] | Table,
    rows: Sequence[Row] | pl.DataFrame,
    *,
    key: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert `rows` whose `key`s the caller knows to be absent (read under the lock it
    holds, or minted new), and return `returning` for each: `upsert_rows` without its
    conflict handling. On PostgreSQL the rows are `COPY`-ed straight into `target`, not
    into a temporary table merged by `INSERT ... ON CONFLICT` (for a first survey's
    records and persons that merge was most of their write). A key that exists after all
    fails the insert, and the caller's transaction with it. Rows given as a frame go out
    on PostgreSQL as one CSV (`_insert_new_frame`)."""
    if isinstance(rows, pl.DataFrame):
        if rows.is_empty():
            return []
        if session.get_bind().dialect.name == "postgresql":
            return _insert_new_frame(session, table_of(target), rows, key, returning)
        rows = rows.to_dicts()
    if not rows:
        return []
    tbl = table_of(target)
    given = list(rows[0].keys())
    check_columns(tbl, given, key, list(rows))
    if len(last_per_key(rows, key)) < len(rows):
        raise BulkWriteError(f"Rows for '{tbl.name}' repeat a key {list(key)}.")
    filled = with_defaults(tbl, list(rows))
    names = list(filled[0].keys())
    _insert_values(session, tbl, names, ([row[c] for c in names] for row in filled))
    keys = scratch_table(session, tbl, [{k: r[k] for k in key} for r in rows])
    joined = and_(*(tbl.c[k] == keys.c[k] for k in key))
    stmt = select(*(tbl.c[c] for c in returning)).select_from(tbl.join(keys, joined))
    found = [tuple(r) for r in session.connection().execute(stmt)]
    drop(session, keys)
    return found


def _insert_new_frame(
    session: Session,
    tbl: Table,
    frame: pl.DataFrame,
    key: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """`insert_new` on PostgreSQL for rows held in a frame: its rows and then its keys
    `COPY`-ed as CSV, no Python object per value on the way out."""
    check_columns(tbl, frame.columns, key, [])
    if frame.select(key).is_duplicated().any():
        raise BulkWriteError(f"Rows for '{tbl.name}' repeat a key {list(key)}.")
    copy_csv(session, tbl, frame_defaults(tbl, frame))
    keys = scratch_table(session, tbl, frame.select(key))
    joined = and_(*(tbl.c[k] == keys.c[k] for k in key))
    stmt = select(*(tbl.c[c] for c in returning)).select_from(tbl.join(keys, joined))
    found = [tuple(r) for r in session.connection().execute(stmt)]
    drop(session, keys)
    return found


__all__ = ["insert_frame", "insert_new"]
