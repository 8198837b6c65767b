"""Bounds on what one delivery may cost: field and line sizes, page sizes, waits and walks.

Every bound is an environment variable, read and validated once when a connector is built
(a bad value stops the run with a `ConfigurationError` naming the variable); the defaults
are far above anything the contract's deliveries need and far below what hurts a machine.

| variable | bounds | default |
|---|---|---|
| `HUB_MAX_FIELD_BYTES` | one XML attribute value, checked while streaming | 65536 |
| `HUB_MAX_LINE_BYTES` | one line of a JSON Lines or CSV file | 4194304 (4 MiB) |
| `HUB_QUARANTINE_RAW_CHARS` | the raw text kept per quarantined record | 4000 |
| `HUB_API_MAX_PAGE_BYTES` | one API page, after decompression | 67108864 (64 MiB) |
| `HUB_API_REQUEST_SECONDS` | one request, from sending to the last body byte | 60 |
| `HUB_API_WALK_SECONDS` | one walk through an API's pages | 21600 (6 h) |
| `HUB_API_MAX_PAGES` | the pages of one walk | 200000 |
| `HUB_API_RETRY_WAIT_SECONDS` | the total waiting between retries in one run | 900 |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.errors import ConfigurationError

FIELD_BYTES_VARIABLE = "HUB_MAX_FIELD_BYTES"
LINE_BYTES_VARIABLE = "HUB_MAX_LINE_BYTES"
RAW_CHARS_VARIABLE = "HUB_QUARANTINE_RAW_CHARS"
PAGE_BYTES_VARIABLE = "HUB_API_MAX_PAGE_BYTES"
REQUEST_SECONDS_VARIABLE = "HUB_API_REQUEST_SECONDS"
WALK_SECONDS_VARIABLE = "HUB_API_WALK_SECONDS"
MAX_PAGES_VARIABLE = "HUB_API_MAX_PAGES"
RETRY_WAIT_VARIABLE = "HUB_API_RETRY_WAIT_SECONDS"

# The marker that replaces a capped text needs room: a smaller cap would keep nothing.
_MIN_RAW_CHARS = 200


@dataclass(frozen=True, slots=True)
class FileLimits:
    """Bounds of the file connectors (bytes as delivered, characters as kept)."""

    max_field_bytes: int = 1 << 16
    max_line_bytes: int = 1 << 22
    raw_chars: int = 4000


@dataclass(frozen=True, slots=True)
class ApiLimits:
    """Bounds of the HTTP connectors: per page, per request, per walk and per run."""

    max_page_bytes: int = 1 << 26
    request_seconds: float = 60.0
    walk_seconds: float = 6 * 3600.0
    max_pages: int = 200_000
    retry_wait_seconds: float = 900.0
    raw_chars: int = 4000


_FILE_DEFAULTS = FileLimits()
_API_DEFAULTS = ApiLimits()


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _number(env: Mapping[str, str], variable: str, default: float, minimum: float) -> float:
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(
            "hub", f"{variable} has value {raw!r}. Not a number.", variable
        ) from None
    if not value >= minimum or value == float("inf"):
        raise ConfigurationError(
            "hub", f"{variable} has value {raw!r}. Must be a finite number >= {minimum}.", variable
        )
    return value


def _count(env: Mapping[str, str], variable: str, default: int, minimum: int = 1) -> int:
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdecimal():
        raise ConfigurationError(
            "hub", f"{variable} has value {raw!r}. Not a whole number.", variable
        )
    value = int(raw)
    if value < minimum:
        raise ConfigurationError(
            "hub", f"{variable} has value {raw!r}. Must be at least {minimum}.", variable
        )
    return value


def raw_chars_from_env(environ: Mapping[str, str] | None = None) -> int:
    """`HUB_QUARANTINE_RAW_CHARS`: the characters of raw text kept per quarantined record."""
    return _count(_env(environ), RAW_CHARS_VARIABLE, _FILE_DEFAULTS.raw_chars, _MIN_RAW_CHARS)


def file_limits_from_env(environ: Mapping[str, str] | None = None) -> FileLimits:
    env = _env(environ)
    return FileLimits(
        max_field_bytes=_count(env, FIELD_BYTES_VARIABLE, _FILE_DEFAULTS.max_field_bytes),
        max_line_bytes=_count(env, LINE_BYTES_VARIABLE, _FILE_DEFAULTS.max_line_bytes),
        raw_chars=raw_chars_from_env(env),
    )


def api_limits_from_env(environ: Mapping[str, str] | None = None) -> ApiLimits:
    env = _env(environ)
    return ApiLimits(
        max_page_bytes=_count(env, PAGE_BYTES_VARIABLE, _API_DEFAULTS.max_page_bytes),
        request_seconds=_number(
            env, REQUEST_SECONDS_VARIABLE, _API_DEFAULTS.request_seconds, 0.001
        ),
        walk_seconds=_number(env, WALK_SECONDS_VARIABLE, _API_DEFAULTS.walk_seconds, 0.001),
        max_pages=_count(env, MAX_PAGES_VARIABLE, _API_DEFAULTS.max_pages),
        retry_wait_seconds=_number(env, RETRY_WAIT_VARIABLE, _API_DEFAULTS.retry_wait_seconds, 0.0),
        raw_chars=raw_chars_from_env(env),
    )
