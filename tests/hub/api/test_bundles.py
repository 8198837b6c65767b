"""Joined reads (a mahalla bundle, a page of persons with households) read exactly what
the loaders would read one relation at a time."""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, create_engine, select

from hub.api.batch_fetch import fetch_by_keys
from hub.api.people import bundles as person_bundles
from hub.api.people import data as people
from hub.api.people.criteria import PersonCriteria
from hub.api.people.records import HOUSEHOLD, HouseholdRecord
from hub.api.territory import bundles, data
from hub.api.territory import statistics_data as statistics
from hub.graph.bulk import upsert_rows
from hub.graph.models import Assistant, District, Mahalla, Region

if TYPE_CHECKING:
    from conftest import BuiltGraph

    from tests.conftest import GraphDatabase


def test_bundles_agree_with_the_loaders_data_layer(built_graph: BuiltGraph) -> None:
    engine = create_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            codes = list(connection.scalars(select(data.MAHALLA.c.code)))
            assert len(codes) > 2
            asked = [*codes, "9999999999"]  # and one that does not exist
            for size in range(len(bundles.PARTS) + 1):
                for parts in map(frozenset, combinations(bundles.PARTS, size)):
                    for keys in (asked, asked[:1]):  # many keys, and the one-key statement
                        found = bundles.fetch_mahalla_bundles(connection, keys, parts)
                        assert found[-1] is None or keys == asked[:1]
                        _agree(connection, keys, parts, found)
    finally:
        engine.dispose()


def _agree(
    connection: Connection,
    keys: list[str],
    parts: frozenset[str],
    found: list[bundles.MahallaBundle | None],
) -> None:
    assistants = data.fetch_current_assistants(connection, keys)
    stats = statistics.fetch_mahalla_statistics(connection, keys)
    for key, bundle, assistant, stat in zip(keys, found, assistants, stats, strict=True):
        if bundle is None:
            assert key == "9999999999"
            continue
        assert bundle.mahalla.code == key
        if bundles.DISTRICT_PART in parts or bundles.REGION_PART in parts:
            assert bundle.district is not None
            assert bundle.district.code == bundle.mahalla.district_code
        if bundles.REGION_PART in parts:
            assert bundle.region is not None and bundle.district is not None
            assert bundle.region.code == bundle.district.region_code
        else:
            assert bundle.region is None
        assert bundle.assistant == (assistant if bundles.ASSISTANT_PART in parts else None)
        assert bundle.statistics == (stat if bundles.STATISTICS_PART in parts else None)


def test_a_bundle_refuses_a_part_it_cannot_carry(built_graph: BuiltGraph) -> None:
    engine = create_engine(built_graph.url)
    try:
        with engine.connect() as connection, pytest.raises(ValueError, match="households"):
            bundles.fetch_mahalla_bundles(connection, ["1703202001"], frozenset({"households"}))
    finally:
        engine.dispose()


def test_a_page_of_persons_joined_with_households_matches_the_two_reads(
    built_graph: BuiltGraph,
) -> None:
    engine = create_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            criteria = PersonCriteria()
            total = people.count_persons(connection, criteria)
            alone = people.fetch_person_rows(connection, criteria, 0, total, households=False)
            persons = people.persons_of(alone)
            joined = people.fetch_person_rows(connection, criteria, 0, total, households=True)
            pairs = people.persons_with_households(joined)
            assert [person for person, _ in pairs] == persons
            ids = [p.household_id for p in persons if p.household_id is not None]
            households = dict(
                zip(
                    ids,
                    fetch_by_keys(connection, HouseholdRecord, HOUSEHOLD, ("id",), ids),
                    strict=True,
                )
            )
            for person, household in pairs:
                expected = None if person.household_id is None else households[person.household_id]
                assert household == expected
    finally:
        engine.dispose()


def test_a_person_bundle_carries_what_the_loaders_would_load(built_graph: BuiltGraph) -> None:
    engine = create_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            rows = people.fetch_person_rows(connection, PersonCriteria(), 0, 1000, households=False)
            persons = people.persons_of(rows)
            for person in (p for p in persons if p.pinfl is not None):
                assert person.pinfl is not None
                for size in range(len(person_bundles.PARTS) + 1):
                    for parts in map(frozenset, combinations(person_bundles.PARTS, size)):
                        bundle = person_bundles.fetch_person_bundle(connection, person.pinfl, parts)
                        assert bundle is not None and bundle.person == person
                        household = mahalla = None
                        if "household" in parts and person.household_id is not None:
                            (household,) = fetch_by_keys(
                                connection,
                                HouseholdRecord,
                                HOUSEHOLD,
                                ("id",),
                                [person.household_id],
                            )
                        if "mahalla" in parts and person.mahalla_code is not None:
                            (mahalla,) = fetch_by_keys(
                                connection,
                                data.MahallaRecord,
                                data.MAHALLA,
                                ("code",),
                                [person.mahalla_code],
                            )
                        assert (bundle.household, bundle.mahalla) == (household, mahalla)
            nobody = frozenset(person_bundles.PARTS)
            assert person_bundles.fetch_person_bundle(connection, "99999999999999", nobody) is None
    finally:
        engine.dispose()


def test_a_bundle_joins_the_current_assistant_by_the_loaders_rule(graph_db: GraphDatabase) -> None:
    # Flagged current, else the latest appointment, ties to the highest id; the bundle's
    # join (an anti-join) must pick what `fetch_current_assistants` picks, in every case.
    cases = {
        "1703202001": [("A-1", date(2020, 1, 1), True), ("A-2", date(2023, 1, 1), False)],
        "1703202002": [("A-3", date(2021, 1, 1), False), ("A-4", date(2022, 6, 1), False)],
        "1703202003": [("A-6", date(2022, 1, 1), False), ("A-5", date(2022, 1, 1), False)],
        "1703202004": [("A-7", date(2019, 1, 1), True), ("A-8", date(2021, 1, 1), True)],
        "1703202005": [],
    }
    expected = {"1703202001": "A-1", "1703202002": "A-4", "1703202003": "A-6"}
    expected |= {"1703202004": "A-8", "1703202005": None}
    with graph_db.sessions() as session, session.begin():
        upsert_rows(session, Region, [{"code": "1703", "name": "Andijon"}], key=["code"])
        district = {"code": "1703202", "region_code": "1703", "name": "Asaka"}
        upsert_rows(session, District, [district], key=["code"])
        mahallas = [{"code": c, "district_code": "1703202", "name": c} for c in cases]
        upsert_rows(session, Mahalla, mahallas, key=["code"])
        assistants = [
            {
                "id": key,
                "full_name": key,
                "mahalla_code": code,
                "appointed_on": on,
                "is_current": current,
            }
            for code, rows in cases.items()
            for key, on, current in rows
        ]
        upsert_rows(session, Assistant, assistants, key=["id"])
    codes = list(cases)
    parts = frozenset({bundles.ASSISTANT_PART})
    with graph_db.engine.connect() as connection:
        found = bundles.fetch_mahalla_bundles(connection, codes, parts)
        loaded = data.fetch_current_assistants(connection, codes)
        page = bundles.fetch_mahalla_page_rows(
            connection, data.TerritoryCriteria(district_code="1703202"), 0, 100, parts
        )
    chosen = {b.mahalla.code: b.assistant and b.assistant.id for b in found if b is not None}
    assert chosen == expected
    assert [a and a.id for a in loaded] == [expected[c] for c in codes]
    assert [bundles.bundle_of(row, parts).mahalla.code for row in page] == codes  # one each
