"""`to_records` builds the same records as calling the record class with each row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from hub.api.activities import data as activities
from hub.api.people import records as people
from hub.api.provenance import data as provenance
from hub.api.records import to_records
from hub.api.territory import data as territory
from hub.api.territory import statistics_data as statistics

RECORDS = [
    module.__dict__[name]
    for module in (activities, people, provenance, territory, statistics)
    for name in dir(module)
    if name.endswith(("Record", "RecordRow"))
    and dataclasses.is_dataclass(module.__dict__[name])
    and module.__dict__[name].__module__ == module.__name__
]


def _value(i: int) -> Any:
    return (i, f"v{i}", date(2024, 1, 1 + i % 28), datetime(2024, 1, 1, tzinfo=UTC), None)[i % 5]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_record_is_built_as_its_class_builds_it(record: type[Any]) -> None:
    width = len(dataclasses.fields(record))
    rows = [tuple(_value(i + j) for i in range(width)) for j in range(3)]
    built = to_records(record, rows)
    assert built == [record(*row) for row in rows]
    assert all(type(item) is record for item in built)
    if record.__dataclass_params__.frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(built[0], dataclasses.fields(record)[0].name, 1)


@dataclasses.dataclass(frozen=True, slots=True)
class _Checked:
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("negative")


def test_a_record_with_post_init_is_built_by_calling_it() -> None:
    assert to_records(_Checked, [(Decimal(1),)]) == [_Checked(Decimal(1))]
    with pytest.raises(ValueError, match="negative"):
        to_records(_Checked, [(Decimal(-1),)])


def test_no_rows_make_no_records() -> None:
    assert to_records(people.PersonRecord, []) == []
