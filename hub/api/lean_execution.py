"""An operation executed without strawberry's per-request extension machinery, when its
document is already parsed and validated without errors.

strawberry's `Schema.execute` wraps each stage of every operation (the operation, parsing,
validation, execution) in its extensions runner: a context manager per stage that looks
up each extension's hooks, and a middleware manager. The hub's schema has one extension,
the limits' `LimitsGuard` (`hub.api.limits.guard`), and no resolver middleware; for a
cached, valid document those stages cost a compiled request (`hub.api.compiled`) more
than its compiling. `begin_lean` and `run_lean` run the same steps with the guard's own
hooks called directly:

1. the guard's `on_parse` (the document from the cache, its validation errors): when it
   refuses the document, the document has errors, it names no operation to run, or the
   operation is not an allowed query, `begin_lean` returns None before anything happened
   and strawberry's own execute answers the request (its errors, as always);
2. the guard's `on_execute` (cost, its ceiling, admission, the key's bucket), whose error
   is the operation's error as strawberry reports it;
3. graphql-core's `execute` with the schema's execution context class (the compiled root
   fields, the regular fallback with its errors);
4. the errors logged (`Schema.process_errors`) and the guard's `extensions.cost`.

The response is the one strawberry's execute returns (a test compares both on the
benchmark's documents and on errors); `HubSchema.execute` uses it when the schema has no
extension but the guard and no custom directive (`HubSchema.lean`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from hub.api.limits.guard import LimitsGuard

if TYPE_CHECKING:
    from hub.api.schema import HubSchema


async def run_lean(
    schema: HubSchema, context: ExecutionContext, guard: LimitsGuard
) -> ExecutionResult:
    """Steps 2 to 4 for an operation `begin_lean` accepted."""
    return await run_guarded(schema, context, guard, lambda: _execute(schema, context))


def begin_lean(
    schema: HubSchema,
    query: str | None,
    variable_values: dict[str, Any] | None,
    context_value: Any,
    root_value: Any,
    operation_name: str | None,
    allowed_operation_types: Iterable[OperationType] | None,
    operation_extensions: dict[str, Any] | None,
) -> tuple[ExecutionContext, LimitsGuard] | None:
    """Step 1: strawberry's execution context and the guard, once the guard's `on_parse`
    found the document cached, valid and an allowed query; None (nothing happened but
    the parse, from the cache) when strawberry's execute must answer it."""
    if not query:
        return None
    context = schema._create_execution_context(
        query=query,
        allowed_operation_types=allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES,
        variable_values=variable_values,
        context_value=context_value,
        root_value=root_value,
        operation_name=operation_name,
        operation_extensions=operation_extensions,
    )
    guard = LimitsGuard(schema.document_cache)
    guard.execution_context = context
    parsing = guard.on_parse()
    try:
        next(parsing)
        next(parsing, None)
    except Exception:  # noqa: BLE001 - strawberry's execute reports it
        return None
    document = context.graphql_document
    if document is None or context.pre_execution_errors:
        return None
    try:
        operation_type = context.operation_type
    except RuntimeError:
        return None
    allowed = context.allowed_operations
    if operation_type is not OperationType.QUERY or operation_type not in allowed:
        return None
    return context, guard


async def run_guarded(
    schema: HubSchema,
    context: ExecutionContext,
    guard: LimitsGuard,
    execute_operation: Callable[[], Awaitable[GraphQLExecutionResult]],
) -> ExecutionResult:
    """Steps 2 to 4 around `execute_operation` (graphql-core's execution of the
    operation, or `hub.api.direct_execution`'s of its compiled root fields)."""
    executing = guard.on_execute()
    try:
        await executing.__anext__()
    except Exception as exc:  # noqa: BLE001 - the operation's error, as strawberry's
        return _failed(schema, context, guard, exc)
    try:
        result = await execute_operation()
    except Exception as exc:  # noqa: BLE001
        await _finish(executing)
        return _failed(schema, context, guard, exc)
    await _finish(executing)
    context.result = result
    if result.errors:
        context.pre_execution_errors = result.errors
        schema.process_errors(result.errors, context)
    return ExecutionResult(data=result.data, errors=result.errors, extensions=guard.get_results())


async def _execute(schema: HubSchema, context: ExecutionContext) -> GraphQLExecutionResult:
    """Step 3: graphql-core's `execute`."""
    assert context.graphql_document is not None
    outcome = execute(
        schema._schema,
        context.graphql_document,
        root_value=context.root_value,
        context_value=context.context,
        variable_values=context.variables,
        # strawberry's: the first operation's name when none was given.
        operation_name=context.operation_name,
        execution_context_class=schema.execution_context_class,
        is_awaitable=optimized_is_awaitable,
    )
    return cast(
        "GraphQLExecutionResult",
        await outcome if optimized_is_awaitable(outcome) else outcome,  # type: ignore[misc]
    )


async def _finish(executing: Any) -> None:
    """The guard's `on_execute` after the yield (the admission released)."""
    try:
        await executing.__anext__()
    except StopAsyncIteration:
        return


def _failed(
    schema: HubSchema, context: ExecutionContext, guard: LimitsGuard, exc: Exception
) -> ExecutionResult:
    error = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
    context.pre_execution_errors = [error]
    schema.process_errors([error], context)
    return ExecutionResult(data=None, errors=[error], extensions=guard.get_results())
