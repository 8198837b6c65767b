"""Reading a SELECT into a polars frame past SQLAlchemy's rows: the SQLite driver's cursor
gives what the row path gives (dates, nulls, empty strings, "%", non-Latin text)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Select, literal, select, union_all

from hub.graph.copy_frame import sqlite_frame

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

SCHEMA = {
    "empty": pl.String,
    "missing": pl.String,
    "text": pl.String,
    "day": pl.Date,
    "no_day": pl.Date,
    "n": pl.Int16,
}


def _row(text: str, day: date, n: int) -> Select[Any]:
    return select(
        literal("").label("empty"),
        literal(None).label("missing"),
        literal(text).label("text"),
        literal(day).label("day"),
        literal(None).label("no_day"),
        literal(n).label("n"),
    )


def test_sqlite_rows_come_back_as_the_row_path_reads_them(graph_db: GraphDatabase) -> None:
    stmt = union_all(
        _row("50% of 'x'", date(2022, 2, 1), 3),
        _row("Ўринбоев Ғайрат", date(1999, 12, 31), -1),
    )
    with graph_db.session() as session:
        connection = session.connection()
        read = sqlite_frame(connection, stmt, SCHEMA)
        rows = pl.DataFrame(connection.execute(stmt).all(), schema=SCHEMA, orient="row")
        none = sqlite_frame(
            connection, select(literal(1).label("n")).where(literal(1) == 2), {"n": pl.Int64}
        )
    if graph_db.backend != "sqlite":
        assert read is None and none is None  # PostgreSQL reads through COPY
        return
    assert read is not None and none is not None
    assert read.sort("n").equals(rows.sort("n"))
    assert read.schema == pl.Schema(SCHEMA)
    assert none.is_empty() and none.schema == pl.Schema({"n": pl.Int64})
