"""The number of SQL statements a query makes does not grow with the page (no N+1).

Counted with a `before_cursor_execute` listener on the API's engine (see conftest). On
PostgreSQL a root field whose selection compiles is one statement (`hub.api.compiled`);
SQLite (3.40 here) builds no ordered JSON lists, so a selection with a list goes the
regular way there, batched by the DataLoaders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

MAIN_PINFL = "31503851234566"  # P-1 of the fixture graph (conftest)
FILLER_MAHALLA = "1703203001"  # where the fixture graph's filler persons live


PAGE = """
query($first: Int!) {
  persons(filter: {mahallaCode: "MAHALLA"}, first: $first) {
    edges { node {
      hubId fullName
      household { hubId assessedCategory mahalla { name } }
      mahalla { code name }
      loans { edges { node { loanId amount programme } } }
    } }
  }
}
""".replace("MAHALLA", FILLER_MAHALLA)


def _compiles_lists(api: Api) -> bool:
    return bool(api.engine.dialect.name == "postgresql")


def test_a_page_of_persons_with_households_mahalla_and_loans_takes_one_statement_or_three(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    # Compiled: one. Regular: the persons page joined with their households, mahallas,
    # loans. Whatever the page size.
    expected = 1 if _compiles_lists(api) else 3
    for first in (10, 100):
        assert api.count_statements(PAGE, {"first": first}) == expected, first
        data = api.data(PAGE, {"first": first})["persons"]["edges"]
        assert len(data) == first
        assert all(len(edge["node"]["loans"]["edges"]) == 2 for edge in data)


def test_a_person_with_every_relation_takes_one_statement(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """
    query($pinfl: String!) { person(pinfl: $pinfl) {
      household { hubId members { edges { node { relation person { hubId } } } } }
      householdRelation
      mahalla { name district { name region { name } } assistant { fullName } }
      taxRegistrations { edges { node { tin } } }
      employmentHistory { edges { node { recordNo } } }
      landLeases { edges { node { leaseId parcel { cadastre } business { tin } } } }
      loans { edges { node { loanId } } }
      notebookEntries { edges { node { notebook } } }
      appeals { edges { node { appealId } } }
      sourceRecords { edges { node { recordKey firstDelivery { name } lastDelivery { name } } } }
      conflicts { edges { node { attribute } } }
    } }
    """
    # Regular: 1 person joined with household and mahalla; 9 = membership and 8 relation
    # lists; 5 = members (with their persons), district, assistant, parcels, deliveries;
    # 1 region. (The lease has no business lessee, so no business is loaded.)
    expected = 1 if _compiles_lists(api) else 16
    assert api.count_statements(query, {"pinfl": MAIN_PINFL}) == expected


def test_a_district_list_with_statistics_is_batched(api: Api, fixture_graph: FixtureGraph) -> None:
    query = """
    { districts(filter: {regionCode: "1703"}) { edges { node {
        code statistics { population }
        mahallas { edges { node { code assistant { fullName } statistics { population } } } }
    } } } }
    """
    # Compiled (PostgreSQL): one. Regular: districts page, district statistics, mahallas of
    # districts, assistants, mahalla stats.
    expected = 1 if _compiles_lists(api) else 5
    assert api.count_statements(query) == expected


def test_a_mahalla_dashboard_takes_one_statement(api: Api, fixture_graph: FixtureGraph) -> None:
    query = """
    { mahalla(code: "1703202001") {
        code name district { name region { name } } assistant { fullName }
        statistics { population employment { employed } appeals { total } }
    } }
    """
    # The mahalla with its district, region, current assistant and statistics, joined.
    assert api.count_statements(query) == 1


def test_a_page_of_mahallas_with_relations_takes_one_statement(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """
    query($first: Int!) { mahallas(first: $first) { edges { node {
        code district { region { name } } assistant { fullName } statistics { population }
    } } } }
    """
    # The page with its mahallas' district, region, assistant and statistics, joined.
    for first in (1, 100):
        assert api.count_statements(query, {"first": first}) == 1, first


def test_relations_selected_through_fragments_are_joined_too(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """
    query { mahalla(code: "1703202001") { code ...place ... on Mahalla { assistant { fullName } } }
    }
    fragment place on Mahalla { district { name region { name } } statistics { population } }
    """
    assert api.count_statements(query) == 1
    data = api.data(query)["mahalla"]
    assert data["district"]["region"]["name"] and data["assistant"]["fullName"]
