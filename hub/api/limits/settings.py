"""The limits' settings, read from the environment once at start-up (table: `hub.api.settings`).

Defaults are sized on the benchmark's documents (`benchmarks/bench_api_queries.py`): a
person with every relation costs about 190, a page of 100 persons 201, a district's 100
mahallas with statistics about 1,500, a mahalla dashboard about 40 (`hub.api.limits.cost`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.api.principal import Role
from hub.api.settings import env_count
from hub.config import ConfigurationError


@dataclass(frozen=True, slots=True)
class RoleLimits:
    """What one request (`cost_ceiling`) and one key per minute (`cost_per_minute`, 0: no
    rate limit) may cost, and whether introspection is open to the role."""

    cost_ceiling: int
    cost_per_minute: int
    introspection: bool


def default_roles() -> dict[Role, RoleLimits]:
    return {
        Role.PUBLIC: RoleLimits(cost_ceiling=2_000, cost_per_minute=60_000, introspection=False),
        Role.AGENCY: RoleLimits(cost_ceiling=5_000, cost_per_minute=300_000, introspection=True),
        Role.ENGINEER: RoleLimits(cost_ceiling=10_000, cost_per_minute=600_000, introspection=True),
    }


@dataclass(frozen=True, slots=True)
class LimitSettings:
    max_request_bytes: int = 262_144
    max_document_bytes: int = 65_536
    max_tokens: int = 2_000
    max_depth: int = 12
    max_aliases: int = 30
    max_fields: int = 2_000
    max_list_length: int = 100
    max_string_length: int = 1_000
    max_input_depth: int = 8
    max_response_bytes: int = 8_388_608
    document_cache_bytes: int = 16_777_216
    statement_timeout_ms: int = 5_000
    process_cost_budget: int = 50_000
    admission_wait_ms: int = 1_000
    roles: Mapping[Role, RoleLimits] = field(default_factory=default_roles)
    redis_url: str | None = None
    redis_prefix: str = "hub:rate:"

    def for_role(self, role: Role) -> RoleLimits:
        return self.roles[role]

    @property
    def document_key(self) -> tuple[int, ...]:
        """The settings a parsed and validated document depends on (its cache key part)."""
        return (self.max_document_bytes, self.max_tokens, self.max_depth, self.max_aliases)


DEFAULT_LIMITS = LimitSettings()

_COUNTS = (
    "max_request_bytes",
    "max_document_bytes",
    "max_tokens",
    "max_depth",
    "max_aliases",
    "max_fields",
    "max_list_length",
    "max_string_length",
    "max_input_depth",
    "max_response_bytes",
    "document_cache_bytes",
    "statement_timeout_ms",
    "process_cost_budget",
    "admission_wait_ms",
)


def load_limit_settings(environ: Mapping[str, str] | None = None) -> LimitSettings:
    """Read the limits' variables; raise ConfigurationError naming a bad one."""
    env = os.environ if environ is None else environ
    counts = {
        name: env_count(env, f"HUB_API_{name.upper()}", default=getattr(DEFAULT_LIMITS, name))
        for name in _COUNTS
    }
    return LimitSettings(
        **counts,
        roles=_roles(env),
        redis_url=env.get("HUB_REDIS_URL", "").strip() or None,
        redis_prefix=env.get("HUB_API_REDIS_PREFIX", "").strip() or DEFAULT_LIMITS.redis_prefix,
    )


def _roles(env: Mapping[str, str]) -> dict[Role, RoleLimits]:
    raw = env.get("HUB_API_INTROSPECTION")
    if raw is None:
        open_to = {role for role, limits in default_roles().items() if limits.introspection}
    else:
        names = {name.strip().lower() for name in raw.split(",") if name.strip()}
        unknown = names - {role.value for role in Role}
        if unknown:
            raise ConfigurationError(
                f"HUB_API_INTROSPECTION has value {raw!r}. Not roles: {', '.join(sorted(unknown))}."
            )
        open_to = {Role(name) for name in names}
    roles: dict[Role, RoleLimits] = {}
    for role, default in default_roles().items():
        suffix = role.value.upper()
        ceiling = env_count(env, f"HUB_API_COST_CEILING_{suffix}", default=default.cost_ceiling)
        per_minute = env_count(
            env, f"HUB_API_COST_PER_MINUTE_{suffix}", default=default.cost_per_minute
        )
        if 0 < per_minute < ceiling:
            raise ConfigurationError(
                f"HUB_API_COST_PER_MINUTE_{suffix} has value {per_minute}. Must be 0 (no rate "
                f"limit) or at least the role's cost ceiling ({ceiling}): a request costing "
                "the ceiling could never be admitted."
            )
        roles[role] = RoleLimits(ceiling, per_minute, role in open_to)
    return roles
