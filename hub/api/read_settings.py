"""Settings of the API's reads from a replica, read from the environment once at start-up.

The replica itself is `HUB_DATABASE_READ_URL` (`hub.config`); these say when the API
trusts it (`hub.api.read_routing`):

| variable | default | meaning |
|---|---|---|
| `HUB_READ_MAX_LAG_SECONDS` | `10` | reads go to the primary while the replica is further behind |
| `HUB_READ_LAG_CHECK_SECONDS` | `1` | a measured lag is reused this long, then measured again |
| `HUB_READ_RETRY_SECONDS` | `2` | first wait before an unreachable replica is tried again |
| `HUB_READ_RETRY_MAX_SECONDS` | `60` | the wait doubles on each failed try, up to this |
| `HUB_READ_CONNECT_TIMEOUT_SECONDS` | `2` | connecting to the replica gives up after this |

Ten seconds of lag is about the most an analytical reader notices (the graph changes by
monthly loads), and far above the sub-second lag of a healthy streaming replica, so the
primary takes over only when the replica is really behind.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from hub.config import ConfigurationError


@dataclass(frozen=True, slots=True)
class ReadRoutingSettings:
    max_lag_seconds: float = 10.0
    lag_check_seconds: float = 1.0
    retry_seconds: float = 2.0
    retry_max_seconds: float = 60.0
    connect_timeout_seconds: int = 2


def load_read_settings(environ: Mapping[str, str] | None = None) -> ReadRoutingSettings:
    """Read the `HUB_READ_*` variables; raise ConfigurationError naming a bad one."""
    env = os.environ if environ is None else environ
    defaults = ReadRoutingSettings()
    retry = _seconds(env, "HUB_READ_RETRY_SECONDS", defaults.retry_seconds)
    retry_max = _seconds(env, "HUB_READ_RETRY_MAX_SECONDS", defaults.retry_max_seconds)
    if retry_max < retry:
        raise ConfigurationError(
            f"HUB_READ_RETRY_MAX_SECONDS has value {retry_max:g}. Must not be less than "
            f"HUB_READ_RETRY_SECONDS ({retry:g})."
        )
    timeout = _seconds(env, "HUB_READ_CONNECT_TIMEOUT_SECONDS", defaults.connect_timeout_seconds)
    if timeout != int(timeout):
        # libpq's connect_timeout counts whole seconds.
        raise ConfigurationError(
            f"HUB_READ_CONNECT_TIMEOUT_SECONDS has value {timeout:g}. Whole seconds only."
        )
    return ReadRoutingSettings(
        max_lag_seconds=_seconds(env, "HUB_READ_MAX_LAG_SECONDS", defaults.max_lag_seconds),
        lag_check_seconds=_seconds(env, "HUB_READ_LAG_CHECK_SECONDS", defaults.lag_check_seconds),
        retry_seconds=retry,
        retry_max_seconds=retry_max,
        connect_timeout_seconds=int(timeout),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive, finite number of seconds from `env[name]` (`default` when unset)."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} has value {raw!r}. Not a number of seconds.") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} has value {raw!r}. Must be a positive number of seconds.")
    return value
