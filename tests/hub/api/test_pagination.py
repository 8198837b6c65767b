"""Cursor connections: forwards, backwards, the page-size limit, totalCount, bad cursors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

FILLER_MAHALLA = "1703203001"  # where the fixture graph's filler persons live
FILLER_PERSONS = 120


PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  persons(filter: {mahallaCode: "MAHALLA"}, first: $first, after: $after, last: $last,
          before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { hubId } }
  }
}
""".replace("MAHALLA", FILLER_MAHALLA)

ALL = [f"P-F{i:03d}" for i in range(FILLER_PERSONS)]


def _page(api: Api, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = api.data(PAGE, variables)["persons"]
    return page


def _hub_ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["hubId"] for edge in page["edges"]]


def test_paging_forwards_visits_every_person_once_in_order(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = _page(api, first=50, after=after)
        seen += _hub_ids(page)
        assert page["totalCount"] == FILLER_PERSONS
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ALL


def test_paging_backwards_from_the_end_visits_every_person_once(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    seen: list[str] = []
    before = None
    while True:
        page = _page(api, last=50, before=before)
        seen = _hub_ids(page) + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == ALL


def test_page_info_describes_a_middle_page(api: Api, fixture_graph: FixtureGraph) -> None:
    first = _page(api, first=10)
    middle = _page(api, first=10, after=first["pageInfo"]["endCursor"])
    assert _hub_ids(middle) == ALL[10:20]
    assert middle["pageInfo"]["hasPreviousPage"] is True
    assert middle["pageInfo"]["hasNextPage"] is True
    back = _page(api, last=5, before=middle["pageInfo"]["startCursor"])
    assert _hub_ids(back) == ALL[5:10]
    assert back["pageInfo"]["hasNextPage"] is True


def test_pages_are_twenty_by_default_and_one_hundred_at_most(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    assert len(_page(api)["edges"]) == 20
    assert len(_page(api, first=100)["edges"]) == 100
    body = api.query(PAGE, {"first": 101})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "first"
    assert "101" in error["message"]


BAD_ARGUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"last": 101}, "last"),
    ({"first": -1}, "first"),
    ({"first": 5, "last": 5}, "last"),
    ({"after": "not-a-cursor"}, "after"),
    ({"before": "b2Zmc2V0Ong="}, "before"),  # base64 of "offset:x"
]


def test_bad_pagination_arguments_are_bad_user_input(api: Api, fixture_graph: FixtureGraph) -> None:
    for variables, argument in BAD_ARGUMENTS:
        (error,) = api.query(PAGE, variables)["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", variables
        assert error["extensions"]["argument"] == argument, variables


def test_nested_connections_page_too(api: Api, fixture_graph: FixtureGraph) -> None:
    query = """
    query($after: String) { person(pinfl: "31503851234566") {
      employmentHistory(first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { recordNo } } } } }
    """
    first = api.data(query)["person"]["employmentHistory"]
    assert first["totalCount"] == 2
    assert [e["node"]["recordNo"] for e in first["edges"]] == ["E2022-0000001"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = api.data(query, {"after": first["pageInfo"]["endCursor"]})["person"]
    assert [e["node"]["recordNo"] for e in second["employmentHistory"]["edges"]] == [
        "E2022-0000002"
    ]
    assert second["employmentHistory"]["pageInfo"]["hasNextPage"] is False


def test_total_count_is_not_counted_unless_asked(api: Api, fixture_graph: FixtureGraph) -> None:
    query = '{ persons(filter: {mahallaCode: "M"}, first: 5) { edges { cursor } } }'
    api.count_statements(query.replace('"M"', f'"{FILLER_MAHALLA}"'))
    assert not any("count(" in s.lower() for s in api.statements)
