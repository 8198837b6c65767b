"""Fetching one JSON page from an agency API with bounded, jittered retries.

What is retried: 429 (waiting `Retry-After` seconds when given), 500/502/503/504, timeouts,
a request past its deadline, dropped connections, and a 200 whose body is not the page the
contract promises. After `RetryPolicy.max_attempts` tries the last problem decides the
error: a malformed page gives a `ProtocolError` (the agency is up but broken), anything else
`SourceUnavailableError`.
What is fatal at once: 400 (`ProtocolError`), 401/403 (`AuthenticationError` naming the
secret's variable), 404 (`ConfigurationError` naming the URL variable), any other status,
and a body larger than a page may be (`ProtocolError`).
Waiting is bounded per run (`WaitBudget`): a wait the budget cannot pay, such as a
`Retry-After` of a day, ends the run at once with `RateLimitedError`, which says when to
try again, instead of sleeping through it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from connectors.byte_order import without_bom
from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    RateLimitedError,
    SourceUnavailableError,
)
from connectors.http_body import Answer, BodyTooLargeError, RequestDeadlineError, bounded_get
from connectors.limits import (
    PAGE_BYTES_VARIABLE,
    REQUEST_SECONDS_VARIABLE,
    RETRY_WAIT_VARIABLE,
    ApiLimits,
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

Decoded = tuple[dict[str, Any], Any]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; `sleep` and `jitter` are test seams.

    The n-th wait is `min(max_delay, base_delay * 2**(n-1))` scaled by a factor in
    [0.5, 1.0) so that many clients do not retry in step; a `Retry-After` of the server
    replaces it. A server's wait longer than `max_retry_after` is not slept through: the
    fetch stops with `RateLimitedError` (retrying before the server allows is pointless).
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

    def retry_after(self, headers: httpx.Headers, attempt: int) -> float:
        """The server's `Retry-After` in seconds (not capped), or our own backoff."""
        try:
            seconds = float(headers.get("Retry-After", ""))
        except ValueError:
            # An HTTP-date or garbage: fall back to our own schedule.
            return self.backoff(attempt)
        if seconds != seconds:  # NaN
            return self.backoff(attempt)
        return max(seconds, 0.0)


class WaitBudget:
    """The seconds one run may still spend waiting between retries (its fetches share it)."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left = max(self.left - seconds, 0.0)


@dataclass(frozen=True, slots=True)
class RequestBounds:
    """What one request may cost: `seconds` from sending to the last byte, `max_bytes` of
    decompressed body; waits between tries are paid from the run's `budget`."""

    seconds: float
    max_bytes: int
    budget: WaitBudget

    @classmethod
    def of(cls, limits: ApiLimits) -> RequestBounds:
        budget = WaitBudget(limits.retry_wait_seconds)
        return cls(limits.request_seconds, limits.max_page_bytes, budget)

    def within(self, seconds: float) -> RequestBounds:
        """The same bounds with at most `seconds` for the request (a walk's time left)."""
        return RequestBounds(min(self.seconds, seconds), self.max_bytes, self.budget)


@dataclass(frozen=True, slots=True)
class ApiIdentity:
    """Names used in error messages: the source, its variables and what the secret is."""

    source: str
    url_variable: str
    secret_variable: str
    secret_noun: str


class _MalformedPageError(Exception):
    """A 200 answer whose body is not a contract page (retried, then a ProtocolError)."""


def _decode(content: bytes, check: PageCheck, fast: FastDecoding | None) -> Decoded:
    content = without_bom(content)
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


def _fatal(identity: ApiIdentity, answer: Answer, bad_request_hint: str) -> Exception:
    status, source, url = answer.status_code, identity.source, answer.url
    body = answer.text[:_BODY_LIMIT]
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
            f"{url} was not found (404). Check {identity.url_variable}.",
            identity.url_variable,
        )
    if status == 400:
        return ProtocolError(
            source,
            f"the API rejected the request {url} (400: {body}). {bad_request_hint}".rstrip(),
        )
    return ProtocolError(source, f"unexpected HTTP {status} from {url}: {body}")


def _pay_wait(
    identity: ApiIdentity, policy: RetryPolicy, budget: WaitBudget, delay: float, url: str
) -> None:
    """Sleep `delay` out of the run's budget, or stop the run saying when to try again."""
    if delay > min(budget.left, policy.max_retry_after):
        retry_at = (datetime.now(UTC) + timedelta(seconds=delay)).replace(microsecond=0)
        raise RateLimitedError(
            identity.source,
            f"the next try of {url} would wait {delay:,.0f} s; a run may wait "
            f"{budget.total:,.0f} s in all ({RETRY_WAIT_VARIABLE}), at most "
            f"{policy.max_retry_after:,.0f} s at once, and this one has {budget.left:,.0f} s "
            f"left. Try again after {retry_at.isoformat()}.",
            retry_at,
        )
    budget.spend(delay)
    policy.sleep(delay)


@dataclass(frozen=True, slots=True)
class _Try:
    """One attempt's outcome: the decoded page, or the problem (and the server's wait)."""

    page: Decoded | None
    problem: str = ""
    malformed: bool = False
    retry_after: float | None = None


def _attempt(
    client: httpx.Client,
    identity: ApiIdentity,
    path: str,
    params: Mapping[str, str | int],
    bounds: RequestBounds,
    decode: Callable[[bytes], Decoded],
    hint: str,
    policy: RetryPolicy,
    attempt: int,
) -> _Try:
    try:
        answer = bounded_get(
            client, path, params, seconds=bounds.seconds, max_bytes=bounds.max_bytes
        )
    except httpx.TransportError as exc:  # timeouts, refused and dropped connections
        return _Try(None, f"{type(exc).__name__}: {exc}")
    except RequestDeadlineError as exc:
        return _Try(None, f"{exc} ({REQUEST_SECONDS_VARIABLE})")
    except BodyTooLargeError as exc:
        url = client.build_request("GET", path, params=params).url
        raise ProtocolError(
            identity.source,
            f"{url}: {exc}, more than the {bounds.max_bytes:,} bytes a page may have "
            f"({PAGE_BYTES_VARIABLE}); the page is refused",
        ) from None
    status = answer.status_code
    if status == 200:
        try:
            return _Try(decode(answer.body))
        except _MalformedPageError as exc:
            return _Try(None, f"malformed page: {exc}", malformed=True)
    if status not in TRANSIENT_STATUSES:
        raise _fatal(identity, answer, hint)
    if status == 429 or "Retry-After" in answer.headers:
        return _Try(None, f"HTTP {status}", retry_after=policy.retry_after(answer.headers, attempt))
    return _Try(None, f"HTTP {status}")


def fetch_page(
    client: httpx.Client,
    identity: ApiIdentity,
    policy: RetryPolicy,
    path: str,
    params: Mapping[str, str | int],
    check: PageCheck,
    bad_request_hint: str = "",
    fast: FastDecoding | None = None,
    bounds: RequestBounds | None = None,
) -> Decoded:
    """GET one page and return its decoded JSON object, retrying transient faults, with the
    `extra` of the `fast` decoding if that read it (None if the general decoding did).
    `bounds` default to `ApiLimits()`'s, with a budget of this fetch's own."""
    bounds = bounds or RequestBounds.of(ApiLimits())
    url = str(client.build_request("GET", path, params=params).url)
    last = _Try(None)

    def decode(body: bytes) -> Decoded:
        return _decode(body, check, fast)

    for attempt in range(1, policy.max_attempts + 1):
        last = _attempt(
            client, identity, path, params, bounds, decode, bad_request_hint, policy, attempt
        )
        if last.page is not None:
            return last.page
        if attempt < policy.max_attempts:
            delay = policy.backoff(attempt) if last.retry_after is None else last.retry_after
            _pay_wait(identity, policy, bounds.budget, delay, url)
    attempts = policy.max_attempts
    if last.malformed:
        raise ProtocolError(
            identity.source, f"{url} gave a {last.problem} on all {attempts} attempts"
        )
    raise SourceUnavailableError(
        identity.source,
        f"{url} failed on all {attempts} attempts; last problem: {last.problem}",
        url,
        attempts,
    )
