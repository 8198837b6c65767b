"""The compiled path answers exactly as the regular path: data, errors and their paths.

Every document of the API tests and the benchmark (see `corpus`), with its variables' candidate
values, runs through both on SQLite and PostgreSQL; so do selections hypothesis draws over
the schema (`selections`).
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings

from hub.api.pagination import encode_cursor
from hub.api.schema import SCHEMA

from ..conftest import DEFAULT_PRINCIPAL
from . import selections
from .conftest import ROLES, Paths
from .corpus import MAIN_PINFL, documents, variants

CORPUS = [(text, values) for text in documents() for values in variants(text)]


def test_the_corpus_holds_the_api_tests_and_the_benchmark() -> None:
    texts = {text for text, _ in CORPUS}
    assert len(texts) >= 60
    assert any("taxRegistrations { edges { node { tin regime isOpen" in t for t in texts)


@pytest.mark.parametrize(("text", "variables"), CORPUS)
def test_both_paths_answer_alike(paths: Paths, text: str, variables: dict[str, Any]) -> None:
    mine, theirs = paths.both(text, variables)
    assert mine == theirs


@pytest.mark.parametrize("role", sorted(ROLES))
def test_both_paths_answer_every_role_alike(paths: Paths, role: str) -> None:
    """The corpus as each other caller: the same data, errors and paths on both paths."""
    principal = ROLES[role]
    for text, variables in CORPUS:
        mine, theirs = paths.both(text, variables, principal)
        assert mine == theirs, (role, text, variables)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(document=selections.documents())
def test_generated_selections_are_answered_alike(paths: Paths, document: str) -> None:
    errors = validate(SCHEMA._schema, parse(document))
    assume(not errors)  # two fields of one name with different arguments, say
    mine, theirs = paths.both(document)
    assert mine == theirs, document


def test_one_node_document_answers_each_ids_own_type(paths: Paths) -> None:
    # The walk of a document is kept between requests: it must be kept per concrete type.
    document = """query($id: ID!) { node(id: $id) { __typename
      ... on Region { code } ... on District { name } } }"""
    for node_id, expected in (
        ("UmVnaW9uOjE3MDM=", {"__typename": "Region", "code": "1703"}),  # Region:1703
        (
            "RGlzdHJpY3Q6MTcwMzIwMg==",
            {"__typename": "District", "name": "Asaka tumani"},
        ),  # District:1703202
    ):
        mine, theirs = paths.both(document, {"id": node_id})
        assert mine == theirs
        assert mine["data"]["node"] == expected


BACKWARD = [
    # Root lists: from the end, before a cursor, between two cursors, past the end.
    "query($last: Int, $before: String, $after: String) { persons(last: $last, "
    "before: $before, after: $after) { totalCount edges { cursor node { hubId } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    "query($last: Int, $before: String, $after: String) { mahallas(last: $last, "
    "before: $before, after: $after, orderBy: {field: POPULATION}) { edges { cursor "
    "node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    # Nested connections: the count is the parent row's.
    "query($last: Int, $before: String, $after: String) { districts { edges { node { code "
    "mahallas(last: $last, before: $before, after: $after) { edges { cursor node { code } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } } }",
    f'query($last: Int, $before: String, $after: String) {{ person(pinfl: "{MAIN_PINFL}") {{ '
    "sourceRecords(last: $last, before: $before, after: $after) { totalCount edges { cursor "
    "node { source recordKey } } pageInfo { hasNextPage hasPreviousPage } } } }",
]
BACKWARD_VARIABLES = [
    {"last": 2},
    {"last": 1, "after": encode_cursor(0)},
    {"last": 50},
    {"last": 0},
    {"last": 2, "before": encode_cursor(3)},
    {"last": 3, "before": encode_cursor(4), "after": encode_cursor(1)},
    {"last": 2, "after": encode_cursor(90)},
]


@pytest.mark.parametrize("text", BACKWARD)
def test_backward_pages_compile_and_answer_alike(paths: Paths, text: str) -> None:
    for variables in BACKWARD_VARIABLES:
        mine, theirs = paths.both(text, variables)
        assert mine == theirs, (text, variables)
        assert "errors" not in mine, mine


NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
  ... on Person { hubId fullName loans { totalCount } }
  ... on Household { hubId members { edges { node { relation } } } }
  ... on Mahalla { code name } ... on Loan { loanId } } }"""


@pytest.mark.parametrize(
    "ids",
    [
        [],
        ["UGVyc29uOlAtMQ==", "SG91c2Vob2xkOkgtMQ==", "TWFoYWxsYToxNzAzMjAyMDAx"],
        ["TWFoYWxsYTo5OTk5OTk5OTk5", "TG9hbjpub25l"],  # none of them exists
        ["SG91c2Vob2xkOkgtMQ==", "SG91c2Vob2xkOkgtMQ=="],  # twice the same
        ["UGVyc29uOlAtMQ==", "not base64!"],  # a malformed id: the regular way's error
    ],
)
def test_nodes_answer_alike_on_both_paths(paths: Paths, ids: list[str]) -> None:
    for role in sorted(ROLES):
        mine, theirs = paths.both(NODES, {"ids": ids}, ROLES[role])
        assert mine == theirs, (role, ids)
    mine, theirs = paths.both(NODES, {"ids": ids})
    assert mine == theirs, ids


IDENTITY_ROOTS = [
    (
        "query($source: String, $mahalla: String, $first: Int) { unlinkedMentions(source: "
        "$source, mahallaCode: $mahalla, first: $first) { totalCount edges { cursor node { "
        "source recordKey kind pinflIssue matchMethod lastDelivery { deliveryId } } } "
        "pageInfo { hasNextPage endCursor } } }",
        [{}, {"source": "tax"}, {"mahalla": "1703202001", "first": 1}, {"source": "none"}],
    ),
    (
        "query($low: Float, $high: Float, $source: String) { borderlineLinks(minProbability: "
        "$low, maxProbability: $high, source: $source) { totalCount edges { node { source "
        "recordKey matchScore } } } }",
        [{}, {"low": 0.0, "high": 1.0}, {"low": 0.9, "high": 0.1}, {"source": "bank"}],
    ),
    (
        "query($code: String!, $last: Int) { notSurveyed(mahallaCode: $code, last: $last) { "
        "totalCount edges { node { hubId fullName mahalla { code } } } } }",
        [{"code": "1703202001"}, {"code": "1703203001", "last": 1}, {"code": "nope"}],
    ),
]


@pytest.mark.parametrize(("text", "variants"), IDENTITY_ROOTS)
def test_identity_roots_answer_alike_on_both_paths(
    paths: Paths, text: str, variants: list[dict[str, Any]]
) -> None:
    for variables in variants:
        for principal in (DEFAULT_PRINCIPAL, *ROLES.values()):
            mine, theirs = paths.both(text, variables, principal)
            assert mine == theirs, (text, variables, principal)


ENGINEERS_VIEWS = [
    (
        "query($source: String) { sources(source: $source) { source deliveries delivered "
        "accepted rejected lastSucceededAt lastFailedAt lastFailureMessage openRejects "
        "heldDeliveries quarantinedFiles } }",
        [{}, {"source": "bank"}, {"source": "none"}],
    ),
    (
        "query($filter: QuarantineFilter, $first: Int) { quarantine(filter: $filter) { "
        "counts { source rule status count } records(first: $first) { totalCount edges { "
        "cursor node { id rejectId source recordKey stage rule origin status createdAt "
        "resolvedAt seenCount lastSeenAt delivery { deliveryId name } } } } } }",
        [
            {},
            {"filter": {"source": "bank"}, "first": 1},
            {"filter": {"status": "open", "rule": "pinfl_checksum"}},
            {"filter": {"source": "none"}},
        ],
    ),
]


@pytest.mark.parametrize(("text", "variants"), ENGINEERS_VIEWS)
def test_the_engineers_views_compile_and_answer_alike(
    paths: Paths, text: str, variants: list[dict[str, Any]]
) -> None:
    engineer = ROLES["engineer"]
    shown = 0
    for variables in variants:
        mine, theirs = paths.both(text, variables, engineer)
        assert mine == theirs, (text, variables)
        assert "errors" not in mine, mine
        shown += len(str(mine))
    assert shown > 600, "the fixture graph should give these views something to show"


SUMS = """{ regions { edges { node { code statistics { mahallaCount population households
  categoryMismatches computedAt
  householdsByAssessedCategory { category1 category2 category3 category4 unknown }
  householdsByComputedCategory { category1 category2 category3 category4 unknown }
  employment { employed unemployed selfEmployed entrepreneurs publicWorks inTraining }
  land { activeLeases leasedAreaHa } loansByProgramme { programme count amount }
  notebookEntries { notebook persons } appeals { total open byTopic { topic appeals } } }
  districts { edges { node { code statistics { mahallaCount population computedAt
    land { leasedAreaHa } householdsByAssessedCategory { category1 unknown }
    loansByProgramme { programme count amount } notebookEntries { notebook persons }
    appeals { byTopic { topic appeals } } } } } } } } } }"""


def test_district_and_region_sums_answer_alike(paths: Paths) -> None:
    """Every region and district of the fixture graph (some with no indicators at all)."""
    mine, theirs = paths.both(SUMS)
    assert mine == theirs
    regions = mine["data"]["regions"]["edges"]
    assert any(r["node"]["statistics"]["mahallaCount"] > 1 for r in regions)
