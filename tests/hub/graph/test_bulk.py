"""Bulk upserts: idempotent, later-wins, conditional and fast-path equivalent on both backends."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import polars as pl
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.graph.bulk import BulkWriteError, fetch_key_map, upsert_rows
from hub.graph.inserts import insert_frame, insert_new
from hub.graph.models import District, EmploymentRecord, Household, Mahalla, Region


def _territory(session: Session) -> None:
    upsert_rows(session, Region, [{"code": "1703", "name": "Andijon viloyati"}], key=["code"])
    upsert_rows(
        session,
        District,
        [{"code": "1703202", "region_code": "1703", "name": "Asaka tumani"}],
        key=["code"],
    )


def _mahallas(n: int, name: str = "Navbahor MFY") -> list[dict[str, object]]:
    return [
        {"code": f"1703202{i:03d}", "district_code": "1703202", "name": f"{name} {i}", "stir": None}
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("copy_threshold", [1, 10_000])
def test_upsert_twice_changes_nothing_and_later_values_win(graph_db, copy_threshold) -> None:
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_rows(session, Mahalla, _mahallas(300), key=["code"], copy_threshold=copy_threshold)
        upsert_rows(session, Mahalla, _mahallas(300), key=["code"], copy_threshold=copy_threshold)
    with graph_db.session() as session, session.begin():
        upsert_rows(
            session, Mahalla, _mahallas(5, "Yangi"), key=["code"], copy_threshold=copy_threshold
        )
    with graph_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Mahalla)) == 300
        assert session.get(Mahalla, "1703202001").name == "Yangi 1"
        assert session.get(Mahalla, "1703202006").name == "Navbahor MFY 6"


def test_duplicate_keys_in_one_call_keep_the_last_row(graph_db) -> None:
    rows = [*_mahallas(3), dict(_mahallas(1)[0], name="Last")]
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_rows(session, Mahalla, rows, key=["code"], copy_threshold=1)
    with graph_db.session() as session:
        assert session.get(Mahalla, "1703202001").name == "Last"


@pytest.mark.parametrize("copy_threshold", [1, 10_000])
def test_where_condition_keeps_the_later_file(graph_db, copy_threshold) -> None:
    def row(status: str, source_file: str) -> dict[str, object]:
        return {
            "record_no": "E2022-0000123",
            "status": status,
            "status_on": date(2022, 2, 1),
            "source_file": source_file,
        }

    later_wins = "employment_record.source_file <= excluded.source_file"
    with graph_db.session() as session, session.begin():
        for status, name in [
            ("unemployed", "employment_2022-02.csv"),
            ("employed", "employment_2022-03.csv"),
            ("training", "employment_2022-01.csv"),  # an older file arriving late loses
        ]:
            upsert_rows(
                session,
                EmploymentRecord,
                [row(status, name)],
                key=["record_no"],
                where=later_wins,
                copy_threshold=copy_threshold,
            )
    with graph_db.session() as session:
        record = session.scalars(select(EmploymentRecord)).one()
        assert (record.status, record.source_file) == ("employed", "employment_2022-03.csv")


def test_returning_maps_every_key_to_its_id_including_unchanged_rows(graph_db) -> None:
    households = [
        {
            "hub_id": f"H{i}",
            "survey_id": f"SV-{i}",
            "mahalla_code": "1703202001",
            "needs": ["loan", "job"],
        }
        for i in range(50)
    ]
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_rows(session, Mahalla, _mahallas(1), key=["code"])
        first = upsert_rows(
            session, Household, households, key=["hub_id"], returning=["hub_id", "id"]
        )
        again = upsert_rows(
            session, Household, households, key=["hub_id"], update=(), returning=["hub_id", "id"]
        )
        assert dict(first) == dict(again)
        assert len(dict(first)) == 50
        assert fetch_key_map(session, Household, "hub_id", ["H1", "H2", "nope"]) == {
            "H1": dict(first)["H1"],
            "H2": dict(first)["H2"],
        }
    with graph_db.session() as session:
        assert session.scalars(select(Household).where(Household.hub_id == "H3")).one().needs == [
            "loan",
            "job",
        ]


def test_copy_path_round_trips_json_and_aware_timestamps(graph_db) -> None:
    moment = datetime(2022, 7, 3, 4, 15, tzinfo=UTC)
    households = [
        {
            "hub_id": f"H{i}",
            "mahalla_code": "1703202001",
            "needs": ["subsidy"],
            "last_confirmed_at": moment,
        }
        for i in range(20)
    ]
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_rows(session, Mahalla, _mahallas(1), key=["code"])
        upsert_rows(session, Household, households, key=["hub_id"], copy_threshold=1)
    with graph_db.session() as session:
        loaded = session.scalars(select(Household).where(Household.hub_id == "H7")).one()
        assert loaded.needs == ["subsidy"]
        assert loaded.last_confirmed_at == moment


def test_a_failed_load_leaves_the_previous_rows_intact(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        _territory(session)
        upsert_rows(session, Mahalla, _mahallas(3), key=["code"])
    bad = [
        *_mahallas(3, "Changed"),
        {**_mahallas(1)[0], "code": "1703202999", "district_code": "9"},
    ]
    with pytest.raises(Exception), graph_db.session() as session, session.begin():  # noqa: B017, PT011
        upsert_rows(session, Mahalla, bad, key=["code"])
    with graph_db.session() as session:
        names = sorted(session.scalars(select(Mahalla.name)))
        assert names == ["Navbahor MFY 1", "Navbahor MFY 2", "Navbahor MFY 3"]


def test_rows_with_unknown_or_missing_columns_are_refused_with_the_table_named(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        with pytest.raises(BulkWriteError, match="Table 'region' has no column"):
            upsert_rows(session, Region, [{"code": "1703", "nme": "x"}], key=["code"])
        with pytest.raises(BulkWriteError, match="lack the key"):
            upsert_rows(session, Region, [{"name": "x"}], key=["code"])
        with pytest.raises(BulkWriteError, match="same columns"):
            upsert_rows(session, Region, [{"code": "1", "name": "a"}, {"code": "2"}], key=["code"])


def test_insert_frame_writes_a_frame_as_is_and_refuses_unknown_columns(graph_db) -> None:
    seen = datetime(2024, 5, 1, tzinfo=UTC)
    frame = pl.DataFrame(_mahallas(3)).drop("stir").with_columns(last_confirmed_at=pl.lit(seen))
    with graph_db.session() as session, session.begin():
        _territory(session)
        insert_frame(session, Mahalla, frame)
        insert_frame(session, Mahalla, frame.clear())
    with graph_db.session() as session:
        names = session.scalars(select(Mahalla.name).order_by(Mahalla.code)).all()
        assert names == ["Navbahor MFY 1", "Navbahor MFY 2", "Navbahor MFY 3"]
    with graph_db.session() as session, pytest.raises(BulkWriteError, match="no column"):
        insert_frame(session, Mahalla, frame.with_columns(colour=pl.lit("red")))


def test_insert_new_returns_the_ids_and_fails_on_a_key_that_exists(graph_db) -> None:
    rows = _mahallas(3)
    with graph_db.session() as session, session.begin():
        _territory(session)
        written = insert_new(session, Mahalla, rows, key=["code"], returning=["code", "name"])
        assert sorted(written) == [(r["code"], r["name"]) for r in rows]
        assert insert_new(session, Mahalla, [], key=["code"], returning=["code"]) == []
        with pytest.raises(BulkWriteError, match="repeat a key"):
            insert_new(session, Mahalla, [rows[0], rows[0]], key=["code"], returning=["code"])
    with graph_db.session() as session:
        # The Python-side default is filled in as by upsert_rows.
        seen = session.scalars(select(Mahalla.last_confirmed_at)).all()
        assert len(seen) == 3 and all(s is not None for s in seen)
    # A key that exists fails the insert, and the caller's transaction with it.
    # (The drivers' own error: the rows go past SQLAlchemy's execution.)
    refused = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)
    with pytest.raises(refused), graph_db.session() as session, session.begin():
        insert_new(session, Mahalla, _mahallas(4)[3:] + rows[:1], key=["code"], returning=["code"])
    with graph_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Mahalla)) == 3
