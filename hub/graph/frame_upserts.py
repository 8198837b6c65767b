"""`upsert_rows` for rows held in a polars frame: no dict per row on PostgreSQL.

The loaders hold what they write as frames. Turned into dicts for `hub.graph.bulk`, a
million rows cost a dict each, then a check, a key tuple, a defaults merge and a `COPY` row
each in Python. `upsert_frame` does the same work on the frame: rows with the same key are
reduced to the last, the Python-side defaults are filled in as columns, and on PostgreSQL
the frame goes out as one CSV (`hub.graph.csv_copy`) into a temporary table merged with one
`INSERT ... SELECT ... ON CONFLICT`. Small frames, and SQLite, take `upsert_rows` itself,
so the semantics (`update`, `where`, `returning`) are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase, Session

from hub.graph.bulk import (
    DEFAULT_COPY_THRESHOLD,
    BulkWriteError,
    merge_through_temp,
    table_of,
    upsert_rows,
)
from hub.graph.csv_copy import copy_csv


def frame_defaults(tbl: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the columns it leaves out that have a Python-side default, filled
    with it (as `hub.graph.bulk.with_defaults` fills rows)."""
    added: list[pl.Series] = []
    for column in tbl.c:
        default = column.default
        if column.name in frame.columns or default is None or column.primary_key:
            continue
        if default.is_scalar:
            value: Any = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            value = default.arg(None)  # type: ignore[attr-defined]
        else:
            continue
        added.append(pl.Series(column.name, [value] * frame.height))
    return frame.with_columns(added) if added else frame


def upsert_frame(
    session: Session,
    target: type[DeclarativeBase] | Table,
    frame: pl.DataFrame,
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
    where: str | None = None,
    returning: Sequence[str] = (),
    copy_threshold: int = DEFAULT_COPY_THRESHOLD,
) -> list[tuple[Any, ...]]:
    """`hub.graph.bulk.upsert_rows` for the rows of `frame` (same arguments, same result:
    `returning` for every row written or matched)."""
    if frame.is_empty():
        return []
    tbl = table_of(target)
    unknown = [c for c in frame.columns if c not in tbl.c]
    if unknown:
        raise BulkWriteError(f"Table '{tbl.name}' has no column(s) {unknown}.")
    missing_key = [k for k in key if k not in frame.columns]
    if missing_key:
        raise BulkWriteError(f"Rows for '{tbl.name}' lack the key column(s) {missing_key}.")
    unique = frame.unique(list(key), keep="last", maintain_order=True)
    if session.get_bind().dialect.name != "postgresql" or unique.height < copy_threshold:
        rows = unique.to_dicts()
        return upsert_rows(
            session, tbl, rows, key=key, update=update, where=where, returning=returning
        )
    to_update = [c for c in frame.columns if c not in key] if update is None else list(update)
    unique = frame_defaults(tbl, unique)
    session.flush()
    return merge_through_temp(
        session,
        tbl,
        unique.columns,
        lambda temp: copy_csv(session, tbl, unique, into=temp),
        key,
        to_update,
        where,
        returning,
    )


__all__ = ["frame_defaults", "upsert_frame"]
