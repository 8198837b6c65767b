"""A frame written by `insert_frame` (one CSV through COPY on PostgreSQL, the driver's
executemany on SQLite) comes back exactly as given: NULLs apart from empty strings, text
with commas, quotes, newlines, backslashes and a literal `\\N`, dates, booleans,
timestamps, floats and JSON values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import polars as pl
import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    select,
)

from hub.graph.csv_copy import FrameWriteError
from hub.graph.inserts import insert_frame
from hub.graph.types import UtcDateTime

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

TEXTS = ["", None, "\\N", "a,b", 'say "hi"', "line 1\nline 2\r\n", "back\\slash", "Ўзбек ш'"]


def _table() -> Table:
    return Table(
        "csv_copy_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("text", String),
        Column("day", Date),
        Column("flag", Boolean),
        Column("at", UtcDateTime()),
        Column("amount", Float),
        Column("doc", JSON),
        Column("items", JSON),
    )


def _frame() -> pl.DataFrame:
    n = len(TEXTS)
    tashkent = timezone(timedelta(hours=5))
    return pl.DataFrame(
        {
            "id": list(range(n)),
            "text": TEXTS,
            "day": [date(2022, 2, 28), None, *[date(1950, 1, 1)] * (n - 2)],
            "flag": [True, False, None, *[True] * (n - 3)],
            "at": [
                datetime(2022, 3, 2, 9, 30, 1, 250, tzinfo=UTC),
                None,
                *[datetime(2022, 3, 2, 14, 0, tzinfo=tashkent)] * (n - 2),
            ],
            "amount": [1 / 3, None, 1e-20, 1e20, -0.0, 2.5, 7.0, 0.1],
            "doc": [{"k": 'q"', "n": 1}, None, *[{"k": "\\", "n": None}] * (n - 2)],
            "items": [["a,b", 'c"d', "e\\f"], None, [], *[["x"]] * (n - 3)],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC")},
    )


def test_insert_frame_keeps_every_value_as_given(graph_db: GraphDatabase) -> None:
    table, frame = _table(), _frame()
    with graph_db.session() as session, session.begin():
        table.create(session.connection())
        insert_frame(session, table, frame)
        rows = session.execute(select(table).order_by(table.c.id)).all()
        session.rollback()  # the probe table goes with the transaction
    expected = frame.to_dicts()
    assert [r.text for r in rows] == TEXTS
    assert [r.day for r in rows] == [e["day"] for e in expected]
    assert [r.flag for r in rows] == [e["flag"] for e in expected]
    assert [r.at for r in rows] == [e["at"] for e in expected]
    assert rows[2].at == datetime(2022, 3, 2, 9, 0, tzinfo=UTC)
    assert [r.amount for r in rows] == [e["amount"] for e in expected]
    assert [r.doc for r in rows] == [e["doc"] for e in expected]
    assert [r.items for r in rows] == [e["items"] for e in expected]


def test_insert_frame_refuses_what_it_cannot_write_exactly(graph_db: GraphDatabase) -> None:
    table = _table()
    naive = pl.DataFrame({"id": [1], "at": [datetime(2022, 3, 2, 9)]})
    listed = pl.DataFrame({"id": [1], "text": [["a"]]})
    with graph_db.session() as session, session.begin():
        table.create(session.connection())
        with pytest.raises((FrameWriteError, ValueError), match="time zone"):
            insert_frame(session, table, naive)
        if graph_db.backend == "postgresql":
            with pytest.raises(FrameWriteError, match="not JSON"):
                insert_frame(session, table, listed)
        session.rollback()
