"""Mahalla, district and region statistics (from the indicators) and the assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

DASHBOARD = """
query($code: String!) { mahalla(code: $code) {
  code name district { name }
  assistant { assistantId fullName phone appointedOn isCurrent }
  statistics {
    mahallaCount population households categoryMismatches computedAt
    householdsByAssessedCategory { category1 category2 category3 category4 unknown }
    householdsByComputedCategory { category3 category4 }
    employment { employed unemployed selfEmployed entrepreneurs publicWorks inTraining }
    land { activeLeases leasedAreaHa }
    loansByProgramme { programme count amount }
    notebookEntries { notebook persons }
    appeals { total open byTopic { topic appeals } }
  }
} }
"""


def test_mahalla_dashboard_shows_the_current_assistant_and_indicators(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    mahalla = api.data(DASHBOARD, {"code": "1703202001"})["mahalla"]
    assert mahalla["assistant"] == {
        "assistantId": "A-00002",
        "fullName": "Karimov Jasur Anvar oʻgʻli",
        "phone": "+998901234567",
        "appointedOn": "2023-03-01",
        "isCurrent": True,
    }
    stats = mahalla["statistics"]
    assert stats["mahallaCount"] == 1
    assert (stats["population"], stats["households"], stats["categoryMismatches"]) == (2, 1, 1)
    assert stats["householdsByAssessedCategory"] == {
        "category1": 0,
        "category2": 0,
        "category3": 1,
        "category4": 0,
        "unknown": 0,
    }
    assert stats["householdsByComputedCategory"] == {"category3": 0, "category4": 1}
    # P-1's latest employment record says employed; P-2 (homemaker) counts nowhere.
    assert stats["employment"] == {
        "employed": 1,
        "unemployed": 0,
        "selfEmployed": 1,
        "entrepreneurs": 0,
        "publicWorks": 0,
        "inTraining": 0,
    }
    assert stats["land"] == {"activeLeases": 2, "leasedAreaHa": 0.62}
    assert stats["loansByProgramme"] == [
        {"programme": "FAMILY_ENTREPRENEURSHIP", "count": 1, "amount": 30_000_000},
        {"programme": "WOMEN_NOTEBOOK", "count": 1, "amount": 5001},
    ]
    assert stats["notebookEntries"] == [
        {"notebook": "IRON", "persons": 1},
        {"notebook": "WOMEN", "persons": 1},
    ]
    assert stats["appeals"] == {
        "total": 2,
        "open": 1,
        "byTopic": [{"topic": "EMPLOYMENT", "appeals": 1}, {"topic": "GAS", "appeals": 1}],
    }
    assert stats["computedAt"].endswith("+00:00")


def test_a_mahalla_without_assistant_or_data_has_zero_statistics(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    mahalla = api.data(DASHBOARD, {"code": "1726401001"})["mahalla"]
    assert mahalla["assistant"] is None
    assert mahalla["statistics"]["population"] == 1
    assert mahalla["statistics"]["loansByProgramme"] == []


def test_district_and_region_statistics_are_sums_of_their_mahallas(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    query = """{
      district(code: "1703202") { region { code } statistics { mahallaCount population
        households loansByProgramme { programme count amount } appeals { total } } }
      region(code: "1703") { statistics { mahallaCount population households
        employment { employed entrepreneurs } } districts { totalCount } }
    }"""
    data = api.data(query)
    district = data["district"]["statistics"]
    assert (district["mahallaCount"], district["population"], district["households"]) == (2, 3, 2)
    assert district["appeals"]["total"] == 2
    assert [p["programme"] for p in district["loansByProgramme"]] == [
        "FAMILY_ENTREPRENEURSHIP",
        "WOMEN_NOTEBOOK",
    ]
    region = data["region"]
    assert region["statistics"]["mahallaCount"] == 3
    assert region["statistics"]["population"] == 3 + 120
    assert region["statistics"]["employment"]["employed"] == 1 + 120
    assert region["districts"]["totalCount"] == 2


def test_a_mahalla_lists_its_households_and_people(api: Api, fixture_graph: FixtureGraph) -> None:
    query = """{ mahalla(code: "1703202001") {
      households { totalCount edges { node { hubId surveyedBy { assistantId } } } }
      persons(first: 1) { totalCount edges { node { hubId } } pageInfo { hasNextPage } }
    } }"""
    mahalla = api.data(query)["mahalla"]
    assert mahalla["households"]["totalCount"] == 1
    assert mahalla["households"]["edges"][0]["node"]["surveyedBy"] == {"assistantId": "A-00002"}
    assert mahalla["persons"]["totalCount"] == 2
    assert mahalla["persons"]["pageInfo"]["hasNextPage"] is True
