"""A load's upkeep: the tables it changed are analysed (and vacuumed) by autovacuum's rule
right after its commit, on PostgreSQL, whatever the server's autovacuum does."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import OperationalError

from hub.graph import upkeep
from hub.graph.models import Person
from hub.graph.upkeep import Changes, keep_up, own_changes
from pipelines.resources import HubDatabase

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(empty_postgres_database: str) -> Iterator[Engine]:
    url = empty_postgres_database.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE thing (id int PRIMARY KEY, v int)"))
    yield engine
    engine.dispose()


def _flush_stats(connection: Connection) -> None:
    """Make this backend report its counts at its next idle point (else it may wait up to
    10 s), so the shared counts a test reads next are settled."""
    connection.execute(text("SELECT pg_stat_force_next_flush()"))


def _stats(engine: Engine, table: str) -> tuple[float, object, object]:
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT c.reltuples, s.last_analyze, s.last_vacuum FROM pg_class c "
                "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = :t"
            ),
            {"t": table},
        ).one()  # type: ignore[return-value]


def _fill(engine: Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO thing SELECT g, 0 FROM generate_series(1, :n) g"), {"n": rows}
        )
        _flush_stats(connection)


def test_own_changes_counts_this_transaction_only_and_only_the_named_tables(engine) -> None:
    _fill(engine, 300)
    with engine.begin() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE scratch (id int)"))
        connection.execute(text("INSERT INTO scratch SELECT generate_series(1, 50)"))
        connection.execute(text("UPDATE thing SET v = 1 WHERE id <= 40"))
        connection.execute(text("DELETE FROM thing WHERE id > 290"))
        connection.execute(text("INSERT INTO thing VALUES (1000, 0)"))
        changes = own_changes(connection, {"thing", "scratch"})
    # The 300 rows of the earlier transaction are not this one's; the temporary table is
    # not in the graph's schema.
    assert changes == Changes({"thing": 51}, {"thing": 50})


def test_a_table_grown_past_the_threshold_is_analysed_at_once(engine) -> None:
    _fill(engine, 1000)
    done = keep_up(engine, Changes({"thing": 1000}, {}))
    assert (done.analysed, done.vacuumed) == (["thing"], [])
    reltuples, analysed, _ = _stats(engine, "thing")
    assert reltuples == 1000 and analysed is not None


def test_updates_that_leave_many_dead_rows_are_vacuumed(engine) -> None:
    _fill(engine, 1000)
    keep_up(engine, Changes({"thing": 1000}, {}))
    with engine.begin() as connection:
        connection.execute(text("UPDATE thing SET v = 2 WHERE id <= 400"))
        changes = own_changes(connection, {"thing"})
        _flush_stats(connection)
    done = keep_up(engine, changes)
    assert done.vacuumed == ["thing"]
    _, _, vacuumed = _stats(engine, "thing")
    assert vacuumed is not None


def test_a_small_change_to_a_large_table_is_left_alone(engine) -> None:
    _fill(engine, 10_000)
    keep_up(engine, Changes({"thing": 10_000}, {}))
    _, analysed_before, _ = _stats(engine, "thing")
    with engine.begin() as connection:
        connection.execute(text("UPDATE thing SET v = 3 WHERE id <= 100"))
        changes = own_changes(connection, {"thing"})
        _flush_stats(connection)
    done = keep_up(engine, changes)
    assert (done.analysed, done.vacuumed) == ([], [])
    assert _stats(engine, "thing")[1] == analysed_before


def test_a_table_another_load_is_analysing_is_skipped_not_waited_for(engine) -> None:
    _fill(engine, 1000)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:  # what a concurrent ANALYZE holds
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE thing IN SHARE UPDATE EXCLUSIVE MODE"))
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        # Were it to wait, the lock timeout would fail it instead of hanging the test.
        impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=5000"})
        done = keep_up(impatient, Changes({"thing": 1000}, {}))
        impatient.dispose()
    finally:
        release.set()
        holder.join()
    assert done.analysed == ["thing"]  # asked for, skipped by the server
    assert _stats(engine, "thing")[1] is None


def test_an_error_in_upkeep_is_logged_not_raised(engine, monkeypatch, caplog) -> None:
    def refuse(*_: object) -> None:
        raise OperationalError("SELECT ...", None, Exception("the server went away"))

    monkeypatch.setattr(upkeep, "due", refuse)
    caplog.set_level(logging.WARNING, logger="hub.graph.upkeep")
    done = keep_up(engine, Changes({"thing": 1000}, {}))
    assert (done.analysed, done.vacuumed) == ([], [])
    assert "the server went away" in caplog.text


def test_a_load_session_analyses_what_the_load_wrote(empty_postgres_database) -> None:
    hub = HubDatabase(database_url=empty_postgres_database)
    with hub.load_session() as session:
        session.add_all(
            Person(hub_id=f"P{i:04d}", full_name=f"Person {i}", name_key=f"person {i}")
            for i in range(200)
        )
    reltuples, analysed, _ = _stats(hub.engine(), "person")
    assert reltuples == 200 and analysed is not None
    with hub.session() as session:
        assert len(session.scalars(select(Person.id)).all()) == 200
    hub.engine().dispose()


def test_a_failed_load_session_commits_nothing_and_analyses_nothing(
    empty_postgres_database,
) -> None:
    hub = HubDatabase(database_url=empty_postgres_database)

    def failing_load() -> None:
        with hub.load_session() as session:
            session.add(Person(hub_id="P1", full_name="Person 1", name_key="person 1"))
            session.flush()
            raise RuntimeError("the load failed")

    with pytest.raises(RuntimeError):
        failing_load()
    _, analysed, _ = _stats(hub.engine(), "person")
    assert analysed is None
    with hub.session() as session:
        assert session.scalars(select(Person.id)).all() == []
    hub.engine().dispose()
