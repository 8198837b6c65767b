"""Every role against representative queries: allowed, denied, masked, filtered, suppressed.

The fixture graph (tests/hub/api/conftest.py): P-1 (PINFL 31503851234566) in mahalla
1703202001 of district 1703202 with loans, a tax registration, leases and source records
of the survey and the bank; P-4 alone in district 1726401 (region 1726); 120 filler persons
in mahalla 1703203001.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role

from ..conftest import ENGINEER, FILLER_MAHALLA, MAIN_PINFL

if TYPE_CHECKING:
    from conftest import Api

PUBLIC = Principal("test-public", Role.PUBLIC)


def _without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The response as the rules shape it: every response also reports its cost
    (`hub.api.limits`), which these tests do not judge."""
    return {k: v for k, v in body.items() if k != "extensions"}


NO_PERSONAL = Principal("test-agency-np", Role.AGENCY, SCOPES - {PERSONAL_SCOPE})
TAX_ONLY = Principal("test-agency-tax", Role.AGENCY, frozenset({"tax", PERSONAL_SCOPE}))
BEKTEMIR = Principal("test-agency-1726401", Role.AGENCY, SCOPES, district_code="1726401")
ANDIJON = Principal("test-agency-1703", Role.AGENCY, SCOPES, region_code="1703")
ENGINEER_NP = Principal("test-engineer-np", Role.ENGINEER)


def _codes(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(e["extensions"]["code"], tuple(e["path"])) for e in body.get("errors", [])]


def _gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


# The public.


def test_the_public_is_refused_every_person_root_field(api: Api) -> None:
    for document in (
        "{ persons { totalCount } }",
        f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId }} }}',
        '{ household(hubId: "H-1") { hubId } }',
        "{ households(orderBy: {field: MONTHLY_INCOME}) { totalCount } }",
        '{ notSurveyed(mahallaCode: "1703202001") { totalCount } }',
        "{ quarantine { counts { count } } }",
        "{ deliveries { totalCount } }",
    ):
        body = api.query(document, as_=PUBLIC)
        assert body["data"] is None, document
        ((code, _),) = _codes(body)
        assert code == "FORBIDDEN", document
        assert "31503851234566" not in str(body)


def test_the_public_is_refused_persons_nested_under_territory(api: Api) -> None:
    body = api.query('{ mahalla(code: "1703202001") { name persons { totalCount } } }', as_=PUBLIC)
    assert _codes(body) == [("FORBIDDEN", ("mahalla", "persons"))]
    assert body["data"] is None  # persons is required: the mahalla goes with it


def test_node_answers_the_public_as_for_an_id_that_does_not_exist(api: Api) -> None:
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    real = _gid("Person", "P-1")
    made_up = _gid("Person", "P-NOPE")
    malformed_key = _gid("Household", "")
    answers = [
        _without_cost(api.query(query, {"id": i}, as_=PUBLIC))
        for i in (real, made_up, malformed_key)
    ]
    assert answers == [{"data": {"node": None}}] * 3
    for type_name, key in (("Loan", "00873-2022-000001"), ("QuarantinedRecord", "1")):
        assert _without_cost(api.query(query, {"id": _gid(type_name, key)}, as_=PUBLIC)) == {
            "data": {"node": None}
        }
    listed = _without_cost(
        api.query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [real, _gid("Region", "1703")]},
            as_=PUBLIC,
        )
    )
    assert listed == {"data": {"nodes": [None, {"id": _gid("Region", "1703")}]}}


def test_the_public_reads_the_assistant_directory(api: Api) -> None:
    data = api.data(
        '{ mahalla(code: "1703202001") { name assistant { fullName phone mahalla { code } } } }',
        as_=PUBLIC,
    )
    assert data["mahalla"]["assistant"] == {
        "fullName": "Karimov Jasur Anvar oʻgʻli",
        "phone": "+998901234567",
        "mahalla": {"code": "1703202001"},
    }


def test_the_public_sees_large_counts_and_not_small_ones(api: Api) -> None:
    query = """query($code: String!) { mahalla(code: $code) { statistics {
      mahallaCount population households } } }"""
    large = _without_cost(api.query(query, {"code": FILLER_MAHALLA}, as_=PUBLIC))
    assert large == {
        "data": {
            "mahalla": {"statistics": {"mahallaCount": 1, "population": 120, "households": 120}}
        }
    }
    small = api.query(query, {"code": "1703202001"}, as_=PUBLIC)
    assert small["data"]["mahalla"]["statistics"] == {
        "mahallaCount": 1,
        "population": None,
        "households": None,
    }
    assert sorted(_codes(small)) == [
        ("SUPPRESSED", ("mahalla", "statistics", "households")),
        ("SUPPRESSED", ("mahalla", "statistics", "population")),
    ]
    # An agency sees the same counts whole.
    agency = api.data(query, {"code": "1703202001"})["mahalla"]["statistics"]
    assert agency["population"] == 2


def test_a_lone_small_category_takes_the_next_smallest_with_it(api: Api) -> None:
    # Region 1703: 122 households; assessed categories 1: H-2, 2: 120 fillers, 3: H-1.
    query = """{ region(code: "1703") { statistics { households
      householdsByAssessedCategory { category1 category2 category3 category4 unknown } } } }"""
    body = api.query(query, as_=PUBLIC)
    counts = body["data"]["region"]["statistics"]
    assert counts["households"] == 122
    assert counts["householdsByAssessedCategory"] == {
        "category1": None,
        "category2": 120,
        "category3": None,
        "category4": 0,
        "unknown": 0,
    }


# Agencies.


def test_an_agency_without_the_personal_scope_gets_personal_fields_masked(api: Api) -> None:
    query = """{ person(hubId: "P-1") { hubId sex pinfl fullName birthOn
      household { hubId address { street } } } }"""
    body = api.query(query, as_=NO_PERSONAL)
    person = body["data"]["person"]
    assert person == {
        "hubId": "P-1",
        "sex": "MALE",
        "pinfl": None,
        "fullName": None,
        "birthOn": None,
        "household": {"hubId": "H-1", "address": None},
    }
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {
        ("person", "pinfl"),
        ("person", "fullName"),
        ("person", "birthOn"),
        ("person", "household", "address"),
    }
    for error in errors.values():
        assert error["extensions"] == {"code": "FORBIDDEN", "scopes": ["personal"]}
        assert "'personal'" in error["message"]


def test_searching_by_personal_data_needs_the_personal_scope(api: Api) -> None:
    for document in (
        f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId }} }}',
        '{ persons(filter: {name: "Abdullayev"}) { totalCount } }',
        "{ persons(filter: {bornFromYear: 1985, bornToYear: 1985}) { totalCount } }",
        "{ persons(orderBy: {field: BIRTH_ON}) { edges { node { hubId } } } }",
        "{ persons(orderBy: {field: NAME}) { edges { node { hubId } } } }",
    ):
        body = api.query(document, as_=NO_PERSONAL)
        assert body["data"] is None, document
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN", "scopes": ["personal"]}, document
    allowed = api.data(
        '{ persons(filter: {sex: MALE, mahallaCode: "1703202001"}) { totalCount } }',
        as_=NO_PERSONAL,
    )
    assert allowed == {"persons": {"totalCount": 1}}


def test_a_sources_records_need_that_sources_scope(api: Api) -> None:
    query = f"""{{ person(pinfl: "{MAIN_PINFL}") {{ hubId
      loans {{ totalCount }} taxRegistrations {{ totalCount }}
      sourceRecords {{ totalCount edges {{ node {{ source }} }} }} }} }}"""
    body = api.query(query, as_=TAX_ONLY)
    person = body["data"]["person"]
    assert person["loans"] is None
    assert person["taxRegistrations"] == {"totalCount": 1}
    # The survey's record (no agency owns the survey) is shown; the bank's is not.
    assert person["sourceRecords"]["totalCount"] == 1
    assert [e["node"]["source"] for e in person["sourceRecords"]["edges"]] == ["survey"]
    (error,) = body["errors"]
    assert error["path"] == ["person", "loans"]
    assert error["extensions"] == {"code": "FORBIDDEN", "scopes": ["bank"]}
    loan = api.query(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": _gid("Loan", "00873-2022-000001")},
        as_=TAX_ONLY,
    )
    assert loan["data"] == {"node": None}
    assert _codes(loan) == [("FORBIDDEN", ("node", "id"))]


def test_an_agency_with_a_territory_sees_only_inside_it_in_sql(api: Api) -> None:
    listed = api.data(
        "{ persons { totalCount edges { node { hubId } } } households { totalCount } }",
        as_=BEKTEMIR,
    )
    assert listed["persons"] == {"totalCount": 1, "edges": [{"node": {"hubId": "P-4"}}]}
    assert listed["households"] == {"totalCount": 1}
    # Asking for a mahalla outside: empty, counted in SQL.
    outside = api.data(
        '{ persons(filter: {regionCode: "1703"}) { totalCount } '
        '  mahalla(code: "1703202001") { persons { totalCount } households { totalCount } } }',
        as_=BEKTEMIR,
    )
    assert outside == {
        "persons": {"totalCount": 0},
        "mahalla": {"persons": {"totalCount": 0}, "households": {"totalCount": 0}},
    }
    missing = api.query(f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId }} }}', as_=BEKTEMIR)
    assert _codes(missing) == [("NOT_FOUND", ("person",))]
    by_hub_id = api.query('{ person(hubId: "P-1") { hubId } }', as_=BEKTEMIR)
    assert _codes(by_hub_id) == [("NOT_FOUND", ("person",))]
    node = api.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": _gid("Person", "P-1")}, as_=BEKTEMIR
    )
    assert node == {"node": None}


def test_pages_and_counts_agree_inside_a_region(api: Api) -> None:
    total = api.data("{ persons { totalCount } }", as_=ANDIJON)["persons"]["totalCount"]
    assert total == 123  # P-1, P-2, P-3 and the 120 fillers; not P-4
    seen: list[str] = []
    after = None
    while True:
        page = api.data(
            "query($after: String) { persons(first: 50, after: $after) { "
            "pageInfo { hasNextPage endCursor } edges { node { hubId } } } }",
            {"after": after},
            as_=ANDIJON,
        )["persons"]
        seen += [e["node"]["hubId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total
    assert "P-4" not in seen


def test_an_agency_is_refused_the_pipeline(api: Api) -> None:
    body = api.query("{ sources { source } }")
    assert _codes(body) == [("FORBIDDEN", ("sources",))]


# Engineers.


def test_an_engineer_reads_the_pipeline_and_not_persons(api: Api) -> None:
    assert api.data("{ deliveries { totalCount } }", as_=ENGINEER) == {
        "deliveries": {"totalCount": 3}
    }
    body = api.query("{ persons { totalCount } }", as_=ENGINEER)
    assert _codes(body) == [("FORBIDDEN", ("persons",))]


def test_raw_quarantine_rows_need_the_personal_scope(api: Api) -> None:
    query = "{ quarantine { records(first: 1) { edges { node { rejectId rule raw } } } } }"
    shown = api.data(query, as_=ENGINEER)["quarantine"]["records"]["edges"][0]["node"]
    assert shown["raw"] is not None
    masked = api.query(query, as_=ENGINEER_NP)
    node = masked["data"]["quarantine"]["records"]["edges"][0]["node"]
    assert node["raw"] is None and node["rule"] == shown["rule"]
    assert _codes(masked) == [("FORBIDDEN", ("quarantine", "records", "edges", 0, "node", "raw"))]
