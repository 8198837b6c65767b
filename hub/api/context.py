"""The per-request context every resolver receives as `info.context`.

Built once per HTTP request by the view (`hub.api.view`): who is calling, the request's
database connection and a fresh set of DataLoaders (their caches must not outlive the request,
or one caller would see another's reads and stale data).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from starlette.requests import Request

from hub.api.access.suppression import DEFAULT_THRESHOLD
from hub.api.loaders import Loaders
from hub.api.principal import Principal
from hub.api.request_database import RequestDatabase

if TYPE_CHECKING:
    from hub.api.limits.guard import RequestLimits


@dataclass(frozen=True, slots=True)
class ExecutedOperation:
    """One GraphQL operation the request ran, as the client sent it (for the audit log).

    `persons` is filled as it runs: response key of a root field answered by a compiled
    statement -> the hub ids of the persons that statement returned, when it can tell
    them (`hub.api.compiled.audited`); the audit log then need not read that field's JSON.
    """

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    persons: dict[str, tuple[str, ...]] = field(default_factory=dict)


# The operation being executed (set by the view for each operation of a request, batched
# ones each in their own task), for the compiled statements to report their persons to.
CURRENT_OPERATION: ContextVar[ExecutedOperation | None] = ContextVar(
    "hub_current_operation", default=None
)


@dataclass
class Context:
    principal: Principal
    db: RequestDatabase
    loaders: Loaders
    request: Request | None = None
    # Set by the view, which encodes the response with orjson: a root field answered by
    # a compiled statement is then its JSON text as it came (`hub.api.compiled`).
    raw_json: bool = False
    # Filled by the view as operations run; the audit log reads them after the response.
    executed: list[ExecutedOperation] = field(default_factory=list)
    # The request's limits (`hub.api.limits`); None for an operation executed in-process,
    # which is held to the default document limits and ceilings but no rate limit.
    limits: RequestLimits | None = None
    # Counts the public sees below this are suppressed (`hub.api.access.suppression`).
    suppression_threshold: int = DEFAULT_THRESHOLD
    # Whether anything reads `executed` for the audit log: the view sets False when it has
    # no audit recorder, and compiled statements then gather no hub ids for it.
    audited: bool = True


Info: TypeAlias = strawberry.Info[Context, None]
