"""The bounds of one walk through an API's pages, so that no agency can keep a run forever.

A walk stops with `WalkBoundError` when

- a page repeats the items of an earlier page of the same walk (a server handing out a new
  page token, or the next offset, with the same items would otherwise be read for ever);
- it would read more pages than `HUB_API_MAX_PAGES`, or than the total the API reports
  allows (an offset API reporting a total of 10^9 is refused on its first page, not after
  two million of them);
- its deadline `HUB_API_WALK_SECONDS` passes (each request also gets at most the time left).

A page is recognised by a 16-byte digest of its items as delivered, so the memory of a walk
grows by that much per page, not with the items.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from connectors.errors import WalkBoundError
from connectors.limits import MAX_PAGES_VARIABLE, WALK_SECONDS_VARIABLE, ApiLimits


def page_digest(raws: Iterable[Any] | None, items: list[Any]) -> bytes:
    """A digest of a page's items: of their raw JSON texts if given, else of the items."""
    digest = hashlib.blake2b(digest_size=16)
    if raws is not None:
        for raw in raws:
            digest.update(memoryview(raw))
            digest.update(b"\x00")
    else:
        digest.update(orjson.dumps(items))
    return digest.digest()


class WalkGuard:
    """Counts the pages of one walk and refuses the page that passes a bound."""

    def __init__(
        self, source: str, limits: ApiLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.source = source
        self.limits = limits
        self.pages = 0
        self._clock = clock
        self._deadline = clock() + limits.walk_seconds
        self._seen: dict[bytes, int] = {}

    def next_page(self) -> float:
        """Count the page about to be fetched; the seconds the walk has left for it."""
        self.pages += 1
        if self.pages > self.limits.max_pages:
            raise WalkBoundError(
                self.source,
                f"the walk reached page {self.pages:,}, more than the {self.limits.max_pages:,} "
                f"pages a walk may read ({MAX_PAGES_VARIABLE}); stopping it",
                MAX_PAGES_VARIABLE,
            )
        left = self._deadline - self._clock()
        if left <= 0:
            raise WalkBoundError(
                self.source,
                f"the walk passed its deadline of {self.limits.walk_seconds:g} s "
                f"({WALK_SECONDS_VARIABLE}) after {self.pages - 1:,} pages; stopping it",
                WALK_SECONDS_VARIABLE,
            )
        return left

    def check_new(self, where: str, digest: bytes) -> None:
        """Refuse a page whose items are those of an earlier page of this walk."""
        earlier = self._seen.get(digest)
        if earlier is not None:
            raise WalkBoundError(
                self.source,
                f"{where} (page {self.pages:,}) repeats the items of page {earlier:,}; the API "
                "is serving the same items again, refusing to read them for ever",
            )
        self._seen[digest] = self.pages

    def check_total(self, total: int, page_size: int, noun: str) -> None:
        """Refuse a reported total that needs more pages than a walk may read."""
        needed = -(-total // page_size)
        if needed > self.limits.max_pages:
            raise WalkBoundError(
                self.source,
                f"the API reports a total of {total:,} {noun}: {needed:,} pages of {page_size}, "
                f"more than the {self.limits.max_pages:,} pages a walk may read "
                f"({MAX_PAGES_VARIABLE}); refusing the walk",
                MAX_PAGES_VARIABLE,
            )
