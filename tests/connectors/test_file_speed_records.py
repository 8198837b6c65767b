"""The file connectors' hot loops build records with `slot_builder`: the very records the
classes' own constructors make (same class, values, value types, hash, repr, pickling,
frozen), on good and odd deliveries alike.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from connectors.json_lines import TypedLines
from connectors.land import LandConnector
from connectors.outcomes import Reject
from connectors.records import Origin
from connectors.survey import SurveyConnector

if TYPE_CHECKING:
    from conftest import Kit


def _assert_as_constructed(record: Any) -> None:
    """`record` equals, in every observable way, its class called with its field values."""
    cls = type(record)
    names = [field.name for field in dataclasses.fields(record)]
    values = [getattr(record, name) for name in names]
    made = cls(*values)
    assert record == made
    assert hash(record) == hash(made)
    assert repr(record) == repr(made)
    assert [type(value) for value in values] == [type(getattr(made, name)) for name in names]
    assert pickle.loads(pickle.dumps(record)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, names[0], values[0])
    for value in values:
        if dataclasses.is_dataclass(value):
            _assert_as_constructed(value)
        elif type(value) is tuple:
            for part in value:
                if dataclasses.is_dataclass(part):
                    _assert_as_constructed(part)


def test_lease_records_are_the_constructors_records(tmp_path: Path, kit: Kit) -> None:
    leases = [
        kit.lease_xml(1),
        kit.lease_xml(2, area="1,5"),
        kit.lease_xml(3, start="2022-02-30"),  # a reject between records
        kit.lease_xml(4).replace('end="2027-02-28"', 'end=""'),
        kit.lease_xml(5).replace('crop="tomato"', 'crop="  "'),
        kit.lease_xml(6).replace('contract="6/2022"', ""),
    ]
    (tmp_path / "leases_2022-12-01.xml").write_bytes(kit.leases_bytes(leases))
    items = list(LandConnector(tmp_path).read_delivery(tmp_path / "leases_2022-12-01.xml"))
    assert [type(item).__name__ for item in items] == ["LeaseRecord"] * 2 + ["Reject"] + [
        "LeaseRecord"
    ] * 3
    for item in items:
        if not isinstance(item, Reject):
            _assert_as_constructed(item)
            assert type(item.origin) is Origin and item.origin.page is None
    assert [item.origin.position for item in items if not isinstance(item, Reject)] == [
        1,
        2,
        4,
        5,
        6,
    ]


def test_survey_records_are_the_constructors_records(tmp_path: Path, kit: Kit) -> None:
    member = kit.survey_item(1)["members"][0]
    items = [
        kit.survey_item(1),
        kit.survey_item(2, address=None, needs=None, plot_sotix=None, category=None),
        kit.survey_item(
            3,
            address={"street": " ", "house": 7, "apartment": "  4 "},
            plot_sotix=2,
            needs=["subsidy", "subsidy"],
            members=[
                member,
                member | {"member_no": 2, "pinfl": "  ", "birth_date": None, "notebook": "iron"},
                member | {"member_no": 3, "full_name": "  Padded  ", "pinfl": None},
            ],
        ),
        kit.survey_item(4, members=[member, member]),  # a repeated member_no: a reject
        kit.survey_item(5, monthly_income_uzs=0, plot_sotix=0.1),
    ]
    (tmp_path / "survey_1.jsonl").write_bytes(kit.jsonl_bytes(items))
    outcomes = list(SurveyConnector(tmp_path).read_delivery(tmp_path / "survey_1.jsonl"))
    assert [type(item).__name__ for item in outcomes] == ["SurveyHousehold"] * 3 + [
        "Reject",
        "SurveyHousehold",
    ]
    for item in outcomes:
        if not isinstance(item, Reject):
            _assert_as_constructed(item)
            assert type(item.origin) is Origin and item.origin.page is None


class _GeneralSurveyConnector(SurveyConnector):
    typed_lines: ClassVar[TypedLines[Any] | None] = None


# Equal numbers with different Decimals (2 and 2.0, 0.0 and -0.0) in both orders, repeats
# (the second read of a value comes from the cache), and values around the edges of 64 bits.
PLOTS: list[Any] = [2, 2.0, 2, -0.0, 0.0, -0.0, 0, 0.0, 4.5, 4.5, 1e16, 10**18, -3, -3.0, 0.1]
NEEDS: list[Any] = [
    None,
    [],
    ["job"],
    ["job", "job"],
    ["job", "loan"],
    ["loan", "job"],
    ["job", "loan", "job"],
    ["loan", "loan", "loan"],
    ["job", "money"],
]
ADDRESSES: list[Any] = [
    None,
    {},
    {"street": None, "house": 12, "apartment": 0},
    {"street": "  Navoiy  ", "house": " 12 ", "apartment": ""},
    {"street": "", "house": "", "apartment": "  "},
    {"street": "x", "house": -7, "apartment": "4a"},
    {"street": 5},
]


@pytest.mark.parametrize("reverse", [False, True])
def test_survey_cached_numbers_needs_and_addresses_match_the_general_path(
    tmp_path: Path, kit: Kit, reverse: bool
) -> None:
    items = [kit.survey_item(n, plot_sotix=plot) for n, plot in enumerate(PLOTS)]
    items += [kit.survey_item(100 + n, needs=needs) for n, needs in enumerate(NEEDS)]
    items += [kit.survey_item(200 + n, address=a) for n, a in enumerate(ADDRESSES)]
    if reverse:
        items.reverse()
    data = b"".join(json.dumps(item).encode() + b"\n" for item in items)
    (tmp_path / "survey_1.jsonl").write_bytes(data)
    fast = SurveyConnector(tmp_path).read_delivery(tmp_path / "survey_1.jsonl")
    general = _GeneralSurveyConnector(tmp_path).read_delivery(tmp_path / "survey_1.jsonl")
    fast_items, general_items = list(fast), list(general)
    assert [repr(item) for item in fast_items] == [repr(item) for item in general_items]
    assert fast_items == general_items
    assert fast.stats == general.stats
    for item in fast_items:
        if not isinstance(item, Reject):
            _assert_as_constructed(item)
    plots = [item.plot_sotix for item in fast_items[: len(PLOTS)] if not isinstance(item, Reject)]
    if not reverse:
        assert [repr(plot) for plot in plots] == [repr(Decimal(repr(plot))) for plot in PLOTS]
