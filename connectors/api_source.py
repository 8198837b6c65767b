"""The base of the HTTP connectors (tax, bank): client set-up, credentials, cursor reporting.

A delivery is one complete walk through the API's pages from a starting cursor. The reading
reports the cursor the walk reached (`reading.cursor`, available only once the iteration
completed) but never stores it: the caller saves it after its own load of the delivery
committed. If the walk fails part-way, the caller discards what it collected and keeps its
old cursor, so the next run starts from the same place (loading is idempotent by record key,
so overlapping deliveries are harmless).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import ClassVar, Generic, Self, TypeVar

import httpx
import orjson

from connectors.api_walk import WalkGuard
from connectors.fields import FieldError
from connectors.http_fetch import DEFAULT_TIMEOUT, ApiIdentity, RequestBounds, RetryPolicy
from connectors.limits import ApiLimits, api_limits_from_env
from connectors.outcomes import DeliveryReading, DeliveryStats, Keyed, Reject
from connectors.raw_text import capped_raw
from connectors.settings import Secret, api_from_env, check_base_url, check_secret

T = TypeVar("T")
R = TypeVar("R", bound=Keyed)
C = TypeVar("C", bound=date)


class CursorTracker(Generic[C]):
    """The largest cursor value seen so far, starting from the caller's cursor (or None)."""

    def __init__(self, start: C | None) -> None:
        self.value = start

    def reach(self, value: C) -> None:
        if self.value is None or value > self.value:
            self.value = value


class ApiDeliveryReading(DeliveryReading[T], Generic[T, C]):
    """A `DeliveryReading` that also reports the cursor its completed walk reached."""

    def __init__(
        self,
        stats: DeliveryStats,
        produce: Callable[[DeliveryStats], Iterator[T]],
        tracker: CursorTracker[C],
    ) -> None:
        super().__init__(stats, produce)
        self._tracker = tracker

    @property
    def cursor(self) -> C | None:
        """The cursor to save after loading this delivery (None: nothing loaded, no start)."""
        if not self.stats.completed:
            raise RuntimeError(
                f"{self.stats.source}: the delivery was not read to the end; its cursor "
                "must not be saved"
            )
        return self._tracker.value


class ApiConnector(ABC, Generic[R]):
    """Holds the httpx client of one API source; use as a context manager or `close()`.

    `base_url` and `secret` default to the source's environment variables. `transport`
    replaces the network (tests pass `httpx.MockTransport`); `retry` bounds the retries;
    `limits` (default: `connectors.limits`' variables) bound each page, each walk and the
    waiting of this connector's whole life, which is one run.
    """

    identity: ClassVar[ApiIdentity]

    def __init__(
        self,
        base_url: str | None = None,
        secret: str | Secret | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        limits: ApiLimits | None = None,
    ) -> None:
        ident = self.identity
        self.limits = limits or api_limits_from_env(environ)
        self.bounds = RequestBounds.of(self.limits)
        if base_url is None or secret is None:
            env_url, env_secret = api_from_env(
                ident.source, ident.url_variable, ident.secret_variable, environ
            )
            base_url = env_url if base_url is None else base_url
            secret = env_secret if secret is None else secret
        self.base_url = check_base_url(ident.source, base_url, ident.url_variable)
        self._secret = check_secret(ident.source, secret, ident.secret_variable)
        self.retry = retry or RetryPolicy()
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=self.auth_headers(self._secret),
            timeout=timeout,
            transport=transport,
        )

    @property
    def source(self) -> str:
        return self.identity.source

    @abstractmethod
    def auth_headers(self, secret: Secret) -> dict[str, str]:
        """The headers that carry the credential on every request."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def walk_guard(self) -> WalkGuard:
        """The bounds of one walk through the pages (a new one per delivery)."""
        return WalkGuard(self.source, self.limits)

    def reject(self, item: object, key: str | None, error: FieldError, origin: str) -> Reject:
        raw = capped_raw(orjson.dumps(item).decode("utf-8"), self.limits.raw_chars)
        return Reject(self.source, key, raw, str(error), origin, error.rule)
