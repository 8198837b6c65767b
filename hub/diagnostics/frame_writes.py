"""Writing a polars frame of diagnostics into its table, in bulk.

On PostgreSQL the frame goes out as one CSV (polars' native writer) through `COPY` into a
temporary table, then one `INSERT ... SELECT ... ON CONFLICT` merges it: no Python object
per value. (`hub.graph.bulk.upsert_rows` copies row by row from dicts, which for the
quarter of a million evidence rows of a million-person graph cost more than computing
them.) List columns (the records that decided a finding) are written as JSON. Other
databases take the rows through `upsert_rows`.

`append_frame` is for a table the caller has just emptied in its transaction (a whole
rebuild): the CSV is copied straight into the table, with no temporary table and no
conflict check per row (at 1M people, 230,000 evidence rows: 5.4 s against 7.1 s at load
8). A row that is already there is an error (a unique violation), never a silent merge.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence

import polars as pl
from sqlalchemy import insert, text
from sqlalchemy.orm import DeclarativeBase, Session

from hub.graph.bulk import upsert_rows

NULL = r"\N"


def _as_csv_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as JSON text (null stays null); everything else as polars writes it."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    encoded = [
        pl.when(pl.col(name).is_null())
        .then(None)
        .otherwise(
            # {"v":[...]} -> [...]: polars' JSON encoder does the escaping.
            pl.struct(pl.col(name).alias("v")).struct.json_encode().str.slice(5).str.head(-1)
        )
        .alias(name)
        for name in lists
    ]
    return frame.with_columns(encoded) if encoded else frame


def upsert_frame(
    session: Session, model: type[DeclarativeBase], frame: pl.DataFrame, key: Sequence[str]
) -> None:
    """Insert or update `frame`'s rows in `model`'s table, matching on `key` (every other
    column of the frame is overwritten), in the caller's transaction."""
    if frame.is_empty():
        return
    table = model.__table__.name  # type: ignore[attr-defined]
    if session.get_bind().dialect.name != "postgresql":
        upsert_rows(session, model, frame.to_dicts(), key=key)
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    temp = f"tmp_{table}_{uuid.uuid4().hex[:12]}"
    session.execute(text(f'CREATE TEMPORARY TABLE "{temp}" (LIKE "{table}" INCLUDING DEFAULTS)'))
    _copy_into(session, temp, frame)
    conflict = ", ".join(f'"{k}"' for k in key)
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in frame.columns if c not in key)
    session.execute(
        text(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{temp}" '
            f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
        )
    )
    session.execute(text(f'DROP TABLE "{temp}"'))


def append_frame(session: Session, model: type[DeclarativeBase], frame: pl.DataFrame) -> None:
    """Insert `frame`'s rows in `model`'s table, which holds none of their keys (see the
    module's docstring), in the caller's transaction."""
    if frame.is_empty():
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(model), frame.to_dicts())
        return
    _copy_into(session, model.__table__.name, frame)  # type: ignore[attr-defined]


def _copy_into(session: Session, table: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    buffer = io.BytesIO()
    _as_csv_columns(frame).write_csv(
        buffer, include_header=False, null_value=NULL, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z"
    )
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a live PostgreSQL connection
    statement = f"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT csv, NULL '{NULL}')"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())
