"""The per-request context every resolver receives as `info.context`.

Built once per HTTP request by the view (`hub.api.view`): who is calling, the request's
database connection and a fresh set of DataLoaders (their caches must not outlive the request,
or one caller would see another's reads and stale data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request

from hub.api.loaders import Loaders
from hub.api.principal import Principal
from hub.api.request_database import RequestDatabase


@dataclass(frozen=True, slots=True)
class ExecutedOperation:
    """One GraphQL operation the request ran, as the client sent it (for the audit log)."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


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


Info: TypeAlias = strawberry.Info[Context, None]
