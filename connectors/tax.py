"""tax: the State Tax Committee's taxpayers API (cursor pages, bearer token).

`read_delivery(updated_since)` walks `GET /v1/taxpayers` page by page. A `next_page_token`
seen before, or a page with no items that still names a next page, is refused as a
`ProtocolError` (it would loop forever); so is a page repeating an earlier page's items
under a new token, and a walk longer than its bounds (`connectors.api_walk`). A 400 in the
middle of a walk is most often an expired page token (they live 10 minutes): the error says
so and the run should restart from the saved cursor. Cursor: the largest `updated_at` of
the accepted items no later than `CURSOR_HORIZON` from now (a far-future `updated_at`,
which staging rejects as implausible, must not carry the cursor past every record still to
come); pass it as `updated_since` of the next delivery (the API re-sends items
at that instant, which is harmless: the later delivery wins and loads are idempotent by
`tin`). The next page is fetched while the current one is parsed
(`connectors.page_prefetch`); a page is decoded by the typed fast path of
`connectors.api_items` first (straight into typed item structs), and `parse_taxpayer`
decides every item that path does not take, as it would without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

from connectors.api_items import (
    TaxItem,
    generic_item,
    new_origin,
    tax_page,
    taxpayer_record,
    typed_items,
)
from connectors.api_source import ApiConnector, ApiDeliveryReading, CursorTracker
from connectors.api_walk import page_digest
from connectors.errors import ProtocolError
from connectors.fields import (
    INT32,
    FieldError,
    aware_datetime,
    enum_member,
    integer,
    iso_date,
    optional_iso_date,
    optional_text,
    required_text,
    soums_to_tiyin,
)
from connectors.http_fetch import ApiIdentity, fetch_page
from connectors.outcomes import DeliveryStats, Reject, count_outcomes
from connectors.page_prefetch import prefetched
from connectors.records import Origin, TaxpayerRecord
from connectors.settings import TAX_TOKEN_VARIABLE, TAX_URL_VARIABLE, Secret
from connectors.vocabulary import TaxRegime, lookup_table

PATH = "/v1/taxpayers"
REGIMES = lookup_table(TaxRegime)
TaxReading = ApiDeliveryReading[TaxpayerRecord | Reject, datetime]

CURSOR_HORIZON: Final = timedelta(days=1)
"""How far past now an `updated_at` may be and still move the cursor (clocks drift; a date
beyond this is an agency's error, rejected in staging)."""


def _page_problem(page: dict[str, Any]) -> str | None:
    if not isinstance(page.get("items"), list):
        return "the page has no 'items' list"
    token = page.get("next_page_token", "missing")
    if token is not None and (not isinstance(token, str) or not token):
        return f"next_page_token {token!r} is neither a non-empty string nor null"
    return None


def parse_taxpayer(item: object, origin: Origin) -> TaxpayerRecord:
    """One API item as a record; raises `FieldError` naming the broken field."""
    if not isinstance(item, dict):
        raise FieldError(f"the item {item!r} is not an object", "type:item")
    return TaxpayerRecord(
        tin=required_text("tin", item.get("tin")),
        pinfl=optional_text("pinfl", item.get("pinfl")),
        full_name=required_text("full_name", item.get("full_name")),
        birth_date=optional_iso_date("birth_date", item.get("birth_date")),
        regime=enum_member("regime", item.get("regime"), REGIMES),
        activity_code=optional_text("activity_code", item.get("activity_code")),
        registered_on=iso_date("registered_on", item.get("registered_on")),
        closed_on=optional_iso_date("closed_on", item.get("closed_on")),
        declared_income_tiyin=soums_to_tiyin(
            "declared_income_uzs", item.get("declared_income_uzs")
        ),
        tax_year=integer("tax_year", item.get("tax_year"), INT32),
        mahalla_code=optional_text("mahalla_code", item.get("mahalla_code")),
        address=optional_text("address", item.get("address")),
        updated_at=aware_datetime("updated_at", item.get("updated_at")),
        origin=origin,
    )


class TaxApiConnector(ApiConnector[TaxpayerRecord]):
    """`TaxApiConnector(base_url=None, token=None, *, page_size=1000, environ, retry,
    timeout, transport)`; unset values come from HUB_TAX_API_URL / HUB_TAX_API_TOKEN."""

    identity: ClassVar[ApiIdentity] = ApiIdentity(
        "tax", TAX_URL_VARIABLE, TAX_TOKEN_VARIABLE, "token"
    )
    # Items are first tried on the typed fast path of `connectors.api_items` (None: off).
    item_shape: ClassVar[type[TaxItem] | None] = TaxItem

    def __init__(
        self,
        base_url: str | None = None,
        token: str | Secret | None = None,
        *,
        page_size: int = 1000,
        **options: Any,
    ) -> None:
        if not 1 <= page_size <= 1000:
            raise ValueError(f"page_size {page_size} is not in 1..1000")
        self.page_size = page_size
        super().__init__(base_url, token, **options)

    def auth_headers(self, secret: Secret) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret.reveal()}", "Accept": "application/json"}

    def read_delivery(self, updated_since: datetime | None = None) -> TaxReading:
        """A lazy walk of all pages changed since `updated_since` (None: a full load)."""
        if updated_since is not None and updated_since.tzinfo is None:
            raise ValueError("updated_since must carry a UTC offset")
        name = "tax full" if updated_since is None else f"tax since {updated_since.isoformat()}"
        tracker: CursorTracker[datetime] = CursorTracker(updated_since)
        return ApiDeliveryReading(
            DeliveryStats(self.source, name),
            lambda stats: count_outcomes(self._walk(name, updated_since, tracker), stats),
            tracker,
        )

    def _walk(
        self, name: str, since: datetime | None, tracker: CursorTracker[datetime]
    ) -> Iterator[TaxpayerRecord | Reject]:
        ordinal = 0
        horizon = datetime.now(UTC) + CURSOR_HORIZON
        for page_no, items, originals in prefetched(
            self._pages(since), name=f"{self.source}-pages"
        ):
            page_name, first, cursor = f"page {page_no}", ordinal + 1, tracker.value
            for item in items:
                ordinal += 1
                origin = new_origin(name, ordinal, page_name)
                if type(item) is TaxItem:
                    record = taxpayer_record(item, origin)
                    if record is not None:
                        if record.updated_at <= horizon and (
                            cursor is None or record.updated_at > cursor
                        ):
                            cursor = record.updated_at
                        yield record
                        continue
                    # Declined: the general parser reads the item as the general decoding does.
                    item = generic_item(originals[ordinal - first])
                try:
                    record = parse_taxpayer(item, origin)
                except FieldError as exc:
                    key = item.get("tin") if isinstance(item, dict) else None
                    key = key if isinstance(key, str) else None
                    yield self.reject(item, key, exc, str(origin))
                    continue
                if record.updated_at <= horizon and (cursor is None or record.updated_at > cursor):
                    cursor = record.updated_at
                yield record
            # Each page's largest updated_at is reported before the next page is read.
            if cursor is not None:
                tracker.reach(cursor)

    def _pages(self, since: datetime | None) -> Iterator[tuple[int, list[Any], list[Any]]]:
        """(page number, items, originals) of each page in order; runs in the prefetch
        worker. Items are `TaxItem` structs where they fit (see `connectors.api_items`),
        `originals` what the general decoding reads for each (or its raw text). A bad next
        token is refused here, before the next page, so the error comes after the items of
        the page that named it."""
        fast = None if self.item_shape is None else tax_page
        guard = self.walk_guard()
        token: str | None = None
        seen: set[str] = set()
        while True:
            left = guard.next_page()
            page_no = guard.pages
            params: dict[str, str | int] = {"page_size": self.page_size}
            if since is not None:
                params["updated_since"] = since.isoformat()
            if token is not None:
                params["page_token"] = token
            hint = (
                "Page tokens expire after 10 minutes: restart the delivery from the saved cursor."
                if token is not None
                else ""
            )
            page, raws = fetch_page(
                self._client,
                self.identity,
                self.retry,
                PATH,
                params,
                _page_problem,
                hint,
                fast,
                self.bounds.within(left),
            )
            items: list[Any] = page["items"]
            if items:
                guard.check_new(f"the page of token '{token}'", page_digest(raws, items))
            if raws is not None:
                yield page_no, items, raws
            elif self.item_shape is not None:
                yield page_no, typed_items(items, self.item_shape), items
            else:
                yield page_no, items, items
            token = self._next_token(page, seen, page_no, bool(items))
            if token is None:
                return

    def _next_token(
        self, page: dict[str, Any], seen: set[str], page_no: int, advanced: bool
    ) -> str | None:
        token: str | None = page.get("next_page_token")
        if token is None:
            return None
        if token in seen:
            raise ProtocolError(
                self.source,
                f"page {page_no} returned next_page_token '{token}' that was already used; "
                "refusing to read the same pages again",
            )
        if not advanced:
            raise ProtocolError(
                self.source,
                f"page {page_no} has no items but names a next page; it does not advance",
            )
        seen.add(token)
        return token
