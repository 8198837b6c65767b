"""A page of persons does not read the columns only fields its document never shows need."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from hub.api.people.data import HOUSEHOLD_SHOWN_BY, PERSON_SHOWN_BY, unshown_columns
from hub.api.projection import operation_fields
from hub.api.schema import SCHEMA

MAIN_PINFL = "31503851234566"
PAGE = """persons(filter: {mahallaCode: "1703202001"}, first: 100) {
  edges { node { hubId household { hubId } } } }"""
ALL_OPTIONAL = {f"person.{column}" for column in PERSON_SHOWN_BY} | {
    f"household.{column}" for column in HOUSEHOLD_SHOWN_BY
}


def _unshown(document: str) -> frozenset[str]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return unshown_columns(operation_fields(SCHEMA._schema, operation, fragments))


def test_a_page_that_shows_none_of_them_reads_none_of_the_optional_columns() -> None:
    assert _unshown("{ " + PAGE + " }") == ALL_OPTIONAL


def test_a_field_shown_anywhere_keeps_its_column() -> None:
    cases = {
        # on another root field, reaching the same households through the loaders
        'person(pinfl: "1") { household { needs } }': "household.needs",
        # through a fragment on another type, and an alias
        "households { edges { node { ...h } } } } fragment h on Household { s: surveyedOn ": (
            "household.surveyed_on"
        ),
        # through the Node interface
        'node(id: "x") { ... on Person { createdAt } }': "person.created_at",
        # a relation's key, read to follow it
        'household(hubId: "H-1") { surveyedBy { fullName } }': "household.assistant_id",
        'nodes(ids: ["x"]) { ... on Household { lastConfirmedAt } }': (
            "household.last_confirmed_at"
        ),
    }
    documents = {"{ " + PAGE + " " + more + " }": column for more, column in cases.items()}
    # under a directive that skips it: still read
    skipped = 'person(pinfl: "1") { updatedAt @skip(if: $s) }'
    documents["query($s: Boolean!) { " + PAGE + " " + skipped + " }"] = "person.updated_at"
    for document, column in documents.items():
        unshown = _unshown(document)
        assert column not in unshown, document
        assert unshown == ALL_OPTIONAL - {column}, document


PERSON_FIELDS = [
    "surname",
    "givenName",
    "patronymic",
    "occupation",
    "mahallaCode",
    "mahalla { code }",
    "createdAt",
    "updatedAt",
    "lastConfirmedAt",
]
HOUSEHOLD_FIELDS = [
    "surveyId",
    "mahallaCode",
    "mahalla { name }",
    "surveyedBy { fullName }",
    "address { street house apartment }",
    "surveyedOn",
    "monthlyIncome",
    "plotSotix",
    "needs",
    "lastConfirmedAt",
]


@pytest.mark.parametrize(
    "selection",
    [*PERSON_FIELDS, *(f"household {{ {field} }}" for field in HOUSEHOLD_FIELDS)],
)
def test_a_field_shown_elsewhere_in_the_document_answers_as_alone(api: Any, selection: str) -> None:
    person = 'person(pinfl: "' + MAIN_PINFL + '") { ' + selection + " }"
    alone = api.data("{ " + person + " }")
    # The page reads the same person and household first; its records are shared.
    mixed = api.data("{ " + PAGE + " " + person + " }")
    assert mixed["person"] == alone["person"]
    assert mixed["persons"]["edges"]


@pytest.mark.parametrize(
    "fields",
    [
        " ".join(PERSON_FIELDS) + " household { " + " ".join(HOUSEHOLD_FIELDS) + " }",
        " ".join(PERSON_FIELDS),  # a page without households: persons alone
        "fullName household { hubId }",  # nothing optional shown: none read
    ],
)
def test_a_page_answers_as_the_persons_alone(api: Any, fields: str) -> None:
    page = api.data(
        '{ persons(filter: {mahallaCode: "1703202001"}, first: 100) { edges { node { pinfl '
        + fields
        + " } } } }"
    )
    for edge in page["persons"]["edges"]:
        node = edge["node"]
        if node["pinfl"] is None:
            continue
        alone = api.data('{ person(pinfl: "' + node["pinfl"] + '") { pinfl ' + fields + " } }")
        assert alone["person"] == node
