"""land: cadastre lease snapshots, files `leases_YYYY-MM-DD.xml` (UTF-8 XML).

Parsed incrementally with `connectors.safe_xml` (expat with DTDs, entity declarations and
external references refused), keeping only the open `<Lease>`, so memory stays flat whatever
the size. A rejected lease's `raw` is its delivered text (capped). Every attribute value is
bounded while streaming (`connectors.xml_field_bound`): a lease holding a longer one is
rejected for it, in linear time, without the value ever being held whole.
A snapshot written as the contract's exports write them (plain attributes, no escapes,
comments or namespaces) takes a fast path: expat only checks that the bytes are well-formed,
and the leases are read from those bytes by regular expressions (`connectors.land_fast`); at the
first thing it does not expect, the file goes to the general scanner, with the same outcome.
`areaHa` uses a decimal comma. A file that stops being well-formed keeps the leases read
before the fault; the rest of the file becomes one reject and an entry in `stats.errors`.

Each file is a full snapshot and the newest is authoritative: `newest_delivery()` names it
and `vanished_leases(previous, current)` lists the lease ids no longer present.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import BinaryIO, ClassVar

from connectors.bounded_lines import finish_overlong, is_overlong, lines
from connectors.errors import DeliveryFormatError
from connectors.fields import FieldError
from connectors.file_source import EMPTY_FILE_WARNING, FileConnector, FileDelivery
from connectors.land_fast import CanonicalLeases
from connectors.land_rules import ROOT, blank, lease_of, new_origin
from connectors.limits import FIELD_BYTES_VARIABLE
from connectors.outcomes import DeliveryStats, Reject
from connectors.raw_text import capped_raw
from connectors.records import LeaseRecord, Origin
from connectors.safe_xml import (
    ElementScanner,
    ExpatError,
    UnsafeXmlError,
    is_empty_document,
)
from connectors.xml_field_bound import FieldBound, FieldCut

FILE_NAME = re.compile(r"leases_\d{4}-\d{2}-\d{2}\.xml")
# Small reads: the leases completed by one read are held until the next, and the fewer of
# them the cyclic GC finds alive, the fewer it promotes and the rarer its full collections
# (16 KiB reads parse about 15 % faster than 64 KiB ones in a paired comparison).
_CHUNK = 1 << 14


def _chunks(binary: BinaryIO) -> Iterator[bytes]:
    """The file in pieces, then one empty piece that tells the parser the input ended."""
    while data := binary.read(_CHUNK):
        yield data
    yield b""


def _line_at(delivery: FileDelivery, number: int, limit: int) -> str:
    """The text of line `number` (1-based), capped, for the reject of a broken tail; read
    with a bound, so a line of any length costs at most `limit` bytes."""
    with delivery.path.open("rb") as binary:
        for at, raw in enumerate(lines(binary, limit), start=1):
            if is_overlong(raw, limit):
                line = finish_overlong(binary, raw, limit)
                if at == number:
                    return line.raw(limit)
            elif at == number:
                return capped_raw(raw.decode("utf-8", "replace").rstrip("\r\n"), limit)
    return ""


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
        """Canonical snapshots are read by `CanonicalLeases`; any other by the general
        scanner (from the start, skipping what the fast path already gave)."""
        fast = CanonicalLeases(self.source, delivery.name, self.limits)
        given = 0
        with delivery.path.open("rb") as binary:
            for data in _chunks(binary):
                found = fast.feed(data)
                if found is None:
                    break
                given += len(found)
                yield from found
            else:
                return
        yield from islice(self._general_parse(delivery, stats), given, None)

    def _general_parse(
        self, delivery: FileDelivery, stats: DeliveryStats
    ) -> Iterator[LeaseRecord | Reject]:
        scanner = ElementScanner("Lease")
        bound = FieldBound(self.limits.max_field_bytes)
        with delivery.path.open("rb") as binary:
            for data in _chunks(binary):
                fault: ExpatError | None = None
                try:
                    scanner.feed(bound.feed(data), final=not data)
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
                yield from self._leases(delivery, scanner, bound, stats)
                if fault is not None:
                    if is_empty_document(fault, scanner.root):
                        stats.warnings.append(EMPTY_FILE_WARNING)
                    else:
                        yield self._broken_tail(delivery, stats, fault, scanner)
                    return

    def _leases(
        self,
        delivery: FileDelivery,
        scanner: ElementScanner,
        bound: FieldBound,
        stats: DeliveryStats,
    ) -> Iterator[LeaseRecord | Reject]:
        """The leases completed by the last `feed`, then releases them. A lease holding a
        value over the field bound is rejected for it (the first such value names it)."""
        name, make_origin, raw_chars = delivery.name, new_origin, self.limits.raw_chars
        for ordinal, lease, children, start, end in scanner.completed:
            origin = make_origin(name, ordinal, None)
            self._stray_cuts(bound.take_before(start + 1), stats)
            cuts = bound.take_before(end)
            try:
                if cuts:
                    raise FieldError(cuts[0].reason(bound.max_bytes), "field_too_long")
                yield lease_of(lease, children, origin)
            except FieldError as exc:
                raw = capped_raw(scanner.raw(start, end), raw_chars)
                yield Reject(
                    self.source, blank(lease.get("id")), raw, str(exc), str(origin), exc.rule
                )
        for skipped in bound.skipped:
            stats.warnings.append(
                f"{skipped.element} of {skipped.length:,} bytes is longer than the "
                f"{self.limits.max_field_bytes:,} bytes of {FIELD_BYTES_VARIABLE}; only its "
                "beginning was read"
            )
        bound.skipped.clear()
        scanner.release()

    def _stray_cuts(self, cuts: list[FieldCut], stats: DeliveryStats) -> None:
        """Values over the bound outside any lease (the root's, say) reject nothing."""
        limit = self.limits.max_field_bytes
        for cut in cuts:
            stats.warnings.append(f"{cut.reason(limit)}; it was not read")

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
        key = blank(opened.get("id")) if opened is not None else None
        raw = _line_at(delivery, line, self.limits.raw_chars)
        return Reject(self.source, key, raw, message, str(origin), "xml")

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
