"""`slot_builder` makes the same record as the class's own constructor.

The HTTP connectors build their records and origins with it (one per API item); the records
must stay ordinary instances of their frozen classes: same type, equal, same hash and repr,
still frozen, picklable and replaceable.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from connectors.record_init import slot_builder
from connectors.records import LoanRecord, Origin, TaxpayerRecord
from connectors.vocabulary import LoanKind, LoanProgram, LoanStatus, TaxRegime

ORIGIN = Origin("tax full", 3, "page 1")
VALUES: list[tuple[type[Any], tuple[Any, ...]]] = [
    (Origin, ("tax full", 3, "page 1")),
    (Origin, ("bank full", 7, None)),
    (
        TaxpayerRecord,
        (
            "412345678",
            None,
            "ABDULLAYEV AKMAL",
            date(1985, 3, 15),
            TaxRegime.SELF_EMPLOYED,
            "47190",
            date(2022, 5, 1),
            None,
            1_250_000_000,
            2022,
            "1703202015",
            None,
            datetime(2022, 12, 1, 10, tzinfo=timezone(timedelta(hours=5))),
            ORIGIN,
        ),
    ),
    (
        LoanRecord,
        (
            "00873-2022-000123",
            "00873",
            LoanKind.LOAN,
            LoanProgram.MICROLOAN,
            "31503851234566",
            "ABDULLAEV A.B.",
            date(1985, 3, 15),
            None,
            3_000_000_000,
            date(2022, 4, 11),
            36,
            LoanStatus.ACTIVE,
            None,
            "1703202015",
            ORIGIN,
        ),
    ),
]


@pytest.mark.parametrize(("cls", "values"), VALUES, ids=[c.__name__ for c, _ in VALUES])
def test_built_record_is_the_constructed_record(cls: type[Any], values: tuple[Any, ...]) -> None:
    built, made = slot_builder(cls)(*values), cls(*values)
    assert type(built) is cls
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert dataclasses.astuple(built) == dataclasses.astuple(made)
    assert pickle.loads(pickle.dumps(built)) == made
    assert copy.copy(built) == made
    first = dataclasses.fields(cls)[0].name
    assert dataclasses.replace(built, **{first: "other"}) == dataclasses.replace(
        made, **{first: "other"}
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, first, "other")


def test_built_origins_order_and_print_as_constructed_ones() -> None:
    build = slot_builder(Origin)
    built = [build("d", n, f"page {n}") for n in (3, 1, 2)]
    assert sorted(built) == sorted(Origin("d", n, f"page {n}") for n in (3, 1, 2))
    assert str(built[0]) == "d page 3 item 3"


def test_builder_takes_every_field_and_refuses_classes_it_cannot_reproduce() -> None:
    with pytest.raises(TypeError):
        slot_builder(Origin)("d", 1)  # no defaults: every field is passed

    @dataclasses.dataclass(slots=True)
    class Unfrozen:
        x: int

    with pytest.raises(TypeError):
        slot_builder(Unfrozen)
