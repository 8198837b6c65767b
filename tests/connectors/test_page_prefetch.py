"""Prefetching pages in a worker thread keeps the order, the errors and the laziness of a walk."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from connectors.errors import ProtocolError
from connectors.outcomes import Reject
from connectors.page_prefetch import pages_ahead, prefetched
from connectors.records import TaxpayerRecord
from connectors.tax import TaxApiConnector

if TYPE_CHECKING:
    from conftest import Kit


class PageError(Exception):
    pass


def _pages(count: int, produced: list[int], fail_after: int | None = None) -> Iterator[int]:
    for page in range(1, count + 1):
        if fail_after is not None and page > fail_after:
            raise PageError(f"page {page}")
        produced.append(page)
        yield page


def test_prefetched_pages_come_out_in_order() -> None:
    produced: list[int] = []
    assert list(prefetched(_pages(200, produced))) == list(range(1, 201))


def test_nothing_is_fetched_before_the_first_page_is_asked_for() -> None:
    produced: list[int] = []
    pages = prefetched(_pages(5, produced))
    time.sleep(0.05)
    assert produced == []
    assert next(pages) == 1


def test_an_error_comes_after_every_page_produced_before_it() -> None:
    produced: list[int] = []
    seen: list[int] = []
    with pytest.raises(PageError, match="page 4"):
        seen.extend(prefetched(_pages(10, produced, fail_after=3)))
    assert seen == [1, 2, 3]


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "test-prefetch"]


def test_the_worker_stays_at_most_a_few_pages_ahead_and_stops_when_the_caller_does() -> None:
    produced: list[int] = []
    pages = prefetched(_pages(1000, produced), ahead=1, name="test-prefetch")
    assert next(pages) == 1
    time.sleep(0.2)
    assert len(produced) <= 1 + pages_ahead(1)
    pages.close()
    for worker in _workers():
        worker.join(timeout=10)
    assert not _workers()
    assert len(produced) <= 1 + pages_ahead(1)


def test_tax_refuses_a_repeated_page_token_after_the_items_of_the_page_that_named_it(
    kit: Kit,
) -> None:
    pages = {
        None: {"items": [kit.tax_item(1)], "next_page_token": "a"},
        "a": {"items": [kit.tax_item(2)], "next_page_token": "a"},
    }

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page_token")])

    transport = httpx.MockTransport(serve)
    connector = TaxApiConnector(kit.TAX_URL, "t", retry=kit.NO_WAIT, transport=transport)
    reading = connector.read_delivery()
    seen: list[TaxpayerRecord | Reject] = []
    with pytest.raises(ProtocolError, match="already used"):
        seen.extend(reading)
    tins = [kit.tax_item(n)["tin"] for n in (1, 2)]
    assert [r.tin for r in seen if isinstance(r, TaxpayerRecord)] == tins
    assert not reading.stats.completed
