"""Batch fetches give the same records for one key as for many, on both databases.

One key is compared with `= :key`; many with `= ANY(:keys)` on PostgreSQL and an expanding
IN elsewhere; composite keys with a tuple IN. Every shape must find the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from hub.api.activities import data as activities
from hub.api.batch_fetch import fetch_by_keys, fetch_groups
from hub.api.people import records as people
from hub.api.provenance import data as provenance
from hub.api.records import select_records, to_records

if TYPE_CHECKING:
    pass


def test_persons_by_id_one_at_a_time_and_all_at_once(connection: Connection) -> None:
    everyone = to_records(
        people.PersonRecord,
        connection.execute(select_records(people.PersonRecord, people.PERSON)).all(),
    )
    assert len(everyone) > 1
    ids: list[Any] = [p.id for p in everyone]
    keys = [*ids, -1, ids[0]]  # a missing key and a repeated one
    expected: list[Any] = [*everyone, None, everyone[0]]
    key = ("id",)
    assert fetch_by_keys(connection, people.PersonRecord, people.PERSON, key, keys) == expected
    for k, record in zip(keys, expected, strict=True):
        found = fetch_by_keys(connection, people.PersonRecord, people.PERSON, key, [k])
        assert found == [record]


def test_loans_by_person_one_at_a_time_and_all_at_once(connection: Connection) -> None:
    ids = list(connection.scalars(select(people.PERSON.c.id)))
    order = ("issued_on", "loan_id")
    groups = fetch_groups(
        connection, activities.LoanRecord, activities.LOAN, "person_id", ids, order
    )
    assert any(groups)
    for person_id, group in zip(ids, groups, strict=True):
        alone = fetch_groups(
            connection, activities.LoanRecord, activities.LOAN, "person_id", [person_id], order
        )
        assert alone == [group]
        assert [loan.person_id for loan in group] == [person_id] * len(group)


def test_source_records_by_composite_key(connection: Connection) -> None:
    table = provenance.SOURCE_RECORD
    rows = to_records(
        provenance.SourceRecordRow,
        connection.execute(select_records(provenance.SourceRecordRow, table)).all(),
    )
    assert len(rows) > 1
    keys: list[Any] = [(r.source, r.record_key) for r in rows]
    key = ("source", "record_key")
    everything = fetch_by_keys(
        connection, provenance.SourceRecordRow, table, key, [*keys, ("none", "none")]
    )
    assert everything == [*rows, None]
    for k, record in zip(keys, rows, strict=True):
        assert fetch_by_keys(connection, provenance.SourceRecordRow, table, key, [k]) == [record]
