"""land: cadastre lease snapshots, files `leases_YYYY-MM-DD.xml` (UTF-8 XML).

Parsed incrementally with defusedxml's `iterparse` (entity declarations and external
references refused), each `<Lease>` cleared once read, so memory stays flat whatever the size.
`areaHa` uses a decimal comma. A file that stops being well-formed keeps the leases read
before the fault; the rest of the file becomes one reject and an entry in `stats.errors`.

Each file is a full snapshot and the newest is authoritative: `newest_delivery()` names it
and `vanished_leases(previous, current)` lists the lease ids no longer present.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import ClassVar
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from connectors.errors import DeliveryFormatError
from connectors.fields import (
    FieldError,
    decimal_comma,
    enum_member,
    iso_date,
    optional_iso_date,
    required_text,
)
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery
from connectors.outcomes import DeliveryStats, Reject
from connectors.records import LeaseRecord, Origin
from connectors.vocabulary import LandPurpose, LeaseStatus, LesseeKind, lookup_table

FILE_NAME = re.compile(r"leases_\d{4}-\d{2}-\d{2}\.xml")
ROOT = "LeaseExport"
STATUSES = lookup_table(LeaseStatus)
PURPOSES = lookup_table(LandPurpose)
LESSEE_KINDS = lookup_table(LesseeKind)
_XML_NO_ELEMENTS = 3  # expat's error code for a document without any element
_RAW_LIMIT = 2000


def _child(lease: Element, tag: str) -> Element:
    found = lease.find(tag)
    if found is None:
        raise FieldError(f"Lease has no <{tag}> element")
    return found


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def _lease(lease: Element, origin: Origin) -> LeaseRecord:
    parcel, lessee, term = _child(lease, "Parcel"), _child(lease, "Lessee"), _child(lease, "Term")
    get = lease.get
    return LeaseRecord(
        lease_id=required_text("Lease/@id", get("id")),
        contract_no=_blank(get("contract")),
        status=enum_member("Lease/@status", get("status"), STATUSES),
        cadastre_no=_blank(parcel.get("cadastre")),
        mahalla_code=_blank(parcel.get("mahalla")),
        area_ha=decimal_comma("Parcel/@areaHa", parcel.get("areaHa")),
        purpose=enum_member("Parcel/@purpose", parcel.get("purpose"), PURPOSES),
        crop=_blank(parcel.get("crop")),
        lessee_kind=enum_member("Lessee/@kind", lessee.get("kind"), LESSEE_KINDS),
        lessee_pinfl=_blank(lessee.get("pinfl")),
        lessee_tin=_blank(lessee.get("tin")),
        lessee_name=_blank(lessee.get("name")),
        starts_on=iso_date("Term/@start", term.get("start")),
        ends_on=optional_iso_date("Term/@end", term.get("end")),
        origin=origin,
    )


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
        ordinal = 0
        current_id: str | None = None
        with delivery.path.open("rb") as binary:
            events = iterparse(binary, events=("start", "end"))
            try:
                root = self._root(delivery, events)
                if root is None:
                    stats.warnings.append(EMPTY_FILE_WARNING)
                    return
                for event, element in events:
                    if element.tag != "Lease":
                        continue
                    if event == "start":
                        current_id = _blank(element.get("id"))
                        continue
                    ordinal += 1
                    origin = Origin(delivery.name, ordinal)
                    try:
                        yield _lease(element, origin)
                    except FieldError as exc:
                        raw = tostring(element, encoding="unicode")
                        yield Reject(self.source, current_id, raw, str(exc), str(origin))
                    current_id = None
                    root.clear()
            except ParseError as exc:
                yield self._broken_tail(delivery, stats, exc, ordinal, current_id)
            except DefusedXmlException as exc:
                raise DeliveryFormatError(
                    self.source,
                    f"{delivery.name}: refused for safety, the XML declares a DTD, entities or "
                    f"external references ({exc!r}); the contract's XML has none",
                    delivery.name,
                ) from None

    def _root(
        self, delivery: FileDelivery, events: Iterator[tuple[str, Element]]
    ) -> Element | None:
        try:
            _, root = next(events)
        except ParseError as exc:
            if exc.code == _XML_NO_ELEMENTS and exc.position[0] <= 1:
                return None
            raise
        except StopIteration:
            return None
        if root.tag != ROOT:
            raise DeliveryFormatError(
                self.source,
                f"{delivery.name}: the root element is <{root.tag}>, the contract says <{ROOT}>",
                delivery.name,
            )
        return root

    def _broken_tail(
        self,
        delivery: FileDelivery,
        stats: DeliveryStats,
        exc: ParseError,
        ordinal: int,
        current_id: str | None,
    ) -> Reject:
        line, column = exc.position
        message = (
            f"the XML is not well-formed at line {line}, column {column} ({exc}); "
            f"{ordinal} leases before it were read, the rest of the file is lost"
        )
        stats.errors.append(message)
        origin = Origin(delivery.name, ordinal + 1)
        return Reject(self.source, current_id, _line_at(delivery, line), message, str(origin))

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
