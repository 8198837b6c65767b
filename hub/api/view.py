"""The GraphQL endpoint: one connection, one principal and one set of loaders per request.

`HubGraphQL.run` builds the context itself (rather than letting strawberry call
`get_context`) so that it can close the request's connection when the response is ready,
whatever happened in between. (The schema already closes it in the operation's worker
thread, `hub.api.schema.HubSchema.execute`; closing again here is free, and covers a
request that failed before its operation ran.)

The view applies the limits that concern HTTP (`hub.api.limits`): a body larger than
`max_request_bytes` is refused (413) before it is read as JSON, an encoded response larger
than `max_response_bytes` is replaced by a RESPONSE_TOO_LARGE error, and a response whose
error is RATE_LIMITED or SERVER_BUSY gets HTTP 429 or 503 with `Retry-After`.

The request's database comes from the `ReadRouter` (`hub.api.read_routing`): the primary,
or a replica while it keeps up; with a replica configured the response names the one that
served its reads in `X-Hub-Read-Database`.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from hub.api.access.rows import RowFilters
from hub.api.access.suppression import DEFAULT_THRESHOLD
from hub.api.audit import AuditRecorder
from hub.api.context import CURRENT_OPERATION, Context, ExecutedOperation
from hub.api.direct_execution import respond_directly
from hub.api.error_reporting import classified
from hub.api.graphiql import graphiql_page
from hub.api.json_body import json_operation
from hub.api.limits.errors import HTTP_STATUS, ResponseTooLargeError
from hub.api.limits.guard import Limiter
from hub.api.limits.settings import DEFAULT_LIMITS
from hub.api.loaders import Loaders
from hub.api.principal import (
    AuthenticationUnavailableError,
    Authenticator,
    UnauthenticatedError,
)
from hub.api.read_routing import READ_DATABASE_HEADER, ReadRouter
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
        limiter: Limiter | None = None,
        suppression_threshold: int = DEFAULT_THRESHOLD,
        reads: ReadRouter | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(),
        )
        self._reads = reads or ReadRouter(engine)
        self._authenticate = authenticator
        self._recorder = audit
        self.limiter = limiter or Limiter(DEFAULT_LIMITS)
        self._threshold = suppression_threshold

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; the hub serves its copy.
        return HTMLResponse(graphiql_page(request.url.path))

    async def _context(self, request: Request) -> Context:
        principal = await self._authenticate(request)
        db = await self._reads.open()
        return Context(
            principal=principal,
            db=db,
            loaders=Loaders(db, RowFilters.of(principal)),
            request=request,
            raw_json=True,
            limits=self.limiter.for_request(principal),
            suppression_threshold=self._threshold,
            audited=self._recorder is not None,
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
        if not await self._body_fits(request):
            limit = self.limiter.settings.max_request_bytes
            return _error_response(
                f"The request body has more than {limit} bytes.",
                {"code": "REQUEST_TOO_LARGE", "maxBytes": limit},
                status_code=413,
            )
        try:
            context = await self._context(request)
        except UnauthenticatedError as exc:
            return _error_response(
                str(exc),
                {"code": "UNAUTHENTICATED"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        except AuthenticationUnavailableError as exc:
            return _error_response(
                str(exc),
                {"code": "SERVICE_UNAVAILABLE"},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        try:
            # A fully compiled query skips strawberry's request machinery
            # (`hub.api.direct_execution`); anything else is strawberry's.
            response = await respond_directly(self, request, context)
            if response is None:
                response = await super().run(request, context, root_value)
        finally:
            await context.db.close()
        served_by = context.db.served_by
        if served_by is not None and isinstance(response, Response):
            response.headers[READ_DATABASE_HEADER] = served_by
        self._audit(context, response)
        return response

    def _audit(self, context: Context, response: Any) -> None:
        """Queue `response` for the audit log (`hub.api.audit`), which reads it later, on
        the writer: here only the queueing, no task, so the response goes out at once."""
        if (
            self._recorder is None
            or not context.executed
            or not isinstance(response, Response)
            or response.status_code != 200
        ):
            return
        self._recorder.submit(context.principal, context.executed, bytes(response.body), utc_now())

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        operation = ExecutedOperation(
            query=request_data.query or "",
            variables=request_data.variables,
            operation_name=request_data.operation_name,
        )
        context.executed.append(operation)
        # A batch's operations run in tasks of their own, each with its own copy.
        token = CURRENT_OPERATION.set(operation)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        finally:
            CURRENT_OPERATION.reset(token)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # The schema classifies the errors of every result it returns (`HubSchema.execute`);
        # classifying (idempotently) once more on the way out covers any result the view
        # itself produced.
        if result.errors:
            result.errors = [classified(error) for error in result.errors]
        return await super().process_result(request, result)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        # A POST of one JSON operation skips strawberry's Content-Type parse
        # (`hub.api.json_body`); a streaming Accept header, like anything else, is
        # strawberry's to parse.
        if (
            request.method == "POST"
            and self._get_stream_transport_from_headers(request.headers) is None
        ):
            operation = json_operation(
                request.content_type, await request.get_body(), self.parse_json
            )
            if operation is not None:
                return operation
        return await super().parse_http_body(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses nesting past 1,024 levels with a JSONDecodeError (HTTP 400);
        # the standard library's decoder overflowed Python's stack (a RecursionError,
        # which reached the client as a 500).
        return orjson.loads(data)

    async def _body_fits(self, request: Request) -> bool:
        """Read the body, at most `max_request_bytes` of it; False when it is larger.

        The body is read here, in chunks, so an oversized one is never held whole nor
        parsed; starlette keeps what was read for strawberry's own `request.body()`."""
        if request.method != "POST":
            return True
        limit = self.limiter.settings.max_request_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return False
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return False
            chunks.append(chunk)
        request._body = b"".join(chunks)
        return True

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        limit = self.limiter.settings.max_response_bytes
        if len(response.body) > limit:
            error = ResponseTooLargeError(
                f"The response has {len(response.body)} bytes. At most {limit}: select fewer "
                "fields or ask for smaller pages.",
                maxBytes=limit,
            )
            extensions = None
            if isinstance(response_data, dict):
                extensions = response_data.get("extensions")
            return _error_response(error.message, error.extensions, extensions=extensions)
        if isinstance(response_data, dict):
            errors = cast("list[dict[str, Any]]", response_data.get("errors") or [])
            for error_data in errors:
                error_extensions = error_data.get("extensions") or {}
                code = error_extensions.get("code")
                if code in HTTP_STATUS:
                    response.status_code = HTTP_STATUS[code]
                    retry_after = error_extensions.get("retryAfter")
                    if retry_after is not None:
                        response.headers["Retry-After"] = str(retry_after)
                    break
        return response


def _error_response(
    message: str,
    error_extensions: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    extensions: object = None,
) -> Response:
    """A GraphQL response with one error, as every refusal of the API is shaped."""
    body: dict[str, Any] = {
        "data": None,
        "errors": [{"message": message, "extensions": error_extensions}],
    }
    if extensions:
        body["extensions"] = extensions
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )
