"""Over-long attribute values cut out of an XML byte stream before expat reads it.

expat (2.5 here) re-scans a token that is still incomplete every time more bytes arrive, so
one attribute of 200 MB fed in 16 KiB pieces costs quadratic time, and the parser and the
scanner would each hold all of it. `FieldBound` sits in front of the parser: it follows the
markup just enough to know when it is inside a quoted attribute value (tags, quotes,
comments, CDATA sections, processing instructions), holds at most `max_bytes` of a value,
and replaces a longer value by the text `[cut: N bytes]`, recording a `FieldCut` at the
value's position in the stream it hands on. A comment or processing instruction (also one
token to expat) keeps only its first `max_bytes`. Everything else passes unchanged, so the
output is well-formed exactly when the input is, and the positions expat reports are
positions in the output. The caller rejects the record a cut falls in. Each byte is
looked at a bounded number of times: time is linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.limits import FIELD_BYTES_VARIABLE

_TEXT, _TAG, _VALUE, _MARKUP = range(4)
_TAG_STOP = re.compile(rb"[\"'>]")
_NAME_BEFORE = re.compile(rb"([^\s=\"'<>/]+)\s*=\s*$")
_ELEMENT = re.compile(rb"<([^\s/>\"']*)")
_OPENERS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">"))
_LONGEST_OPENER = max(len(opener) for opener, _ in _OPENERS)
_RECENT = 256  # bytes of the current tag kept to name its element and attribute
_BOUNDED_MARKUP = {b"-->": "a comment", b"?>": "a processing instruction"}


@dataclass(slots=True)
class FieldCut:
    """An attribute value over the bound: where its text starts in the output, its element
    and attribute names, and its delivered length in bytes (final once the value ended)."""

    offset: int
    element: str
    attribute: str
    length: int

    def reason(self, max_bytes: int) -> str:
        return (
            f"{self.element}/@{self.attribute} is {self.length:,} bytes long, more than the "
            f"{max_bytes:,} bytes a field may have ({FIELD_BYTES_VARIABLE})"
        )


class FieldBound:
    """Feed the input's pieces in order (b"" last); each `feed` returns the output so far.

    `cuts` lists the cuts made, in stream order; the caller takes them with `take_before`.
    `skipped` lists comments and processing instructions whose content over the bound was
    dropped (they carry no data, so nothing is rejected for them).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.cuts: list[FieldCut] = []
        self._state = _TEXT
        self._pending = b""  # the start of a markup opener split by the end of a piece
        self._quote = b""
        self._terminator = b""
        self._head = b""  # the current tag's first bytes (its element's name)
        self._recent = b""  # the current tag's last bytes since a value (an attribute's name)
        self._held = bytearray()  # the current value, while it is within the bound
        self._cut: FieldCut | None = None  # the current value, once it is over the bound
        self._emitted = 0
        self.skipped: list[FieldCut] = []  # comments and instructions cut, once ended
        self._skipped: FieldCut | None = None
        self._markup_length = 0

    def feed(self, data: bytes) -> bytes:
        final = not data
        if self._pending:
            data, self._pending = self._pending + data, b""
        out: list[bytes] = []
        i = 0
        while i < len(data):
            if self._state == _TEXT:
                i = self._text(data, i, out, final)
            elif self._state == _TAG:
                i = self._tag(data, i, out)
            elif self._state == _VALUE:
                i = self._value(data, i, out)
            else:
                i = self._markup(data, i, out, final)
        result = b"".join(out)
        self._emitted += len(result)
        return result

    def take_before(self, offset: int) -> list[FieldCut]:
        """The cuts that start before `offset` (and forget them)."""
        taken = [cut for cut in self.cuts if cut.offset < offset]
        del self.cuts[: len(taken)]
        return taken

    def _position(self, out: list[bytes]) -> int:
        return self._emitted + sum(map(len, out))

    def _text(self, data: bytes, i: int, out: list[bytes], final: bool) -> int:
        j = data.find(b"<", i)
        if j < 0:
            out.append(data[i:])
            return len(data)
        out.append(data[i:j])
        head = data[j : j + _LONGEST_OPENER]
        cut_short = not final and len(head) < _LONGEST_OPENER  # the piece ends inside it
        if cut_short and any(len(o) > len(head) and o.startswith(head) for o, _ in _OPENERS):
            self._pending = data[j:]  # which markup it opens is not yet known
            return len(data)
        for opener, terminator in _OPENERS:
            if head.startswith(opener):
                out.append(opener)
                self._state, self._terminator = _MARKUP, terminator
                self._markup_length = 0
                return j + len(opener)
        out.append(b"<")
        self._state, self._head, self._recent = _TAG, b"<", b""
        return j + 1

    def _tag(self, data: bytes, i: int, out: list[bytes]) -> int:
        stop = _TAG_STOP.search(data, i)
        j = len(data) if stop is None else stop.start()
        out.append(data[i:j])
        if len(self._head) < _RECENT:
            self._head = (self._head + data[i : i + _RECENT])[:_RECENT]
        self._recent = (self._recent + data[max(i, j - _RECENT) : j])[-_RECENT:]
        if stop is None:
            return j
        out.append(data[j : j + 1])
        if data[j] == ord(">"):
            self._state = _TEXT
        else:
            self._state, self._quote = _VALUE, data[j : j + 1]
        return j + 1

    def _value(self, data: bytes, i: int, out: list[bytes]) -> int:
        j = data.find(self._quote, i)
        end = len(data) if j < 0 else j
        if self._cut is None and len(self._held) + end - i > self.max_bytes:
            self._cut = self._start_cut(out)
        if self._cut is None:
            self._held += data[i:end]
        else:
            self._cut.length += end - i
        if j < 0:
            return len(data)
        if self._cut is None:
            out.append(bytes(self._held))
        else:
            out.append(b"[cut: %d bytes]" % self._cut.length)
        out.append(self._quote)
        self._held.clear()
        self._cut, self._state = None, _TAG
        self._recent = b""
        return j + 1

    def _start_cut(self, out: list[bytes]) -> FieldCut:
        element = _ELEMENT.match(self._head)
        attribute = _NAME_BEFORE.search(self._recent)
        cut = FieldCut(
            self._position(out),
            element.group(1).decode("utf-8", "replace") if element else "?",
            attribute.group(1).decode("utf-8", "replace") if attribute else "?",
            len(self._held),
        )
        self._held.clear()
        self.cuts.append(cut)
        return cut

    def _markup(self, data: bytes, i: int, out: list[bytes], final: bool) -> int:
        j = data.find(self._terminator, i)
        if j < 0:
            keep = 0 if final else len(self._terminator) - 1
            stop = max(i, len(data) - keep)
            self._markup_text(data[i:stop], out)
            self._pending = data[stop:]
            return len(data)
        self._markup_text(data[i:j], out)
        if self._skipped is not None:
            out.append(b" ")  # so that a kept '-' cannot run into the closing '-->'
            self.skipped.append(self._skipped)
            self._skipped = None
        out.append(self._terminator)
        self._state = _TEXT
        return j + len(self._terminator)

    def _markup_text(self, text: bytes, out: list[bytes]) -> None:
        """Pass the content of a comment or processing instruction on, up to the bound (a
        single token to expat, so as costly as a value); content beyond it is dropped (the
        hub reads none of it) at a character boundary, and noted in `skipped`."""
        if self._terminator not in _BOUNDED_MARKUP:
            out.append(text)
            return
        room = self.max_bytes - self._markup_length
        self._markup_length += len(text)
        if len(text) <= room:
            out.append(text)
            return
        if room > 0:
            cut = room
            while cut < len(text) and 0x80 <= text[cut] < 0xC0:  # inside a UTF-8 character
                cut += 1
            out.append(text[:cut])
        if self._skipped is None:
            self._skipped = FieldCut(self._position(out), _BOUNDED_MARKUP[self._terminator], "", 0)
        self._skipped.length = self._markup_length
