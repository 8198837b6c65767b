"""Reading a SELECT into a polars frame through PostgreSQL's COPY, in columnar form.

The diagnostics and linking read a million members, statuses and records per build. Fetched as
Python rows (one tuple, then one object per value) that costs seconds; `COPY (<query>)
TO STDOUT` in CSV, parsed by polars' native reader with the frame's schema, costs a
fraction of it and runs in the session's own transaction (it sees what the caller wrote
before). The query is rendered with its values inline (SQLAlchemy's literal binds), so
only schemas of strings, numbers and dates take this path; `copy_frame` returns None for
anything else, and for a statement whose values cannot be rendered, and the caller reads
rows instead.

On SQLite, `sqlite_frame` reads the same schemas from the driver's own cursor: SQLAlchemy's
result processing (a Row object and a processor call per date) is skipped, and the dates
SQLite holds as ISO text are parsed by polars, column by column.
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from sqlalchemy import CompoundSelect, Connection, Select
from sqlalchemy.exc import CompileError

NULL = r"\N"
# What CSV carries without loss (booleans, timestamps and arrays are read as rows).
COPYABLE = (pl.String, pl.Int16, pl.Int32, pl.Int64, pl.Float64, pl.Date)


def copyable(schema: dict[str, Any]) -> bool:
    return all(any(dtype == kind for kind in COPYABLE) for dtype in schema.values())


def _rendered(
    connection: Connection,
    dialect: str,
    stmt: Select[Any] | CompoundSelect[Any],
    schema: dict[str, Any],
) -> tuple[str, Any] | None:
    """`stmt` with its values inline and the driver's own connection, when `connection`
    is of `dialect`, `schema` is `copyable` and every value renders; None otherwise."""
    if connection.dialect.name != dialect or not copyable(schema):
        return None
    try:
        sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError):
        return None
    driver = connection.connection.driver_connection
    if driver is None:
        return None
    return sql, driver


def copy_frame(
    connection: Connection, stmt: Select[Any] | CompoundSelect[Any], schema: dict[str, Any]
) -> pl.DataFrame | None:
    """The rows of `stmt` as a frame of `schema`, through COPY; None when this path does
    not apply (not PostgreSQL, a schema or value CSV would not carry)."""
    rendered = _rendered(connection, "postgresql", stmt, schema)
    if rendered is None:
        return None
    sql, driver = rendered
    buffer = io.BytesIO()
    with driver.cursor() as cursor:
        # The compiler doubles each "%" for the driver's parameters; COPY takes none.
        copy_sql = f"COPY ({sql.replace('%%', '%')}) TO STDOUT (FORMAT csv, NULL '{NULL}')"
        with cursor.copy(copy_sql) as copy:
            for block in copy:
                buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(
        buffer,
        has_header=False,
        schema=schema,
        null_values=NULL,
        empty_string_is_null=False,
    )


def sqlite_frame(
    connection: Connection, stmt: Select[Any] | CompoundSelect[Any], schema: dict[str, Any]
) -> pl.DataFrame | None:
    """The rows of `stmt` as a frame of `schema`, from the SQLite driver's cursor; None
    when this path does not apply (not SQLite, a schema `copyable` does not allow, a value
    that cannot be rendered)."""
    rendered = _rendered(connection, "sqlite", stmt, schema)
    if rendered is None:
        return None
    sql, driver = rendered
    cursor = driver.cursor()
    try:
        rows = cursor.execute(sql).fetchall()
    finally:
        cursor.close()
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    as_read = {name: pl.String if name in dates else dtype for name, dtype in schema.items()}
    frame = pl.DataFrame(rows, schema=as_read, orient="row")
    return frame.with_columns(pl.col(name).str.to_date("%Y-%m-%d") for name in dates)
