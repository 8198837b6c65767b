"""Writing a polars frame into a PostgreSQL table as one CSV through `COPY`.

Every bulk write of a frame on PostgreSQL (`hub.graph.inserts.insert_frame`, the
diagnostics' `upsert_frame`, `hub.graph.frame_upserts`) goes through `copy_csv`: polars'
native CSV writer renders the whole frame at once, with no Python object per value (the
per-row `COPY` of `hub.graph.driver_writes.copy_rows` cost more than the database's own
work for a survey's million records).

Rendering is exact, column by column, as SQLAlchemy would bind the value:
- NULL is an unquoted `\\N`; every string is quoted (`quote_style="non_numeric"`), so an
  empty string, or a string `\\N`, stays a string, and commas, quotes, newlines and
  backslashes are carried as they are (CSV has no escape character but the quote);
- dates are ISO dates, booleans `true`/`false`, timestamps ISO with their UTC offset; a
  timestamp without a time zone is refused, as `hub.graph.types.UtcDateTime` refuses it;
- a JSON column's lists and structs are encoded as JSON by polars (null stays NULL); a
  string given for a JSON column is taken as the JSON text itself.
"""

from __future__ import annotations

import io

import polars as pl
from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from hub.graph.driver_writes import DriverWriteError

NULL = r"\N"
_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%.f%z"


class FrameWriteError(DriverWriteError):
    """A frame cannot be written into its table (the message says which column and why)."""


def json_text(name: str) -> pl.Expr:
    """Column `name`'s values as JSON text (a string as a JSON string literal, a list as a
    JSON array...): {"v":...} -> ..., polars' JSON encoder doing the escaping."""
    return pl.struct(pl.col(name).alias("v")).struct.json_encode().str.slice(5).str.head(-1)


def _json(name: str) -> pl.Expr:
    return pl.when(pl.col(name).is_null()).then(None).otherwise(json_text(name)).alias(name)


def rendered(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the columns CSV would not carry as PostgreSQL reads them converted:
    JSON values as JSON text; naive timestamps refused."""
    unknown = [c for c in frame.columns if c not in table.c]
    if unknown:
        raise FrameWriteError(f"Table '{table.name}' has no column(s) {unknown}.")
    converted: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
            if frame[name].null_count() < frame.height:
                raise FrameWriteError(
                    f"Column '{table.name}.{name}' holds timestamps without a time zone."
                )
            converted.append(pl.col(name).dt.replace_time_zone("UTC"))
        elif isinstance(table.c[name].type, JSON) and isinstance(dtype, pl.List | pl.Struct):
            converted.append(_json(name))
        elif isinstance(dtype, pl.List | pl.Struct | pl.Array | pl.Object):
            raise FrameWriteError(
                f"Column '{table.name}.{name}' is not JSON: a {dtype} cannot be written to it."
            )
    return frame.with_columns(converted) if converted else frame


def copy_csv(session: Session, table: Table, frame: pl.DataFrame, into: str | None = None) -> None:
    """`COPY` the rows of `frame` into `into` (default: `table`'s own name; a temporary
    table made LIKE `table`), its columns typed as `table`'s of the same names."""
    session.flush()  # the ORM's pending rows first: COPY bypasses it
    buffer = io.BytesIO()
    rendered(table, frame).write_csv(
        buffer,
        include_header=False,
        null_value=NULL,
        quote_style="non_numeric",
        datetime_format=_TIMESTAMP,
    )
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    statement = f"COPY \"{into or table.name}\" ({columns}) FROM STDIN (FORMAT csv, NULL '{NULL}')"
    driver = session.connection().connection.driver_connection
    if driver is None:
        raise FrameWriteError("The database connection is closed.")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getbuffer())


__all__ = ["FrameWriteError", "copy_csv", "json_text", "rendered"]
