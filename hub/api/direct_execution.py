"""A query whose every root field compiles, executed without graphql-core's `execute` and,
over HTTP, without strawberry's request machinery.

The compiled root fields (`hub.api.compiled.execution`) already answer with their
statement's JSON text, spliced into the response by orjson (`orjson.Fragment`), and no
Python walks their fields. What is left around them is plumbing: graphql-core's `execute`
(its argument checks, the root's field collection, the coroutine that awaits the fields
and builds the result) and, in the view, strawberry's `run` (its request adapter, body
parse, `execute_operation`, `execute_single`, the schema's `execute` with its worker
hand-off). `DirectOperation` runs the same steps for the operation it prepared:

1. `prepare_direct` takes a document the lean execution accepted (`hub.api.lean_execution`:
   cached, valid, an allowed query; the guard's `on_parse` done), builds graphql-core's
   execution context (the variables coerced), collects the root fields and compiles each.
   When the variables do not coerce or a root field does not compile, it returns None
   before anything ran, and the operation goes graphql-core's way (its errors, its
   fallback resolvers);
2. `DirectOperation.run` runs the guard's `on_execute` (cost, ceiling, admission, the
   key's bucket), the root fields' statements as `execute_fields` would
   (`CompiledExecutionContext.answer`: every fallback of a field, with its located error,
   stays there), builds the result as graphql-core does (an error reaching the root nulls
   `data`), logs and classifies the errors and adds the guard's `extensions.cost`.

`respond_directly` is the view's side: for a POST of one JSON operation on a database
whose statements are awaited (PostgreSQL), it records the operation for the audit log as
`HubGraphQL.execute_single` does and makes the response with the view's own
`process_result` and `create_response` (limits on size, HTTP status of refusals), so the
bytes are the ones strawberry's path writes; anything else is left to strawberry (None).
Tests compare both paths' bodies on the benchmark's documents and the equality corpus.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from graphql.execution.collect_fields import collect_fields
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from hub.api.compiled.execution import Compiled, CompiledExecutionContext
from hub.api.context import CURRENT_OPERATION, Context, ExecutedOperation
from hub.api.error_reporting import classified
from hub.api.json_body import json_operation
from hub.api.lean_execution import begin_lean, run_guarded, run_lean
from hub.api.limits.guard import LimitsGuard

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from hub.api.schema import HubSchema
    from hub.api.view import HubGraphQL

_POST = OperationType.from_http("POST")


class DirectOperation:
    """An operation prepared by `prepare_direct`: its root fields and their statements."""

    __slots__ = ("built", "context", "fields", "guard", "plans", "schema")

    def __init__(
        self,
        schema: HubSchema,
        context: ExecutionContext,
        guard: LimitsGuard,
        built: CompiledExecutionContext,
        fields: dict[str, Any],
        plans: dict[str, Compiled],
    ) -> None:
        self.schema = schema
        self.context = context
        self.guard = guard
        self.built = built
        self.fields = fields
        self.plans = plans

    async def run(self) -> ExecutionResult:
        """The operation's result (step 2; its errors logged, not yet classified)."""
        return await run_guarded(self.schema, self.context, self.guard, self._execute)

    async def _execute(self) -> GraphQLExecutionResult:
        built = self.built
        root_type = built.schema.query_type
        assert root_type is not None
        collected = built.collected_errors
        data: dict[str, Any] | None
        try:
            data = await built.answer(root_type, built.root_value, self.fields, self.plans)
        except GraphQLError as error:  # a required root field failed: no data, as there
            collected.add(error, None)
            data = None
        return built.build_response(data, collected.errors)


async def execute_direct_or_lean(
    schema: HubSchema,
    query: str | None,
    variable_values: dict[str, Any] | None,
    context_value: Any,
    root_value: Any,
    operation_name: str | None,
    allowed_operation_types: Iterable[OperationType] | None,
    operation_extensions: dict[str, Any] | None,
) -> ExecutionResult | None:
    """The operation's result by `hub.api.lean_execution`'s steps, executed by
    `DirectOperation` when `prepare_direct` takes it (`HubSchema.execute`); None when
    strawberry's execute must answer it."""
    begun = begin_lean(
        schema,
        query,
        variable_values,
        context_value,
        root_value,
        operation_name,
        allowed_operation_types,
        operation_extensions,
    )
    if begun is None:
        return None
    prepared = prepare_direct(schema, *begun)
    if prepared is not None:
        return await prepared.run()
    return await run_lean(schema, *begun)


def prepare_direct(
    schema: HubSchema, context: ExecutionContext, guard: LimitsGuard
) -> DirectOperation | None:
    """The operation `context` (begun by `begin_lean`) when every root field compiles;
    None, with nothing run, when it goes graphql-core's way (step 1)."""
    context_value = context.context
    execution_class = schema.execution_context_class
    if (
        not isinstance(context_value, Context)
        or execution_class is not CompiledExecutionContext
        or context.graphql_document is None
    ):
        return None
    built = execution_class.build(
        schema._schema,
        context.graphql_document,
        context.root_value,
        context_value,
        context.variables,
        context.operation_name,
        is_awaitable=optimized_is_awaitable,
    )
    if isinstance(built, list):  # the variables' errors: graphql-core reports them
        return None
    assert isinstance(built, CompiledExecutionContext)
    root_type = built.schema.query_type
    if root_type is None:
        return None
    try:
        fields = collect_fields(
            built.schema,
            built.fragments,
            built.variable_values,
            root_type,
            built.operation.selection_set,
        )
    except RecursionError:  # graphql-core's error for it
        return None
    if not fields:
        return None
    plans = built.compile_roots(context_value, root_type, fields)
    if len(plans) != len(fields):
        return None
    return DirectOperation(schema, context, guard, built, fields, plans)


async def respond_directly(view: HubGraphQL, request: Request, context: Context) -> Response | None:
    """The response to `request` when it is one JSON operation that `prepare_direct`
    takes (see the module docstring); None, with nothing run, otherwise."""
    schema: Any = view.schema
    if (
        request.method != "POST"
        or not getattr(schema, "lean", False)
        or not context.db.awaits_statements
    ):
        return None
    adapter = view.request_adapter_class(request)
    if view._get_stream_transport_from_headers(adapter.headers) is not None:
        return None
    data = json_operation(adapter.content_type, await adapter.get_body(), view.parse_json)
    if data is None or not data.query:
        return None
    begun = begin_lean(
        schema,
        data.query,
        data.variables,
        context,
        None,
        data.operation_name,
        _POST,
        data.extensions,
    )
    prepared = None if begun is None else prepare_direct(schema, *begun)
    if prepared is None:
        return None
    operation = ExecutedOperation(
        query=data.query, variables=data.variables, operation_name=data.operation_name
    )
    context.executed.append(operation)
    token = CURRENT_OPERATION.set(operation)
    try:
        result = await prepared.run()
    finally:
        CURRENT_OPERATION.reset(token)
    if result.errors:  # as `HubSchema.execute` classifies them
        result.errors = [classified(error) for error in result.errors]
    response_data = await view.process_result(request, result)
    if result.errors:
        view._handle_errors(result.errors, response_data)
    response: Response = view.create_response(response_data, await view.get_sub_response(request))
    return response
