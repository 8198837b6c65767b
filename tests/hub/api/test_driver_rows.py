"""Reads on the driver (`hub.api.driver_rows`) give what SQLAlchemy's execution gives.

On PostgreSQL the API reads kept statements straight on psycopg's cursor; a listener on
the engine's statement events turns that off. Every query below must answer the same
both ways, and `fetch_rows` must return the same rows as `connection.execute(...).all()`,
processed values (timestamps, numbers, JSON) included.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import ColumnElement, Connection, String, bindparam, event, literal_column, select

from hub.api import driver_rows
from hub.api.batch_fetch import keyed
from hub.api.driver_rows import dollar_placeholders, fetch_rows, fetch_rows_async
from hub.api.people import records as people
from hub.api.provenance import data as provenance
from hub.api.records import select_records
from hub.api.territory import bundles
from hub.graph.database import create_hub_async_engine

if TYPE_CHECKING:
    from conftest import Api, BuiltGraph, FixtureGraph

MAIN_PINFL = "31503851234566"
FILLER_MAHALLA = "1703203001"

QUERIES = [
    """{ person(pinfl: "PINFL") {
        hubId fullName birthOn sex occupation createdAt lastConfirmedAt
        household { hubId monthlyIncome plotSotix needs members { edges { node {
          relation person { hubId } } } } }
        mahalla { name district { name region { name } } assistant { fullName } }
        taxRegistrations { edges { node { tin declaredIncome registeredOn } } }
        employmentHistory { edges { node { recordNo statusOn } } }
        landLeases { edges { node { leaseId parcel { cadastre areaHa } } } }
        loans { edges { node { loanId amount issuedOn } } }
        notebookEntries { edges { node { notebook } } }
        appeals { edges { node { appealId receivedAt } } }
        sourceRecords { edges { node { recordKey firstSeenAt lastSeenAt } } }
        conflicts { edges { node { attribute value } } }
    } }""".replace("PINFL", MAIN_PINFL),
    """{ mahalla(code: "1703202001") { code name lastConfirmedAt
        district { name } assistant { fullName phone }
        statistics { population households
          land { activeLeases leasedAreaHa } loansByProgramme { programme count amount }
          appeals { total open byTopic { topic appeals } } } } }""",
    """{ persons(filter: {mahallaCode: "M"}, first: 7) { totalCount
        edges { cursor node { hubId birthOn household { hubId needs } } } } }""".replace(
        "M", FILLER_MAHALLA
    ),
    """{ persons(filter: {regionCode: "1703", bornFromYear: 1950, bornToYear: 2020, sex: MALE},
        orderBy: {field: BIRTH_ON, direction: DESC}) { totalCount edges { node { hubId } } } }""",
    """{ mahallas(filter: {districtCode: "1703202"}, first: 100) { totalCount edges { node {
        code assistant { fullName } statistics { population employment { employed } } } } } }""",
    """{ districts(filter: {regionCode: "1703", nameContains: "a"}) { totalCount
        edges { node { code name } } } }""",
    """{ households(filter: {districtCode: "1703202"}) { totalCount edges { node { hubId } } } }""",
]


def _listening(api: Api, query: str) -> dict[str, Any]:
    """The answer with a statement listener on the engine (the regular way)."""

    def listener(*args: Any) -> None:
        pass

    event.listen(api.engine, "before_cursor_execute", listener)
    try:
        return api.data(query)
    finally:
        event.remove(api.engine, "before_cursor_execute", listener)


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_queries_answer_the_same_on_the_driver_and_the_regular_way(
    api: Api, fixture_graph: FixtureGraph, query: str
) -> None:
    direct = api.data(query)
    assert direct == _listening(api, query)
    assert direct == api.data(query)  # the kept plan, used a second time


def _statements(connection: Connection) -> list[tuple[Any, dict[str, Any]]]:
    """Kept statements with parameters: timestamps, JSON, numeric areas, many keys."""
    person_ids = [p for (p,) in connection.exec_driver_sql("SELECT id FROM person").all()]
    shapes: list[tuple[Any, dict[str, Any]]] = []
    for keys in (person_ids[:1], person_ids):
        shapes.append(
            keyed(
                connection,
                ("test persons", len(keys) > 1),
                keys,
                lambda match: select_records(people.PersonRecord, people.PERSON).where(
                    match([people.PERSON.c.id])
                ),
            )
        )
    parts = frozenset(bundles.PARTS)
    shapes.append(
        keyed(
            connection,
            ("test bundle", parts),
            ["1703202001", "1703203001"],
            lambda match: bundles._statement(parts, match),
        )
    )
    shapes.append(keyed(connection, "test conflicts", person_ids, provenance._by_person_statement))
    return shapes


def test_fetch_rows_equals_sqlalchemy_execution(connection: Connection) -> None:
    for stmt, params in _statements(connection):
        expected = [tuple(row) for row in connection.execute(stmt, params).all()]
        assert expected, stmt
        assert [tuple(row) for row in fetch_rows(connection, stmt, params)] == expected
        assert [tuple(row) for row in fetch_rows(connection, stmt, params)] == expected


def test_the_driver_is_used_on_postgresql_only_without_listeners(
    connection: Connection, built_graph: BuiltGraph
) -> None:
    stmt, params = _statements(connection)[1]
    driver_rows._PLANS.pop(id(stmt), None)
    fetch_rows(connection, stmt, params)
    on_driver = connection.dialect.driver == "psycopg"
    assert (id(stmt) in driver_rows._PLANS) is on_driver

    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(connection.engine, "before_cursor_execute", listener)
    try:
        fetch_rows(connection, stmt, params)
    finally:
        event.remove(connection.engine, "before_cursor_execute", listener)
    assert len(seen) == 1  # a listener sees every statement


def test_a_statement_with_an_expanding_parameter_is_executed_the_regular_way(
    connection: Connection,
) -> None:
    # Composite keys compare with a tuple IN over a list, rendered per execution.
    keys = [(1, 1), (1, 2)]
    stmt, params = keyed(
        connection,
        "test members",
        keys,
        lambda match: select_records(people.MemberRecord, people.MEMBER).where(
            match([people.MEMBER.c.household_id, people.MEMBER.c.person_id])
        ),
    )
    expected = [tuple(row) for row in connection.execute(stmt, params).all()]
    assert [tuple(row) for row in fetch_rows(connection, stmt, params)] == expected


def test_placeholders_become_postgresql_s_own_numbered_once_per_name() -> None:
    sql = "SELECT %(a)s, %(b_1)s, %(a)s WHERE x LIKE 'p%%' AND y = %(b_1)s"
    assert dollar_placeholders(sql) == (
        "SELECT $1, $2, $1 WHERE x LIKE 'p%' AND y = $2",
        ("a", "b_1"),
    )
    assert dollar_placeholders("SELECT 1") == ("SELECT 1", ())
    # A `%` the dialect's compiler does not write: the statement goes SQLAlchemy's way.
    assert dollar_placeholders("SELECT %s") is None
    assert dollar_placeholders("SELECT 5 % 2") is None


def test_a_long_statement_with_percent_signs_and_a_repeated_value_reads_the_same(
    connection: Connection,
) -> None:
    # Longer than the 4,096 characters below which psycopg caches its own rewrite.
    hub_id = bindparam("hub_id", type_=String)
    padding: list[ColumnElement[Any]] = [
        literal_column(f"'{'x' * 60}' AS pad_{i}") for i in range(80)
    ]
    stmt = select(
        people.PERSON.c.hub_id,
        literal_column("'100%'").label("percent"),
        (people.PERSON.c.hub_id == hub_id).label("same"),
        *padding,
    ).where(people.PERSON.c.hub_id.like(literal_column("'%'")), people.PERSON.c.hub_id == hub_id)
    assert len(str(stmt.compile(dialect=connection.dialect))) > 4096
    first = connection.exec_driver_sql("SELECT hub_id FROM person ORDER BY id").first()
    assert first is not None
    params = {"hub_id": first[0]}
    expected = [tuple(row) for row in connection.execute(stmt, params).all()]
    assert expected and expected[0][:3] == (first[0], "100%", True)
    for _ in range(2):  # the kept plan too
        assert [tuple(row) for row in fetch_rows(connection, stmt, params)] == expected


def test_fetch_rows_async_equals_sqlalchemy_execution(
    connection: Connection, built_graph: BuiltGraph
) -> None:
    # Awaited on psycopg's async cursor without a greenlet (`RequestDatabase.fetch_now`),
    # and through `run_sync` once a listener must see the statement.
    if connection.dialect.name != "postgresql":
        pytest.skip("asyncio engines are PostgreSQL's")
    shapes = _statements(connection)
    expected = [[tuple(row) for row in connection.execute(s, p).all()] for s, p in shapes]

    async def fetched() -> list[list[list[tuple[Any, ...]]]]:
        engine = create_hub_async_engine(built_graph.url, isolation_level="AUTOCOMMIT")
        seen: list[str] = []

        def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        try:
            async with engine.connect() as async_connection:
                runs = []
                for listening in (False, False, True):
                    if listening:
                        event.listen(engine.sync_engine, "before_cursor_execute", listener)
                    runs.append(
                        [
                            [tuple(r) for r in await fetch_rows_async(async_connection, s, p)]
                            for s, p in shapes
                        ]
                    )
                event.remove(engine.sync_engine, "before_cursor_execute", listener)
                assert len(seen) == len(shapes)  # only the run with the listener
                return runs
        finally:
            await engine.dispose()

    for run in asyncio.run(fetched()):
        assert run == expected
