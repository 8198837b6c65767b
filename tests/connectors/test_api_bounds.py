"""Hostile APIs cannot keep a run for ever or fill its memory (issue 14, items 10-12): a
page's decompressed size, a request's overall deadline, a walk's repeats, page count and
deadline, and the total wait between retries are all bounded, each with a clear error."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

from connectors.errors import (
    ConfigurationError,
    ProtocolError,
    RateLimitedError,
    SourceUnavailableError,
    WalkBoundError,
)
from connectors.http_fetch import RetryPolicy
from connectors.limits import ApiLimits, api_limits_from_env
from connectors.outcomes import Reject

if TYPE_CHECKING:
    from conftest import Kit


def _counting(handle: Any) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recorded(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handle(request)  # type: ignore[no-any-return]

    return httpx.MockTransport(recorded), seen


class _Drip(httpx.SyncByteStream):
    """A body that arrives one byte at a time, `pause` seconds apart."""

    def __init__(self, body: bytes, pause: float) -> None:
        self.body, self.pause = body, pause

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self.body)):
            time.sleep(self.pause)
            yield self.body[i : i + 1]


def test_a_page_that_decompresses_past_the_bound_is_refused_without_a_retry(kit: Kit) -> None:
    bomb = gzip.compress(b'{"items": [' + b" " * (4 << 20) + b'], "next_page_token": null}')
    transport, seen = _counting(
        lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)
    )
    connector = kit.tax_connector(transport, limits=ApiLimits(max_page_bytes=1 << 20))
    assert len(bomb) < 10_000
    with pytest.raises(
        ProtocolError,
        match=r"passed 1,048,576 bytes once decompressed.*"
        r"HUB_API_MAX_PAGE_BYTES",
    ):
        list(connector.read_delivery())
    assert len(seen) == 1


def test_a_body_declaring_more_than_the_bound_is_refused_before_it_is_read(kit: Kit) -> None:
    body = orjson.dumps({"items": [kit.tax_item(n) for n in range(50)], "next_page_token": None})
    transport, _ = _counting(lambda request: httpx.Response(200, content=body))
    connector = kit.tax_connector(transport, limits=ApiLimits(max_page_bytes=1000))
    with pytest.raises(ProtocolError, match=rf"declares {len(body):,} bytes, more than the 1,000"):
        list(connector.read_delivery())


def test_a_dripping_server_is_cut_at_the_request_deadline_not_at_each_read(kit: Kit) -> None:
    body = orjson.dumps({"items": [kit.tax_item(1)], "next_page_token": None})
    transport, seen = _counting(lambda request: httpx.Response(200, stream=_Drip(body, 0.01)))
    connector = kit.tax_connector(
        transport,
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None, jitter=lambda: 0.0),
        limits=ApiLimits(request_seconds=0.2),
    )
    with pytest.raises(
        SourceUnavailableError,
        match=r"still arriving after 0\.2 s.*"
        r"HUB_API_REQUEST_SECONDS",
    ):
        list(connector.read_delivery())
    assert len(seen) == 2


def test_a_tax_api_handing_out_new_tokens_for_the_same_items_is_stopped(kit: Kit) -> None:
    items = [kit.tax_item(1), kit.tax_item(2)]
    transport, seen = _counting(
        lambda request: httpx.Response(
            200, json={"items": items, "next_page_token": f"t{len(request.url.query)}x"}
        )
    )
    reading = kit.tax_connector(transport).read_delivery()
    with pytest.raises(
        WalkBoundError, match=r"the page of token 't.*' \(page 2\) repeats the items of page 1"
    ):
        list(reading)
    assert len(seen) == 2
    assert not reading.stats.completed


def test_a_walk_stops_at_the_configured_number_of_pages(kit: Kit) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page_token", "0"))
        return httpx.Response(
            200, json={"items": [kit.tax_item(n + 1)], "next_page_token": str(n + 1)}
        )

    transport, seen = _counting(handle)
    connector = kit.tax_connector(transport, limits=ApiLimits(max_pages=3))
    with pytest.raises(
        WalkBoundError, match=r"page 4, more than the 3 pages.*HUB_API_MAX_PAGES"
    ) as err:
        list(connector.read_delivery())
    assert err.value.variable == "HUB_API_MAX_PAGES"
    assert len(seen) == 3


def test_a_bank_total_needing_more_pages_than_allowed_is_refused_on_the_first_page(
    kit: Kit,
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        data = [kit.loan_item(offset + 1), kit.loan_item(offset + 2)]
        return httpx.Response(
            200, json={"total": 10**9, "offset": offset, "limit": 2, "data": data}
        )

    transport, seen = _counting(handle)
    connector = kit.bank_connector(transport, limits=ApiLimits(max_pages=1000))
    with pytest.raises(WalkBoundError, match=r"total of 1,000,000,000 loans: 500,000,000 pages"):
        list(connector.read_delivery())
    assert len(seen) == 1


def test_a_bank_serving_the_same_page_at_every_offset_is_stopped(kit: Kit) -> None:
    data = [kit.loan_item(1), kit.loan_item(2)]

    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json={"total": 100, "offset": offset, "limit": 2, "data": data})

    transport, seen = _counting(handle)
    with pytest.raises(WalkBoundError, match=r"offset 2 \(page 2\) repeats the items of page 1"):
        list(kit.bank_connector(transport).read_delivery())
    assert len(seen) == 2


def test_a_walk_past_its_deadline_stops_with_the_setting_named(kit: Kit) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page_token", "0"))
        return httpx.Response(
            200, json={"items": [kit.tax_item(n + 1)], "next_page_token": str(n + 1)}
        )

    transport, seen = _counting(handle)
    connector = kit.tax_connector(transport, limits=ApiLimits(walk_seconds=0.2))
    records = iter(connector.read_delivery())
    next(records)
    time.sleep(0.3)  # the walk's time runs out while its records are being loaded
    with pytest.raises(WalkBoundError, match=r"deadline of 0\.2 s \(HUB_API_WALK_SECONDS\)"):
        list(records)
    assert len(seen) <= 3


def test_a_retry_after_of_a_day_stops_the_run_at_once_saying_when_to_try_again(kit: Kit) -> None:
    sleeps: list[float] = []
    transport, seen = _counting(
        lambda request: httpx.Response(429, headers={"Retry-After": "86400"})
    )
    policy = RetryPolicy(max_attempts=5, sleep=sleeps.append, jitter=lambda: 0.0)
    connector = kit.tax_connector(transport, retry=policy)
    before = datetime.now(UTC)
    with pytest.raises(RateLimitedError, match=r"would wait 86,400 s.*Try again after") as err:
        list(connector.read_delivery())
    assert sleeps == [] and len(seen) == 1
    assert before + timedelta(days=1) - timedelta(seconds=1) <= err.value.retry_at
    assert err.value.retry_at <= datetime.now(UTC) + timedelta(days=1)


def test_waits_between_retries_are_capped_per_run_across_requests(kit: Kit) -> None:
    sleeps: list[float] = []
    transport, seen = _counting(lambda request: httpx.Response(429, headers={"Retry-After": "7"}))
    policy = RetryPolicy(max_attempts=5, sleep=sleeps.append, jitter=lambda: 0.0)
    connector = kit.tax_connector(transport, retry=policy, limits=ApiLimits(retry_wait_seconds=20))
    with pytest.raises(RateLimitedError, match=r"HUB_API_RETRY_WAIT_SECONDS.*has 6 s left"):
        list(connector.read_delivery())
    assert sleeps == [7.0, 7.0]
    with pytest.raises(RateLimitedError, match=r"has 6 s left"):
        list(connector.read_delivery())
    assert sleeps == [7.0, 7.0] and len(seen) == 4


def test_an_api_reject_keeps_a_capped_raw_text_with_length_and_hash(kit: Kit) -> None:
    item = kit.tax_item(1, regime="x" * 50_000)
    transport = kit.paged_tax_transport([item], page_size=2)
    connector = kit.tax_connector(transport, limits=ApiLimits(raw_chars=500))
    (reject,) = list(connector.read_delivery())
    assert isinstance(reject, Reject)
    assert len(reject.raw) <= 500
    full = orjson.dumps(item).decode()
    assert reject.raw.startswith(full[:100])
    assert f"{len(full):,} characters in all, sha256 " in reject.raw


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("HUB_API_MAX_PAGE_BYTES", "lots", "Not a whole number"),
        ("HUB_API_MAX_PAGES", "0", "Must be at least 1"),
        ("HUB_API_REQUEST_SECONDS", "-1", "Must be a finite number"),
        ("HUB_API_RETRY_WAIT_SECONDS", "inf", "Must be a finite number"),
        ("HUB_QUARANTINE_RAW_CHARS", "10", "Must be at least 200"),
    ],
)
def test_api_limits_from_the_environment_are_validated_naming_the_variable(
    variable: str, value: str, rule: str
) -> None:
    with pytest.raises(ConfigurationError, match=rf"{variable} has value '{value}'\. {rule}"):
        api_limits_from_env({variable: value})


def test_api_limits_come_from_the_environment_with_defaults() -> None:
    limits = api_limits_from_env({"HUB_API_MAX_PAGES": "12", "HUB_API_WALK_SECONDS": "1.5"})
    assert limits == ApiLimits(max_pages=12, walk_seconds=1.5)
