"""The fast path of the HTTP connectors: a page decoded straight into typed item structs.

A page body is decoded once by msgspec (in C): first its envelope, with each item kept as
its raw JSON text, then each item into a typed struct that checks the item's JSON types,
enum codes, ISO dates, integer ranges and required fields. An item the struct refuses is
decoded as the general decoding (orjson) would decode it and goes to the general parser
(`parse_taxpayer`, `parse_loan`), which accepts it or names the broken rule; so does a typed
item that `taxpayer_record` or `loan_record` declines (a blank text, an amount, a date-time
or a dd.mm.yyyy date in a form the fast reading does not take), re-read from its raw text.

What the fast decoding accepts is a strict subset of what the general decoding accepts, with
the same values: the structs take only JSON strings, nulls, ISO dates and 64-bit integers and
refuse unknown fields (so no part of an item is merely skipped over); a page not in the
contract's compact layout (whitespace, another key order, a repeated or escaped key, see
`_laid_out`) or with an item orjson refuses is answered None and left to the general
decoding, which alone writes the problems of malformed pages. So every page and every item
ends as it would without the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import msgspec
import orjson
from msgspec import Raw

from connectors.fields import FieldError, ParsedCache, dmy_date
from connectors.record_init import slot_builder
from connectors.records import LoanRecord, Origin, TaxpayerRecord
from connectors.vocabulary import LoanKind, LoanProgram, LoanStatus, TaxRegime

S = TypeVar("S")

# orjson (the general decoding) reads integers beyond 64 bits as floats, which the contract
# refuses; keeping the structs inside that range keeps the two decodings in agreement.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
# Fields whose column is an `Integer` (connectors.fields.INT32): the general parser refuses
# what it cannot hold, so the structs refuse it too.
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]

# What a typed decoding raises for an item it does not take (msgspec raises
# UnicodeDecodeError, a ValueError, for bytes that are not UTF-8).
_REFUSED = (msgspec.MsgspecError, ValueError, RecursionError)

new_origin: Callable[[str, int, str | None], Origin] = slot_builder(Origin)
"""`Origin(delivery, position, page)`, built without the frozen class's `__setattr__`."""
_new_taxpayer: Callable[..., TaxpayerRecord] = slot_builder(TaxpayerRecord)
_new_loan: Callable[..., LoanRecord] = slot_builder(LoanRecord)

# Birth dates repeat across a delivery, but a walk of a country's loans sees tens of
# thousands of distinct ones (a century has 36,525): the cache may hold them all, about
# 120 bytes each, rather than be emptied every 8,192 as the default limit would.
_DMY_DATES = ParsedCache(dmy_date, limit=40000)


class TaxItem(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    tin: str
    full_name: str
    regime: TaxRegime
    registered_on: date
    declared_income_uzs: str
    tax_year: Int32
    updated_at: str
    pinfl: str | None = None
    birth_date: date | None = None
    activity_code: str | None = None
    closed_on: date | None = None
    mahalla_code: str | None = None
    address: str | None = None


class Borrower(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    pinfl: str | None = None
    name: str | None = None
    birth_date: str | None = None
    passport: str | None = None


class LoanItem(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    loan_id: str
    bank_mfo: str
    kind: LoanKind
    program: LoanProgram
    amount_tiyin: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
    issued_on: date
    status: LoanStatus
    borrower: Borrower | None = None
    term_months: Int32 | None = None
    purpose: str | None = None
    mahalla_code: str | None = None


class _TaxPage(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    items: list[Raw]
    next_page_token: str | None


class _BankPage(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    total: Int64
    offset: Int64
    limit: Int64
    data: list[Raw]


_TAX_PAGE = msgspec.json.Decoder(_TaxPage)
_BANK_PAGE = msgspec.json.Decoder(_BankPage)
_TAX_ITEM = msgspec.json.Decoder(TaxItem)
_LOAN_ITEM = msgspec.json.Decoder(LoanItem)

TypedPage = tuple[dict[str, Any], list[Raw]]
"""A page read by the fast decoding: the page object as the general decoding reads it,
except that its items are typed structs where they fit, and the raw text of each item."""


def typed_item(item: object, shape: type[S]) -> S | None:
    """An already decoded `item` as a `shape` struct, or None if it does not fit."""
    try:
        return msgspec.convert(item, shape)
    except msgspec.ValidationError:
        return None


def typed_items(items: list[Any], shape: type[S]) -> list[Any]:
    """Items the general decoding read, each as a `shape` struct where it fits, else as is."""
    typed: list[Any] = []
    append = typed.append
    for item in items:
        try:
            append(msgspec.convert(item, shape))
        except msgspec.ValidationError:
            append(item)
    return typed


def generic_item(original: Any) -> Any:
    """An item as the general decoding of its page reads it, from its raw text if it was
    read by the fast decoding, or as it is if the general decoding read it."""
    return orjson.loads(memoryview(original)) if type(original) is Raw else original


def _items(raws: list[Raw], decode: Callable[[Raw], Any]) -> list[Any] | None:
    """Each item as a typed struct, or where the struct refuses it, as orjson reads it; None
    if orjson refuses one as well (the page is malformed: the general decoding says how)."""
    items: list[Any] = []
    append = items.append
    for raw in raws:
        try:
            append(decode(raw))
        except _REFUSED:
            try:
                # Two levels down, as in its page, so that orjson's nesting limit counts the
                # same: an item nested too deeply for the page is refused here as well.
                append(orjson.loads(b"[[" + raw + b"]]")[0][0])
            except orjson.JSONDecodeError:
                return None
    return items


def _laid_out(body: bytes, head: bytes, raws: list[Raw], tail: bytes) -> bool:
    """True if `body` is exactly `head`, the raw items joined by commas, then `tail`.

    msgspec, like orjson, keeps the last of repeated keys, but it only skips over the
    earlier value (and over the raw items until they are decoded), where orjson would still
    refuse, say, invalid UTF-8. Holding the body to this compact layout, the one agencies'
    servers write, leaves no byte of it that is neither a fixed envelope byte nor inside an
    item decoded on its own. Any other layout (whitespace, another key order, a repeated
    key) is left to the general decoding.
    """
    size = len(head) + len(tail) + sum(map(len, raws)) + max(len(raws) - 1, 0)
    return len(body) == size and body.startswith(head) and body.endswith(tail)


def tax_page(body: bytes) -> TypedPage | None:
    """The tax page in `body` with typed items, or None to leave it to the general decoding."""
    try:
        envelope = _TAX_PAGE.decode(body)
    except _REFUSED:
        return None
    raws, token = envelope.items, envelope.next_page_token
    tail = b'],"next_page_token":' + orjson.dumps(token) + b"}"
    if not _laid_out(body, b'{"items":[', raws, tail):
        return None
    items = _items(raws, _TAX_ITEM.decode)
    if items is None:
        return None
    return {"items": items, "next_page_token": token}, raws


def bank_page(body: bytes) -> TypedPage | None:
    """The bank page in `body` with typed items, or None to leave it to the general decoding."""
    try:
        envelope = _BANK_PAGE.decode(body)
    except _REFUSED:
        return None
    raws, total, offset, limit = envelope.data, envelope.total, envelope.offset, envelope.limit
    head = b'{"total":%d,"offset":%d,"limit":%d,"data":[' % (total, offset, limit)
    if not _laid_out(body, head, raws, b"]}"):
        return None
    items = _items(raws, _LOAN_ITEM.decode)
    if items is None:
        return None
    return {"total": total, "offset": offset, "limit": limit, "data": items}, raws


_fromisoformat = datetime.fromisoformat


def _tiyin(text: str) -> int | None:
    """`"12500000.00"` or `"12500000"` as tiyin; None for any other form (the general path
    reads those: `"12.5"`, `"1e3"`, `" 12 "`, negative amounts, amounts beyond 64 bits
    and texts over 19 digits, too long to be one). Results are kept, since
    declared amounts repeat (at most `_TIYIN_LIMIT` texts, about 130 bytes each)."""
    if len(text) > 3 and text[-3] == ".":
        digits = text[:-3] + text[-2:]
    elif "." not in text:
        digits = text + "00"
    else:
        return None
    if len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    if len(_TIYIN) >= _TIYIN_LIMIT:
        _TIYIN.clear()
    tiyin = int(digits)
    if tiyin > _MAX_TIYIN:
        return None
    _TIYIN[text] = tiyin
    return tiyin


_TIYIN: dict[str, int] = {}
_TIYIN_LIMIT = 16384
_MAX_TIYIN = 2**63 - 1


def taxpayer_record(item: TaxItem, origin: Origin) -> TaxpayerRecord | None:
    """The record of a typed item, or None when a rule needs the general path's reason.

    This runs once per item, the hot path of an API walk: amounts are looked up first,
    texts stripped inline, and the record is built by `slot_builder` (dates, the enum and
    the integers were checked by msgspec).
    """
    tin, full_name, income = item.tin.strip(), item.full_name.strip(), item.declared_income_uzs
    tiyin = _TIYIN.get(income)
    if tiyin is None:
        tiyin = _tiyin(income)
    if not (tin and full_name) or tiyin is None:
        return None
    try:
        updated_at = _fromisoformat(item.updated_at)
    except ValueError:
        return None
    if updated_at.tzinfo is None:
        return None
    pinfl, activity, mahalla, address = (
        item.pinfl,
        item.activity_code,
        item.mahalla_code,
        item.address,
    )
    return _new_taxpayer(
        tin,
        None if pinfl is None else pinfl.strip() or None,
        full_name,
        item.birth_date,
        item.regime,
        None if activity is None else activity.strip() or None,
        item.registered_on,
        item.closed_on,
        tiyin,
        item.tax_year,
        None if mahalla is None else mahalla.strip() or None,
        None if address is None else address.strip() or None,
        updated_at,
        origin,
    )


_NO_BORROWER = Borrower()


def loan_record(item: LoanItem, origin: Origin) -> LoanRecord | None:
    """The record of a typed item, or None when a rule needs the general path's reason."""
    loan_id, bank_mfo = item.loan_id.strip(), item.bank_mfo.strip()
    borrower = item.borrower or _NO_BORROWER
    born = borrower.birth_date
    if born:
        birth_date = _DMY_DATES.get(born)
        if birth_date is None:
            try:
                birth_date = _DMY_DATES.parse("", born)
            except FieldError:
                return None
    else:
        birth_date = None
    if not (loan_id and bank_mfo):
        return None
    pinfl, name, passport = borrower.pinfl, borrower.name, borrower.passport
    purpose, mahalla = item.purpose, item.mahalla_code
    return _new_loan(
        loan_id,
        bank_mfo,
        item.kind,
        item.program,
        None if pinfl is None else pinfl.strip() or None,
        None if name is None else name.strip() or None,
        birth_date,
        None if passport is None else passport.strip() or None,
        item.amount_tiyin,
        item.issued_on,
        item.term_months,
        item.status,
        None if purpose is None else purpose.strip() or None,
        None if mahalla is None else mahalla.strip() or None,
        origin,
    )
