"""Both read paths over the fixture graph: the compiled one and the regular one.

`paths.both(document, variables)` executes the document with the schema (compiled root
fields) and with `build_schema(compiled=False)` (every field by strawberry's resolvers over
the DataLoaders), each on a fresh request context, and returns both responses as the
client would receive them (data through JSON, errors as the view formats them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from hub.api.access.rows import RowFilters
from hub.api.context import Context
from hub.api.loaders import Loaders
from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA, HubSchema, build_schema
from hub.graph.database import create_hub_async_engine, create_hub_engine

from ..conftest import DEFAULT_PRINCIPAL, ENGINEER

REGULAR = build_schema(compiled=False)

# The callers the corpus runs as besides the tests' agency (DEFAULT_PRINCIPAL): the rule
# table shapes each one's answers, and both paths must shape them alike.
ROLES = {
    "public": Principal("corpus-public", Role.PUBLIC),
    "engineer": ENGINEER,
    "agency-without-personal": Principal(
        "corpus-agency-np", Role.AGENCY, SCOPES - {PERSONAL_SCOPE}
    ),
    "agency-of-a-district": Principal(
        "corpus-agency-1703202", Role.AGENCY, SCOPES, district_code="1703202"
    ),
}


def response(result: Any) -> dict[str, Any]:
    """The response body the view would send for `result`."""
    body: dict[str, Any] = {"data": orjson.loads(orjson.dumps(result.data))}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


@dataclass
class Paths:
    engine: Engine | AsyncEngine
    backend: str

    def run(
        self,
        schema: HubSchema,
        document: str,
        variables: dict[str, Any] | None = None,
        principal: Principal = DEFAULT_PRINCIPAL,
    ) -> dict[str, Any]:
        async def execute() -> dict[str, Any]:
            db = RequestDatabase(self.engine)
            loaders = Loaders(db, RowFilters.of(principal))
            context = Context(principal=principal, db=db, loaders=loaders, raw_json=True)
            return response(await schema.execute(document, variables, context_value=context))

        return asyncio.run(execute())

    def both(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        principal: Principal = DEFAULT_PRINCIPAL,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            self.run(SCHEMA, document, variables, principal),
            self.run(REGULAR, document, variables, principal),
        )


@contextmanager
def paths_over(url: str) -> Iterator[Paths]:
    """Both paths over the graph at `url`."""
    engine: Engine | AsyncEngine
    if make_url(url).get_backend_name() == "sqlite":
        engine, backend = create_hub_engine(url), "sqlite"
    else:
        engine = create_hub_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        backend = "postgresql"
    try:
        yield Paths(engine, backend)
    finally:
        if isinstance(engine, AsyncEngine):
            asyncio.run(engine.dispose())
        else:
            engine.dispose()


@pytest.fixture(scope="session")
def paths(built_graph: Any) -> Iterator[Paths]:
    with paths_over(built_graph.url) as both:
        yield both
