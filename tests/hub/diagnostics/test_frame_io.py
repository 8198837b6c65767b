"""Frames in and out of the graph in columns: what COPY carries comes back unchanged (empty
strings, nulls, "%", quotes in the records lists), and SQLite takes the row path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl
import psycopg
import pytest
from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError

from hub.diagnostics.evidence import read_frame
from hub.diagnostics.frame_writes import append_frame, upsert_frame
from hub.graph.copy_frame import copy_frame
from hub.graph.models import NotebookFinding
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1 = "1703202001"


def test_copy_keeps_empty_strings_nulls_and_percent_signs(graph_db: GraphDatabase) -> None:
    stmt = select(
        literal("").label("empty"),
        literal(None).label("missing"),
        literal("50% of 'x'").label("text"),
        literal(date(2022, 2, 1)).label("day"),
    )
    schema = {"empty": pl.String, "missing": pl.String, "text": pl.String, "day": pl.Date}
    with graph_db.session() as session:
        copied = copy_frame(session.connection(), stmt, schema)
        frame = read_frame(session, stmt, schema)
        none = read_frame(session, stmt.where(literal(1) == 2), schema)
    assert frame.to_dicts() == [
        {"empty": "", "missing": None, "text": "50% of 'x'", "day": date(2022, 2, 1)}
    ]
    assert none.is_empty() and none.schema == pl.Schema(schema)
    # SQLite reads rows; a schema with a timestamp is read as rows on PostgreSQL too.
    assert (copied is None) == (graph_db.backend == "sqlite")
    with graph_db.session() as session:
        timed = {"at": pl.Datetime("us", "UTC")}
        assert copy_frame(session.connection(), select(literal(1).label("at")), timed) is None


def test_a_frame_with_lists_is_upserted_on_its_key(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = SmallWorld(session)
        w.territory(M1)
        w.household("a", M1, assessed=3, income_uzs=100_000)
        w.person("a1", "a", date(1990, 1, 1), "M", "unemployed")
        person = w.persons["a1"]
        frame = pl.DataFrame(
            {
                "person_id": [person, person],
                "notebook": ["iron", "youth"],
                "mahalla_code": [M1, M1],
                "household_id": [w.households["a"], None],
                "finding": ["eligible_not_entered", "entered_not_eligible"],
                "reason": ['says "no"; 5%', ""],
                "records": [['survey:"q"', "tax:1\\2"], []],
                "as_of_on": [date(2022, 3, 1)] * 2,
                "rules_version": ["v1"] * 2,
                "computed_at": [datetime(2022, 3, 2, 9, tzinfo=UTC)] * 2,
            }
        )
        upsert_frame(session, NotebookFinding, frame, key=["person_id", "notebook"])
        again = frame.with_columns(reason=pl.lit("changed")).head(1)
        upsert_frame(session, NotebookFinding, again, key=["person_id", "notebook"])
    with graph_db.session() as session:
        rows = session.scalars(select(NotebookFinding).order_by(NotebookFinding.notebook)).all()
    assert [(r.notebook, r.reason, r.records, r.household_id) for r in rows] == [
        ("iron", "changed", ['survey:"q"', "tax:1\\2"], frame["household_id"][0]),
        ("youth", "", [], None),
    ]
    assert rows[0].computed_at == datetime(2022, 3, 2, 9, tzinfo=UTC)


def test_a_frame_appended_to_an_emptied_table_is_written_and_a_kept_key_refused(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = SmallWorld(session)
        w.territory(M1)
        w.household("a", M1, assessed=3, income_uzs=100_000)
        w.person("a1", "a", date(1990, 1, 1), "M", "unemployed")
        frame = pl.DataFrame(
            {
                "person_id": [w.persons["a1"]],
                "notebook": ["iron"],
                "mahalla_code": [M1],
                "household_id": [w.households["a"]],
                "finding": ["eligible_not_entered"],
                "reason": ['says "no"; 5%'],
                "records": [['survey:"q"', "tax:1\\2"]],
                "as_of_on": [date(2022, 3, 1)],
                "rules_version": ["v1"],
                "computed_at": [datetime(2022, 3, 2, 9, tzinfo=UTC)],
            }
        )
        append_frame(session, NotebookFinding, frame)
    with graph_db.session() as session:
        row = session.scalars(select(NotebookFinding)).one()
        assert (row.reason, row.records) == ('says "no"; 5%', ['survey:"q"', "tax:1\\2"])
        assert row.computed_at == datetime(2022, 3, 2, 9, tzinfo=UTC)
    # SQLAlchemy's error on SQLite; on PostgreSQL the driver's, from its COPY.
    with graph_db.session() as session, pytest.raises((IntegrityError, psycopg.IntegrityError)):
        append_frame(session, NotebookFinding, frame)
