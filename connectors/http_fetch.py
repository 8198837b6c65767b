"""Fetching one JSON page from an agency API with bounded, jittered retries.

What is retried: 429 (waiting `Retry-After` seconds when given), 500/502/503/504, timeouts,
dropped connections, and a 200 whose body is not the page the contract promises. After
`RetryPolicy.max_attempts` tries the last problem decides the error: a malformed page gives a
`ProtocolError` (the agency is up but broken), anything else `SourceUnavailableError`.
What is fatal at once: 400 (`ProtocolError`), 401/403 (`AuthenticationError` naming the
secret's variable), 404 (`ConfigurationError` naming the URL variable), any other status.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from connectors.byte_order import without_bom
from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    SourceUnavailableError,
)

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_BODY_LIMIT = 300

PageCheck = Callable[[dict[str, Any]], str | None]
"""Returns what is wrong with a decoded page, or None if it has the contract's shape."""

FastDecoding = Callable[[bytes], tuple[dict[str, Any], Any] | None]
"""A faster reading of a body: `(page, extra)`, where `page` is the object the general
decoding (orjson) would read (its items possibly typed) and `extra` anything the connector
wants beside it; or None to leave the body to the general decoding, which then decides it
(and alone names the problem of a malformed body). It must never accept a body the general
decoding refuses. The page check runs on its `page` as on the general one."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; `sleep` and `jitter` are test seams.

    The n-th wait is `min(max_delay, base_delay * 2**(n-1))` scaled by a factor in
    [0.5, 1.0) so that many clients do not retry in step; a `Retry-After` of the server
    replaces it (capped at `max_retry_after`).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay * (0.5 + self.jitter() / 2)

    def retry_after(self, response: httpx.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "")
        try:
            seconds = float(header)
        except ValueError:
            # An HTTP-date or garbage: fall back to our own schedule.
            return self.backoff(attempt)
        return min(max(seconds, 0.0), self.max_retry_after)


@dataclass(frozen=True, slots=True)
class ApiIdentity:
    """Names used in error messages: the source, its variables and what the secret is."""

    source: str
    url_variable: str
    secret_variable: str
    secret_noun: str


class _MalformedPageError(Exception):
    """A 200 answer whose body is not a contract page (retried, then a ProtocolError)."""


def _decode(
    response: httpx.Response, check: PageCheck, fast: FastDecoding | None
) -> tuple[dict[str, Any], Any]:
    content = without_bom(response.content)
    decoded = None if fast is None else fast(content)
    if decoded is not None:
        problem = check(decoded[0])
        if problem is not None:
            raise _MalformedPageError(problem)
        return decoded
    try:
        page = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise _MalformedPageError(f"the body is not valid JSON ({exc})") from None
    if not isinstance(page, dict):
        raise _MalformedPageError(f"the body is a JSON {type(page).__name__}, not an object")
    problem = check(page)
    if problem is not None:
        raise _MalformedPageError(problem)
    return page, None


def _fatal(identity: ApiIdentity, response: httpx.Response, bad_request_hint: str) -> Exception:
    status, source = response.status_code, identity.source
    body = response.text[:_BODY_LIMIT]
    if status in (401, 403):
        return AuthenticationError(
            source,
            f"the API refused the {identity.secret_noun} ({status}). "
            f"Check {identity.secret_variable}.",
            identity.secret_variable,
        )
    if status == 404:
        return ConfigurationError(
            source,
            f"{response.request.url} was not found (404). Check {identity.url_variable}.",
            identity.url_variable,
        )
    if status == 400:
        return ProtocolError(
            source,
            f"the API rejected the request {response.request.url} (400: {body}). "
            f"{bad_request_hint}".rstrip(),
        )
    return ProtocolError(source, f"unexpected HTTP {status} from {response.request.url}: {body}")


def fetch_page(
    client: httpx.Client,
    identity: ApiIdentity,
    policy: RetryPolicy,
    path: str,
    params: Mapping[str, str | int],
    check: PageCheck,
    bad_request_hint: str = "",
    fast: FastDecoding | None = None,
) -> tuple[dict[str, Any], Any]:
    """GET one page and return its decoded JSON object, retrying transient faults, with the
    `extra` of the `fast` decoding if that read it (None if the general decoding did)."""
    url = str(client.build_request("GET", path, params=params).url)
    problem = ""
    malformed = False
    for attempt in range(1, policy.max_attempts + 1):
        delay = policy.backoff(attempt)
        try:
            response = client.get(path, params=params)
        except httpx.TransportError as exc:  # timeouts, refused and dropped connections
            problem, malformed = f"{type(exc).__name__}: {exc}", False
        else:
            if response.status_code == 200:
                try:
                    return _decode(response, check, fast)
                except _MalformedPageError as exc:
                    problem, malformed = f"malformed page: {exc}", True
            elif response.status_code in TRANSIENT_STATUSES:
                problem, malformed = f"HTTP {response.status_code}", False
                if response.status_code == 429 or "Retry-After" in response.headers:
                    delay = policy.retry_after(response, attempt)
            else:
                raise _fatal(identity, response, bad_request_hint)
        if attempt < policy.max_attempts:
            policy.sleep(delay)
    attempts = policy.max_attempts
    if malformed:
        raise ProtocolError(identity.source, f"{url} gave a {problem} on all {attempts} attempts")
    raise SourceUnavailableError(
        identity.source,
        f"{url} failed on all {attempts} attempts; last problem: {problem}",
        url,
        attempts,
    )
