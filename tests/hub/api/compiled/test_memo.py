"""A request seen before takes its compiled root fields from the memo
(`hub.api.compiled.memo`), and only a request with the same document, variables, caller,
database and auditing does."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

import hub.api.compiled.execution as execution
from hub.api.compiled.memo import RootMemo, root_key
from hub.api.schema import SCHEMA

from .conftest import REGULAR, ROLES, Paths
from .corpus import MAIN_PINFL

PERSON = "query($pinfl: String!) { person(pinfl: $pinfl) { hubId fullName household { hubId } } }"
MAHALLA = "query($code: String!) { mahalla(code: $code) { code name } __typename }"
OTHER_PINFL = "00000000000000"


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The root fields `compile_root` compiled (memo hits do not call it)."""
    execution.ROOTS.clear()
    calls: list[str] = []
    compile_root = execution.compile_root

    def spied(context: Any, dialect_name: str, query_type: Any, nodes: Any) -> Any:
        calls.append(nodes[0].name.value)
        return compile_root(context, dialect_name, query_type, nodes)

    monkeypatch.setattr(execution, "compile_root", spied)
    return calls


def test_a_repeated_request_is_compiled_once(paths: Paths, compiled: list[str]) -> None:
    first = paths.run(SCHEMA, PERSON, {"pinfl": MAIN_PINFL})
    again = paths.run(SCHEMA, PERSON, {"pinfl": MAIN_PINFL})
    assert compiled == ["person"]
    assert again == first
    assert first["data"]["person"]["hubId"]


def test_other_variables_and_callers_are_compiled_for_themselves(
    paths: Paths, compiled: list[str]
) -> None:
    district = ROLES["agency-of-a-district"]
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"pinfl": MAIN_PINFL}, None),
        ({"pinfl": OTHER_PINFL}, None),
        ({"pinfl": MAIN_PINFL}, district),
    ]
    for variables, principal in cases * 2:
        extra = {} if principal is None else {"principal": principal}
        assert paths.run(SCHEMA, PERSON, variables, **extra) == paths.run(
            REGULAR, PERSON, variables, **extra
        ), (variables, principal)
    assert compiled == ["person"] * 3


def test_a_root_field_that_does_not_compile_is_decided_once(
    paths: Paths, compiled: list[str]
) -> None:
    for _ in range(2):
        both = paths.both(MAHALLA, {"code": "1703202001"})
        assert both[0] == both[1]
    # `__typename` has no statement; `mahalla` compiles; each is walked once.
    assert sorted(compiled) == ["__typename", "mahalla"]


def test_unhashable_variables_and_unlocated_documents_are_not_kept() -> None:
    (operation,) = parse('query Q { person(pinfl: "1") { hubId } }').definitions
    assert isinstance(operation, OperationDefinitionNode)
    unhashable = {"filter": {"codes": [{"a": object.__new__(_Unhashable)}]}}
    assert root_key(operation, "person", unhashable, "p") is None
    assert root_key(operation, "person", {"a": [1, {"b": 2}]}, "p") is not None
    (unlocated,) = parse("{ person { hubId } }", no_location=True).definitions
    assert isinstance(unlocated, OperationDefinitionNode)
    assert root_key(unlocated, "person", {}, "p") is None


def test_a_full_memo_starts_over() -> None:
    (operation,) = parse("{ person { hubId } }").definitions
    assert isinstance(operation, OperationDefinitionNode)
    memo: RootMemo[str] = RootMemo(kept=2)
    keys = [root_key(operation, "person", {"code": str(i)}, "p") for i in range(3)]
    assert None not in keys and len(set(keys)) == 3
    first, second, third = (key for key in keys if key is not None)
    memo.put(first, "one")
    memo.put(second, "two")
    assert memo.get(first) == "one"
    memo.put(third, "three")
    assert memo.get(first) is None and memo.get(third) == "three"


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]
