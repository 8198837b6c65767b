"""The GraphQL schema: the root Query assembled from the domain packages.

`SCHEMA` is built once at import; `schema.graphql` at the repository root is its SDL
(`uv run hub export-schema`), and a test fails when the two differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from hub.api.access.guard import guard_schema
from hub.api.access.queries import AccessQuery
from hub.api.activities.land_types import BusinessNode, LandLeaseNode, ParcelNode
from hub.api.activities.support_types import AppealNode, LoanNode, NotebookEntryNode
from hub.api.activities.work_types import EmploymentRecordNode, TaxRegistrationNode
from hub.api.context import Context
from hub.api.diagnostics.queries import DiagnosticsQuery
from hub.api.direct_execution import execute_direct_or_lean
from hub.api.error_reporting import classified, log_errors
from hub.api.global_ids import NodeQuery
from hub.api.identity.queries import IdentityQuery
from hub.api.limits.document_cache import DocumentCache
from hub.api.limits.guard import LimitsGuard
from hub.api.limits.settings import DEFAULT_LIMITS
from hub.api.operation_thread import run_in_worker
from hub.api.people.household_types import HouseholdNode
from hub.api.people.person_types import PersonNode
from hub.api.people.queries import PeopleQuery
from hub.api.provenance.delivery_types import DeliveryNode
from hub.api.provenance.quarantine_types import QuarantinedRecordNode
from hub.api.provenance.queries import ProvenanceQuery
from hub.api.provenance.record_types import PersonConflictNode, SourceRecordNode
from hub.api.scalars import SCALAR_MAP
from hub.api.territory.queries import TerritoryQuery
from hub.api.territory.types import AssistantNode, DistrictNode, MahallaNode, RegionNode

NODE_TYPES: tuple[type[relay.Node], ...] = (
    RegionNode,
    DistrictNode,
    MahallaNode,
    AssistantNode,
    PersonNode,
    HouseholdNode,
    TaxRegistrationNode,
    EmploymentRecordNode,
    LandLeaseNode,
    ParcelNode,
    BusinessNode,
    LoanNode,
    NotebookEntryNode,
    AppealNode,
    DeliveryNode,
    SourceRecordNode,
    PersonConflictNode,
    QuarantinedRecordNode,
)


@strawberry.type(description="The mahalla graph: territory, people, agency facts, provenance.")
class Query(
    PeopleQuery,
    TerritoryQuery,
    DiagnosticsQuery,
    ProvenanceQuery,
    IdentityQuery,
    AccessQuery,
    NodeQuery,
):
    pass


class HubSchema(strawberry.Schema):
    """The schema, logging errors our way (see `hub.api.error_reporting`), executing each
    operation on the server's loop when its database awaits statements (PostgreSQL), else
    in one worker thread (SQLite, see `hub.api.operation_thread`)."""

    # Its parsed and validated documents (`build_schema`; `create_app` sets its budget).
    document_cache: DocumentCache
    # Whether an operation may skip strawberry's extension machinery
    # (`hub.api.lean_execution`): no extension but the limits' guard, no custom directive.
    lean: bool = False

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        execute = super().execute
        arguments = (
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )

        async def operation() -> ExecutionResult:
            try:
                result = await execute_direct_or_lean(self, *arguments) if self.lean else None
                if result is None:
                    result = await execute(*arguments)
                # Classified once the errors are logged (`process_errors`, inside
                # strawberry's execute): here rather than in an extension's
                # `on_operation`, as each extension hook costs every request
                # strawberry's context-manager machinery.
                if result.errors:
                    result.errors = [classified(error) for error in result.errors]
                return result
            finally:
                # Returned to the pool from where it ran (the worker thread, if any).
                if isinstance(context_value, Context):
                    await context_value.db.close()

        if isinstance(context_value, Context) and context_value.db.awaits_statements:
            return await operation()  # statements are awaited: nothing blocks the loop
        return await run_in_worker(operation)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


# Parsing and validating a document costs more than executing most queries (a dashboard
# query: ~20 ms of validation against ~5 ms of execution); clients send the same few
# documents with different variables, so both are cached per document text, within a
# budget of bytes (`hub.api.limits.document_cache`).


def build_schema(*, compiled: bool = True, lean: bool = True, **extra: Any) -> HubSchema:
    """The schema; `compiled=False` answers every field the regular way (strawberry's
    resolvers over the DataLoaders), which the compiled path is tested against;
    `lean=False` executes every operation through strawberry's own execute (what
    `hub.api.lean_execution` is tested against)."""
    from hub.api.compiled.execution import CompiledExecutionContext

    documents = DocumentCache(DEFAULT_LIMITS.document_cache_bytes)
    schema = HubSchema(
        query=Query,
        types=list(NODE_TYPES),
        extensions=[lambda: LimitsGuard(documents)],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=CompiledExecutionContext if compiled else None,
        **extra,
    )
    schema.document_cache = documents
    schema.lean = lean and not schema.directives
    # Every restricted field checks the caller against the rule table (hub.api.access).
    guard_schema(schema._schema)
    return schema


SCHEMA = build_schema()


def schema_sdl() -> str:
    """The schema's SDL as `schema.graphql` holds it (ending with one newline)."""
    return SCHEMA.as_str().rstrip("\n") + "\n"
