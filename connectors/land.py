"""land: cadastre lease snapshots, files `leases_YYYY-MM-DD.xml` (UTF-8 XML).

Parsed incrementally with `connectors.safe_xml` (expat with DTDs, entity declarations and
external references refused), keeping only the open `<Lease>`, so memory stays flat whatever
the size. A rejected lease's `raw` is its delivered text.
`areaHa` uses a decimal comma. A file that stops being well-formed keeps the leases read
before the fault; the rest of the file becomes one reject and an entry in `stats.errors`.

Each file is a full snapshot and the newest is authoritative: `newest_delivery()` names it
and `vanished_leases(previous, current)` lists the lease ids no longer present.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import BinaryIO, ClassVar

from connectors.errors import DeliveryFormatError
from connectors.fields import (
    FieldError,
    ParsedCache,
    decimal_comma,
    enum_member,
    iso_date,
    required_text,
)
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery
from connectors.outcomes import DeliveryStats, Reject
from connectors.record_init import slot_builder
from connectors.records import LeaseRecord, Origin
from connectors.safe_xml import ElementScanner, ExpatError, UnsafeXmlError, is_empty_document
from connectors.vocabulary import LandPurpose, LeaseStatus, LesseeKind, lookup_table

FILE_NAME = re.compile(r"leases_\d{4}-\d{2}-\d{2}\.xml")
ROOT = "LeaseExport"
STATUSES = lookup_table(LeaseStatus)
PURPOSES = lookup_table(LandPurpose)
LESSEE_KINDS = lookup_table(LesseeKind)
CHILDREN = ("Parcel", "Lessee", "Term")
_DATES = ParsedCache(iso_date)
_AREAS = ParsedCache(decimal_comma)
_RAW_LIMIT = 2000
# Small reads: the leases completed by one read are held until the next, and the fewer of
# them the cyclic GC finds alive, the fewer it promotes and the rarer its full collections
# (16 KiB reads parse about 15 % faster than 64 KiB ones in a paired comparison).
_CHUNK = 1 << 14
# One lease and one origin per `<Lease>`, made by plain slot stores: the same records as the
# classes' own constructors make, about three times cheaper.
_new_lease: Callable[..., LeaseRecord] = slot_builder(LeaseRecord)
_new_origin: Callable[[str, int, str | None], Origin] = slot_builder(Origin)

Attributes = dict[str, str]


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def _lease(lease: Attributes, children: dict[str, Attributes], origin: Origin) -> LeaseRecord:
    """The record of one `<Lease>`; the first broken rule (in field order) is the reason.

    The fast path reads a lease that has every attribute, with values already seen (enum
    codes, cached areas and dates), by plain subscripts; any KeyError, and an empty id or an
    end date not yet cached, sends the lease to `_checked_lease`, which applies each rule in
    order and raises the reject reason.
    """
    try:
        parcel, lessee, term = children["Parcel"], children["Lessee"], children["Term"]
        lease_id, end = lease["id"].strip(), term["end"]
        ends_on = _DATES[end] if end else None
        record = _new_lease(
            lease_id,
            lease["contract"].strip() or None,
            STATUSES[lease["status"]],
            parcel["cadastre"].strip() or None,
            parcel["mahalla"].strip() or None,
            _AREAS[parcel["areaHa"]],
            PURPOSES[parcel["purpose"]],
            parcel["crop"].strip() or None,
            LESSEE_KINDS[lessee["kind"]],
            lessee["pinfl"].strip() or None,
            lessee["tin"].strip() or None,
            lessee["name"].strip() or None,
            _DATES[term["start"]],
            ends_on,
            origin,
        )
    except KeyError:
        return _checked_lease(lease, children, origin)
    return record if lease_id else _checked_lease(lease, children, origin)


def _checked_lease(
    lease: Attributes, children: dict[str, Attributes], origin: Origin
) -> LeaseRecord:
    """`_lease` with every rule checked in field order (and new values parsed and cached)."""
    missing = [tag for tag in CHILDREN if tag not in children]
    if missing:
        raise FieldError(f"Lease has no <{missing[0]}> element")
    parcel, lessee, term = children["Parcel"], children["Lessee"], children["Term"]
    get = lease.get
    end = term.get("end")
    return LeaseRecord(
        lease_id=(get("id") or "").strip() or required_text("Lease/@id", get("id")),
        contract_no=_blank(get("contract")),
        status=STATUSES.get(get("status", ""))
        or enum_member("Lease/@status", get("status"), STATUSES),
        cadastre_no=_blank(parcel.get("cadastre")),
        mahalla_code=_blank(parcel.get("mahalla")),
        area_ha=_area(parcel.get("areaHa")),
        purpose=PURPOSES.get(parcel.get("purpose", ""))
        or enum_member("Parcel/@purpose", parcel.get("purpose"), PURPOSES),
        crop=_blank(parcel.get("crop")),
        lessee_kind=LESSEE_KINDS.get(lessee.get("kind", ""))
        or enum_member("Lessee/@kind", lessee.get("kind"), LESSEE_KINDS),
        lessee_pinfl=_blank(lessee.get("pinfl")),
        lessee_tin=_blank(lessee.get("tin")),
        lessee_name=_blank(lessee.get("name")),
        starts_on=_DATES.get(term.get("start")) or _DATES.parse("Term/@start", term.get("start")),
        ends_on=(_DATES.get(end) or _DATES.parse("Term/@end", end)) if end else None,
        origin=origin,
    )


def _area(value: str | None) -> Decimal:
    found = _AREAS.get(value)
    return found if found is not None else _AREAS.parse("Parcel/@areaHa", value)


def _chunks(binary: BinaryIO) -> Iterator[bytes]:
    """The file in pieces, then one empty piece that tells the parser the input ended."""
    while data := binary.read(_CHUNK):
        yield data
    yield b""


def _line_at(delivery: FileDelivery, number: int) -> str:
    """The text of line `number` (1-based), capped, for the reject of a broken tail."""
    with delivery.path.open("rb") as binary:
        line = next(islice(binary, number - 1, None), b"")
    return line[:_RAW_LIMIT].decode("utf-8", "replace").rstrip("\r\n")


class LandConnector(FileConnector[LeaseRecord]):
    """Reads `leases_YYYY-MM-DD.xml` snapshots from `HUB_LAND_DIR`."""

    source: ClassVar[str] = "land"

    def is_delivery_name(self, name: str) -> bool:
        return FILE_NAME.fullmatch(name) is not None

    def newest_delivery(self) -> FileDelivery | None:
        """The authoritative snapshot: the file with the latest date in its name."""
        deliveries = self.list_deliveries()
        return deliveries[-1] if deliveries else None

    def parse(self, delivery: FileDelivery, stats: DeliveryStats) -> Iterator[LeaseRecord | Reject]:
        scanner = ElementScanner("Lease")
        with delivery.path.open("rb") as binary:
            for data in _chunks(binary):
                fault: ExpatError | None = None
                try:
                    scanner.feed(data, final=not data)
                except ExpatError as exc:
                    fault = exc
                except UnsafeXmlError as exc:
                    raise DeliveryFormatError(
                        self.source,
                        f"{delivery.name}: refused for safety, the XML declares a DTD, entities "
                        f"or external references ({exc}); the contract's XML has none",
                        delivery.name,
                    ) from None
                self._check_root(delivery, scanner.root)
                yield from self._leases(delivery, scanner)
                if fault is not None:
                    if is_empty_document(fault, scanner.root):
                        stats.warnings.append(EMPTY_FILE_WARNING)
                    else:
                        yield self._broken_tail(delivery, stats, fault, scanner)
                    return

    def _leases(
        self, delivery: FileDelivery, scanner: ElementScanner
    ) -> Iterator[LeaseRecord | Reject]:
        """The leases completed by the last `feed`, then releases them."""
        name, new_origin = delivery.name, _new_origin
        for ordinal, lease, children, start, end in scanner.completed:
            origin = new_origin(name, ordinal, None)
            try:
                yield _lease(lease, children, origin)
            except FieldError as exc:
                raw = scanner.raw(start, end)
                yield Reject(self.source, _blank(lease.get("id")), raw, str(exc), str(origin))
        scanner.release()

    def _check_root(self, delivery: FileDelivery, root: str | None) -> None:
        if root is not None and root != ROOT:
            shown = "{" + root if "}" in root else root  # ElementTree's {uri}local form
            raise DeliveryFormatError(
                self.source,
                f"{delivery.name}: the root element is <{shown}>, the contract says <{ROOT}>",
                delivery.name,
            )

    def _broken_tail(
        self, delivery: FileDelivery, stats: DeliveryStats, exc: ExpatError, scanner: ElementScanner
    ) -> Reject:
        line, column = exc.lineno, exc.offset
        message = (
            f"the XML is not well-formed at line {line}, column {column} ({exc}); "
            f"{scanner.count} leases before it were read, the rest of the file is lost"
        )
        stats.errors.append(message)
        origin = Origin(delivery.name, scanner.count + 1)
        opened = scanner.open_attributes
        key = _blank(opened.get("id")) if opened is not None else None
        return Reject(self.source, key, _line_at(delivery, line), message, str(origin))

    def lease_ids(self, delivery: FileDelivery) -> frozenset[str]:
        """Every lease id present in a snapshot, valid or not (a rejected lease is present).

        Raises `DeliveryFormatError` if the snapshot is not well-formed: a partial snapshot
        cannot tell which leases ended.
        """
        ids: set[str] = set()
        reading = self.read_delivery(delivery)
        for item in reading:
            if item.record_key is not None:
                ids.add(item.record_key)
        if reading.stats.errors:
            problem = "; ".join(reading.stats.errors)
            raise DeliveryFormatError(self.source, f"{delivery.name}: {problem}", delivery.name)
        return frozenset(ids)

    def vanished_leases(self, previous: FileDelivery, current: FileDelivery) -> frozenset[str]:
        """Lease ids in the `previous` snapshot that the `current` one no longer has."""
        return self.lease_ids(previous) - self.lease_ids(current)
