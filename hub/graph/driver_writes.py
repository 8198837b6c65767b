"""Many rows written through the database driver itself, past SQLAlchemy's per-row work.

`upsert_rows` (`hub.graph.bulk`) and the scratch tables (`hub.graph.scratch`) both write
tens of thousands of rows at a time: on PostgreSQL by `COPY` (`copy_rows`), on SQLite by
one `executemany` on the driver's cursor (`sqlite_executemany`), the columns' own bind
processing applied here so that values are stored as SQLAlchemy would store them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Column
from sqlalchemy.orm import Session


class DriverWriteError(ValueError):
    """Rows cannot be written through the driver (the message says why)."""


def _driver_connection(session: Session) -> Any:
    raw = session.connection().connection.driver_connection
    if raw is None:
        raise DriverWriteError("The database connection is closed.")
    return raw


def sqlite_executemany(
    session: Session, sql: str, columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]]
) -> None:
    """`sql` run by the SQLite driver's `executemany` over `rows` (values in `columns`'
    order), with the columns' bind processors (time zones, JSON) applied here, as
    SQLAlchemy's own would be per row: its executemany processes every parameter through
    its compiler machinery, which costs more than SQLite's insert itself for large loads."""
    dialect = session.get_bind().dialect
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    # Timestamps and dates repeat a lot in a load (the load's own moment on every row):
    # process each distinct value once. JSON values are not hashable and not cached.
    # Column by column: a Python call per row and column cost more than SQLite's insert.
    table = list(rows)
    if active and table:
        columns_of = [list(column) for column in zip(*table, strict=True)]
        for i, process in active:
            values = columns_of[i]
            if isinstance(columns[i].type, JSON):
                columns_of[i] = [None if v is None else process(v) for v in values]
                continue
            cache: dict[Any, Any] = {None: None}
            for value in values:
                if value not in cache:
                    cache[value] = process(value)
            columns_of[i] = [cache[v] for v in values]
        table = list(zip(*columns_of, strict=True))
    cursor = _driver_connection(session).cursor()
    try:
        cursor.executemany(sql, table)
    finally:
        cursor.close()


def copy_rows(
    session: Session, table_name: str, columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]]
) -> None:
    """`COPY` `rows` (values in `columns`' order) into the PostgreSQL table `table_name`,
    JSON columns' values wrapped for psycopg."""
    quoted = ", ".join(f'"{c.name}"' for c in columns)
    json = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
    statement = f'COPY "{table_name}" ({quoted}) FROM STDIN'
    with _driver_connection(session).cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if json:
                row = list(row)
                for i in json:
                    if row[i] is not None:
                        row[i] = Json(row[i])
            copy.write_row(row)
