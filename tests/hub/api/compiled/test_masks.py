"""Masks compile: a field the caller sees only with a scope its key lacks is null in the
statement's JSON, with the regular path's located FORBIDDEN errors in its order, and the
root field is still answered by its one statement (lists compile on PostgreSQL only)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings

from hub.api.compiled.execution import CompiledExecutionContext
from hub.api.schema import SCHEMA

from . import selections
from .conftest import ROLES, Paths

MAIN_PINFL = "31503851234566"
WITHOUT_PERSONAL = ROLES["agency-without-personal"]


@pytest.fixture
def masked_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The root fields answered by a compiled statement with masks, as they are."""
    answered: list[str] = []
    masked = CompiledExecutionContext._masked

    def spy(self: Any, text: str, compiled: Any, name: str, *rest: Any) -> Any:
        answered.append(name)
        return masked(self, text, compiled, name, *rest)

    monkeypatch.setattr(CompiledExecutionContext, "_masked", spy)
    return answered


def test_a_household_without_the_personal_scope_is_masked_in_the_statement(
    paths: Paths, masked_answers: list[str]
) -> None:
    found = paths.run(SCHEMA, f'{{ person(pinfl: "{MAIN_PINFL}") {{ household {{ hubId }} }} }}')
    hub_id = found["data"]["person"]["household"]["hubId"]
    document = f"""{{ household(hubId: "{hub_id}") {{
        hubId address {{ street }} surveyedOn mahalla {{ code }} }} }}"""
    mine, theirs = paths.both(document, principal=WITHOUT_PERSONAL)
    assert mine == theirs
    assert masked_answers == ["household"]
    household = mine["data"]["household"]
    assert household["hubId"] == hub_id and household["address"] is None
    assert household["mahalla"]["code"]
    (error,) = mine["errors"]
    assert error["path"] == ["household", "address"]
    assert error["extensions"] == {"code": "FORBIDDEN", "scopes": ["personal"]}
    assert error["locations"] and "Household.address" in error["message"]


def test_a_page_of_persons_gets_one_error_per_person_and_field(
    paths: Paths, masked_answers: list[str]
) -> None:
    document = """{ persons(first: 3) { totalCount edges { cursor node {
        hubId fullName sex pinfl } } } }"""
    mine, theirs = paths.both(document, principal=WITHOUT_PERSONAL)
    assert mine == theirs
    if paths.backend == "postgresql":  # connections compile on PostgreSQL only
        assert masked_answers == ["persons"]
    paths_of_errors = [e["path"] for e in mine["errors"]]
    assert paths_of_errors == [
        # Field by field, and for each field person by person, as the regular path.
        ["persons", "edges", i, "node", field]
        for field in ("fullName", "pinfl")
        for i in range(3)
    ]


def test_masks_at_any_depth_keep_the_regular_path_s_order(
    paths: Paths, masked_answers: list[str]
) -> None:
    # The household's address is a level below each person's own fields.
    document = """{ persons(first: 2) { edges { node {
        fullName household { hubId address { street } } pinfl } } } }"""
    mine, theirs = paths.both(document, principal=WITHOUT_PERSONAL)
    assert mine == theirs
    if paths.backend == "postgresql":
        assert masked_answers == ["persons"]
    node = ["persons", "edges"]
    assert [e["path"] for e in mine["errors"]] == [
        [*node, 0, "node", "fullName"],
        [*node, 1, "node", "fullName"],
        [*node, 0, "node", "household", "address"],
        [*node, 1, "node", "household", "address"],
        [*node, 0, "node", "pinfl"],
        [*node, 1, "node", "pinfl"],
    ]


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=selections.documents())
def test_generated_selections_without_the_personal_scope_are_answered_alike(
    paths: Paths, document: str
) -> None:
    assume(not validate(SCHEMA._schema, parse(document)))
    mine, theirs = paths.both(document, principal=WITHOUT_PERSONAL)
    assert mine == theirs, document
