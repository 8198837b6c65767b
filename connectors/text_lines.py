"""Streaming readers of line-based files: physical lines and CSV rows with their raw text.

Files are read in binary, one line at a time, so a delivery of any size is never held in
memory and every row keeps its line number and its raw text for a reject. A line longer
than `FileLimits.max_line_bytes` is never held either: its beginning stands for it, with
the problem that rejects its row (`connectors.bounded_lines`). Decoding happens
per line, so one badly encoded line becomes one reject instead of failing the file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

from connectors.bounded_lines import finish_overlong, is_overlong, lines
from connectors.limits import FileLimits
from connectors.record_init import fast_frozen_init


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TextLine:
    """One non-blank physical line; `terminated` is False for a final line cut short."""

    number: int
    data: bytes
    terminated: bool


def text_line(number: int, raw: bytes) -> TextLine | None:
    """Line `number` as read (with its terminator, if any); None for a blank line."""
    data = raw.rstrip(b"\r\n")
    return TextLine(number, data, raw.endswith(b"\n")) if data.strip() else None


# A byte that can only start a UTF-8 sequence, not followed by a continuation byte: proof
# that a line is not UTF-8, found without raising UnicodeDecodeError (the common case for
# Windows-1251 Cyrillic, where letters are 0xC0-0xFF and mostly followed by letters).
_NOT_UTF8 = re.compile(rb"[\xc0-\xff](?![\x80-\xbf])")
# What a line may not contain to be split without the csv module: quotes, a line break
# inside the line, NUL; and no field longer than the csv module's limit.
_NEEDS_CSV_MODULE = re.compile(r'["\r\n\x00]')


def _utf8_where_cp1251_expected(raw: bytes) -> bool:
    """True if a line that should be Windows-1251 is in fact UTF-8 Cyrillic or similar.

    Windows-1251 decodes any byte, so decoding cannot fail; but Cyrillic text in
    Windows-1251 is almost never valid UTF-8 (its letters are bytes 0xC0-0xFF, which UTF-8
    allows only as lead bytes followed by 0x80-0xBF), while UTF-8 text always is.
    """
    if raw.isascii() or _NOT_UTF8.search(raw) is not None:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CsvRow:
    """One CSV record: its first line, raw text, fields, and an encoding problem if any."""

    line: int
    raw: str
    fields: list[str]
    problem: str | None
    terminated: bool


class _LineFeed:
    """Decoded physical lines for `csv.reader`; remembers what the current row consumed."""

    def __init__(self, binary: BinaryIO, encoding: str, limits: FileLimits) -> None:
        self._binary, self._limits = binary, limits
        self._lines = lines(binary, limits.max_line_bytes)
        self._encoding = encoding
        self._cp1251 = encoding.replace("-", "").lower() in ("cp1251", "windows1251")
        self.line = 0
        self.consumed: list[str] = []
        self.problem: str | None = None
        self.terminated = True

    def _undecodable(self, raw: bytes, exc: UnicodeDecodeError) -> str:
        if self._cp1251 and _utf8_where_cp1251_expected(raw):
            # Python's cp1251 leaves 0x98 undefined, so some UTF-8 lines fail to decode.
            return f"line {self.line} is UTF-8 text, but the contract says Windows-1251"
        label = "Windows-1251" if self._cp1251 else "UTF-8"
        return (
            f"line {self.line} is not valid {label} (byte 0x{raw[exc.start]:02x} at position "
            f"{exc.start}); the file may be in another encoding"
        )

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = next(self._lines)
        self.line += 1
        self.terminated = raw.endswith(b"\n")
        if len(raw) > self._limits.max_line_bytes and is_overlong(raw, self._limits.max_line_bytes):
            return self._overlong(raw)
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            text = raw.decode(self._encoding, "replace")
            self.problem = self._undecodable(raw, exc)
        else:
            if self._cp1251 and _utf8_where_cp1251_expected(raw):
                self.problem = f"line {self.line} is UTF-8 text, but the contract says Windows-1251"
        self.consumed.append(text)
        return text

    def _overlong(self, head: bytes) -> str:
        """The beginning of a line over the bound (the rest is read and dropped)."""
        line = finish_overlong(self._binary, head, self._limits.raw_chars)
        self.terminated = line.terminated
        self.problem = self.problem or line.reason(self.line, self._limits.max_line_bytes)
        text = line.raw(self._limits.raw_chars, self._encoding)
        self.consumed.append(text)
        return text + ("\n" if line.terminated else "")


def _split(text: str, delimiter: str) -> list[str] | None:
    """The fields of a one-line record as `csv.reader` reads them, or None if only the csv
    module can tell (quotes, line breaks or NUL inside, or a field over its size limit)."""
    body = text.rstrip("\r\n")
    if _NEEDS_CSV_MODULE.search(body) is not None or len(body) > csv.field_size_limit():
        return None
    return body.split(delimiter) if body else []


def iter_csv_rows(
    binary: BinaryIO, encoding: str, delimiter: str, limits: FileLimits | None = None
) -> Iterator[CsvRow]:
    """CSV records (the header included) with their raw text; blank lines are skipped.

    A plain line is split directly; a line the csv module must read (quoted fields, which
    may run over several lines) is read by a `csv.reader` that continues on the same feed.
    """
    feed = _LineFeed(binary, encoding, limits or FileLimits())
    for text in feed:
        first_line = feed.line
        fields = _split(text, delimiter)
        if fields is None:
            reader = csv.reader(chain([text], feed), delimiter=delimiter, strict=False)
            try:
                fields = next(reader, [])
            except csv.Error as exc:
                fields = []
                feed.problem = feed.problem or f"line {first_line} is not valid CSV ({exc})"
        raw = "".join(feed.consumed).rstrip("\r\n")
        problem, terminated = feed.problem, feed.terminated
        feed.consumed.clear()
        feed.problem = None
        if fields or problem:
            yield CsvRow(first_line, raw, fields, problem, terminated)
