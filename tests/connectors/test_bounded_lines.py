"""A line longer than the bound is one reject, read in pieces and never held whole (issue 14,
item 9): its record is rejected with the rule and setting named, its raw text is its
beginning with the full length and hash, and the lines after it are read as usual."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from connectors.appeals import AppealsConnector
from connectors.employment import EmploymentConnector
from connectors.errors import ConfigurationError
from connectors.limits import FileLimits, file_limits_from_env
from connectors.outcomes import Reject
from connectors.survey import SurveyConnector

if TYPE_CHECKING:
    from conftest import Kit

LIMITS = FileLimits(max_line_bytes=4096, raw_chars=300)


def test_a_survey_line_with_a_street_over_the_bound_is_a_reject_not_a_value(
    tmp_path: Path, kit: Kit
) -> None:
    street = "Navoiy " * 20_000
    long_item = kit.survey_item(1, address={"street": street, "house": "1", "apartment": None})
    long_line = orjson.dumps(long_item)
    body = long_line + b"\n" + kit.jsonl_bytes([kit.survey_item(2)])
    (tmp_path / "survey_2022-01.jsonl").write_bytes(body)

    reading = SurveyConnector(tmp_path, limits=LIMITS).read_delivery(
        tmp_path / "survey_2022-01.jsonl"
    )
    outcomes = list(reading)

    reject, household = outcomes
    assert isinstance(reject, Reject) and not isinstance(household, Reject)
    assert household.record_key == "SV-1703202015-00002"
    assert reject.record_key == "SV-1703202015-00001"
    assert reject.reason == (
        f"line 1 is {len(long_line):,} bytes long, more than the 4,096 bytes a line may have "
        "(HUB_MAX_LINE_BYTES); its record is rejected unread"
    )
    assert len(reject.raw) <= 300
    assert reject.raw.startswith('{"survey_id":"SV-1703202015-00001"')
    assert reject.raw.endswith(
        f"{len(long_line):,} bytes in all, sha256 {hashlib.sha256(long_line).hexdigest()}]"
    )
    assert (reading.stats.delivered, reading.stats.rejected) == (2, 1)


def test_an_overlong_last_line_without_newline_is_rejected_and_counted(
    tmp_path: Path, kit: Kit
) -> None:
    tail = b'{"appeal_id": "AP-9", "topic": "' + b"x" * 10_000
    body = kit.jsonl_bytes([kit.appeal_item(1)]) + tail
    (tmp_path / "appeals_2022.jsonl").write_bytes(body)

    reading = AppealsConnector(tmp_path, limits=LIMITS).read_delivery(
        tmp_path / "appeals_2022.jsonl"
    )
    outcomes = list(reading)

    assert [type(o) is Reject for o in outcomes] == [False, True]
    reject = outcomes[1]
    assert isinstance(reject, Reject)
    assert reject.record_key == "AP-9"
    assert reject.reason.startswith(f"line 2 is {len(tail):,} bytes long")
    assert hashlib.sha256(tail).hexdigest() in reject.raw


def test_an_employment_row_over_the_line_bound_is_a_reject_and_the_rows_after_it_load(
    tmp_path: Path, kit: Kit
) -> None:
    rows = [
        kit.employment_row(1),
        kit.employment_row(2, Направление="Б" * 9000),
        kit.employment_row(3),
    ]
    (tmp_path / "employment_2022-02.csv").write_bytes(kit.employment_bytes(rows))

    reading = EmploymentConnector(tmp_path, limits=LIMITS).read_delivery(
        tmp_path / "employment_2022-02.csv"
    )
    outcomes = list(reading)

    assert [type(o) is Reject for o in outcomes] == [False, True, False]
    reject = outcomes[1]
    assert isinstance(reject, Reject)
    length = len(rows[1].encode("cp1251"))
    assert reject.reason.startswith(f"line 3 is {length:,} bytes long, more than the 4,096 bytes")
    assert reject.raw.startswith(rows[1][:100])
    assert len(reject.raw) <= 300 and f"{length:,} bytes in all, sha256 " in reject.raw
    assert reading.stats.delivered == 3


def test_lines_at_the_bound_are_read_as_usual(tmp_path: Path, kit: Kit) -> None:
    item = kit.survey_item(1)
    line = orjson.dumps(item)
    limits = FileLimits(max_line_bytes=len(line), raw_chars=300)
    (tmp_path / "survey_2022-01.jsonl").write_bytes(line + b"\r\n" + line)

    outcomes = list(SurveyConnector(tmp_path, limits=limits).read_all())
    records = [o for reading in outcomes for o in reading]

    assert [type(r) is Reject for r in records] == [False, False]


@pytest.mark.parametrize(
    ("variable", "value"), [("HUB_MAX_LINE_BYTES", "4MB"), ("HUB_MAX_FIELD_BYTES", "0")]
)
def test_file_limits_from_the_environment_are_validated_naming_the_variable(
    variable: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=rf"{variable} has value '{value}'"):
        file_limits_from_env({variable: value})


def test_a_line_one_byte_over_the_bound_does_not_swallow_the_next(tmp_path: Path, kit: Kit) -> None:
    line = orjson.dumps(kit.survey_item(1))
    limits = FileLimits(max_line_bytes=len(line) - 1, raw_chars=300)
    (tmp_path / "survey_2022-01.jsonl").write_bytes(line + b"\n" + line[:-30] + b"}\n")

    (reading,) = SurveyConnector(tmp_path, limits=limits).read_all()
    reject, second = list(reading)

    assert isinstance(reject, Reject) and reject.reason.startswith(f"line 1 is {len(line):,}")
    assert isinstance(second, Reject) and second.reason.startswith("line 2 is not valid JSON")
