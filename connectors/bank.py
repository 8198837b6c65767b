"""bank: the banks' reporting gateway, loans and subsidies (offset pages, API key).

`read_delivery(issued_from)` walks `GET /api/v2/loans` with `offset`/`limit` until `offset`
reaches `total`. A page whose `offset` is not the one asked for, or that is empty while
`total` says more remain, is refused as a `ProtocolError` (the walk would not advance); so
is a page repeating an earlier page's items, a total needing more pages than a walk may
read, and a walk past its deadline (`connectors.api_walk`). A
change of `total` during the walk is a warning in the stats (rows may have shifted between
pages; the next delivery repairs it, since records are keyed by `loan_id`).

Cursor (decided here, the contract leaves it open): the largest `issued_on` of the accepted
loans. Pass it as the next `issued_from`; the API filters inclusively, so that day is read
again, which is harmless. The API cannot filter by change date, so an incremental walk does
not see later status changes (repaid, overdue) of loans issued before the cursor: schedule a
full walk (`issued_from=None`) regularly, e.g. weekly, to refresh statuses. The next page is
fetched while the current one is parsed (`connectors.page_prefetch`); a page is decoded by the
typed fast path of `connectors.api_items` first (straight into typed item structs), and
`parse_loan` decides every item that path does not take, as it would without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, ClassVar

from connectors.api_items import (
    LoanItem,
    bank_page,
    generic_item,
    loan_record,
    new_origin,
    typed_items,
)
from connectors.api_source import ApiConnector, ApiDeliveryReading, CursorTracker
from connectors.api_walk import page_digest
from connectors.errors import ProtocolError
from connectors.fields import (
    INT32,
    FieldError,
    enum_member,
    integer,
    iso_date,
    optional_dmy_date,
    optional_integer,
    optional_text,
    required_text,
)
from connectors.http_fetch import ApiIdentity, fetch_page
from connectors.outcomes import DeliveryStats, Reject, count_outcomes
from connectors.page_prefetch import prefetched
from connectors.records import LoanRecord, Origin
from connectors.settings import BANK_KEY_VARIABLE, BANK_URL_VARIABLE, Secret
from connectors.vocabulary import LoanKind, LoanProgram, LoanStatus, lookup_table

PATH = "/api/v2/loans"
KINDS = lookup_table(LoanKind)
PROGRAMS = lookup_table(LoanProgram)
STATUSES = lookup_table(LoanStatus)
BankReading = ApiDeliveryReading[LoanRecord | Reject, date]


def _page_problem(page: dict[str, Any]) -> str | None:
    for name in ("total", "offset"):
        value = page.get(name)
        if type(value) is not int or value < 0:
            return f"the page's '{name}' {value!r} is not a non-negative integer"
    if not isinstance(page.get("data"), list):
        return "the page has no 'data' list"
    return None


def parse_loan(item: object, origin: Origin) -> LoanRecord:
    """One API item as a record; raises `FieldError` naming the broken field."""
    if not isinstance(item, dict):
        raise FieldError(f"the item {item!r} is not an object", "type:item")
    borrower = item.get("borrower")
    if borrower is None:
        borrower = {}
    elif not isinstance(borrower, dict):
        raise FieldError(f"borrower {borrower!r} is not an object", "type:borrower")
    amount = integer("amount_tiyin", item.get("amount_tiyin"))
    if amount < 0:
        raise FieldError(f"amount_tiyin {amount} is negative", "range:amount_tiyin")
    return LoanRecord(
        loan_id=required_text("loan_id", item.get("loan_id")),
        bank_mfo=required_text("bank_mfo", item.get("bank_mfo")),
        kind=enum_member("kind", item.get("kind"), KINDS),
        program=enum_member("program", item.get("program"), PROGRAMS),
        borrower_pinfl=optional_text("borrower.pinfl", borrower.get("pinfl")),
        borrower_name=optional_text("borrower.name", borrower.get("name")),
        borrower_birth_date=optional_dmy_date("borrower.birth_date", borrower.get("birth_date")),
        borrower_passport=optional_text("borrower.passport", borrower.get("passport")),
        amount_tiyin=amount,
        issued_on=iso_date("issued_on", item.get("issued_on")),
        term_months=optional_integer("term_months", item.get("term_months"), INT32),
        status=enum_member("status", item.get("status"), STATUSES),
        purpose=optional_text("purpose", item.get("purpose")),
        mahalla_code=optional_text("mahalla_code", item.get("mahalla_code")),
        origin=origin,
    )


class BankApiConnector(ApiConnector[LoanRecord]):
    """`BankApiConnector(base_url=None, api_key=None, *, page_size=500, environ, retry,
    timeout, transport)`; unset values come from HUB_BANK_API_URL / HUB_BANK_API_KEY."""

    identity: ClassVar[ApiIdentity] = ApiIdentity(
        "bank", BANK_URL_VARIABLE, BANK_KEY_VARIABLE, "API key"
    )
    # Items are first tried on the typed fast path of `connectors.api_items` (None: off).
    item_shape: ClassVar[type[LoanItem] | None] = LoanItem

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | Secret | None = None,
        *,
        page_size: int = 500,
        **options: Any,
    ) -> None:
        if not 1 <= page_size <= 500:
            raise ValueError(f"page_size {page_size} is not in 1..500")
        self.page_size = page_size
        super().__init__(base_url, api_key, **options)

    def auth_headers(self, secret: Secret) -> dict[str, str]:
        return {"X-Api-Key": secret.reveal(), "Accept": "application/json"}

    def read_delivery(self, issued_from: date | None = None) -> BankReading:
        """A lazy walk of all loans issued on or after `issued_from` (None: a full load)."""
        name = "bank full" if issued_from is None else f"bank from {issued_from.isoformat()}"
        tracker: CursorTracker[date] = CursorTracker(issued_from)
        return ApiDeliveryReading(
            DeliveryStats(self.source, name),
            lambda stats: count_outcomes(self._walk(name, issued_from, tracker, stats), stats),
            tracker,
        )

    def _walk(
        self,
        name: str,
        issued_from: date | None,
        tracker: CursorTracker[date],
        stats: DeliveryStats,
    ) -> Iterator[LoanRecord | Reject]:
        ordinal = 0
        pages = prefetched(self._pages(issued_from), name=f"{self.source}-pages")
        for offset, items, originals, warning in pages:
            if warning is not None:
                stats.warnings.append(warning)
            page_name, first, cursor = f"offset={offset}", ordinal + 1, tracker.value
            for item in items:
                ordinal += 1
                origin = new_origin(name, ordinal, page_name)
                if type(item) is LoanItem:
                    record = loan_record(item, origin)
                    if record is not None:
                        if cursor is None or record.issued_on > cursor:
                            cursor = record.issued_on
                        yield record
                        continue
                    # Declined: the general parser reads the item as the general decoding does.
                    item = generic_item(originals[ordinal - first])
                try:
                    record = parse_loan(item, origin)
                except FieldError as exc:
                    key = item.get("loan_id") if isinstance(item, dict) else None
                    key = key if isinstance(key, str) else None
                    yield self.reject(item, key, exc, str(origin))
                    continue
                if cursor is None or record.issued_on > cursor:
                    cursor = record.issued_on
                yield record
            # Each page's largest issued_on is reported before the next page is read.
            if cursor is not None:
                tracker.reach(cursor)

    def _pages(
        self, issued_from: date | None
    ) -> Iterator[tuple[int, list[Any], list[Any], str | None]]:
        """(offset, items, originals, a warning or None) of each page in order; runs in the
        prefetch worker. Items are `LoanItem` structs where they fit (see
        `connectors.api_items`), `originals` what the general decoding reads for each (or its
        raw text). A page that does not advance is refused before the next one is asked for."""
        fast = None if self.item_shape is None else bank_page
        guard = self.walk_guard()
        offset = 0
        first_total: int | None = None
        while True:
            left = guard.next_page()
            params: dict[str, str | int] = {"offset": offset, "limit": self.page_size}
            if issued_from is not None:
                params["issued_from"] = issued_from.isoformat()
            page, raws = fetch_page(
                self._client,
                self.identity,
                self.retry,
                PATH,
                params,
                _page_problem,
                "",
                fast,
                self.bounds.within(left),
            )
            total, data = page["total"], page["data"]
            self._check_advance(page["offset"], offset, total, len(data))
            guard.check_total(total, self.page_size, "loans")
            if data:
                guard.check_new(f"the page at offset {offset}", page_digest(raws, data))
            warning = None
            if first_total is None:
                first_total = total
            elif total != first_total:
                warning = (
                    f"total changed from {first_total} to {total} at offset {offset}; "
                    "rows may have shifted between pages"
                )
                first_total = total
            if raws is not None:
                yield offset, data, raws, warning
            elif self.item_shape is not None:
                yield offset, typed_items(data, self.item_shape), data, warning
            else:
                yield offset, data, data, warning
            offset += len(data)
            if offset >= total:
                return

    def _check_advance(self, answered: int, asked: int, total: int, count: int) -> None:
        if answered != asked:
            raise ProtocolError(
                self.source, f"asked for offset {asked}, the API answered offset {answered}"
            )
        if count == 0 and asked < total:
            raise ProtocolError(
                self.source,
                f"the page at offset {asked} is empty but total is {total}; it does not advance",
            )
