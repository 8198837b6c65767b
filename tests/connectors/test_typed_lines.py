"""The typed fast paths of the JSON Lines connectors decide every line as the general path does.

Each case is read twice: by the connector as shipped (typed fast path first) and by the same
connector with the fast path switched off. Records, rejects and counters must be identical.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
import pytest

from connectors.appeals import AppealsConnector
from connectors.json_lines import JsonLinesConnector, TypedLines
from connectors.survey import SurveyConnector

if TYPE_CHECKING:
    from conftest import Kit


class GeneralSurveyConnector(SurveyConnector):
    typed_lines: ClassVar[TypedLines[Any] | None] = None


class GeneralAppealsConnector(AppealsConnector):
    typed_lines: ClassVar[TypedLines[Any] | None] = None


def _member(**changes: Any) -> dict[str, Any]:
    return {
        "member_no": 2,
        "full_name": "Abdullayeva Dilnoza Akmal qizi",
        "pinfl": "41503851234566",
        "birth_date": "2010-05-01",
        "sex": "F",
        "relation": "child",
        "occupation": "student",
        "notebook": "youth",
    } | changes


SURVEY_CHANGES: list[dict[str, Any]] = [
    {},
    {"survey_id": "  SV-1  "},
    {"survey_id": "   "},
    {"survey_id": 17},
    {"mahalla_code": ""},
    {"assistant_id": None},
    {"surveyed_on": "2022-1-14"},
    {"surveyed_on": "2022-02-30"},
    {"surveyed_on": "2022-01-14T00:00"},
    {"surveyed_on": "20220114"},
    {"address": None},
    {"address": {"street": " ", "house": 12, "apartment": 3}},
    {"address": {"house": True}},
    {"address": {}},
    {"address": ["Navoiy"]},
    {"category": None},
    {"category": 0},
    {"category": 4.0},
    {"category": True},
    {"monthly_income_uzs": -1},
    {"monthly_income_uzs": 2**63},
    {"monthly_income_uzs": 10**30},
    {"plot_sotix": 4},
    {"plot_sotix": 0.1},
    {"plot_sotix": 1e300},
    {"plot_sotix": 10**30},
    {"plot_sotix": "4,5"},
    {"needs": None},
    {"needs": []},
    {"needs": ["job", "job", "loan"]},
    {"needs": ["money"]},
    {"needs": "job"},
    {"members": []},
    {"members": None},
    {"members": [_member(member_no=1)]},
    {"members": [_member(), _member()]},
    {"members": [_member(member_no=True)]},
    {"members": [_member(full_name=" ")]},
    {"members": [_member(pinfl="  ")]},
    {"members": [_member(pinfl=None, birth_date=None, notebook=None)]},
    {"members": [_member(birth_date="")]},
    {"members": [_member(notebook="")]},
    {"members": [_member(sex="m")]},
    {"members": [_member(relation=None)]},
    {"members": [{k: v for k, v in _member().items() if k not in ("pinfl", "notebook")}]},
    {"members": [{k: v for k, v in _member().items() if k != "occupation"}]},
    {"members": ["someone"]},
    {"extra_field": {"ignored": True}},
]


def _read_both(
    folder: Path, name: str, data: bytes, fast: JsonLinesConnector[Any], general: Any
) -> None:
    (folder / name).write_bytes(data)
    fast_reading = fast.read_delivery(folder / name)
    general_reading = general(folder).read_delivery(folder / name)
    assert list(fast_reading) == list(general_reading)
    assert fast_reading.stats == general_reading.stats


@pytest.mark.parametrize("changes", SURVEY_CHANGES, ids=[repr(c)[:60] for c in SURVEY_CHANGES])
def test_survey_fast_path_decides_a_line_as_the_general_path(
    tmp_path: Path, kit: Kit, changes: dict[str, Any]
) -> None:
    item = kit.survey_item(1) | changes
    _read_both(
        tmp_path,
        "survey_1.jsonl",
        json.dumps(item, ensure_ascii=False).encode() + b"\n",  # json: integers past 64 bits
        SurveyConnector(tmp_path),
        GeneralSurveyConnector,
    )


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"   \r\n",
        b"[1, 2]",
        b'{"survey_id": "SV-1", "survey_id": "SV-2"}',
        b'{"survey_id": "\\ud800"}',
        '{"survey_id": "Навои"}'.encode("cp1251"),
    ],
)
def test_survey_fast_path_leaves_odd_lines_to_the_general_path(
    tmp_path: Path, kit: Kit, line: bytes
) -> None:
    good = kit.jsonl_bytes([kit.survey_item(1)])
    data = good + line + b"\n" + orjson.dumps(kit.survey_item(2))  # last line unterminated
    _read_both(tmp_path, "survey_1.jsonl", data, SurveyConnector(tmp_path), GeneralSurveyConnector)


APPEAL_CHANGES: list[dict[str, Any]] = [
    {},
    {"appeal_id": " AP-1 "},
    {"appeal_id": ""},
    {"received_at": "2022-07-03T09:15:00"},
    {"received_at": "2022-07-03t09:15:00z"},
    {"received_at": "2022-07-03 09:15:00+05:00"},
    {"received_at": "2022-07-03T09:15:00.1234567+05:00"},
    {"received_at": "2022-07-03T09:15+05:00"},
    {"received_at": 1656821700},
    {"received_at": None},
    {"channel": "email"},
    {"channel": None},
    {"topic": "telegram"},
    {"status": "closed"},
    {"mahalla_code": None},
    {"mahalla_code": " "},
    {"mahalla_code": 1703202015},
    {"applicant": None},
    {"applicant": {}},
    {"applicant": {"pinfl": None, "full_name": " ", "phone": None}},
    {"applicant": {"pinfl": 31503851234566}},
    {"applicant": "anonymous"},
    {"addressed_to": None},
    {"resolved_at": None},
    {"resolved_at": ""},
    {"resolved_at": "yesterday"},
    {"resolved_at": "2022-07-10T16:00:00"},
    {"extra_field": [1, 2]},
]


@pytest.mark.parametrize("changes", APPEAL_CHANGES, ids=[repr(c)[:60] for c in APPEAL_CHANGES])
def test_appeals_fast_path_decides_a_line_as_the_general_path(
    tmp_path: Path, kit: Kit, changes: dict[str, Any]
) -> None:
    item = kit.appeal_item(1) | changes
    _read_both(
        tmp_path,
        "appeals_1.jsonl",
        kit.jsonl_bytes([item]),
        AppealsConnector(tmp_path),
        GeneralAppealsConnector,
    )
