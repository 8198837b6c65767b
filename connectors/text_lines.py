"""Streaming readers of line-based files: physical lines and CSV rows with their raw text.

Files are read in binary, one line at a time, so a delivery of any size is never held in
memory and every row keeps its line number and its raw text for a reject. Decoding happens
per line, so one badly encoded line becomes one reject instead of failing the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class TextLine:
    """One non-blank physical line; `terminated` is False for a final line cut short."""

    number: int
    data: bytes
    terminated: bool


def iter_lines(binary: BinaryIO) -> Iterator[TextLine]:
    """Non-blank lines without their terminator (LF or CRLF)."""
    for number, raw in enumerate(binary, start=1):
        terminated = raw.endswith(b"\n")
        data = raw.rstrip(b"\r\n")
        if data.strip():
            yield TextLine(number, data, terminated)


def _utf8_where_cp1251_expected(raw: bytes) -> bool:
    """True if a line that should be Windows-1251 is in fact UTF-8 Cyrillic or similar.

    Windows-1251 decodes any byte, so decoding cannot fail; but Cyrillic text in
    Windows-1251 is almost never valid UTF-8 (its letters are bytes 0xC0-0xFF, which UTF-8
    allows only as lead bytes followed by 0x80-0xBF), while UTF-8 text always is.
    """
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One CSV record: its first line, raw text, fields, and an encoding problem if any."""

    line: int
    raw: str
    fields: list[str]
    problem: str | None
    terminated: bool


class _LineFeed:
    """Feeds decoded physical lines to `csv.reader` and remembers what each row consumed."""

    def __init__(self, binary: BinaryIO, encoding: str) -> None:
        self._binary = binary
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
        for raw in self._binary:
            self.line += 1
            self.terminated = raw.endswith(b"\n")
            try:
                text = raw.decode(self._encoding)
            except UnicodeDecodeError as exc:
                text = raw.decode(self._encoding, "replace")
                self.problem = self._undecodable(raw, exc)
            else:
                if self._cp1251 and _utf8_where_cp1251_expected(raw):
                    self.problem = (
                        f"line {self.line} is UTF-8 text, but the contract says Windows-1251"
                    )
            self.consumed.append(text)
            yield text


def iter_csv_rows(binary: BinaryIO, encoding: str, delimiter: str) -> Iterator[CsvRow]:
    """CSV records (the header included) with their raw text; blank lines are skipped."""
    feed = _LineFeed(binary, encoding)
    reader = csv.reader(feed, delimiter=delimiter, strict=False)
    while True:
        first_line = feed.line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            fields = []
            feed.problem = feed.problem or f"line {first_line} is not valid CSV ({exc})"
        raw = "".join(feed.consumed).rstrip("\r\n")
        problem, terminated = feed.problem, feed.terminated
        feed.consumed.clear()
        feed.problem = None
        if fields or problem:
            yield CsvRow(first_line, raw, fields, problem, terminated)
