"""Every filter and ordering of the person, household and territory lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

FILLER_MAHALLA = "1703203001"  # where the fixture graph's filler persons live
FILLER_PERSONS = 120


PERSONS = """
query($filter: PersonFilter, $orderBy: PersonOrderBy) {
  persons(filter: $filter, orderBy: $orderBy, first: 100) {
    totalCount edges { node { hubId } }
  }
}
"""


def _persons(api: Api, order_by: dict[str, str] | None = None, **conditions: Any) -> list[str]:
    data = api.data(PERSONS, {"filter": conditions, "orderBy": order_by})["persons"]
    return [edge["node"]["hubId"] for edge in data["edges"]]


def _named(api: Api, **conditions: Any) -> set[str]:
    """The matching persons, without the 120 fillers of one mahalla."""
    return {h for h in _persons(api, **conditions) if not h.startswith("P-F")}


def test_person_filters_by_territory_and_order(api: Api, fixture_graph: FixtureGraph) -> None:
    assert _named(api, regionCode="1703") == {"P-1", "P-2", "P-3"}
    assert _named(api, districtCode="1703202") == {"P-1", "P-2", "P-3"}
    assert _named(api, mahallaCode="1703202001") == {"P-1", "P-2"}
    assert _named(api, regionCode="1726") == {"P-4"}
    assert len(_persons(api, districtCode="1703203")) == 100  # first page of the fillers


def test_person_name_search_uses_the_normalised_form(api: Api, fixture_graph: FixtureGraph) -> None:
    # Cyrillic, Russian-style, initials and upper case all find the same people.
    assert _named(api, name="Абдуллаев") == {"P-1"}
    assert _named(api, name="Abdullayeva") == {"P-2"}
    assert _named(api, name="ABDULLAEV AKMAL") == {"P-1"}
    assert _named(api, name="Абдуллаев Акмал Бахтиёрович") == {"P-1"}
    assert _named(api, name="Abdullayev A.") == {"P-1"}
    assert _named(api, name="Abdullayev Jasur") == set()
    assert _named(api, name="karimov jasur") == {"P-3"}


def test_person_filters_by_attributes_and_agency_facts(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    assert _named(api, sex="FEMALE") == {"P-2", "P-4"}
    assert _named(api, bornFromYear=1985, bornToYear=1990) == {"P-1", "P-2"}
    assert _named(api, bornToYear=1965) == {"P-4"}
    assert _named(api, occupation="STUDENT") == {"P-3"}
    assert _named(api, notebook="WOMEN") == {"P-2"}
    assert _named(api, householdCategory=3) == {"P-1", "P-2"}
    assert _named(api, householdComputedCategory=1) == {"P-3"}
    assert _named(api, hasLoans=True) == {"P-1", "P-2"}
    assert _named(api, hasLoans=False) == {"P-3", "P-4"}
    assert _named(api, hasCurrentLease=True) == {"P-1"}  # P-2's lease is terminated
    assert _named(api, hasOpenTaxRegistration=True) == {"P-1"}  # P-3's is closed
    assert _named(api, hasOpenAppeal=True) == {"P-1"}
    assert _named(api, hasOpenAppeal=False) == {"P-2", "P-3", "P-4"}
    assert _named(api, hasLoans=True, sex="MALE", mahallaCode="1703202001") == {"P-1"}


def test_person_orderings(api: Api, fixture_graph: FixtureGraph) -> None:
    named = {"mahallaCode": "1703202001"}
    assert _persons(api, {"field": "BIRTH_ON", "direction": "DESC"}, **named) == ["P-2", "P-1"]
    assert _persons(api, {"field": "NAME"}, **named) == ["P-1", "P-2"]
    by_hub_id = _persons(api, {"field": "HUB_ID", "direction": "DESC"}, regionCode="1726")
    assert by_hub_id == ["P-4"]
    fillers = _persons(api, {"field": "HUB_ID", "direction": "DESC"}, mahallaCode=FILLER_MAHALLA)
    assert fillers[0] == f"P-F{FILLER_PERSONS - 1:03d}"


HOUSEHOLDS = """
query($filter: HouseholdFilter, $orderBy: HouseholdOrderBy) {
  households(filter: $filter, orderBy: $orderBy, first: 100) { edges { node { hubId } } }
}
"""


def _households(api: Api, order_by: dict[str, str] | None = None, **conditions: Any) -> list[str]:
    data = api.data(HOUSEHOLDS, {"filter": conditions, "orderBy": order_by})["households"]
    return [e["node"]["hubId"] for e in data["edges"] if not e["node"]["hubId"].startswith("H-F")]


def test_household_filters_and_orderings(api: Api, fixture_graph: FixtureGraph) -> None:
    assert _households(api, districtCode="1703202") == ["H-1", "H-2"]
    assert _households(api, regionCode="1726") == ["H-3"]
    assert _households(api, assessedCategory=3) == ["H-1"]
    assert _households(api, computedCategory=1) == ["H-2"]
    assert _households(api, categoryMismatch=True) == ["H-1"]
    assert _households(api, categoryMismatch=False, districtCode="1703202") == ["H-2"]
    assert _households(api, need="VOCATIONAL_TRAINING") == ["H-1"]
    assert _households(api, need="JOB") == []
    order = {"field": "MONTHLY_INCOME", "direction": "DESC"}
    assert _households(api, order, districtCode="1703202") == ["H-2", "H-1"]
    order = {"field": "SURVEYED_ON"}
    assert _households(api, order, mahallaCode="1726401001") == ["H-3"]


def test_territory_lists_filter_and_order(api: Api, fixture_graph: FixtureGraph) -> None:
    def codes(field: str, **arguments: Any) -> list[str]:
        query = (
            "query($filter: TerritoryFilter, $orderBy: TerritoryOrderBy) { "
            f"{field}(filter: $filter, orderBy: $orderBy) "
            "{ totalCount edges { node { code } } } }"
        )
        data = api.data(query, arguments)[field]
        return [edge["node"]["code"] for edge in data["edges"]]

    assert codes("regions") == ["1703", "1726"]
    assert codes("regions", orderBy={"field": "NAME", "direction": "DESC"}) == ["1726", "1703"]
    assert codes("districts", filter={"regionCode": "1703"}) == ["1703202", "1703203"]
    assert codes("districts", filter={"nameContains": "BEKTEMIR"}) == ["1726401"]
    assert codes("mahallas", filter={"districtCode": "1703202"}) == ["1703202001", "1703202002"]
    assert codes("mahallas", filter={"regionCode": "1726"}) == ["1726401001"]
    assert codes("mahallas", filter={"nameContains": "ʻishamol"}) == ["1703202002"]
    # LIKE's wildcards and the escape character are matched literally.
    for text in ("%", "_", "/", "a%", "_a", "//"):
        assert codes("mahallas", filter={"nameContains": text}) == [], text
        assert codes("districts", filter={"nameContains": text}) == [], text
    assert codes("mahallas", filter={"nameContains": "ISHAMOL"}) == ["1703202002"]
    by_population = codes("mahallas", orderBy={"field": "POPULATION", "direction": "DESC"})
    assert by_population[0] == FILLER_MAHALLA
