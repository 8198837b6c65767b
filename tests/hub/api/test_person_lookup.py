"""person(pinfl) with every nested record, and the formats of money, dates and times."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

MAIN_PINFL = "31503851234566"  # P-1 of the fixture graph (conftest)


PERSON_QUERY = """
query Person($pinfl: String!) {
  person(pinfl: $pinfl) {
    id hubId pinfl fullName surname givenName patronymic birthOn sex occupation
    householdRelation
    household { hubId assessedCategory computedCategory categoryMismatch monthlyIncome
                plotSotix needs address { street house }
                members { totalCount edges { node { memberNo relation person { hubId } } } } }
    mahalla { code name district { code region { code isoCode } } }
    taxRegistrations { edges { node { tin regime isOpen declaredIncome registeredOn } } }
    employmentHistory { edges { node { recordNo status statusOn employerTin } } }
    landLeases { edges { node { leaseId status isCurrent parcel { cadastre areaHa purpose } } } }
    loans { totalCount edges { node { loanId programme kind amount issuedOn status } } }
    notebookEntries { edges { node { notebook source recordKey } } }
    appeals { edges { node { appealId topic status isOpen receivedAt resolvedAt } } }
    sourceRecords { edges { node { source recordKey firstSeenAt lastSeenAt matchMethod
                                   firstDelivery { source status } lastDelivery { name } } } }
    conflicts { edges { node { attribute value survivingValue source } } }
  }
}
"""


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def test_person_by_pinfl_returns_the_golden_person_and_every_relation(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    person = api.data(PERSON_QUERY, {"pinfl": MAIN_PINFL})["person"]
    assert person["hubId"] == "P-1"
    assert person["fullName"].startswith("Abdullayev Akmal")
    assert (person["sex"], person["occupation"]) == ("MALE", "UNEMPLOYED")
    assert person["householdRelation"] == "HEAD"
    household = person["household"]
    assert household["hubId"] == "H-1"
    assert household["needs"] == ["SUBSIDY", "VOCATIONAL_TRAINING"]
    assert household["categoryMismatch"] is True
    members = _nodes(household["members"])
    assert [(m["memberNo"], m["relation"], m["person"]["hubId"]) for m in members] == [
        (1, "HEAD", "P-1"),
        (2, "SPOUSE", "P-2"),
    ]
    assert person["mahalla"]["district"]["region"] == {"code": "1703", "isoCode": "UZ-AN"}
    assert [t["tin"] for t in _nodes(person["taxRegistrations"])] == ["412345678"]
    assert [e["status"] for e in _nodes(person["employmentHistory"])] == [
        "UNEMPLOYED",
        "EMPLOYED",
    ]
    leases = _nodes(person["landLeases"])
    assert leases == [
        {
            "leaseId": "LS-1",
            "status": "ACTIVE",
            "isCurrent": True,
            "parcel": {
                "cadastre": "17:03:02:01:02:0123",
                "areaHa": 0.12,
                "purpose": "HOUSEHOLD_PLOT",
            },
        }
    ]
    assert [n["notebook"] for n in _nodes(person["notebookEntries"])] == ["IRON"]
    assert [a["isOpen"] for a in _nodes(person["appeals"])] == [True]
    records = _nodes(person["sourceRecords"])
    assert {(r["source"], r["firstDelivery"]["status"]) for r in records} == {
        ("bank", "failed"),
        ("survey", "loaded"),
    }
    assert _nodes(person["conflicts"]) == [
        {
            "attribute": "birth_on",
            "value": "1985-03-16",
            "survivingValue": "1985-03-15",
            "source": "bank",
        }
    ]


def test_money_is_whole_soums_dates_are_iso_and_times_carry_an_offset(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    person = api.data(PERSON_QUERY, {"pinfl": MAIN_PINFL})["person"]
    loan = _nodes(person["loans"])[0]
    assert loan["amount"] == 30_000_000  # 3,000,000,000 tiyin
    assert loan["issuedOn"] == "2022-04-11"
    assert _nodes(person["taxRegistrations"])[0]["declaredIncome"] == 12_500_000
    assert person["household"]["monthlyIncome"] == 2_400_000
    assert person["birthOn"] == "1985-03-15"
    appeal = _nodes(person["appeals"])[0]
    # 09:15 in Tashkent (+05:00) is 04:15 UTC; the API answers in UTC with its offset.
    assert appeal["receivedAt"] == "2022-07-03T04:15:00+00:00"
    assert appeal["resolvedAt"] is None
    # Soums round half up from tiyin: 500,050 tiyin is 5,000.5 soums.
    data = api.data(
        '{ person(pinfl: "42010881234561") { loans { edges { node { amount kind } } } } }'
    )
    assert _nodes(data["person"]["loans"]) == [{"amount": 5001, "kind": "SUBSIDY"}]


def test_a_person_without_household_relations_has_empty_connections(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    data = api.data(
        '{ persons(filter: {name: "Tosheva"}) { edges { node { hubId pinfl '
        "loans { totalCount edges { cursor } pageInfo { hasNextPage } } } } } }"
    )
    (node,) = _nodes(data["persons"])
    assert node["pinfl"] is None
    assert node["loans"] == {"totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": False}}
