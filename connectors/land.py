"""land: cadastre lease snapshots, files `leases_YYYY-MM-DD.xml` (UTF-8 XML).

Parsed incrementally with `connectors.safe_xml` (expat with DTDs, entity declarations and
external references refused), keeping only the open `<Lease>`, so memory stays flat whatever
the size. A rejected lease's `raw` is its delivered text.
A snapshot written as the contract's exports write them (plain attributes, no escapes,
comments or namespaces) takes a fast path: expat only checks that the bytes are well-formed,
and the leases are read from those bytes by regular expressions (`_CanonicalLeases`); at the
first thing it does not expect, the file goes to the general scanner, with the same outcome.
`areaHa` uses a decimal comma. A file that stops being well-formed keeps the leases read
before the fault; the rest of the file becomes one reject and an entry in `stats.errors`.

Each file is a full snapshot and the newest is authoritative: `newest_delivery()` names it
and `vanished_leases(previous, current)` lists the lease ids no longer present.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import BinaryIO, ClassVar

from connectors.bounded_lines import finish_overlong, is_overlong, lines
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
from connectors.limits import FileLimits
from connectors.outcomes import DeliveryStats, Reject
from connectors.raw_text import capped_raw
from connectors.record_init import slot_builder
from connectors.records import LeaseRecord, Origin
from connectors.safe_xml import (
    START_TAG,
    ElementScanner,
    ExpatError,
    UnsafeXmlError,
    guarded_parser,
    is_empty_document,
)
from connectors.vocabulary import LandPurpose, LeaseStatus, LesseeKind, lookup_table
from connectors.xml_field_bound import FieldBound, FieldCut

FILE_NAME = re.compile(r"leases_\d{4}-\d{2}-\d{2}\.xml")
ROOT = "LeaseExport"
STATUSES = lookup_table(LeaseStatus)
PURPOSES = lookup_table(LandPurpose)
LESSEE_KINDS = lookup_table(LesseeKind)
CHILDREN = ("Parcel", "Lessee", "Term")
_DATES = ParsedCache(iso_date)
_AREAS = ParsedCache(decimal_comma)
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


# The fast path: a lease exactly as the contract's exports write it. Attribute values hold no
# character expat would change or refuse (no reference, no tab, newline or other control
# character, no '<'), so the delivered bytes are the values expat reports; tags have one
# space between attributes and double quotes; between tags only XML white space.
_SPACE = rb"[ \t\r\n]*"
_NAME = rb"[A-Za-z_][A-Za-z0-9_.-]*"
_PLAIN_ATTRIBUTE = re.compile(rb' (%s)="([^"]*)"' % _NAME)


@functools.cache
def _lease_patterns(max_field_bytes: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The canonical and the plain lease, with no value longer than `max_field_bytes`: a
    longer one does not match, and the general scanner rejects its lease."""
    value = rb'="([^"&<\x00-\x1f]{0,%d})"' % max_field_bytes
    canonical = re.compile(
        _SPACE
        + rb"<Lease id%s contract%s status%s>" % (value, value, value)
        + _SPACE
        + rb"<Parcel cadastre%s mahalla%s areaHa%s purpose%s crop%s/>" % ((value,) * 5)
        + _SPACE
        + rb"<Lessee kind%s pinfl%s tin%s name%s/>" % ((value,) * 4)
        + _SPACE
        + rb"<Term start%s end%s/>" % (value, value)
        + _SPACE
        + rb"</Lease>"
    )
    # Any other lease of empty child elements with such attributes (a child missing or
    # added, attributes in another order): read attribute by attribute. Names are plain
    # (no prefix, so no namespace), and no child is itself a `<Lease>`.
    attributes = rb'(?: %s="[^"&<\x00-\x1f]{0,%d}")*' % (_NAME, max_field_bytes)
    plain = re.compile(
        rb"%s<Lease(%s)>((?:%s<(?!Lease[ /])%s%s/>)*)%s</Lease>"
        % (_SPACE, attributes, _SPACE, _NAME, attributes, _SPACE)
    )
    return canonical, plain


_PLAIN_CHILD = re.compile(rb'<(%s)((?: %s="[^"]*")*)/>' % (_NAME, _NAME))
_SPACES = re.compile(_SPACE)
_ROOT_END = b"</LeaseExport>"
_LEASE_START = b"<Lease "
_WAIT_LIMIT = 1 << 16  # bytes held while waiting for the rest of a lease or of the prolog


def _canonical_lease(values: list[str], origin: Origin) -> LeaseRecord:
    """`_lease` of a canonical lease's attribute values, in the canonical pattern's order."""
    (delivered_id, contract, status, cadastre, mahalla, area, purpose, crop) = values[:8]
    kind, pinfl, tin, name, start, end = values[8:]
    try:
        lease_id = delivered_id.strip()
        if not lease_id:
            raise KeyError(lease_id)
        return _new_lease(
            lease_id,
            contract.strip() or None,
            STATUSES[status],
            cadastre.strip() or None,
            mahalla.strip() or None,
            _AREAS[area],
            PURPOSES[purpose],
            crop.strip() or None,
            LESSEE_KINDS[kind],
            pinfl.strip() or None,
            tin.strip() or None,
            name.strip() or None,
            _DATES[start],
            _DATES[end] if end else None,
            origin,
        )
    except KeyError:
        lease = {"id": delivered_id, "contract": contract, "status": status}
        return _lease(lease, _canonical_children(values), origin)


def _canonical_children(values: list[str]) -> dict[str, Attributes]:
    cadastre, mahalla, area, purpose, crop, kind, pinfl, tin, name, start, end = values[3:]
    return {
        "Parcel": {
            "cadastre": cadastre,
            "mahalla": mahalla,
            "areaHa": area,
            "purpose": purpose,
            "crop": crop,
        },
        "Lessee": {"kind": kind, "pinfl": pinfl, "tin": tin, "name": name},
        "Term": {"start": start, "end": end},
    }


def _plain_attributes(text: bytes) -> Attributes:
    return {name.decode(): value.decode() for name, value in _PLAIN_ATTRIBUTE.findall(text)}


def _plain_lease(lease: re.Match[bytes], origin: Origin) -> LeaseRecord:
    """`_lease` of a plain pattern's match (each child's first occurrence counts)."""
    children: dict[str, Attributes] = {}
    for tag, attributes in _PLAIN_CHILD.findall(lease.group(2)):
        children.setdefault(tag.decode(), _plain_attributes(attributes))
    return _lease(_plain_attributes(lease.group(1)), children, origin)


class _CanonicalLeases:
    """The leases of a snapshot written as the contract's exports write them, found by
    the canonical (or the plain) pattern of `_lease_patterns` in bytes that an expat parser
    without element handlers (so without a call and an attribute dict per element) has
    already found well-formed. About a fifth less time per lease than the general scanner.

    `feed` answers None as soon as anything is not so: a parse error or a refused
    declaration, a namespace declaration, an encoding other than UTF-8, a root other than
    `<LeaseExport>`, anything but white space and such leases inside the root (a comment,
    an escape, a nested element, a lease longer than `_WAIT_LIMIT`). The caller then reads
    the whole file again by the general scanner and skips the outcomes already given, which
    are the general path's first ones: the leases matched up to there are well-formed, are
    every `<Lease>` before that point, in order, with the very attribute values expat
    reports (nothing in them is one that expat rewrites), and each is decided by the same
    `_lease`. A file handed over late costs up to one more parse of what came before.
    """

    def __init__(self, source: str, delivery: str, limits: FileLimits) -> None:
        self.source, self.delivery = source, delivery
        self._raw_chars, max_field_bytes = limits.raw_chars, limits.max_field_bytes
        self._max_field_bytes = max_field_bytes
        self._canonical, self._plain = _lease_patterns(max_field_bytes)
        self.count = 0
        self._buffer = b""  # the bytes not yet taken (from the file's start until the root)
        self._start: int | None = None  # where in `_buffer` the next lease may begin
        self._closed = False  # the root's end tag was seen
        self._root: str | None = None
        self._root_at = 0
        self._declined = False
        self._parser = parser = guarded_parser()
        parser.StartElementHandler = self._root_start
        parser.StartNamespaceDeclHandler = self._namespace
        parser.XmlDeclHandler = self._declaration

    def _root_start(self, name: str, attributes: dict[str, str]) -> None:
        if self._root is None:
            self._root, self._root_at = name, self._parser.CurrentByteIndex

    def _namespace(self, prefix: str | None, uri: str) -> None:
        self._declined = True

    def _declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        # Values are taken from the bytes as UTF-8: a file declared in any other encoding
        # (which expat would decode as declared) goes to the general scanner.
        if encoding is not None and encoding.lower() != "utf-8":
            self._declined = True

    def feed(self, data: bytes) -> list[LeaseRecord | Reject] | None:
        """The leases completed by `data` (b"" for the end of the file), or None to hand
        the file to the general scanner."""
        final = not data
        try:
            self._parser.Parse(data, final)
        except (ExpatError, UnsafeXmlError):
            return None
        if self._declined:
            return None
        if self._closed:
            return []
        buffer = self._buffer + data if self._buffer else data
        start = self._start
        if start is None:  # the root's start tag has not been passed yet
            if self._root is None:
                if final or len(buffer) > _WAIT_LIMIT:
                    return None
                self._buffer = buffer
                return []
            self._parser.StartElementHandler = None
            tag = START_TAG.match(buffer, self._root_at)
            if self._root != ROOT or tag is None or tag.group().endswith(b"/>"):
                return None
            if len(tag.group()) > self._max_field_bytes:  # may hold a value over the bound
                return None
            start = tag.end()
        found: list[LeaseRecord | Reject] = []
        canonical, plain = self._canonical.match, self._plain.match
        new_origin, decode = _new_origin, bytes.decode
        while (lease := canonical(buffer, start) or plain(buffer, start)) is not None:
            self.count += 1
            origin = new_origin(self.delivery, self.count, None)
            try:
                if lease.re is self._canonical:
                    found.append(_canonical_lease(list(map(decode, lease.groups())), origin))
                else:
                    found.append(_plain_lease(lease, origin))
            except FieldError as exc:
                text = buffer[lease.start() : lease.end()].lstrip(b" \t\r\n").decode()
                text = capped_raw(text, self._raw_chars)
                if lease.re is self._canonical:
                    key: str | None = lease.group(1).decode()
                else:
                    key = _plain_attributes(lease.group(1)).get("id")
                found.append(Reject(self.source, _blank(key), text, str(exc), str(origin)))
            start = lease.end()
        start = _SPACES.match(buffer, start).end()  # type: ignore[union-attr]
        rest = buffer[start:]
        if rest.startswith(_ROOT_END):
            self._closed = True
            self._buffer = b""
            return found
        waiting = (
            _LEASE_START.startswith(rest)
            or _ROOT_END.startswith(rest)
            or (rest.startswith(_LEASE_START) and b"</Lease>" not in rest)
        )
        if final or not waiting or len(rest) > _WAIT_LIMIT:
            return None
        self._buffer, self._start = rest, 0
        return found


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
        """Canonical snapshots are read by `_CanonicalLeases`; any other by the general
        scanner (from the start, skipping what the fast path already gave)."""
        fast = _CanonicalLeases(self.source, delivery.name, self.limits)
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
        name, new_origin, raw_chars = delivery.name, _new_origin, self.limits.raw_chars
        for ordinal, lease, children, start, end in scanner.completed:
            origin = new_origin(name, ordinal, None)
            self._stray_cuts(bound.take_before(start + 1), stats)
            cuts = bound.take_before(end)
            try:
                if cuts:
                    raise FieldError(cuts[0].reason(bound.max_bytes))
                yield _lease(lease, children, origin)
            except FieldError as exc:
                raw = capped_raw(scanner.raw(start, end), raw_chars)
                yield Reject(self.source, _blank(lease.get("id")), raw, str(exc), str(origin))
        scanner.release()

    def _stray_cuts(self, cuts: list[FieldCut], stats: DeliveryStats) -> None:
        """Values over the bound outside any lease (the root's, say) reject nothing."""
        for cut in cuts:
            stats.warnings.append(f"{cut.reason(self.limits.max_field_bytes)}; it was not read")

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
        raw = _line_at(delivery, line, self.limits.raw_chars)
        return Reject(self.source, key, raw, message, str(origin))

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
