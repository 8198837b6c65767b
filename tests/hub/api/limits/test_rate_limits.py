"""The per-key rate limit (memory and the real Redis), its Redis outage, the response-size
ceiling and PostgreSQL's statement timeout, through apps built with their own limits."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.api.error_reporting import classified
from hub.api.limits.buckets import MemoryBuckets, RedisBuckets
from hub.api.limits.settings import LimitSettings, RoleLimits, default_roles
from hub.api.principal import SCOPES, Principal, Role
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from tests.hub.api.conftest import BuiltGraph, TestPrincipals

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
AGENCY = Principal(name="rate-agency", role=Role.AGENCY, scopes=SCOPES, key_id="key-rate-agency")
QUERY = '{ person(pinfl: "31503851234566") { hubId loans(first: 5) { totalCount } } }'
QUERY_COST = 3


def _per_minute(per_minute: int) -> dict[Role, RoleLimits]:
    roles = default_roles()
    roles[Role.AGENCY] = RoleLimits(cost_ceiling=5, cost_per_minute=per_minute, introspection=True)
    return roles


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


@pytest.fixture
def app_with(built_graph: BuiltGraph, tmp_path: Path) -> Iterator[Any]:
    """`app_with(limits)`: a test client of an API with those limits (and principals)."""
    clients: list[TestClient] = []

    def build(limits: LimitSettings) -> tuple[TestClient, TestPrincipals]:
        principals = TestPrincipals()
        settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
        app = create_app(
            settings, api_settings=ApiSettings(), authenticator=principals, limit_settings=limits
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client, principals

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def _ask(client: TestClient, principals: TestPrincipals, query: str = QUERY) -> Any:
    token = principals.token_for(AGENCY)
    return client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


def test_a_key_past_its_cost_per_minute_gets_429_with_retry_after(app_with: Any) -> None:
    client, principals = app_with(LimitSettings(roles=_per_minute(QUERY_COST * 2)))
    for remaining in (QUERY_COST, 0):
        response = _ask(client, principals)
        assert response.status_code == 200
        assert response.json()["extensions"]["cost"]["remaining"] == remaining
    refused = _ask(client, principals)
    assert refused.status_code == 429
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    # 3 of cost at 6 per minute: 30 s until the bucket holds it again.
    assert refused.headers["Retry-After"] == str(error["extensions"]["retryAfter"])
    assert 29 <= int(refused.headers["Retry-After"]) <= 30


def test_memory_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    assert buckets.take_now("k", 60, 60).allowed
    refused = buckets.take_now("k", 10, 60)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(10.0)
    now[0] += 10.0
    assert buckets.take_now("k", 10, 60).allowed


def redis_or_skip() -> None:
    probe = RedisBuckets(REDIS_URL, "hub:test:probe:")

    async def ping() -> None:
        try:
            await probe.take("probe", 1, 60)
        finally:
            await probe.close()

    try:
        asyncio.run(ping())
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis here
        message = f"Redis at {REDIS_URL} is not reachable: {exc}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: Redis tests must run)", pytrace=False)
        pytest.skip(message)


def test_redis_buckets_are_shared_by_two_apps(app_with: Any) -> None:
    redis_or_skip()
    limits = LimitSettings(
        roles=_per_minute(QUERY_COST * 2),
        redis_url=REDIS_URL,
        redis_prefix=f"hub:test:{uuid.uuid4().hex}:",
    )
    first = app_with(limits)
    second = app_with(limits)
    assert _ask(*first).status_code == 200
    assert _ask(*second).json()["extensions"]["cost"]["remaining"] == 0
    refused = _ask(*first)
    assert refused.status_code == 429, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_redis_bucket_script_refuses_and_says_when(app_with: Any) -> None:
    redis_or_skip()
    buckets = RedisBuckets(REDIS_URL, f"hub:test:{uuid.uuid4().hex}:")

    async def run() -> list[Any]:
        try:
            return [await buckets.take("k", cost, 600) for cost in (500, 100, 60)]
        finally:
            await buckets.close()

    taken, emptied, refused = asyncio.run(run())
    assert (taken.allowed, taken.remaining, taken.store) == (True, 100, "redis")
    assert (emptied.allowed, emptied.remaining) == (True, 0)
    assert not refused.allowed
    assert 5.9 <= refused.retry_after_s <= 6.0  # 60 of cost at 10 per second


def test_a_redis_outage_fails_open_to_memory_buckets(
    app_with: Any, caplog: pytest.LogCaptureFixture
) -> None:
    limits = LimitSettings(
        roles=_per_minute(QUERY_COST * 2), redis_url=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    client, principals = app_with(limits)
    first = _ask(client, principals)
    assert first.status_code == 200, first.text
    assert "errors" not in first.json()
    assert "Redis is unreachable" in caplog.text
    # The process's memory still limits the key.
    assert _ask(client, principals).status_code == 200
    assert _ask(client, principals).status_code == 429
    assert client.get("/healthz").status_code == 200


def test_a_response_over_its_ceiling_is_an_error_not_a_truncation(app_with: Any) -> None:
    limits = LimitSettings(max_response_bytes=100)
    client, principals = app_with(limits)
    query = '{ person(pinfl: "31503851234566") { hubId loans(first: 20) { edges { node {'
    query += " loanId programme amount issuedOn status } } } } }"
    response = _ask(client, principals, query)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE", "maxBytes": 100}
    assert body["extensions"]["cost"]["requested"] > 0


def test_postgresql_connections_carry_the_statement_timeout(
    built_graph: BuiltGraph, app_with: Any
) -> None:
    if not built_graph.url.startswith("postgresql"):
        pytest.skip("statement_timeout is PostgreSQL's")
    client, _ = app_with(replace(LimitSettings(), statement_timeout_ms=1234))
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert isinstance(engine, AsyncEngine)

    async def show() -> Any:
        async with engine.connect() as connection:
            return (await connection.execute(text("SHOW statement_timeout"))).scalar()

    assert client.portal is not None
    assert client.portal.call(show) == "1234ms"


def test_postgresql_connections_plan_with_the_api_random_page_cost(
    built_graph: BuiltGraph, app_with: Any
) -> None:
    if not built_graph.url.startswith("postgresql"):
        pytest.skip("random_page_cost is PostgreSQL's")
    client, _ = app_with(LimitSettings())
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert isinstance(engine, AsyncEngine)

    async def show() -> Any:
        async with engine.connect() as connection:
            return (await connection.execute(text("SHOW random_page_cost"))).scalar()

    assert client.portal is not None
    assert client.portal.call(show) == "1.1"


def test_a_statement_past_the_timeout_is_reported_as_statement_timeout(
    built_graph: BuiltGraph, app_with: Any
) -> None:
    if not built_graph.url.startswith("postgresql"):
        pytest.skip("statement_timeout is PostgreSQL's")
    client, _ = app_with(replace(LimitSettings(), statement_timeout_ms=50))
    engine = client.app.state.engine  # type: ignore[attr-defined]

    async def sleep() -> Exception:
        async with engine.connect() as connection:
            try:
                await connection.execute(text("SELECT pg_sleep(1)"))
            except DBAPIError as exc:
                return exc
        raise AssertionError("pg_sleep(1) ran past a 50 ms statement timeout")

    assert client.portal is not None
    cancelled = client.portal.call(sleep)
    error = classified(GraphQLError("canceling statement", path=["x"], original_error=cancelled))
    assert error.extensions == {"code": "STATEMENT_TIMEOUT"}
    assert "statement timeout" in error.message


def test_a_request_that_finds_the_budget_full_gets_503_with_retry_after(app_with: Any) -> None:
    client, principals = app_with(LimitSettings(process_cost_budget=1_000, admission_wait_ms=20))
    admission = client.app.state.limiter.admission  # type: ignore[attr-defined]
    admission.held = 1_000  # as if expensive requests held the whole budget
    try:
        refused = _ask(client, principals)
    finally:
        admission.held = 0
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["errors"][0]["extensions"]["code"] == "SERVER_BUSY"
    assert _ask(client, principals).status_code == 200
    assert admission.held == 0


def test_a_request_refused_as_busy_is_not_charged_to_its_key(app_with: Any) -> None:
    limits = LimitSettings(
        roles=_per_minute(QUERY_COST * 2), process_cost_budget=1_000, admission_wait_ms=10
    )
    client, principals = app_with(limits)
    admission = client.app.state.limiter.admission  # type: ignore[attr-defined]
    admission.held = 1_000
    try:
        assert _ask(client, principals).status_code == 503
        assert _ask(client, principals).status_code == 503
    finally:
        admission.held = 0
    # Both refusals left the key's minute untouched: two requests still fit.
    assert _ask(client, principals).json()["extensions"]["cost"]["remaining"] == QUERY_COST
    assert _ask(client, principals).status_code == 200
    assert _ask(client, principals).status_code == 429
    assert admission.held == 0


def test_with_redis_most_requests_take_their_cost_from_a_lease_without_a_round_trip(
    app_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_or_skip()
    trips: list[int] = []
    take = RedisBuckets.take

    async def counted(self: RedisBuckets, *args: Any, **kwargs: Any) -> Any:
        trips.append(1)
        return await take(self, *args, **kwargs)

    monkeypatch.setattr(RedisBuckets, "take", counted)
    limits = LimitSettings(
        roles=_per_minute(QUERY_COST * 10_000), redis_prefix=f"hub:test:{uuid.uuid4().hex}:"
    )
    client, principals = app_with(replace(limits, redis_url=REDIS_URL))
    remaining = [
        _ask(client, principals).json()["extensions"]["cost"]["remaining"] for _ in range(20)
    ]
    assert len(trips) <= 2  # the first request's lease, and the next one's in the background
    # What Redis had left at its last answer, plus the lease left here (an estimate).
    assert QUERY_COST * 9_000 <= remaining[-1] < remaining[0] < QUERY_COST * 10_000
