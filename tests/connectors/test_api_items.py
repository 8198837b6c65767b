"""The typed fast path of the HTTP connectors decides every item as the general parser does.

Each case is walked twice through a mocked API: by the connector as shipped (typed fast path
first) and by the same connector with the fast path switched off. Records, rejects, stats
and the cursor must be identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import orjson
import pytest

from connectors.api_items import LoanItem, TaxItem, loan_record, taxpayer_record, typed_item
from connectors.bank import BankApiConnector, parse_loan
from connectors.errors import ProtocolError
from connectors.records import Origin
from connectors.tax import TaxApiConnector, parse_taxpayer

if TYPE_CHECKING:
    from conftest import Kit


class GeneralTaxConnector(TaxApiConnector):
    item_shape: ClassVar[type[TaxItem] | None] = None


class GeneralBankConnector(BankApiConnector):
    item_shape: ClassVar[type[LoanItem] | None] = None


TAX_CHANGES: list[dict[str, Any]] = [
    {},
    {"tin": " 412345678 "},
    {"tin": ""},
    {"tin": 412345678},
    {"pinfl": None},
    {"pinfl": "  "},
    {"full_name": None},
    {"birth_date": None},
    {"birth_date": ""},
    {"birth_date": "15.03.1985"},
    {"birth_date": "1985-02-30"},
    {"regime": "farmer"},
    {"regime": None},
    {"activity_code": 47190},
    {"registered_on": "2022-5-01"},
    {"closed_on": "2022-12-31"},
    {"closed_on": ""},
    {"closed_on": "soon"},
    {"declared_income_uzs": "12500000"},
    {"declared_income_uzs": "12500000.5"},
    {"declared_income_uzs": "12500000.005"},
    {"declared_income_uzs": "0012.50"},
    {"declared_income_uzs": "1e3"},
    {"declared_income_uzs": " 100.00 "},
    {"declared_income_uzs": "-1.00"},
    {"declared_income_uzs": "12."},
    {"declared_income_uzs": "١٢"},
    {"declared_income_uzs": 12500000},
    {"declared_income_uzs": "NaN"},
    {"tax_year": True},
    {"tax_year": 2022.0},
    {"tax_year": "2022"},
    {"mahalla_code": None},
    {"address": ""},
    {"updated_at": "2022-12-01T10:00:00"},
    {"updated_at": "2022-12-01t10:00:00z"},
    {"updated_at": "2022-12-01T10:00:00.1234567+05:00"},
    {"updated_at": None},
    {"unexpected": {"nested": [1]}},
]

LOAN_CHANGES: list[dict[str, Any]] = [
    {},
    {"loan_id": " 00873-1 "},
    {"loan_id": None},
    {"bank_mfo": ""},
    {"kind": "grant"},
    {"program": None},
    {"borrower": None},
    {"borrower": {}},
    {"borrower": "ABDULLAEV"},
    {"borrower": {"pinfl": " ", "name": None, "birth_date": "", "passport": None}},
    {"borrower": {"birth_date": "1985-03-15"}},
    {"borrower": {"birth_date": "31.02.1985"}},
    {"borrower": {"name": 7}},
    {"amount_tiyin": -1},
    {"amount_tiyin": 0},
    {"amount_tiyin": True},
    {"amount_tiyin": 3e9},
    {"amount_tiyin": "3000000000"},
    {"issued_on": "11.04.2022"},
    {"term_months": None},
    {"term_months": False},
    {"term_months": 36.5},
    {"status": "closed"},
    {"purpose": " "},
    {"mahalla_code": 1703202015},
    {"unexpected": None},
]


def _walk(connector: Any) -> tuple[list[Any], Any, Any]:
    reading = connector.read_delivery()
    items = list(reading)
    return items, reading.stats, reading.cursor


@pytest.mark.parametrize("changes", TAX_CHANGES, ids=[repr(c)[:60] for c in TAX_CHANGES])
def test_tax_fast_path_decides_an_item_as_the_general_parser(
    kit: Kit, changes: dict[str, Any]
) -> None:
    items = [kit.tax_item(1), kit.tax_item(2) | changes, kit.tax_item(3)]
    transport = kit.paged_tax_transport(items, 2)
    fast = _walk(kit.tax_connector(transport))
    general = _walk(GeneralTaxConnector(kit.TAX_URL, "t", page_size=2, transport=transport))
    assert fast == general


@pytest.mark.parametrize("changes", LOAN_CHANGES, ids=[repr(c)[:60] for c in LOAN_CHANGES])
def test_bank_fast_path_decides_an_item_as_the_general_parser(
    kit: Kit, changes: dict[str, Any]
) -> None:
    items = [kit.loan_item(1), kit.loan_item(2) | changes, kit.loan_item(3)]
    transport = kit.paged_bank_transport(items)
    fast = _walk(kit.bank_connector(transport))
    general = _walk(GeneralBankConnector(kit.BANK_URL, "k", page_size=2, transport=transport))
    assert fast == general


def test_non_object_items_are_rejected_on_both_paths(kit: Kit) -> None:
    transport = kit.paged_tax_transport([kit.tax_item(1), ["not", "an", "object"], None], 2)
    fast = _walk(kit.tax_connector(transport))
    general = _walk(GeneralTaxConnector(kit.TAX_URL, "t", page_size=2, transport=transport))
    assert fast == general
    assert fast[1].rejected == 2


def test_contract_items_take_the_fast_path(kit: Kit) -> None:
    origin = Origin("tax full", 1, "page 1")
    tax = typed_item(kit.tax_item(1), TaxItem)
    loan = typed_item(kit.loan_item(1), LoanItem)
    assert tax is not None
    assert loan is not None
    assert taxpayer_record(tax, origin) == parse_taxpayer(kit.tax_item(1), origin)
    assert loan_record(loan, origin) == parse_loan(kit.loan_item(1), origin)


def _outcome(connector: Any) -> object:
    try:
        return _walk(connector)
    except ProtocolError as exc:
        return f"ProtocolError: {exc}"


@pytest.mark.parametrize(
    "page",
    [
        b'{"items": [ITEM], "next_page_token": null}',
        b'{"items": [ITEM]}',
        b'{"items": [ITEM], "next_page_token": ""}',
        b'{"items": [ITEM], "next_page_token": 7}',
        b'{"items": null, "next_page_token": null}',
        b'{"items": {}, "next_page_token": null}',
        b"[ITEM]",
        b'{"items": [ITEM, ["a list"], null, 17, {"tin": 1e999}], "next_page_token": null}',
        b'{"items": [ITEM, {"tin": "x", "tax_year": 123456789012345678901234567890}]}',
        b'{"items": [ITEM], "next_page_token": null, "extra": [1, {"x": 2}]}',
        b'{"items": [ITEM], "next_page_token": null',
    ],
)
def test_tax_fast_page_decoding_decides_a_page_as_the_general_decoding(
    kit: Kit, page: bytes
) -> None:
    body = page.replace(b"ITEM", orjson.dumps(kit.tax_item(1)))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    fast = _outcome(kit.tax_connector(transport))
    general = _outcome(kit.tax_connector(transport, connector_type=GeneralTaxConnector))
    assert fast == general


@pytest.mark.parametrize(
    "page",
    [
        b'{"total": 1, "offset": 0, "limit": 2, "data": [ITEM]}',
        b'{"total": -1, "offset": 0, "data": [ITEM]}',
        b'{"total": true, "offset": 0, "data": [ITEM]}',
        b'{"total": 1, "offset": 0.0, "data": [ITEM]}',
        b'{"total": 1, "data": [ITEM]}',
        b'{"total": 12345678901234567890123, "offset": 0, "data": [ITEM]}',
        b'{"total": 1, "offset": 0, "data": "ITEM"}',
        b'{"total": 3, "offset": 0, "data": [ITEM, "loan", {"loan_id": null}]}',
        b'{"total": 1, "offset": 0, "data": [{"loan_id": "x", "amount_tiyin": 1%s}]}'
        % (b"0" * 22,),
    ],
)
def test_bank_fast_page_decoding_decides_a_page_as_the_general_decoding(
    kit: Kit, page: bytes
) -> None:
    body = page.replace(b"ITEM", orjson.dumps(kit.loan_item(1)))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    fast = _outcome(kit.bank_connector(transport))
    general = _outcome(kit.bank_connector(transport, connector_type=GeneralBankConnector))
    assert fast == general
