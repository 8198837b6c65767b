"""Settings of the API server, read from the environment once at start-up.

| variable | default | meaning |
|---|---|---|
| `HUB_API_GRAPHIQL` | `false` | serve the GraphiQL IDE on `GET /graphql` |
| `HUB_API_POOL_SIZE` | `10` | database connections kept per server process |
| `HUB_API_MAX_OVERFLOW` | `10` | extra connections a process may open under load |
| `HUB_API_TUNE_GC` | `true` | freeze the start-up heap out of GC scans (app.py) |
| `HUB_API_SUPPRESSION_THRESHOLD` | `10` | counts the public sees below this are null (SUPPRESSED) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from hub.config import ConfigurationError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class ApiSettings:
    graphiql: bool = False
    pool_size: int = 10
    max_overflow: int = 10
    tune_gc: bool = True
    suppression_threshold: int = 10


def load_api_settings(environ: Mapping[str, str] | None = None) -> ApiSettings:
    """Read the `HUB_API_*` variables; raise ConfigurationError naming a bad one."""
    env = os.environ if environ is None else environ
    return ApiSettings(
        graphiql=_flag(env, "HUB_API_GRAPHIQL", default=False),
        pool_size=_count(env, "HUB_API_POOL_SIZE", default=10),
        max_overflow=_count(env, "HUB_API_MAX_OVERFLOW", default=10),
        tune_gc=_flag(env, "HUB_API_TUNE_GC", default=True),
        suppression_threshold=_count(env, "HUB_API_SUPPRESSION_THRESHOLD", default=10),
    )


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} has value {raw!r}. Not a valid bool.")


def _count(env: Mapping[str, str], name: str, *, default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} has value {raw!r}. Not an integer.") from None
    if value < 0:
        raise ConfigurationError(f"{name} has value {raw!r}. Must not be negative.")
    return value
