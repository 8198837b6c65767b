"""The limits' one schema extension and the application's limiter.

`Limiter` is the application's (one per `create_app`): its settings, its token buckets
(`hub.api.limits.buckets`) and its admission budget (`hub.api.limits.admission`). The view
hands each request a `RequestLimits` in its context. The schema's `LimitsGuard`
extension applies the document's limits while parsing and validating
(`hub.api.limits.document`), then computes the operation's cost from the validated
document and variables (`hub.api.limits.cost`), refuses it above the role's ceiling,
holds it against the process's budget while the operation executes, takes it from the
key's bucket, and reports it in `extensions.cost` of every response: `requested` and
`ceiling`, `actual` when what the response returned costs less (`hub.api.limits.actual`:
a page not full, a null object), and when the bucket was asked, `remaining` (cost left to
the key this minute).

On SQLite an operation runs on a worker thread's own event loop
(`hub.api.operation_thread`); the buckets (a Redis client) and the budget (an asyncio
condition) belong to the server's loop, so `RequestLimits` hands its calls there.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from dataclasses import replace
from enum import Enum
from typing import Any, TypeVar

from strawberry.extensions import SchemaExtension

from hub.api.limits.actual import actual_cost
from hub.api.limits.admission import AdmissionBudget
from hub.api.limits.buckets import Buckets, FailoverBuckets, MemoryBuckets, RedisBuckets, Take
from hub.api.limits.cost import operation_costs
from hub.api.limits.document import add_limit_rules, parse_through, validate_through
from hub.api.limits.document_cache import CachedDocument, DocumentCache
from hub.api.limits.errors import CostLimitExceededError, RateLimitedError
from hub.api.limits.leases import LeasedBuckets
from hub.api.limits.settings import DEFAULT_LIMITS, LimitSettings, RoleLimits
from hub.api.principal import Principal

T = TypeVar("T")


def buckets_for(settings: LimitSettings) -> Buckets:
    if settings.redis_url is None:
        return MemoryBuckets()
    return FailoverBuckets(LeasedBuckets(RedisBuckets(settings.redis_url, settings.redis_prefix)))


class Limiter:
    """The application's limits (see the module docstring)."""

    def __init__(self, settings: LimitSettings, buckets: Buckets | None = None) -> None:
        self.settings = settings
        self.buckets = buckets if buckets is not None else buckets_for(settings)
        self.admission = AdmissionBudget(
            settings.process_cost_budget, settings.admission_wait_ms / 1000
        )

    def for_request(self, principal: Principal) -> RequestLimits:
        """The request's limits; call it on the server's loop (the view does)."""
        return RequestLimits(self, principal, asyncio.get_running_loop())

    async def admit(self, principal: Principal, cost: int) -> Take | None:
        """Hold `cost` against the budget, then take it (at least 1: free queries are
        requests too) from the key's bucket; ServerBusyError or RateLimitedError otherwise.

        The budget first: a request the server is too busy for is not charged to its key."""
        await self.admission.admit(cost)
        try:
            return await self._take(principal, cost)
        except BaseException:
            await self.admission.release(cost)
            raise

    def admit_now(self, principal: Principal, cost: int) -> Take | Pending | None:
        """`admit` without awaiting, when it needs no wait: the budget has room and the
        bucket answers at once (in memory, or a Redis lease held here: coroutines and
        round trips cost a request more than the checks); PENDING otherwise. Call it on the
        server's loop."""
        if not self.admission.try_admit(cost):
            return PENDING
        try:
            role = self.settings.for_role(principal.role)
            if role.cost_per_minute == 0:
                return None
            key = principal.key_id or principal.name
            taken = self.buckets.take_now(key, max(1, cost), role.cost_per_minute)
            if taken is None:
                self.admission.release_now(cost)
                return PENDING
            return _allowed(taken, role, cost)
        except BaseException:
            self.admission.release_now(cost)
            raise

    async def _take(self, principal: Principal, cost: int) -> Take | None:
        role = self.settings.for_role(principal.role)
        if role.cost_per_minute == 0:
            return None
        key = principal.key_id or principal.name
        taken = await self.buckets.take(key, max(1, cost), role.cost_per_minute)
        return _allowed(taken, role, cost)

    async def close(self) -> None:
        close = getattr(self.buckets, "close", None)
        if close is not None:
            await close()


def _allowed(taken: Take, role: RoleLimits, cost: int) -> Take:
    if not taken.allowed:
        raise RateLimitedError(
            f"This key has spent its cost of {role.cost_per_minute} per minute; this "
            f"query costs {cost}. Retry after the number of seconds in retryAfter.",
            retry_after=taken.retry_after_s,
        )
    return taken


class Pending(Enum):
    """`admit_now` could not decide without awaiting."""

    PENDING = "pending"


PENDING = Pending.PENDING


class RequestLimits:
    """One request's view of the `Limiter`, usable from any thread's loop."""

    def __init__(
        self, limiter: Limiter, principal: Principal, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.limiter = limiter
        self.principal = principal
        self._loop = loop

    @property
    def settings(self) -> LimitSettings:
        return self.limiter.settings

    async def _on_server_loop(self, call: Coroutine[Any, Any, T]) -> T:
        if asyncio.get_running_loop() is self._loop:
            return await call
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call, self._loop))

    def admit_now(self, cost: int) -> Take | Pending | None:
        if asyncio.get_running_loop() is not self._loop:
            return PENDING
        return self.limiter.admit_now(self.principal, cost)

    async def admit(self, cost: int) -> Take | None:
        return await self._on_server_loop(self.limiter.admit(self.principal, cost))

    async def release(self, cost: int) -> None:
        if asyncio.get_running_loop() is self._loop:
            self.limiter.admission.release_now(cost)
        else:
            await self._on_server_loop(self.limiter.admission.release(cost))


def _context_parts(context: Any) -> tuple[Principal | None, RequestLimits | None]:
    principal = getattr(context, "principal", None)
    limits = getattr(context, "limits", None)
    return (
        principal if isinstance(principal, Principal) else None,
        limits if isinstance(limits, RequestLimits) else None,
    )


class LimitsGuard(SchemaExtension):
    """The limits' one schema extension (one, as each extension costs every request
    strawberry's hook machinery): the document's limits and cache while parsing and
    validating (`hub.api.limits.document`); cost, rate limit and admission before
    executing; `extensions.cost` after."""

    def __init__(self, documents: DocumentCache) -> None:
        self._documents = documents
        self._entry: CachedDocument | None = None
        self._settings = DEFAULT_LIMITS
        self._report: dict[str, int] | None = None
        # Each root field's requested cost (for the actual cost, `hub.api.limits.actual`).
        self._roots: dict[str, int] | None = None

    def on_parse(self) -> Any:
        # (What belongs to the whole operation is set up here too: one hook fewer.)
        principal, limits = _context_parts(self.execution_context.context)
        if limits is not None:
            self._settings = limits.settings
        if principal is not None:
            self._report = {"requested": 0}
            if limits is not None:
                self._report["ceiling"] = self._settings.for_role(principal.role).cost_ceiling
        add_limit_rules(self.execution_context, self._settings)
        self._entry = parse_through(self._documents, self.execution_context, self._settings)
        yield
        # The document's validation errors, from the cache, as soon as it is parsed (the
        # rules are set above): strawberry's validation step then finds them set and
        # validates nothing, and no `on_validate` hook costs each request its machinery.
        validate_through(self._entry, self.execution_context)

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        principal, limits = _context_parts(context.context)
        report = self._report
        if principal is None or report is None or context.graphql_document is None:
            yield
            return
        # An operation executed in-process (a job, a test) is the hub's own code: its cost
        # is reported, not refused; requests through the view always carry their limits.
        settings = self._settings
        role = settings.for_role(principal.role)
        if limits is None:
            role = replace(role, cost_ceiling=sys.maxsize, introspection=True)
        try:
            cost, self._roots = operation_costs(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
                settings,
                role,
            )
        except CostLimitExceededError as error:
            report["requested"] = error.extensions["cost"]["requested"]
            raise
        report["requested"] = cost
        if limits is None:
            yield
            return
        taken = limits.admit_now(cost)
        if taken is PENDING:
            taken = await limits.admit(cost)
        if isinstance(taken, Take):
            report["remaining"] = taken.remaining
        try:
            yield
        finally:
            await limits.release(cost)

    def get_results(self) -> dict[str, Any]:
        report = self._report
        if report is None:
            return {}
        context = self.execution_context
        result = context.result
        if self._roots is not None and result is not None and context.graphql_document:
            actual = actual_cost(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                result.data,
                self._roots,
            )
            if actual is not None and actual < report["requested"]:
                report["actual"] = actual
        return {"cost": report}
