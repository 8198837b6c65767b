"""Admission against the per-process cost budget, the byte-bounded document cache, the cost
model on the benchmark's documents, and the limits' settings."""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest
from graphql import get_introspection_query, parse

from benchmarks.bench_api_queries import QUERIES
from hub.api.errors import BadUserInputError
from hub.api.limits.admission import AdmissionBudget
from hub.api.limits.cost import operation_cost
from hub.api.limits.document_cache import CachedDocument, DocumentCache, estimated_bytes
from hub.api.limits.errors import ServerBusyError
from hub.api.limits.settings import DEFAULT_LIMITS, load_limit_settings
from hub.api.principal import Role
from hub.api.schema import SCHEMA
from hub.config import ConfigurationError


def test_cheap_requests_are_admitted_while_expensive_ones_fill_their_share() -> None:
    async def run() -> None:
        budget = AdmissionBudget(1_000, wait_s=0.05)
        await budget.admit(700)  # expensive: may fill 750 of 1,000
        with pytest.raises(ServerBusyError) as refused:
            await budget.admit(100)  # expensive too: 800 > 750
        assert refused.value.extensions["code"] == "SERVER_BUSY"
        assert refused.value.extensions["retryAfter"] == 1
        for _ in range(6):
            await budget.admit(50)  # cheap (<= 5%): the remaining 300 are theirs
        assert budget.held == 1_000
        waiting = asyncio.ensure_future(budget.admit(100))
        await asyncio.sleep(0.01)
        assert not waiting.done()
        await budget.release(700)
        await asyncio.wait_for(waiting, 1)
        assert budget.held == 400

    asyncio.run(run())


def test_a_request_above_the_budget_runs_when_it_is_alone() -> None:
    async def run() -> None:
        budget = AdmissionBudget(100, wait_s=0.01)
        await budget.admit(500)
        await budget.release(500)
        assert budget.held == 0

    asyncio.run(run())


def test_forty_5_kb_documents_stay_within_the_cache_budget() -> None:
    cache = DocumentCache(max_bytes=2_000_000)
    for i in range(40):
        text = "{ " + " ".join(f"a{i}_{j}: __typename" for j in range(300)) + " }"
        cache.put(text, CachedDocument(parse(text), estimated_bytes(text)))
    assert cache.bytes <= 2_000_000
    assert 0 < len(cache) < 40
    last = "{ " + " ".join(f"a39_{j}: __typename" for j in range(300)) + " }"
    assert cache.get(last) is not None  # the most recent stays
    first = "{ " + " ".join(f"a0_{j}: __typename" for j in range(300)) + " }"
    assert cache.get(first) is None  # the oldest went


def test_a_document_heavier_than_the_budget_is_not_kept() -> None:
    cache = DocumentCache(max_bytes=10_000)
    text = "{ " + "__typename " * 100 + "}"
    cache.put(text, CachedDocument(parse(text), estimated_bytes(text)))
    assert len(cache) == 0


@pytest.mark.parametrize("name", [*QUERIES, "introspection", "aliases"])
def test_the_cache_estimate_is_above_the_measured_memory(name: str) -> None:
    texts = {
        **QUERIES,
        "introspection": get_introspection_query(),
        "aliases": "{ " + " ".join(f"a{i}: regions {{ totalCount }}" for i in range(200)) + " }",
    }
    text = texts[name]
    tracemalloc.start()
    try:
        document = parse(text)
        measured = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert document is not None
    assert estimated_bytes(text) >= measured, (estimated_bytes(text), measured)


@pytest.mark.parametrize(
    ("name", "expected"),
    # person: 3 objects + 8 connections of 20 (+ a parcel per lease); page100: 1 + 100 x 2;
    # district: 1 + 100 x (4 objects + 10 programmes); dashboard: 8 objects + 3 x 10 lists.
    [("person", 191), ("page100", 201), ("district", 1_501), ("dashboard", 39)],
)
def test_the_benchmark_documents_cost_what_the_model_says(name: str, expected: int) -> None:
    variables = {"pinfl": "31503851234566", "code": "1703202001"}
    document = parse(QUERIES[name])
    role = DEFAULT_LIMITS.for_role(Role.PUBLIC)
    cost = operation_cost(SCHEMA._schema, document, None, variables, DEFAULT_LIMITS, role)
    assert cost == expected


def test_limit_settings_are_read_and_checked() -> None:
    settings = load_limit_settings(
        {
            "HUB_API_MAX_DEPTH": "8",
            "HUB_API_COST_CEILING_PUBLIC": "500",
            "HUB_API_COST_PER_MINUTE_PUBLIC": "0",
            "HUB_API_INTROSPECTION": "engineer",
            "HUB_REDIS_URL": "redis://127.0.0.1:6379/1",
        }
    )
    assert settings.max_depth == 8
    public = settings.for_role(Role.PUBLIC)
    assert (public.cost_ceiling, public.cost_per_minute, public.introspection) == (500, 0, False)
    assert not settings.for_role(Role.AGENCY).introspection
    assert settings.redis_url == "redis://127.0.0.1:6379/1"
    with pytest.raises(ConfigurationError, match="HUB_API_INTROSPECTION has value 'robots'"):
        load_limit_settings({"HUB_API_INTROSPECTION": "robots"})
    with pytest.raises(ConfigurationError, match="HUB_API_COST_PER_MINUTE_AGENCY has value 10"):
        load_limit_settings({"HUB_API_COST_PER_MINUTE_AGENCY": "10"})
    with pytest.raises(ConfigurationError, match="HUB_API_MAX_TOKENS has value 'many'"):
        load_limit_settings({"HUB_API_MAX_TOKENS": "many"})


def test_a_kept_cost_follows_the_variables_it_depends_on() -> None:
    document = parse(
        "query($n: Int, $ids: [ID!]!, $name: String) { persons(first: $n, filter: "
        "{name: $name}) { edges { node { hubId } } } nodes(ids: $ids) { id } }"
    )
    role = DEFAULT_LIMITS.for_role(Role.ENGINEER)

    def cost(n: int, ids: int, name: str = "a") -> int:
        variables = {"n": n, "ids": ["UGVyc29uOlAtMQ=="] * ids, "name": name}
        return operation_cost(SCHEMA._schema, document, None, variables, DEFAULT_LIMITS, role)

    assert cost(10, 2) == 1 + 10 + 2
    assert cost(10, 2, "b") == 13  # found again
    assert cost(50, 2) == 1 + 50 + 2
    assert cost(50, 7) == 1 + 50 + 7
    assert cost(10, 2) == 13
    with pytest.raises(BadUserInputError):
        cost(10, 2, "x" * 2_000)  # the raw variables are checked every time
