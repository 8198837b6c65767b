"""Streaming, hardened XML scanning: the elements of one tag with their direct children.

Built on `xml.parsers.expat` directly: expat calls two small handlers per element, where
defusedxml's `iterparse` runs ElementTree's pure-Python parser and builds a tree. The guards
are defusedxml's, made stricter: a document type declaration (`<!DOCTYPE ...>`, so also any
entity or attribute-default declaration in it), an entity declaration and an external
entity reference each stop the parse with `UnsafeXmlError` before anything is expanded. A
reference to an undeclared entity is an ordinary well-formedness error (`ExpatError`).

Element names keep expat's namespace form (`uri}local`, as ElementTree's `{uri}local`
without the brace), so a namespaced `Lease` never passes for a plain one. Text content is
not reported. The scanner holds only the open elements of the scanned tag and the bytes
since the oldest of them, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.parsers import expat

__all__ = [
    "START_TAG",
    "ElementScanner",
    "ExpatError",
    "ScannedElement",
    "UnsafeXmlError",
    "guarded_parser",
    "is_empty_document",
]

ExpatError = expat.ExpatError

ScannedElement = tuple[int, dict[str, str], dict[str, dict[str, str]], int, int]
"""(ordinal, attributes, first direct child of each tag name, start byte, end-tag byte)."""

# One start tag, quoted attribute values may contain '>'.
START_TAG = re.compile(rb"<[^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>")
_NO_ELEMENTS = expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]


class UnsafeXmlError(ValueError):
    """The document declares a DTD or an entity, or refers to an external entity."""


def _refuse_doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
    raise UnsafeXmlError(
        f"a document type declaration <!DOCTYPE {name}> (system id {sysid!r}, public id {pubid!r})"
    )


def _refuse_entity(
    name: str,
    is_parameter: int,
    value: str | None,
    base: str | None,
    sysid: str | None,
    pubid: str | None,
    notation: str | None,
) -> None:
    raise UnsafeXmlError(f"an entity declaration '{name}' (system id {sysid!r})")


def _refuse_unparsed_entity(
    name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None
) -> None:
    raise UnsafeXmlError(f"an unparsed entity declaration '{name}' (system id {sysid!r})")


def _refuse_external(
    context: str | None, base: str | None, sysid: str | None, pubid: str | None
) -> int:
    raise UnsafeXmlError(f"an external entity reference (system id {sysid!r})")


def guarded_parser() -> expat.XMLParserType:
    """An expat parser with the guards above and names in the `uri}local` form; no other
    handlers (with none, expat only checks that the input is well-formed)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    return parser


def is_empty_document(error: ExpatError, root: str | None) -> bool:
    """True if `error` says the input had no element at all (an empty file)."""
    return root is None and error.code == _NO_ELEMENTS and error.lineno <= 1


class ElementScanner:
    """Feed bytes; collects every completed `tag` element (at any depth) in `completed`.

    `root` is the name of the document element once it has started. The caller reads
    `completed` after each `feed` (an `ExpatError` leaves the elements completed before the
    fault there), then calls `release()`. `raw(start, end)` is the delivered text of a
    completed element, valid until `release()`.
    """

    def __init__(self, tag: str) -> None:
        self.root: str | None = None
        self.completed: list[ScannedElement] = []
        self.count = 0
        self._open: list[tuple[int, dict[str, str], dict[str, dict[str, str]], int]] = []
        self._buffer = bytearray()
        self._base = 0  # offset in the input of the buffer's first byte
        self._fed = 0  # bytes given to the last `feed`
        self._parser = parser = guarded_parser()
        parser.StartElementHandler, parser.EndElementHandler = self._handlers(tag)

    def _handlers(
        self, tag: str
    ) -> tuple[Callable[[str, dict[str, str]], None], Callable[[str], None]]:
        # Closures over locals: these run once per element start and end, the hot path.
        # `inner` and `children` mirror the innermost open `tag` element (`inner` is its
        # depth, 0 when none is open), so most calls compare two integers and stop.
        parser, opened, completed = self._parser, self._open, self.completed
        depth = inner = 0
        children: dict[str, dict[str, str]] = {}

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth, inner, children
            depth += 1
            if name == tag and depth > 1:
                children = {}
                opened.append((depth, attributes, children, parser.CurrentByteIndex))
                inner = depth
            elif inner and depth == inner + 1:
                if name not in children:
                    children[name] = attributes
            elif depth == 1:
                self.root = name

        def end(name: str) -> None:
            nonlocal depth, inner, children
            if depth == inner:  # the innermost open `tag` element ends
                _, attributes, closed, begin = opened.pop()
                self.count += 1
                completed.append((self.count, attributes, closed, begin, parser.CurrentByteIndex))
                inner, children = (opened[-1][0], opened[-1][2]) if opened else (0, {})
            depth -= 1

        return start, end

    @property
    def open_attributes(self) -> dict[str, str] | None:
        """The attributes of the innermost `tag` element started and not yet ended."""
        return self._open[-1][1] if self._open else None

    def feed(self, data: bytes, final: bool = False) -> None:
        """Parse the next bytes (`final` with the last, possibly empty, piece)."""
        self._buffer += data
        self._fed = len(data)
        self._parser.Parse(data, final)

    def raw(self, start: int, end: int) -> str:
        """The delivered text of the element from byte `start` to its end tag at `end`."""
        data, offset = self._buffer, start - self._base
        opening = START_TAG.match(data, offset)
        if opening is not None and opening.group().endswith(b"/>"):
            stop = opening.end()  # an empty-element tag: expat reports its end after it
        else:
            close = data.find(b">", end - self._base)
            stop = len(data) if close < 0 else close + 1
        return bytes(data[offset:stop]).decode("utf-8", "replace")

    def release(self) -> None:
        """Forget `completed` and the bytes no open element needs any more.

        With no element of the tag open, the bytes from the last '<' on stay: a start tag
        cut by the end of the piece is reported only once the next piece completes it, and
        `raw` then needs its first bytes.
        """
        self.completed.clear()
        if self._open:
            keep = self._open[0][3]
        else:
            # Only the last piece is searched: what was kept before it starts at its only
            # '<' (searching all of a long run without one again per piece is quadratic).
            cut = self._buffer.rfind(b"<", max(len(self._buffer) - self._fed, 0))
            if cut < 0:
                cut = 0 if self._buffer.startswith(b"<") else len(self._buffer)
            keep = self._base + cut
        del self._buffer[: keep - self._base]
        self._base = keep
