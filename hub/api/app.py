"""The ASGI application: GraphQL at `/graphql`, a health check at `/healthz`.

Serve it with `uv run hub api --host 127.0.0.1 --port 8000` (uvicorn), or any ASGI server
with the factory `hub.api.app:create_app`. Settings come from the environment
(`HUB_DATABASE_URL`, and `HUB_API_*`, see `hub.api.settings`; the limits: `hub.api.limits`).
With `HUB_DATABASE_READ_URL` set, reads go to that replica while it keeps up and writes
(the audit log, key bookkeeping) stay on `HUB_DATABASE_URL` (`hub.api.read_routing`).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.access.pepper import load_pepper
from hub.api.audit import AuditRecorder
from hub.api.graphiql import graphiql_assets
from hub.api.key_authenticator import KeyAuthenticator
from hub.api.limits.guard import Limiter
from hub.api.limits.settings import LimitSettings, load_limit_settings
from hub.api.principal import Authenticator
from hub.api.read_routing import REPLICA, ReadRouter
from hub.api.read_settings import ReadRoutingSettings, load_read_settings
from hub.api.schema import SCHEMA
from hub.api.settings import ApiSettings, load_api_settings
from hub.api.view import HubGraphQL
from hub.config import HubSettings, load_settings
from hub.graph.database import create_hub_async_engine, create_hub_engine

logger = logging.getLogger("hub.api")


def _engine(settings: HubSettings, api: ApiSettings, limits: LimitSettings) -> Engine | AsyncEngine:
    """The engine requests read with: on PostgreSQL an asyncio engine, so a request runs on
    the server's event loop and its statements are awaited (no thread hop, see
    `hub.api.request_database`); on SQLite, whose driver has no asynchronous mode, a
    synchronous one, each request running in a worker thread."""
    if settings.is_sqlite:
        return create_hub_engine(settings.database_url)
    return _read_engine(settings.database_url, api, limits)


def _read_engine(
    url: str, api: ApiSettings, limits: LimitSettings, connect_timeout: int | None = None
) -> AsyncEngine:
    """An asyncio engine that reads from the PostgreSQL database at `url` (the primary, or
    with `connect_timeout` in seconds the replica, unless its URL sets one)."""
    # The API only reads, one statement at a time, at READ COMMITTED: a transaction around
    # a request would give it no stronger view of the data, only two more round trips
    # (BEGIN before the first statement, ROLLBACK when the connection is returned).
    # The statement timeout is set once per pooled connection, as a startup option: a
    # `SET LOCAL` per request would cost a round trip each time.
    # Checked-out connections are not pinged: the ping was a round trip per request, as
    # many as the request's own statement. A connection the server dropped meanwhile
    # fails its first statement and the request's first batch runs again on a fresh one
    # (`RequestDatabase`).
    # So is the planner's cost of a random page read (`hub.api.settings` says why).
    connect_args: dict[str, object] = {
        "options": f"-c statement_timeout={limits.statement_timeout_ms}"
        f" -c random_page_cost={api.random_page_cost}"
    }
    if connect_timeout is not None and "connect_timeout" not in make_url(url).query:
        # A replica that went away must not hold up the request that finds out.
        connect_args["connect_timeout"] = connect_timeout
    return create_hub_async_engine(
        url,
        pool_size=api.pool_size,
        max_overflow=api.max_overflow,
        isolation_level="AUTOCOMMIT",
        connect_args=connect_args,
        pool_pre_ping=False,
    )


def _read_router(
    settings: HubSettings,
    engine: Engine | AsyncEngine,
    api: ApiSettings,
    limits: LimitSettings,
    reads: ReadRoutingSettings,
) -> ReadRouter:
    """The requests' choice of database: `engine` alone, or the replica at
    `HUB_DATABASE_READ_URL` while it keeps up (`hub.api.read_routing`)."""
    if settings.database_read_url is None:
        return ReadRouter(engine)
    replica = _read_engine(
        settings.database_read_url, api, limits, connect_timeout=reads.connect_timeout_seconds
    )
    return ReadRouter(engine, replica, reads)


def _access_engine(settings: HubSettings) -> Engine | AsyncEngine:
    """A small engine of its own for key lookups, `last_used_at` and audit writes: they
    never wait for (or take) a connection of the requests' pool, and their statements stay
    out of a request's. Autocommit on PostgreSQL like the requests' engine; an audit append
    opens its own transaction (`hub.access.audit_chain`)."""
    if settings.is_sqlite:
        return create_hub_engine(settings.database_url)
    return create_hub_async_engine(
        settings.database_url, pool_size=2, max_overflow=4, isolation_level="AUTOCOMMIT"
    )


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


async def ping(engine: Engine | AsyncEngine) -> None:
    """One trivial statement on `engine`; raises SQLAlchemyError when it cannot."""
    if isinstance(engine, AsyncEngine):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    else:
        await run_in_threadpool(_ping, engine)


# The youngest generation's threshold: a page of 100 persons allocates tens of thousands
# of short-lived containers, which at the default (700) set off collections mid-request.
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Move everything start-up built (modules, the schema, SQLAlchemy's caches) out of the
    collector's reach and collect the youngest generation less often.

    Full collections otherwise scan that long-lived heap again and again; under ten
    concurrent clients they showed as p99 latencies of 140-180 ms against p95s of 50-70 ms
    (bench_api), and freezing brought p99 to about 60 ms. Freezing only exempts existing
    objects from cycle detection; reference counting still frees them.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(oldest, 100))


def create_app(
    settings: HubSettings | None = None,
    *,
    api_settings: ApiSettings | None = None,
    authenticator: Authenticator | None = None,
    audit: bool = True,
    limit_settings: LimitSettings | None = None,
    read_settings: ReadRoutingSettings | None = None,
) -> Starlette:
    """Build the API for the graph at `settings.database_url` (default: the environment).

    The engine is `app.state.engine` (an `AsyncEngine` on PostgreSQL, see `_engine`); it is
    disposed when the application shuts down. `authenticator` decides who each request
    comes from (`hub.api.principal`); by default an API key (`hub.api.key_authenticator`,
    hashed with the pepper of `hub.access.pepper`). Responses that return personal data
    are written to the audit log (`hub.api.audit`) whoever authenticated them, unless
    `audit` is False (benchmarks comparing the API with and without access control).
    `limit_settings` (default: the environment) bound what it may ask (`hub.api.limits`).
    With `settings.database_read_url`, reads go to that replica while it keeps up
    (`app.state.reads`, a `ReadRouter`; `read_settings`, default the environment, say
    when it does) and writes stay on `settings.database_url`.
    """
    settings = settings or load_settings()
    api = api_settings or load_api_settings()
    limits = limit_settings or load_limit_settings()
    engine = _engine(settings, api, limits)
    # Read (and so checked) even without a replica: a bad value is refused at start-up,
    # not when a replica is added later.
    read_settings = read_settings or load_read_settings()
    reads = _read_router(settings, engine, api, limits, read_settings)
    access_engine = _access_engine(settings)
    keys: KeyAuthenticator | None = None
    if authenticator is None:
        pepper = load_pepper(settings.data_dir)
        keys = KeyAuthenticator(access_engine, pepper, cache_seconds=api.key_cache_seconds)
        authenticator = keys
    recorder = (
        AuditRecorder(
            access_engine,
            SCHEMA._schema,
            linger_seconds=api.audit_linger_ms / 1000,
            synchronous_commit=api.audit_synchronous_commit,
        )
        if audit
        else None
    )
    limiter = Limiter(limits)
    SCHEMA.document_cache.max_bytes = limits.document_cache_bytes
    graphql = HubGraphQL(
        SCHEMA,
        engine,
        graphiql=api.graphiql,
        authenticator=authenticator,
        audit=recorder,
        limiter=limiter,
        suppression_threshold=api.suppression_threshold,
        reads=reads,
    )

    async def healthz(request: Request) -> JSONResponse:
        try:
            await ping(engine)
        except SQLAlchemyError as exc:
            logger.error("Health check failed: the graph database is unreachable: %s", exc)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if reads.replica is None:
            return JSONResponse({"status": "ok"})
        # Reads on the primary instead of the replica still answer: degraded, not
        # unavailable (HTTP 200), so a load balancer keeps every instance in service.
        in_use = (await reads.status(wait=True)).serves == REPLICA
        report = {"status": "ok" if in_use else "degraded", "reads": reads.snapshot()}
        return JSONResponse(report)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if api.tune_gc:
            tune_garbage_collector()
        yield
        await limiter.close()
        await reads.aclose()
        if recorder is not None:
            await recorder.close()
        if keys is not None:
            await keys.aclose()
        for disposed in (engine, access_engine, *([reads.replica] if reads.replica else [])):
            if isinstance(disposed, AsyncEngine):
                await disposed.dispose()
            else:
                disposed.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *([graphiql_assets()] if api.graphiql else []),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.reads = reads
    app.state.api_settings = api
    app.state.access_engine = access_engine
    app.state.audit = recorder
    app.state.limiter = limiter
    return app
