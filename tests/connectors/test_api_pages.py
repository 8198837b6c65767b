"""The fast page decoding of the HTTP connectors decides every page as the general decoding.

`connectors.api_items.tax_page` / `bank_page` decode a body with msgspec (envelope, then each
item into a typed struct). Each case here is walked twice through a mocked API: by the
connector as shipped and by the same connector with the fast path off (orjson, then
`parse_taxpayer` / `parse_loan` for every item). Records (with the type of every field),
rejects, stats, the cursor, or the fatal error must be the same. Cases cover the layouts
the fast decoding takes and those it must leave alone: repeated or escaped keys, skipped
values orjson refuses (invalid UTF-8, numbers out of range, nesting too deep for a page),
integers past 64 bits, other key orders and whitespace.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import orjson
import pytest

from connectors.api_items import LoanItem, TaxItem, bank_page, tax_page
from connectors.bank import BankApiConnector
from connectors.errors import ProtocolError
from connectors.outcomes import Reject
from connectors.tax import TaxApiConnector

if TYPE_CHECKING:
    from conftest import Kit


class GeneralTaxConnector(TaxApiConnector):
    item_shape: ClassVar[type[TaxItem] | None] = None


class GeneralBankConnector(BankApiConnector):
    item_shape: ClassVar[type[LoanItem] | None] = None


def _shape(outcome: Any) -> tuple[Any, ...]:
    """An outcome with the type of each field beside its value (`date` is not `datetime`)."""
    values = tuple(
        (f.name, type(getattr(outcome, f.name)), getattr(outcome, f.name))
        for f in dataclasses.fields(outcome)
    )
    return type(outcome), values


def _outcome(connector: Any) -> object:
    try:
        reading = connector.read_delivery()
        items = [_shape(x) for x in reading]
        return items, reading.stats, reading.cursor
    except ProtocolError as exc:
        return f"ProtocolError: {exc}"


def _serving(body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body))


def _tax_both(kit: Kit, body: bytes) -> tuple[object, object]:
    transport = _serving(body)
    fast = _outcome(kit.tax_connector(transport))
    general = _outcome(kit.tax_connector(transport, connector_type=GeneralTaxConnector))
    return fast, general


def _bank_both(kit: Kit, body: bytes) -> tuple[object, object]:
    transport = _serving(body)
    fast = _outcome(kit.bank_connector(transport))
    general = _outcome(kit.bank_connector(transport, connector_type=GeneralBankConnector))
    return fast, general


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# An item nested 1023 levels deep is valid JSON on its own; inside a page (object, list)
# it is 1025 deep, beyond orjson's limit of 1024, so the page is malformed.
DEEP = b'{"tin":"1","zz":' + _nested(1022) + b"}"

TAX_PAGES: list[tuple[bytes, bool]] = [
    # (body, whether the fast decoding takes it)
    (b'{"items":[ITEM,ITEM2],"next_page_token":null}', True),
    (b'{"items":[],"next_page_token":null}', True),
    (b'{"items":[ITEM,"x",null,17,[1],{}],"next_page_token":null}', True),
    (b'{"items":[ITEM,{"tin":"\\u0034\\"1\\\\","regime":"farmer"}],"next_page_token":null}', True),
    (b'{"items":[ITEM],"next_page_token":"\xc3\xa9"}', True),
    (b'{"items":[ITEM],"next_page_token":"a\\/b"}', False),
    (b'{"items": [ITEM], "next_page_token": null}', False),
    (b'{"next_page_token":null,"items":[ITEM]}', False),
    (b'{"items":[ ITEM ],"next_page_token":null}', False),
    (b'{"items":[ITEM]}', False),
    (b'{"items":[ITEM],"next_page_token":null,"extra":1}', False),
    (b'{"items":[{"tin":"\xff"}],"items":[ITEM],"next_page_token":null}', False),
    (b'{"items":[ITEM2],"items":[ITEM],"next_page_token":null}', False),
    (b'{"items":[ITEM],"next_page_token":"\xff","next_page_token":null}', False),
    (b'{"items":[ITEM],"next_page_token":null,"items":[ITEM2]}', False),
    (b'{"it\\u0065ms":[ITEM],"next_page_token":null}', False),
    (b'{"items":[ITEM,{"tin":"1","zz":"\xff"}],"next_page_token":null}', False),
    (b'{"items":[ITEM,{"tin":"1","zz":1e999}],"next_page_token":null}', False),
    (b'{"items":[ITEM,{"tin":"\\ud800"}],"next_page_token":null}', False),
    (b'{"items":[ITEM,DEEP],"next_page_token":null}', False),
    (b'{"items":[ITEM,{"tin":"1","zz":' + _nested(100) + b'}],"next_page_token":null}', True),
    (b'{"items":[ITEM],"next_page_token":null}x', False),
    (b'{"items":[ITEM],"next_page_token":null', False),
    (b'\xef\xbb\xbf{"items":[ITEM],"next_page_token":null}', False),
    (b'{"items":[ITEM],"next_page_token":""}', True),
    (b'{"items":null,"next_page_token":null}', False),
    (b"[ITEM]", False),
    (b"", False),
]


@pytest.mark.parametrize(("page", "fast_takes_it"), TAX_PAGES, ids=[p[:48] for p, _ in TAX_PAGES])
def test_tax_page_is_decided_as_the_general_decoding_decides_it(
    kit: Kit, page: bytes, fast_takes_it: bool
) -> None:
    body = (
        page.replace(b"ITEM2", orjson.dumps(kit.tax_item(2, regime="farmer")))
        .replace(b"ITEM", orjson.dumps(kit.tax_item(1)))
        .replace(b"DEEP", DEEP)
    )
    assert (tax_page(body) is not None) is fast_takes_it
    fast, general = _tax_both(kit, body)
    assert fast == general


def test_the_deep_item_case_is_what_it_claims(kit: Kit) -> None:
    orjson.loads(DEEP)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b'{"items":[' + DEEP + b"]}")


BANK_PAGES: list[tuple[bytes, bool]] = [
    (b'{"total":2,"offset":0,"limit":2,"data":[ITEM,ITEM2]}', True),
    (b'{"total":0,"offset":0,"limit":2,"data":[]}', True),
    (b'{"total":3,"offset":0,"limit":3,"data":[ITEM,"loan",{"loan_id":null}]}', True),
    (b'{"total":1,"offset":0,"data":[ITEM]}', False),
    (b'{"offset":0,"total":1,"limit":2,"data":[ITEM]}', False),
    (b'{"total": 1, "offset": 0, "limit": 2, "data": [ITEM]}', False),
    (b'{"total":-1,"offset":0,"limit":2,"data":[ITEM]}', True),
    (b'{"total":1,"offset":-0,"limit":2,"data":[ITEM]}', False),
    (b'{"total":true,"offset":0,"limit":2,"data":[ITEM]}', False),
    (b'{"total":1,"offset":0.0,"limit":2,"data":[ITEM]}', False),
    (b'{"total":9223372036854775808,"offset":0,"limit":2,"data":[ITEM]}', False),
    (b'{"total":1,"offset":0,"limit":2,"data":[{"loan_id":"\xff"}],"data":[ITEM]}', False),
    (b'{"total":1,"offset":0,"limit":2,"data":[ITEM,{"loan_id":"1","zz":1e999}]}', False),
    (b'{"total":1,"offset":0,"limit":2,"data":"ITEM"}', False),
    (b'{"total":1,"offset":0,"limit":"2","data":[ITEM]}', False),
]


@pytest.mark.parametrize(("page", "fast_takes_it"), BANK_PAGES, ids=[p[:48] for p, _ in BANK_PAGES])
def test_bank_page_is_decided_as_the_general_decoding_decides_it(
    kit: Kit, page: bytes, fast_takes_it: bool
) -> None:
    body = page.replace(b"ITEM2", orjson.dumps(kit.loan_item(2, status="frozen"))).replace(
        b"ITEM", orjson.dumps(kit.loan_item(1))
    )
    assert (bank_page(body) is not None) is fast_takes_it
    fast, general = _bank_both(kit, body)
    assert fast == general


def test_contract_pages_take_the_fast_path_item_by_item(kit: Kit) -> None:
    """In a page of the contract's layout good items are typed and bad ones are not, so
    one bad item does not send its whole page down the general path."""
    items = [kit.tax_item(1), kit.tax_item(2, regime="farmer"), kit.tax_item(3)]
    decoded = tax_page(orjson.dumps({"items": items, "next_page_token": None}))
    assert decoded is not None
    page, raws = decoded
    assert [type(x) for x in page["items"]] == [TaxItem, dict, TaxItem]
    assert page["items"][1] == items[1]
    assert [orjson.loads(memoryview(raw)) for raw in raws] == items


# Values that break or bend each rule: wrong JSON types, blanks, padded texts, odd dates
# and amounts, integers at and past the 64-bit edges.
ODD_TEXTS: list[Any] = [None, "", "  ", " x ", 7, True, 1.5, [], {}, "\u00e9", "\t"]
ODD_DATES: list[Any] = [
    *ODD_TEXTS,
    "2022-02-29",
    "2024-02-29",
    "0000-01-01",
    "0001-01-01",
    "2022-5-01",
    "20220501",
    "2022-05-01T00:00:00",
    "+2022-05-01",
    "2022-05-01 ",
    "\uff12\uff10\uff12\uff12-05-01",
    "01.05.2022",
    "29.02.2023",
    "1.5.2022",
    "31.04.2022",
]
ODD_INTS: list[Any] = [None, 0, -1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1]
ODD_INTS += [True, 2022.0, "2022", 3e9]
ODD_AMOUNTS: list[Any] = [
    *ODD_TEXTS,
    "12500000.00",
    "12500000",
    "12500000.5",
    "12500000.005",
    "0012.50",
    "1_000.00",
    "1e3",
    " 100.00 ",
    "-1.00",
    "12.",
    ".50",
    "\u0661\u0662",
    "NaN",
    "Infinity",
    12500000,
]
ODD_STAMPS: list[Any] = [
    *ODD_TEXTS,
    "2022-12-01T10:00:00",
    "2022-12-01T10:00:00Z",
    "2022-12-01t10:00:00z",
    "2022-12-01 10:00:00+05:00",
    "2022-12-01T10:00:00.1234567+05:00",
    "2022-12-01T24:00:00+05:00",
    "2022-12-01",
]

TAX_FIELDS: dict[str, list[Any]] = {
    "tin": ODD_TEXTS,
    "pinfl": ODD_TEXTS,
    "full_name": ODD_TEXTS,
    "birth_date": ODD_DATES,
    "regime": [*ODD_TEXTS, "farmer", "SELF_EMPLOYED", "individual_entrepreneur"],
    "activity_code": ODD_TEXTS,
    "registered_on": ODD_DATES,
    "closed_on": ODD_DATES,
    "declared_income_uzs": ODD_AMOUNTS,
    "tax_year": ODD_INTS,
    "mahalla_code": ODD_TEXTS,
    "address": ODD_TEXTS,
    "updated_at": ODD_STAMPS,
}
LOAN_FIELDS: dict[str, list[Any]] = {
    "loan_id": ODD_TEXTS,
    "bank_mfo": ODD_TEXTS,
    "kind": [*ODD_TEXTS, "grant", "subsidy"],
    "program": [*ODD_TEXTS, "microloan", "iron"],
    "amount_tiyin": ODD_INTS,
    "issued_on": ODD_DATES,
    "term_months": ODD_INTS,
    "status": [*ODD_TEXTS, "frozen", "repaid"],
    "purpose": ODD_TEXTS,
    "mahalla_code": ODD_TEXTS,
    "borrower": [None, {}, "x", [], {"zz": 1}],
    "borrower.pinfl": ODD_TEXTS,
    "borrower.name": ODD_TEXTS,
    "borrower.birth_date": ODD_DATES,
    "borrower.passport": ODD_TEXTS,
}


def _mutated(rng: random.Random, item: dict[str, Any], fields: dict[str, list[Any]]) -> Any:
    item = dict(item)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        name = rng.choice([*fields, "(missing)", "(unknown)"])
        if name == "(missing)":
            item.pop(rng.choice(list(item)), None)
        elif name == "(unknown)":
            item["zz"] = rng.choice(ODD_TEXTS)
        elif name.startswith("borrower."):
            borrower = item.get("borrower")
            if isinstance(borrower, dict):
                item["borrower"] = borrower | {name.split(".")[1]: rng.choice(fields[name])}
        else:
            item[name] = rng.choice(fields[name])
    return item


def _paged(items: list[Any], source: str, spaced: bool) -> httpx.MockTransport:
    """An API over `items`, its pages written compactly (the fast decoding's layout) or
    with spaces (the general decoding reads the page, items are then typed one by one)."""
    separators = (", ", ": ") if spaced else (",", ":")

    def handle(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if source == "tax":
            start, size = int(params.get("page_token", "0")), int(params["page_size"])
            end = start + size
            token = str(end) if end < len(items) else None
            page: dict[str, Any] = {"items": items[start:end], "next_page_token": token}
        else:
            start, size = int(params["offset"]), int(params["limit"])
            page = {"total": len(items), "offset": start, "limit": size}
            page["data"] = items[start : start + size]
        body = json.dumps(page, separators=separators, ensure_ascii=False).encode()
        return httpx.Response(200, content=body)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("spaced", [False, True], ids=["compact", "spaced"])
@pytest.mark.parametrize("seed", range(40))
def test_tax_items_bent_at_random_end_as_on_the_general_path(
    kit: Kit, seed: int, spaced: bool
) -> None:
    rng = random.Random(seed)
    items = [
        _mutated(rng, kit.tax_item(n), TAX_FIELDS) if rng.random() < 0.6 else kit.tax_item(n)
        for n in range(1, 31)
    ]
    transport = _paged(items, "tax", spaced)
    fast = _outcome(kit.tax_connector(transport, page_size=7))
    general = _outcome(
        kit.tax_connector(transport, page_size=7, connector_type=GeneralTaxConnector)
    )
    assert fast == general


@pytest.mark.parametrize("spaced", [False, True], ids=["compact", "spaced"])
@pytest.mark.parametrize("seed", range(40))
def test_loan_items_bent_at_random_end_as_on_the_general_path(
    kit: Kit, seed: int, spaced: bool
) -> None:
    rng = random.Random(1000 + seed)
    items = [
        _mutated(rng, kit.loan_item(n), LOAN_FIELDS) if rng.random() < 0.6 else kit.loan_item(n)
        for n in range(1, 31)
    ]
    transport = _paged(items, "bank", spaced)
    fast = _outcome(kit.bank_connector(transport, page_size=7))
    general = _outcome(
        kit.bank_connector(transport, page_size=7, connector_type=GeneralBankConnector)
    )
    assert fast == general


def test_random_cases_reach_both_the_fast_and_the_general_path(kit: Kit) -> None:
    """The random cases are worth something only if both paths take part of them."""
    rng = random.Random(0)
    items = [_mutated(rng, kit.tax_item(n), TAX_FIELDS) for n in range(1, 200)]
    body = json.dumps({"items": items, "next_page_token": None}, separators=(",", ":"))
    decoded = tax_page(body.encode())
    assert decoded is not None
    typed = sum(type(item) is TaxItem for item in decoded[0]["items"])
    assert 20 < typed < 180
    outcomes = list(kit.tax_connector(_paged(items, "tax", False), 50).read_delivery())
    assert 20 < sum(type(x) is Reject for x in outcomes) < 180
    spaced = json.dumps({"items": items, "next_page_token": None}).encode()
    assert tax_page(spaced) is None


def test_a_declined_typed_item_is_read_again_from_its_raw_text(kit: Kit) -> None:
    """An amount the fast reading does not take (`12.5`) goes to the general parser, which
    accepts it; an amount it refuses is a reject whose raw text is the delivered item."""
    items = [
        kit.tax_item(1, declared_income_uzs="12.5"),
        kit.tax_item(2, declared_income_uzs="12,5 mln"),
    ]
    decoded = tax_page(orjson.dumps({"items": items, "next_page_token": None}))
    assert decoded is not None
    assert [type(x) for x in decoded[0]["items"]] == [TaxItem, TaxItem]
    first, second = kit.tax_connector(kit.paged_tax_transport(items, 2)).read_delivery()
    assert not isinstance(first, Reject)
    assert first.declared_income_tiyin == 1250
    assert isinstance(second, Reject)
    assert orjson.loads(second.raw) == items[1]
    assert second.record_key == "400000002"
