"""The documents the equality suite runs: every GraphQL document the API tests send, the
benchmark's four queries, and values for their variables.

Documents are string constants of the API test modules that parse and validate against the
schema (a document built at run time, by `.replace` or an f-string, is left out). Each
variable gets every candidate value its name and type have below, up to `MAX_VARIANTS`
combinations per document: valid keys of the fixture graph, unknown keys and rejected
values alike, since the two paths must agree on errors too.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    parse,
    print_ast,
    type_from_ast,
    validate,
)

from hub.api.pagination import encode_cursor
from hub.api.schema import SCHEMA

API_TESTS = Path(__file__).resolve().parents[1]
BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "bench_api_queries.py"
MAX_VARIANTS = 6
MAIN_PINFL = "31503851234566"

# Candidate values by variable name; by type name when the name is not here.
BY_NAME: dict[str, list[Any]] = {
    "pinfl": [MAIN_PINFL, "00000000000000", "1234"],
    "code": ["1703202001", "1703202", "1703", "1703203001", "9999999999"],
    "first": [2, 0, 100, 101],
    "after": [None, encode_cursor(0), "not a cursor"],
    "last": [None, 1],
    "before": [None, encode_cursor(3)],
    "hubId": ["P-1", "H-1", "P-unknown"],
    "id": [
        "UGVyc29uOlAtMQ==",  # Person:P-1 (the regular way: merged ids)
        "SG91c2Vob2xkOkgtMQ==",  # Household:H-1
        "TWFoYWxsYToxNzAzMjAyMDAx",  # Mahalla:1703202001
        "TWFoYWxsYTo5OTk5OTk5OTk5",  # Mahalla:9999999999 (none)
        "TG9hbjpub25l",  # Loan:none
        "not base64!",
    ],
    "ids": [["UGVyc29uOlAtMQ==", "SG91c2Vob2xkOkgtMQ=="]],
}
BY_TYPE: dict[str, list[Any]] = {
    "String": ["P-1", "1703203001"],
    "Int": [3, 1],
    "Boolean": [True, False],
    "PersonFilter": [None, {"mahallaCode": "1703203001"}, {"sex": "MALE", "hasLoans": True}],
    "PersonOrderBy": [None, {"field": "NAME", "direction": "DESC"}],
    "HouseholdFilter": [None, {"mahallaCode": "1703202001"}, {"categoryMismatch": True}],
    "HouseholdOrderBy": [None, {"field": "MONTHLY_INCOME"}],
    "TerritoryFilter": [None, {"regionCode": "1703"}, {"nameContains": "ob"}],
    "TerritoryOrderBy": [None, {"field": "POPULATION", "direction": "DESC"}],
    "QuarantineFilter": [None],
}


def _constants(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _benchmark_queries() -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_api_corpus", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return list(module.QUERIES.values())


def documents() -> list[str]:
    """The API tests' valid documents and the benchmark's, each once, in a stable order."""
    found: dict[str, str] = {}
    texts = [text for path in sorted(API_TESTS.glob("test_*.py")) for text in _constants(path)]
    for text in [*texts, *_benchmark_queries()]:
        if "{" not in text:
            continue
        try:
            document = parse(text)
        except GraphQLError:
            continue
        if validate(SCHEMA._schema, document):
            continue
        found.setdefault(print_ast(document), text)
    return list(found.values())


def _candidates(name: str, type_node: Any) -> list[Any]:
    graphql_type = type_from_ast(SCHEMA._schema, type_node)
    required = graphql_type is not None and graphql_type.__class__.__name__ == "GraphQLNonNull"
    named = graphql_type
    while hasattr(named, "of_type"):
        named = named.of_type
    values = BY_NAME.get(name) or BY_TYPE.get(getattr(named, "name", ""), [])
    return [v for v in values if v is not None or not required]


def variants(text: str) -> list[dict[str, Any]]:
    """Variable values to run `text` with (none when a required variable has no value)."""
    (operation,) = [
        d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)
    ] or [None]
    if operation is None or not operation.variable_definitions:
        return [{}]
    names = [d.variable.name.value for d in operation.variable_definitions]
    definitions = operation.variable_definitions
    choices = [_candidates(n, d.type) for n, d in zip(names, definitions, strict=True)]
    if any(not c for c in choices):
        return []
    combos = itertools.islice(itertools.product(*choices), MAX_VARIANTS)
    return [dict(zip(names, combo, strict=True)) for combo in combos]
