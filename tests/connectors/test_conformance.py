"""The conformance suite every connector passes (parametrised over the seven sources)."""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from connectors.file_source import FileDelivery
from connectors.outcomes import Reject
from connectors.page_prefetch import pages_ahead
from connectors.records import Origin

if TYPE_CHECKING:
    from conftest import SourceCase


def _split(items: list[object]) -> tuple[list[object], list[Reject]]:
    records = [x for x in items if not isinstance(x, Reject)]
    rejects = [x for x in items if isinstance(x, Reject)]
    return records, rejects


def test_valid_delivery_yields_only_typed_records(case: SourceCase, tmp_path: Path) -> None:
    read = case.reader(tmp_path, [case.good(n) for n in range(1, 6)])
    reading = read()
    items = list(reading)
    assert len(items) == 5
    assert all(type(item) is case.record_type for item in items)
    for item in items:
        assert isinstance(item.origin, Origin)
        for field in dataclasses.fields(item):
            assert not isinstance(getattr(item, field.name), dict), field.name
    assert reading.stats.completed
    assert (reading.stats.accepted, reading.stats.rejected) == (5, 0)


def test_keys_are_unique_after_later_wins_and_repeats_are_counted(
    case: SourceCase, tmp_path: Path
) -> None:
    units = [case.good(1), case.good(2), case.good(3), case.good(2)]
    reading = case.reader(tmp_path, units)()
    items = list(reading)
    latest = {item.record_key: item for item in items}
    assert len(items) == 4
    assert len(latest) == 3
    assert reading.stats.duplicate_keys == 1
    # the later line wins: the surviving record of the repeated key is the last one read
    repeated = items[1].record_key
    assert latest[repeated] is items[3]


def test_delivered_equals_accepted_plus_rejected(case: SourceCase, tmp_path: Path) -> None:
    units = [case.good(1), *case.broken, case.good(2)]
    reading = case.reader(tmp_path, units)()
    items = list(reading)
    records, rejects = _split(items)
    stats = reading.stats
    assert stats.delivered == len(units) == stats.accepted + stats.rejected
    assert (stats.accepted, stats.rejected) == (len(records), len(rejects)) == (2, len(case.broken))


def test_rejects_carry_source_raw_text_and_reason(case: SourceCase, tmp_path: Path) -> None:
    reading = case.reader(tmp_path, [case.good(1), *case.broken])()
    _, rejects = _split(list(reading))
    assert rejects
    for reject in rejects:
        assert reject.source == case.source
        assert reject.raw.strip()
        assert len(reject.reason) > 15
        assert reject.origin


def test_reading_twice_gives_the_same_result(case: SourceCase, tmp_path: Path) -> None:
    read = case.reader(tmp_path, [case.good(1), *case.broken, case.good(2)])
    first, second = list(read()), list(read())
    assert first == second


def test_nothing_is_read_before_iteration_starts(case: SourceCase, tmp_path: Path) -> None:
    reading = case.reader(tmp_path, [case.good(1)])()
    assert reading.stats.delivered == 0
    assert not reading.stats.completed
    next(iter(reading))
    assert reading.stats.delivered == 1
    assert not reading.stats.completed


def _feed_fifo(fifo: Path, data: bytes, released: threading.Event, done: threading.Event) -> None:
    """Write the first half, wait until the test has its first record, then the rest."""
    half = len(data) // 2
    with fifo.open("wb") as pipe:
        pipe.write(data[:half])
        pipe.flush()
        released.wait(timeout=10)
        done.set()
        pipe.write(data[half:])


def test_records_are_yielded_before_the_delivery_is_fully_consumed(
    case: SourceCase, tmp_path: Path
) -> None:
    units = [case.good(n) for n in range(1, 3001)]
    if case.file is None:
        assert case.serve is not None
        assert case.connect is not None
        served = case.serve(units)
        requests: list[httpx.Request] = []

        def counting(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return served.handle_request(request)

        reading = case.connect(httpx.MockTransport(counting)).read_delivery()
        next(reading)
        # the next pages may be prefetched while the first is parsed, but only a few
        assert 1 <= len(requests) <= 1 + pages_ahead(1)
        assert sum(1 for _ in reading) == len(units) - 1
        assert len(requests) > 1
        return
    fifo = tmp_path / case.file.file_name
    os.mkfifo(fifo)
    released, rest_written = threading.Event(), threading.Event()
    writer = threading.Thread(
        target=_feed_fifo,
        args=(fifo, case.file.encode(units), released, rest_written),
        daemon=True,
    )
    writer.start()
    delivery = FileDelivery(fifo.name, fifo, 0, datetime.now(UTC))
    reading = case.file.connector_type(tmp_path).read_delivery(delivery)
    next(reading)
    assert not rest_written.is_set(), "the first record came only after the whole file"
    released.set()
    assert sum(1 for _ in reading) == len(units) - 1
    writer.join(timeout=10)
