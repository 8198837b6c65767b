"""Temporary tables for set-based reads and writes: typed like the graph, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from hub.graph.models import Person
from hub.graph.scratch import ScratchError, drop, key_table, scratch_table, update_from

PERSONS: Table = Person.__table__  # type: ignore[assignment]
THEN = datetime(2026, 1, 1, tzinfo=UTC)


def _persons(session: Session, n: int) -> list[int]:
    session.add_all(
        Person(hub_id=f"P{i:04d}", full_name=f"Person {i}", name_key=f"person {i}")
        for i in range(n)
    )
    session.flush()
    return list(session.scalars(select(Person.id).order_by(Person.id)))


def test_update_from_sets_the_given_columns_of_matching_rows_only(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        ids = _persons(session, 3)
        rows = [
            {
                "id": ids[0],
                "full_name": "Aliyev Vali",
                "birth_on": date(1990, 5, 1),
                "attribute_sources": {"name": "survey/7"},
                "updated_at": THEN,
            },
            {
                "id": ids[1],
                "full_name": "Karimova Lola",
                "birth_on": None,
                "attribute_sources": None,
                "updated_at": THEN,
            },
            # No such person: nothing is written for it.
            {
                "id": ids[-1] + 100,
                "full_name": "Nobody",
                "birth_on": None,
                "attribute_sources": None,
                "updated_at": THEN,
            },
        ]
        update_from(session, PERSONS, rows)
    with graph_db.session() as session:
        first, second, third = (session.get(Person, i) for i in ids)
        assert (first.full_name, first.birth_on) == ("Aliyev Vali", date(1990, 5, 1))
        assert first.attribute_sources == {"name": "survey/7"}
        assert first.updated_at == THEN
        assert first.name_key == "person 0"  # not given: left alone
        assert (second.full_name, second.attribute_sources) == ("Karimova Lola", None)
        assert third.full_name == "Person 2"
        assert session.scalar(select(func.count()).select_from(Person)) == 3


def test_update_from_takes_a_frame_and_refuses_a_repeated_key(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        ids = _persons(session, 2)
        update_from(session, PERSONS, pl.DataFrame({"id": ids, "sex": ["M", "F"]}))
        assert list(session.scalars(select(Person.sex).order_by(Person.id))) == ["M", "F"]
        with pytest.raises(ScratchError, match="repeat a key"):
            update_from(session, PERSONS, pl.DataFrame({"id": [ids[0], ids[0]], "sex": ["M", "F"]}))


def test_update_from_changed_only_leaves_rows_that_hold_the_values(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        ids = _persons(session, 3)
        assert update_from(session, PERSONS, pl.DataFrame({"id": ids[:2], "sex": ["M", "F"]})) == 2
        # ids[0] holds "M" already; ids[1] changes; ids[2] goes from null to a value.
        again = pl.DataFrame({"id": ids, "sex": ["M", "M", "F"]})
        assert update_from(session, PERSONS, again, changed_only=True) == 2
        assert update_from(session, PERSONS, again, changed_only=True) == 0
        assert update_from(session, PERSONS, again) == 3
        assert list(session.scalars(select(Person.sex).order_by(Person.id))) == ["M", "M", "F"]


def test_a_column_the_table_lacks_is_refused(graph_db) -> None:
    with (
        graph_db.session() as session,
        session.begin(),
        pytest.raises(ScratchError, match="no column"),
    ):
        scratch_table(session, PERSONS, pl.DataFrame({"id": [1], "shoe_size": [42]}))


def test_key_table_holds_distinct_values_for_a_join(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        _persons(session, 4)
        keys = key_table(session, PERSONS.c.hub_id, ["P0001", "P0003", "P0003", None, "P9999"])
        assert session.scalar(select(func.count()).select_from(keys)) == 3
        found = session.scalars(
            select(Person.hub_id).where(Person.hub_id.in_(select(keys.c.hub_id)))
        )
        assert sorted(found) == ["P0001", "P0003"]
        drop(session, keys)
        empty = key_table(session, PERSONS.c.id, [])
        assert session.scalar(select(func.count()).select_from(empty)) == 0


def test_a_unique_value_may_move_between_the_rows_updated(graph_db) -> None:
    with graph_db.session() as session, session.begin():
        first, second = _persons(session, 2)
        update_from(session, PERSONS, [{"id": first, "pinfl": "A"}, {"id": second, "pinfl": "B"}])
        swapped = [{"id": first, "pinfl": "B"}, {"id": second, "pinfl": "A"}]
        update_from(session, PERSONS, swapped, unique=["pinfl"])
        pinfls = session.execute(select(Person.id, Person.pinfl).order_by(Person.id)).all()
        assert [tuple(p) for p in pinfls] == [(first, "B"), (second, "A")]
