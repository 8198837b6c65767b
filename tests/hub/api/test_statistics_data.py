"""Indicator breakdowns are read as JSON text and decoded when first read."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from hub.api.territory.statistics_data import JsonObject, indicator_records, statistics_of


def test_a_breakdown_decodes_on_first_read_and_reads_as_the_dict_it_holds() -> None:
    counts = JsonObject('{"1": 4, "unknown": 2}')
    assert counts._value is None  # nothing decoded yet
    assert counts.get("1") == 4 and counts.get("3", 0) == 0
    assert counts == {"1": 4, "unknown": 2}
    assert sorted(counts.items()) == [("1", 4), ("unknown", 2)]
    assert list(counts) == ["1", "unknown"] and len(counts) == 2


def test_a_breakdown_that_is_not_a_json_object_fails_when_read() -> None:
    for text in ("null", "[1, 2]"):
        broken = JsonObject(text)  # reading the row does not fail
        with pytest.raises(ValueError, match="not a JSON object"):
            broken.get("1")
    with pytest.raises(orjson.JSONDecodeError):
        JsonObject("{broken").get("1")


def test_indicator_rows_become_records_with_lazy_breakdowns() -> None:
    row = [
        "1703202001", 120, 30, '{"1": 10, "4": 20}', '{"2": 30}', 5,
        40, 6, 2, 1, 0, 3, 4, 1.5,
        '{"youth": {"count": 2, "amount_tiyin": 150}}', '{"youth": 7}',
        9, 4, '{"jobs": 9}', datetime(2026, 1, 1, tzinfo=UTC),
    ]  # fmt: skip
    (record,) = indicator_records([row])
    assert isinstance(record.loans_by_program, JsonObject)
    statistics = statistics_of(record)
    assert statistics.households_by_assessed_category == {"1": 10, "4": 20}
    assert statistics.loans_by_program["youth"].amount_tiyin == 150
    assert statistics.appeals_by_topic == {"jobs": 9}
