"""The GraphQL endpoint: one connection, one principal and one set of loaders per request.

`HubGraphQL.run` builds the context itself (rather than letting strawberry call
`get_context`) so that it can close the request's connection when the response is ready,
whatever happened in between. (The schema already closes it in the operation's worker
thread, `hub.api.schema.HubSchema.execute`; closing again here is free, and covers a
request that failed before its operation ran.)
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from hub.api.access.rows import RowFilters
from hub.api.access.suppression import DEFAULT_THRESHOLD
from hub.api.context import Context
from hub.api.error_reporting import classified
from hub.api.graphiql import graphiql_page
from hub.api.loaders import Loaders
from hub.api.principal import (
    Authenticator,
    PrincipalError,
    UnauthenticatedError,
    header_authenticator,
)
from hub.api.request_database import RequestDatabase


class HubGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with the hub's context, connection lifecycle and JSON encoder."""

    def __init__(
        self,
        schema: BaseSchema,
        engine: Engine | AsyncEngine,
        *,
        graphiql: bool,
        authenticator: Authenticator = header_authenticator,
        suppression_threshold: int = DEFAULT_THRESHOLD,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(),
        )
        self._engine = engine
        self._authenticate = authenticator
        self._threshold = suppression_threshold

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; the hub serves its copy.
        return HTMLResponse(graphiql_page(request.url.path))

    async def _context(self, request: Request) -> Context:
        principal = await self._authenticate(request)
        db = RequestDatabase(self._engine)
        return Context(
            principal=principal,
            db=db,
            loaders=Loaders(db, RowFilters.of(principal)),
            request=request,
            raw_json=True,
            suppression_threshold=self._threshold,
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        if not isinstance(request, Request):
            raise HTTPException(400, "The hub's API does not serve WebSockets.")
        return await self._context(request)

    async def run(
        self,
        request: Any,
        context: Context = UNSET,
        root_value: Any = UNSET,
    ) -> Any:
        if context is not UNSET or not isinstance(request, Request):
            return await super().run(request, context, root_value)
        try:
            context = await self._context(request)
        except UnauthenticatedError as exc:
            error = {"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}
            return Response(
                orjson.dumps({"data": None, "errors": [error]}),
                status_code=401,
                media_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
        except PrincipalError as exc:
            # A GraphQL response like every other error the API returns.
            error = {"message": str(exc), "extensions": {"code": "BAD_REQUEST"}}
            return Response(
                orjson.dumps({"data": None, "errors": [error]}),
                status_code=400,
                media_type="application/json",
            )
        try:
            return await super().run(request, context, root_value)
        finally:
            await context.db.close()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Most errors were classified inside the operation (ErrorClassification); errors
        # raised while parsing with the parser cache surface after it, so every error is
        # classified (idempotently) once more on its way out.
        if result.errors:
            result.errors = [classified(error) for error in result.errors]
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
