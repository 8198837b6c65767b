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
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from hub.api.audit import AuditRecorder
from hub.api.context import Context, ExecutedOperation
from hub.api.error_reporting import classified
from hub.api.graphiql import graphiql_page
from hub.api.loaders import Loaders
from hub.api.principal import (
    AuthenticationUnavailableError,
    Authenticator,
    UnauthenticatedError,
)
from hub.api.request_database import RequestDatabase
from hub.graph.types import utc_now


class HubGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with the hub's context, connection lifecycle and JSON encoder."""

    def __init__(
        self,
        schema: BaseSchema,
        engine: Engine | AsyncEngine,
        *,
        graphiql: bool,
        authenticator: Authenticator,
        audit: AuditRecorder | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(),
        )
        self._engine = engine
        self._authenticate = authenticator
        self._audit = audit

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; the hub serves its copy.
        return HTMLResponse(graphiql_page(request.url.path))

    async def _context(self, request: Request) -> Context:
        principal = await self._authenticate(request)
        db = RequestDatabase(self._engine)
        return Context(
            principal=principal, db=db, loaders=Loaders(db), request=request, raw_json=True
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
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            # The IDE's page holds no data; its queries bring their key (headers tab).
            if self.graphql_ide:
                return await self.render_graphql_ide(request)
            return Response("Not Found", status_code=404)
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
        except AuthenticationUnavailableError as exc:
            error = {"message": str(exc), "extensions": {"code": "SERVICE_UNAVAILABLE"}}
            return Response(
                orjson.dumps({"data": None, "errors": [error]}),
                status_code=503,
                media_type="application/json",
                headers={"Retry-After": "5"},
            )
        try:
            response = await super().run(request, context, root_value)
        finally:
            await context.db.close()
        self._audit_after_sending(context, response)
        return response

    def _audit_after_sending(self, context: Context, response: Any) -> None:
        """Have the audit log read `response` once it is sent (`hub.api.audit`)."""
        if (
            self._audit is None
            or not context.executed
            or not isinstance(response, Response)
            or response.status_code != 200
            or response.background is not None
        ):
            return
        response.background = BackgroundTask(
            self._audit.record, context.principal, context.executed, bytes(response.body), utc_now()
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        context.executed.append(
            ExecutedOperation(
                query=request_data.query or "",
                variables=request_data.variables,
                operation_name=request_data.operation_name,
            )
        )
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

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
