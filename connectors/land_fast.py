"""land: the fast path for snapshots written as the contract's exports write them.

Plain attributes, no escapes, comments or namespaces: expat only checks that the bytes are
well-formed, and the leases are read from those bytes by regular expressions
(`CanonicalLeases`), each decided by the rules of `connectors.land_rules`. At the first thing
it does not expect, the caller hands the file to the general scanner, with the same outcome.
"""

from __future__ import annotations

import functools
import re

from connectors.fields import FieldError
from connectors.land_rules import (
    AREAS,
    DATES,
    LESSEE_KINDS,
    PURPOSES,
    ROOT,
    STATUSES,
    Attributes,
    blank,
    lease_of,
    new_lease,
    new_origin,
)
from connectors.limits import FileLimits
from connectors.outcomes import Reject
from connectors.raw_text import capped_raw
from connectors.records import LeaseRecord, Origin
from connectors.safe_xml import START_TAG, ExpatError, UnsafeXmlError, guarded_parser

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
        return new_lease(
            lease_id,
            contract.strip() or None,
            STATUSES[status],
            cadastre.strip() or None,
            mahalla.strip() or None,
            AREAS[area],
            PURPOSES[purpose],
            crop.strip() or None,
            LESSEE_KINDS[kind],
            pinfl.strip() or None,
            tin.strip() or None,
            name.strip() or None,
            DATES[start],
            DATES[end] if end else None,
            origin,
        )
    except KeyError:
        lease = {"id": delivered_id, "contract": contract, "status": status}
        return lease_of(lease, _canonical_children(values), origin)


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
    return lease_of(_plain_attributes(lease.group(1)), children, origin)


class CanonicalLeases:
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
        self._trailing = 0  # bytes read after it
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
        if self._closed:
            self._trailing += len(data)
            if self._trailing > self._max_field_bytes:
                return None  # a long tail (a comment, say): the general scanner bounds it
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
            if max(len(tag.group()), self._root_at) > self._max_field_bytes:
                return None  # a value or a prolog comment may pass the bound
            start = tag.end()
        found: list[LeaseRecord | Reject] = []
        canonical, plain = self._canonical.match, self._plain.match
        make_origin, decode = new_origin, bytes.decode
        while (lease := canonical(buffer, start) or plain(buffer, start)) is not None:
            self.count += 1
            origin = make_origin(self.delivery, self.count, None)
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
                found.append(Reject(self.source, blank(key), text, str(exc), str(origin), exc.rule))
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
