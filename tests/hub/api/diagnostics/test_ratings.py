"""Assistant and body ratings through the API, against the rows `world.py` wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.api.principal import SCOPES, Principal, Role

if TYPE_CHECKING:
    from ..conftest import Api

PUBLIC = Principal("diag-public", Role.PUBLIC)
OTHER_DISTRICT = Principal("diag-1703203", Role.AGENCY, SCOPES, district_code="1703203")

ASSISTANTS = """query($quarter: Quarter!, $district: String, $region: String) {
  assistantRatings(quarter: $quarter, districtCode: $district, regionCode: $region) {
    totalCount
    edges { node { quarter mahallaCode score rankInDistrict rankInRegion rankInCountry
                   components { name value perHouseholds weight points } } }
  }
}"""
BODIES = """query($quarter: Quarter!) {
  bodyRatings(quarter: $quarter) {
    totalCount
    edges { node { body received resolved resolutionRate medianDays p90Days overdueOpen rank } }
  }
}"""


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in connection["edges"]]


def test_assistants_are_listed_by_rank_in_the_country(diagnostics_api: Api) -> None:
    ratings = diagnostics_api.data(ASSISTANTS, {"quarter": "2022-Q1"})["assistantRatings"]
    assert ratings["totalCount"] == 3
    assert [(n["mahallaCode"], n["rankInCountry"], n["score"]) for n in _nodes(ratings)] == [
        ("1703202002", 1, 6.0),
        ("1703202001", 2, 4.0),
        ("1703203001", 3, 1.0),
    ]
    first = _nodes(ratings)[0]
    assert first["quarter"] == "2022-Q1"
    assert first["components"] == [
        {"name": "placed", "value": 6.0, "perHouseholds": 3.0, "weight": 2.0, "points": 6.0}
    ]


def test_a_district_filter_orders_by_the_rank_in_the_district(diagnostics_api: Api) -> None:
    ratings = diagnostics_api.data(ASSISTANTS, {"quarter": "2022-Q1", "district": "1703203"})
    assert [
        (n["mahallaCode"], n["rankInDistrict"]) for n in _nodes(ratings["assistantRatings"])
    ] == [("1703203001", 1)]


def test_an_agency_sees_the_assistants_of_its_territory_only(diagnostics_api: Api) -> None:
    ratings = diagnostics_api.data(ASSISTANTS, {"quarter": "2022-Q1"}, as_=OTHER_DISTRICT)
    assert ratings["assistantRatings"]["totalCount"] == 1
    assert [n["mahallaCode"] for n in _nodes(ratings["assistantRatings"])] == ["1703203001"]


def test_a_quarter_not_rated_is_an_empty_list(diagnostics_api: Api) -> None:
    data = diagnostics_api.data(ASSISTANTS, {"quarter": "2030-Q1"})
    assert data == {"assistantRatings": {"totalCount": 0, "edges": []}}
    assert diagnostics_api.data(BODIES, {"quarter": "2030-Q1"}) == {
        "bodyRatings": {"totalCount": 0, "edges": []}
    }


def test_a_malformed_quarter_is_refused_naming_it(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(BODIES, {"quarter": "2022-Q5"})
    assert body.get("data") is None
    assert "'2022-Q5' is not a quarter" in body["errors"][0]["message"]


def test_a_malformed_district_code_is_bad_user_input(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(ASSISTANTS, {"quarter": "2022-Q1", "district": "17"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_public_may_not_see_assistant_ratings(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(ASSISTANTS, {"quarter": "2022-Q1"}, as_=PUBLIC)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_bodies_are_listed_by_rank_the_unranked_last(diagnostics_api: Api) -> None:
    ratings = diagnostics_api.data(BODIES, {"quarter": "2022-Q1"})["bodyRatings"]
    assert _nodes(ratings) == [
        {
            "body": "khokimiyat",
            "received": 40,
            "resolved": 30,
            "resolutionRate": 0.75,
            "medianDays": 4.0,
            "p90Days": 9.0,
            "overdueOpen": 10,
            "rank": 1,
        },
        {
            "body": "gas",
            "received": 5,
            "resolved": 2,
            "resolutionRate": 0.4,
            "medianDays": 4.0,
            "p90Days": 9.0,
            "overdueOpen": 3,
            "rank": 2,
        },
        {
            "body": "(no addressee)",
            "received": 12,
            "resolved": 6,
            "resolutionRate": 0.5,
            "medianDays": 4.0,
            "p90Days": 9.0,
            "overdueOpen": 6,
            "rank": None,
        },
    ]


def test_the_public_sees_the_bodies_rating_with_small_counts_suppressed(
    diagnostics_api: Api,
) -> None:
    body = diagnostics_api.query(BODIES, {"quarter": "2022-Q1"}, as_=PUBLIC)
    gas = _nodes(body["data"]["bodyRatings"])[1]
    # 5 received, 2 resolved, 3 overdue: each small; the rate and days describe them.
    assert gas == {
        "body": "gas",
        "received": None,
        "resolved": None,
        "resolutionRate": None,
        "medianDays": None,
        "p90Days": None,
        "overdueOpen": None,
        "rank": 2,
    }
    assert {e["extensions"]["code"] for e in body["errors"]} == {"SUPPRESSED"}
    # (no addressee): 12 received, 6 resolved (small, and the days follow), 6 overdue.
    unranked = _nodes(body["data"]["bodyRatings"])[2]
    assert (unranked["received"], unranked["resolutionRate"], unranked["medianDays"]) == (
        12,
        0.5,
        None,
    )
    assert _nodes(body["data"]["bodyRatings"])[0]["received"] == 40


def test_a_mahallas_rating_is_read_beside_it(diagnostics_api: Api) -> None:
    query = """{ mahalla(code: "1703202001") { assistantRating(quarter: "2022-Q1") {
        rankInDistrict rankInRegion rankInCountry score mahalla { code } } } }"""
    assert diagnostics_api.data(query) == {
        "mahalla": {
            "assistantRating": {
                "rankInDistrict": 2,
                "rankInRegion": 2,
                "rankInCountry": 2,
                "score": 4.0,
                "mahalla": {"code": "1703202001"},
            }
        }
    }
    assert diagnostics_api.data(query, as_=OTHER_DISTRICT) == {"mahalla": {"assistantRating": None}}
