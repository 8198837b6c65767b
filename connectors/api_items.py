"""The fast path of the HTTP connectors: an API item checked by typed structs, then built.

`msgspec.convert` checks an item's JSON types, enum codes, ranges and required fields in C.
The structs accept a strict subset of what `parse_taxpayer` and `parse_loan` accept: an item
they refuse, or one that `taxpayer_record` or `loan_record` declines (a blank text, a date or
an amount in a form the fast reading does not take), goes to the general parser, which
accepts it or names the broken rule. So every item ends as it would without the fast path.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

import msgspec

from connectors.fields import FieldError, ParsedCache, dmy_date, iso_date
from connectors.records import LoanRecord, Origin, TaxpayerRecord
from connectors.vocabulary import LoanKind, LoanProgram, LoanStatus, TaxRegime

_ISO_DATES = ParsedCache(iso_date)
_DMY_DATES = ParsedCache(dmy_date)


S = TypeVar("S")


def typed_item(item: object, shape: type[S]) -> S | None:
    """`item` as a `shape` struct, or None if it does not fit (the general path decides)."""
    try:
        return msgspec.convert(item, shape)
    except msgspec.ValidationError:
        return None


class TaxItem(msgspec.Struct, gc=False):
    tin: str
    full_name: str
    regime: TaxRegime
    registered_on: str
    declared_income_uzs: str
    tax_year: int
    updated_at: str
    pinfl: str | None = None
    birth_date: str | None = None
    activity_code: str | None = None
    closed_on: str | None = None
    mahalla_code: str | None = None
    address: str | None = None


class Borrower(msgspec.Struct, gc=False):
    pinfl: str | None = None
    name: str | None = None
    birth_date: str | None = None
    passport: str | None = None


class LoanItem(msgspec.Struct, gc=False):
    loan_id: str
    bank_mfo: str
    kind: LoanKind
    program: LoanProgram
    amount_tiyin: Annotated[int, msgspec.Meta(ge=0)]
    issued_on: str
    status: LoanStatus
    borrower: Borrower | None = None
    term_months: int | None = None
    purpose: str | None = None
    mahalla_code: str | None = None


_NO_BORROWER = Borrower()


def _date(cache: ParsedCache[date], value: str) -> date | None:
    """The date `value` names, or None if it is not one (the general path says why)."""
    found = cache.get(value)
    if found is None:
        try:
            found = cache.parse("", value)
        except FieldError:
            return None
    return found


def _aware(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else parsed


def _tiyin(text: str) -> int | None:
    """`"12500000.00"` or `"12500000"` as tiyin; None for any other form (the general path
    reads those: `"12.5"`, `"1e3"`, `" 12 "`, negative amounts)."""
    if len(text) > 3 and text[-3] == ".":
        digits = text[:-3] + text[-2:]
    elif "." not in text:
        digits = text + "00"
    else:
        return None
    return int(digits) if digits.isascii() and digits.isdigit() else None


def taxpayer_record(item: TaxItem, origin: Origin) -> TaxpayerRecord | None:
    """The record of a typed item, or None when a rule needs the general path's reason.

    Texts are stripped and dates looked up inline (a dict lookup in the cache of parsed
    dates first): this runs once per item, the hot path of an API walk.
    """
    tin, full_name = item.tin.strip(), item.full_name.strip()
    registered, born, closed = item.registered_on, item.birth_date, item.closed_on
    registered_on = _ISO_DATES.get(registered) or _date(_ISO_DATES, registered)
    birth_date = (_ISO_DATES.get(born) or _date(_ISO_DATES, born)) if born else None
    closed_on = (_ISO_DATES.get(closed) or _date(_ISO_DATES, closed)) if closed else None
    income, updated_at = _tiyin(item.declared_income_uzs), _aware(item.updated_at)
    if (
        not (tin and full_name and registered_on and updated_at)
        or income is None
        or (born and birth_date is None)
        or (closed and closed_on is None)
    ):
        return None
    pinfl, activity, mahalla, address = (
        item.pinfl,
        item.activity_code,
        item.mahalla_code,
        item.address,
    )
    return TaxpayerRecord(
        tin,
        None if pinfl is None else pinfl.strip() or None,
        full_name,
        birth_date,
        item.regime,
        None if activity is None else activity.strip() or None,
        registered_on,
        closed_on,
        income,
        item.tax_year,
        None if mahalla is None else mahalla.strip() or None,
        None if address is None else address.strip() or None,
        updated_at,
        origin,
    )


def loan_record(item: LoanItem, origin: Origin) -> LoanRecord | None:
    """The record of a typed item, or None when a rule needs the general path's reason."""
    loan_id, bank_mfo, issued = item.loan_id.strip(), item.bank_mfo.strip(), item.issued_on
    issued_on = _ISO_DATES.get(issued) or _date(_ISO_DATES, issued)
    borrower = item.borrower or _NO_BORROWER
    born = borrower.birth_date
    birth_date = (_DMY_DATES.get(born) or _date(_DMY_DATES, born)) if born else None
    if not (loan_id and bank_mfo and issued_on) or (born and birth_date is None):
        return None
    pinfl, name, passport = borrower.pinfl, borrower.name, borrower.passport
    purpose, mahalla = item.purpose, item.mahalla_code
    return LoanRecord(
        loan_id,
        bank_mfo,
        item.kind,
        item.program,
        None if pinfl is None else pinfl.strip() or None,
        None if name is None else name.strip() or None,
        birth_date,
        None if passport is None else passport.strip() or None,
        item.amount_tiyin,
        issued_on,
        item.term_months,
        item.status,
        None if purpose is None else purpose.strip() or None,
        None if mahalla is None else mahalla.strip() or None,
        origin,
    )
