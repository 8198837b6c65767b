"""Errors carry extensions.code; unexpected ones are masked for the client and logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from hub.api.people import data as people_data
from hub.api.request_database import RequestDatabase

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph


def _error(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert isinstance(error, dict)
    return error


def test_lookups_by_key_report_not_found_and_bad_input(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    cases = [
        ('{ person(pinfl: "99999999999999") { hubId } }', "NOT_FOUND"),
        ('{ person(pinfl: "3150385") { hubId } }', "BAD_USER_INPUT"),
        ('{ household(hubId: "H-404") { hubId } }', "NOT_FOUND"),
        ('{ mahalla(code: "1703202999") { code } }', "NOT_FOUND"),
        ('{ mahalla(code: "17032") { code } }', "BAD_USER_INPUT"),
        ('{ district(code: "1703999") { code } }', "NOT_FOUND"),
        ('{ region(code: "9999") { code } }', "NOT_FOUND"),
        ("{ persons(filter: {householdCategory: 5}) { totalCount } }", "BAD_USER_INPUT"),
        ('{ persons(filter: {regionCode: "17"}) { totalCount } }', "BAD_USER_INPUT"),
        ('{ persons(filter: {name: "  "}) { totalCount } }', "BAD_USER_INPUT"),
        ("{ persons(filter: {bornFromYear: 12}) { totalCount } }", "BAD_USER_INPUT"),
    ]
    for query, code in cases:
        error = _error(api.query(query))
        assert error["extensions"]["code"] == code, (query, error)


def test_malformed_requests_have_graphql_codes(api: Api, fixture_graph: FixtureGraph) -> None:
    assert _error(api.query("{ persons { "))["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert _error(api.query("{ nosuchfield }"))["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    wrong_type = api.query("query($n: Int) { persons(first: $n) { totalCount } }", {"n": "x"})
    assert _error(wrong_type)["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_global_id_that_is_not_ours_is_bad_user_input(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    for bad in ("not base64!", "Tm9UeXBlOjE=", "Tm90ZWJvb2tFbnRyeTpvbmx5"):
        # garbage; "NoType:1"; "NotebookEntry:only" (a composite key with one part)
        error = _error(api.query("query($id: ID!) { node(id: $id) { id } }", {"id": bad}))
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (bad, error)


def test_unexpected_errors_are_masked_for_the_client_and_logged(
    api: Api,
    fixture_graph: FixtureGraph,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection to 10.0.0.7 refused: SELECT secret FROM person")

    async def broken_fetch(*args: object, **kwargs: object) -> None:
        broken()

    monkeypatch.setattr(people_data, "fetch_person_rows", broken)
    # The compiled path's one statement.
    monkeypatch.setattr(RequestDatabase, "fetch_now", broken_fetch)
    with caplog.at_level(logging.ERROR, logger="hub.api"):
        response = api.client.post(
            "/graphql", json={"query": "{ persons { totalCount } }"}, headers=api.auth()
        )
    assert response.status_code == 200
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    error = _error(response.json())
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["persons"]
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert "SELECT secret" in str(record.exc_info[1])


def test_a_request_the_authenticator_refuses_gets_401_with_a_graphql_response(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"X-Hub-Role": "engineer"}):
        response = api.client.post(
            "/graphql", json={"query": "{ regions { totalCount } }"}, headers=headers
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert body["data"] is None
        assert _error(body)["extensions"] == {"code": "UNAUTHENTICATED"}


def test_a_bad_territory_code_is_named_as_the_client_wrote_the_argument(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    for field, level, digits in (("region", "region", 4), ("district", "district", 7),
                                 ("mahalla", "mahalla", 10)):  # fmt: skip
        error = _error(api.query(f'{{ {field}(code: "1") {{ code }} }}'))
        assert error["message"] == (
            f"Argument 'code' has value '1'. Expected a {level} code: {digits} digits."
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "code"}
    error = _error(api.query('{ persons(filter: {regionCode: "17"}) { totalCount } }'))
    assert error["message"].startswith("Argument 'regionCode' has value '17'.")


def test_a_malformed_global_id_is_explained_without_python_internals(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    for bad in ("abc", "not base64!", "Tm9UeXBlOjE="):  # bad padding, garbage, "NoType:1"
        error = _error(api.query("query($id: ID!) { node(id: $id) { id } }", {"id": bad}))
        message = error["message"]
        assert message.startswith(f"Argument 'id' has value {bad!r}"), message
        assert "Expected the `id` of an object this API returned" in message
        for internal in ("padding", "base64-encoded string", "GlobalID", "Cannot resolve"):
            assert internal not in message


def test_one_bad_id_in_nodes_nulls_only_its_entry(api: Api, fixture_graph: FixtureGraph) -> None:
    first = api.data("{ regions(first: 2) { edges { node { id code } } } }")["regions"]["edges"]
    ids = [first[0]["node"]["id"], "abc", first[1]["node"]["id"], "Tm9UeXBlOjE="]
    body = api.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert body["data"]["nodes"] == [{"id": ids[0]}, None, {"id": ids[2]}, None]
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {("nodes", 1), ("nodes", 3)}
    assert errors[("nodes", 1)]["message"].startswith("Argument 'ids[1]' has value 'abc'.")
    assert errors[("nodes", 3)]["extensions"]["code"] == "BAD_USER_INPUT"
