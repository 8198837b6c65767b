"""Frames written by the bulk writers (`upsert_frame`, `insert_new` and `update_from` given a
polars frame) end as the same rows as the dict paths write: later rows win, `where` and
`update` hold, `returning` maps every key, defaults are filled, repeated keys refused, on
both backends and on both sides of the COPY threshold."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest
from sqlalchemy import Table, func, select

from hub.graph.bulk import BulkWriteError
from hub.graph.frame_upserts import upsert_frame
from hub.graph.inserts import insert_new
from hub.graph.models import EmploymentRecord, Household, Mahalla, Person
from hub.graph.scratch import ScratchError, update_from
from tests.hub.graph.test_bulk import _mahallas, _territory

SEEN = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize("copy_threshold", [1, 10_000])
def test_upsert_frame_keeps_the_last_row_per_key_and_fills_defaults(
    graph_db, copy_threshold
) -> None:
    frame = pl.DataFrame(_mahallas(4)).with_columns(stir=pl.lit(None, pl.String))
    later = frame.head(1).with_columns(name=pl.lit('Yangi, "1"'))
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_frame(
            session, Mahalla, pl.concat([frame, later]), key=["code"], copy_threshold=copy_threshold
        )
        upsert_frame(session, Mahalla, frame.clear(), key=["code"])
    with graph_db.session() as session:
        rows = session.execute(select(Mahalla.name, Mahalla.last_confirmed_at)).all()
    assert sorted(r.name for r in rows) == [
        "Navbahor MFY 2",
        "Navbahor MFY 3",
        "Navbahor MFY 4",
        'Yangi, "1"',
    ]
    assert all(r.last_confirmed_at is not None for r in rows)  # the Python-side default


@pytest.mark.parametrize("copy_threshold", [1, 10_000])
def test_upsert_frame_honours_where_update_and_returning(graph_db, copy_threshold) -> None:
    later_wins = "employment_record.source_file <= excluded.source_file"
    with graph_db.session() as session, session.begin():
        for status, name in [
            ("unemployed", "employment_2022-02.csv"),
            ("employed", "employment_2022-03.csv"),
            ("training", "employment_2022-01.csv"),  # an older file arriving late loses
        ]:
            frame = pl.DataFrame(
                {
                    "record_no": ["E1"],
                    "status": [status],
                    "status_on": [date(2022, 2, 1)],
                    "source_file": [name],
                }
            )
            upsert_frame(
                session,
                EmploymentRecord,
                frame,
                key=["record_no"],
                where=later_wins,
                copy_threshold=copy_threshold,
            )
        _territory(session)
        upsert_frame(session, Mahalla, pl.DataFrame(_mahallas(1)), key=["code"])
        households = pl.DataFrame(
            {
                "hub_id": [f"H{i}" for i in range(30)],
                "survey_id": [f"SV-{i}" for i in range(30)],
                "mahalla_code": ["1703202001"] * 30,
                "needs": [["loan", "job"]] * 29 + [[]],
                "last_confirmed_at": [SEEN] * 30,
            }
        )
        first = upsert_frame(
            session,
            Household,
            households,
            key=["hub_id"],
            returning=["hub_id", "id"],
            copy_threshold=copy_threshold,
        )
        renamed = households.with_columns(survey_id=pl.lit("changed"))
        again = upsert_frame(
            session,
            Household,
            renamed,
            key=["hub_id"],
            update=(),
            returning=["hub_id", "id"],
            copy_threshold=copy_threshold,
        )
        assert dict(first) == dict(again) and len(dict(first)) == 30
    with graph_db.session() as session:
        record = session.scalars(select(EmploymentRecord)).one()
        assert (record.status, record.source_file) == ("employed", "employment_2022-03.csv")
        h0 = session.scalars(select(Household).where(Household.hub_id == "H0")).one()
        h29 = session.scalars(select(Household).where(Household.hub_id == "H29")).one()
        assert (h0.survey_id, h0.needs, h0.last_confirmed_at) == ("SV-0", ["loan", "job"], SEEN)
        assert h29.needs == []


def test_upsert_frame_refuses_unknown_and_missing_key_columns(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        with pytest.raises(BulkWriteError, match="no column"):
            upsert_frame(
                session, Mahalla, pl.DataFrame({"code": ["1"], "nme": ["x"]}), key=["code"]
            )
        with pytest.raises(BulkWriteError, match="lack the key"):
            upsert_frame(session, Mahalla, pl.DataFrame({"name": ["x"]}), key=["code"])


def test_insert_new_and_update_from_take_frames(graph_db) -> None:
    persons = pl.DataFrame(
        {
            "hub_id": ["P1", "P2", "P3"],
            "full_name": ["Karimov Aziz", "", 'O\'ralov, "Bek"'],
            "name_key": ["karimov aziz", "", "oralov bek"],
            "birth_on": [date(1990, 1, 2), None, date(1985, 12, 31)],
            "attribute_sources": ['{"name":"survey/1"}', "{}", '{"name":"tax/\\"2\\""}'],
        }
    )
    with graph_db.session() as session, session.begin():
        rows: pl.DataFrame | list[dict[str, object]] = persons
        if graph_db.backend != "postgresql":  # JSON given as values off PostgreSQL
            rows = persons.to_dicts()
            for row in rows:
                row["attribute_sources"] = json.loads(row["attribute_sources"])
        written = dict(
            insert_new(session, Person, rows, key=["hub_id"], returning=["hub_id", "id"])
        )
        assert sorted(written) == ["P1", "P2", "P3"]
        with pytest.raises(BulkWriteError, match="repeat a key"):
            insert_new(
                session,
                Person,
                persons.head(1).vstack(persons.head(1)),
                key=["hub_id"],
                returning=["id"],
            )
        table: Table = Person.__table__  # type: ignore[assignment]
        moved = pl.DataFrame(
            {"id": [written["P1"], written["P3"]], "pinfl": ["31234567890123", None]}
        )
        assert update_from(session, table, moved) == 2
        with pytest.raises(ScratchError, match="repeat a key"):
            update_from(session, table, moved.vstack(moved))
        assert update_from(session, table, moved.clear()) == 0
    with graph_db.session() as session:
        found = {
            p.hub_id: (p.full_name, p.birth_on, p.pinfl, p.attribute_sources)
            for p in session.scalars(select(Person))
        }
        assert session.scalar(select(func.count()).select_from(Person)) == 3
    assert found == {
        "P1": ("Karimov Aziz", date(1990, 1, 2), "31234567890123", {"name": "survey/1"}),
        "P2": ("", None, None, {}),
        "P3": ('O\'ralov, "Bek"', date(1985, 12, 31), None, {"name": 'tax/"2"'}),
    }
