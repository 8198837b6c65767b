"""Writing a polars frame of diagnostics into its table, in bulk.

On PostgreSQL the frame goes out as one CSV (`hub.graph.csv_copy`, polars' native writer)
through `COPY` into a temporary table, then one `INSERT ... SELECT ... ON CONFLICT` merges
it: no Python object per value. (`hub.graph.bulk.upsert_rows` copies row by row from
dicts, which for the quarter of a million evidence rows of a million-person graph cost more
than computing them.) List columns (the records that decided a finding) are written as
JSON. Other databases take the rows through `upsert_rows`.

`append_frame` is for a table the caller has just emptied in its transaction (a whole
rebuild): `hub.graph.inserts.insert_frame`, the CSV copied straight into the table, with
no temporary table and no conflict check per row (at 1M people, 230,000 evidence rows:
5.4 s against 7.1 s at load 8). A row that is already there is an error (a unique
violation), never a silent merge.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import polars as pl
from sqlalchemy import Table, text
from sqlalchemy.orm import DeclarativeBase, Session

from hub.graph.bulk import upsert_rows
from hub.graph.csv_copy import copy_csv
from hub.graph.inserts import insert_frame


def upsert_frame(
    session: Session, model: type[DeclarativeBase], frame: pl.DataFrame, key: Sequence[str]
) -> None:
    """Insert or update `frame`'s rows in `model`'s table, matching on `key` (every other
    column of the frame is overwritten), in the caller's transaction."""
    if frame.is_empty():
        return
    table: Table = model.__table__  # type: ignore[assignment]
    if session.get_bind().dialect.name != "postgresql":
        upsert_rows(session, model, frame.to_dicts(), key=key)
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    temp = f"tmp_{table.name}_{uuid.uuid4().hex[:12]}"
    session.execute(
        text(f'CREATE TEMPORARY TABLE "{temp}" (LIKE "{table.name}" INCLUDING DEFAULTS)')
    )
    copy_csv(session, table, frame, into=temp)
    conflict = ", ".join(f'"{k}"' for k in key)
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in frame.columns if c not in key)
    session.execute(
        text(
            f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{temp}" '
            f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
        )
    )
    session.execute(text(f'DROP TABLE "{temp}"'))


def append_frame(session: Session, model: type[DeclarativeBase], frame: pl.DataFrame) -> None:
    """Insert `frame`'s rows in `model`'s table, which holds none of their keys (see the
    module's docstring), in the caller's transaction."""
    insert_frame(session, model, frame)
