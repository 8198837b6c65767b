"""Row-level truth of the readers: every physical CSV line accounted for, integers the
graph cannot hold refused with a reason on every source, one byte-order-mark rule."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

from connectors.appeals import AppealsConnector
from connectors.employment import EmploymentConnector
from connectors.land import LandConnector
from connectors.outcomes import Reject
from connectors.registry import MAHALLA_COLUMNS, RegistryConnector
from connectors.survey import SurveyConnector
from connectors.text_lines import iter_csv_rows

if TYPE_CHECKING:
    from conftest import Kit

BOM = b"\xef\xbb\xbf"


def _read(connector: Any, path: Path) -> tuple[list[Any], list[Reject], Any]:
    reading = connector.read_delivery(path)
    items = list(reading)
    records = [x for x in items if not isinstance(x, Reject)]
    return records, [x for x in items if isinstance(x, Reject)], reading.stats


def _rows(text: str, **limits: int) -> list[tuple[int, list[str], str | None]]:
    binary = io.BytesIO(text.encode("cp1251"))
    return [(r.line, r.fields, r.problem) for r in iter_csv_rows(binary, "cp1251", ";", **limits)]


def test_an_unclosed_quote_in_a_last_field_does_not_swallow_the_rows_after_it(
    tmp_path: Path, kit: Kit
) -> None:
    rows = [kit.employment_row(n) for n in range(1, 52)]
    rows[2] = kit.employment_row(3, Направление='"Ishga marhamat')
    path = tmp_path / "employment_2022-02.csv"
    path.write_bytes(kit.employment_bytes(rows))
    records, rejects, stats = _read(EmploymentConnector(tmp_path), path)
    assert (stats.delivered, stats.accepted, stats.rejected) == (51, 50, 1)
    assert len(records) == 50
    assert max(len(r.referral or "") for r in records) < 100
    [reject] = rejects
    assert reject.record_key == "E2022-0000003"
    assert reject.origin == "employment_2022-02.csv:4"
    assert reject.raw == rows[2]
    assert "line 4 opens a quoted field that does not close on its line" in reject.reason
    assert "the lines after it are read on their own" in reject.reason


def test_a_quote_closed_by_a_later_stray_quote_does_not_merge_two_rows() -> None:
    found = _rows('a;b;c\r\nk1;"x;y\r\nk2;x";y\r\nk3;x;y\r\n')
    assert [line for line, _, _ in found] == [1, 2, 3, 4]
    assert found[1][2] is not None and "line 3 after it has the delimiters of a row" in found[1][2]
    assert found[2] == (3, ["k2", 'x"', "y"], None)
    assert found[3] == (4, ["k3", "x", "y"], None)


def test_a_quote_left_open_at_the_end_of_the_file_is_a_reject() -> None:
    found = _rows('a;b;c\r\nk1;x;y\r\nk2;x;"y\r\n')
    assert found[-1][0] == 3
    assert found[-1][2] is not None and "the file ends before it closes" in found[-1][2]


def test_a_quoted_field_with_a_line_break_inside_stays_one_record() -> None:
    found = _rows('a;b;c\r\nk1;"two\r\nlines";y\r\nk2;x;y\r\n')
    assert found[1:] == [(2, ["k1", "two\r\nlines", "y"], None), (4, ["k2", "x", "y"], None)]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('a;b;c\r\nk1;"x\r\nmore\r\nstill";y;z\r\nk2;x;y\r\n', "would have 4 columns"),
        ('a;b;c\r\nk1;"' + "x" * 30 + "\r\n" + "y" * 30 + '";z\r\nk2;x;y\r\n', "characters long"),
    ],
)
def test_a_record_across_lines_that_is_not_plausible_is_cut_back_to_its_first_line(
    text: str, why: str
) -> None:
    found = _rows(text, max_field_chars=40)
    first_problem = found[1][2]
    assert first_problem is not None and why in first_problem
    assert found[-1] == (len(text.splitlines()), ["k2", "x", "y"], None)


def test_every_line_opening_a_quote_is_read_in_bounded_passes() -> None:
    lines = "".join(f'k{n};"x;y\r\n' for n in range(200))
    found = _rows("a;b;c\r\n" + lines, max_record_lines=5)
    assert len(found) == 201
    assert all(problem is not None for _, _, problem in found[1:])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"monthly_income_uzs": 2**63}, "monthly_income_uzs 9223372036854775808 is out of range"),
        ({"members": "member_no"}, "member_no 2147483648 is out of range"),
    ],
)
def test_survey_integers_beyond_their_columns_are_rejected_with_a_reason(
    tmp_path: Path, kit: Kit, changes: dict[str, Any], reason: str
) -> None:
    if changes.get("members") == "member_no":
        first = kit.survey_item(2)["members"][0]
        changes = {"members": [first | {"member_no": 2**31}]}
    path = tmp_path / "survey_1.jsonl"
    path.write_bytes(kit.jsonl_bytes([kit.survey_item(1), kit.survey_item(2, **changes)]))
    records, rejects, _ = _read(SurveyConnector(tmp_path), path)
    assert len(records) == 1
    [reject] = rejects
    assert reject.record_key == "SV-1703202015-00002"
    assert reason in reject.reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tax_year": 2**63}, "tax_year 9223372036854775808 is out of range"),
        ({"tax_year": 2**31}, "tax_year 2147483648 is out of range"),
        (
            {"declared_income_uzs": "92233720368547758.08"},
            "declared_income_uzs '92233720368547758.08' is out of range",
        ),
    ],
)
def test_tax_integers_beyond_their_columns_are_rejected_on_both_decodings(
    kit: Kit, changes: dict[str, Any], reason: str
) -> None:
    items = [kit.tax_item(1), kit.tax_item(2, **changes)]
    # Compact bodies take the typed fast decoding, spaced ones the general decoding.
    for dumps in (orjson.dumps, lambda page: orjson.dumps(page, option=orjson.OPT_INDENT_2)):
        body = dumps({"items": items, "next_page_token": None})
        transport = httpx.MockTransport(lambda _, b=body: httpx.Response(200, content=b))
        outcomes = list(kit.tax_connector(transport).read_delivery())
        [reject] = [x for x in outcomes if isinstance(x, Reject)]
        assert reject.record_key == "400000002"
        assert reason in reject.reason
        assert len(outcomes) == 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"amount_tiyin": 2**63}, "amount_tiyin 9223372036854775808 is out of range"),
        ({"term_months": 2**31}, "term_months 2147483648 is out of range"),
    ],
)
def test_bank_integers_beyond_their_columns_are_rejected_on_both_decodings(
    kit: Kit, changes: dict[str, Any], reason: str
) -> None:
    items = [kit.loan_item(1), kit.loan_item(2, **changes)]
    for dumps in (orjson.dumps, lambda page: orjson.dumps(page, option=orjson.OPT_INDENT_2)):
        body = dumps({"total": 2, "offset": 0, "limit": 2, "data": items})
        transport = httpx.MockTransport(lambda _, b=body: httpx.Response(200, content=b))
        outcomes = list(kit.bank_connector(transport).read_delivery())
        [reject] = [x for x in outcomes if isinstance(x, Reject)]
        assert reject.record_key == "00873-2022-000002"
        assert reason in reject.reason


@pytest.mark.parametrize("connector_type", [SurveyConnector, AppealsConnector])
def test_a_byte_order_mark_opening_a_json_lines_file_is_dropped(
    tmp_path: Path, kit: Kit, connector_type: Any
) -> None:
    build = kit.survey_item if connector_type is SurveyConnector else kit.appeal_item
    path = tmp_path / f"{connector_type.prefix}1.jsonl"
    path.write_bytes(BOM + kit.jsonl_bytes([build(1), build(2)]))
    records, rejects, _ = _read(connector_type(tmp_path), path)
    assert not rejects
    assert len(records) == 2


def test_a_byte_order_mark_inside_a_json_lines_file_is_still_a_reject(
    tmp_path: Path, kit: Kit
) -> None:
    path = tmp_path / "appeals_1.jsonl"
    path.write_bytes(
        kit.jsonl_bytes([kit.appeal_item(1)]) + BOM + kit.jsonl_bytes([kit.appeal_item(2)])
    )
    records, rejects, _ = _read(AppealsConnector(tmp_path), path)
    assert len(records) == 1
    [reject] = rejects
    assert reject.origin == "appeals_1.jsonl:2"


def test_a_byte_order_mark_opening_a_register_file_is_dropped_once(
    tmp_path: Path, kit: Kit
) -> None:
    header = ",".join(MAHALLA_COLUMNS)
    path = tmp_path / "mahallas.csv"
    path.write_bytes(BOM + kit.csv_bytes(header, [kit.mahalla_row(1), kit.mahalla_row(2)]))
    records, rejects, _ = _read(RegistryConnector(tmp_path), path)
    assert not rejects
    assert [r.mahalla_code for r in records] == ["1703202001", "1703202002"]


@pytest.mark.parametrize("source", ["tax", "bank"])
def test_a_byte_order_mark_opening_an_api_body_is_dropped(kit: Kit, source: str) -> None:
    if source == "tax":
        page: dict[str, Any] = {"items": [kit.tax_item(1)], "next_page_token": None}
    else:
        page = {"total": 1, "offset": 0, "limit": 2, "data": [kit.loan_item(1)]}
    body = BOM + orjson.dumps(page)
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    connect = kit.tax_connector if source == "tax" else kit.bank_connector
    outcomes = list(connect(transport).read_delivery())
    assert len(outcomes) == 1
    assert not isinstance(outcomes[0], Reject)


def test_a_byte_order_mark_opening_a_land_snapshot_is_dropped(tmp_path: Path, kit: Kit) -> None:
    path = tmp_path / "leases_2022-12-01.xml"
    path.write_bytes(BOM + kit.leases_bytes([kit.lease_xml(1), kit.lease_xml(2)]))
    records, rejects, _ = _read(LandConnector(tmp_path), path)
    assert not rejects
    assert [r.lease_id for r in records] == ["LS-0000001", "LS-0000002"]
