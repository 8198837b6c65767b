"""Streaming readers of line-based files: physical lines and CSV rows with their raw text.

Files are read in binary, one line at a time, so a delivery of any size is never held in
memory and every row keeps its line number and its raw text for a reject. A line longer
than `FileLimits.max_line_bytes` is never held either: its beginning stands for it, with
the problem that rejects its row (`connectors.bounded_lines`). Decoding happens
per line, so one badly encoded line becomes one reject instead of failing the file.

The csv module reads a quoted field across line breaks until its closing quote. One stray
quote would then swallow the rest of the file into one field of one record, and the lines
it swallowed would be neither records nor rejects. So a CSV record that spans several
physical lines is kept only when it looks like one record: its quote closes within
`max_record_lines` lines, it has the header's number of columns, no field is longer than
`max_field_chars`, and no line after the first has a whole row's delimiters. Otherwise its
first line (the one that opened the quote) is rejected with the reason, and the lines after
it are read again, each on its own. Reading stays linear: no line is read again more than
`max_record_lines` times.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, Final

from connectors.bounded_lines import finish_overlong, is_overlong, lines
from connectors.byte_order import without_bom
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


MAX_RECORD_LINES: Final = 20
"""How many physical lines one quoted record may span before its quote counts as unclosed."""
MAX_FIELD_CHARS: Final = 2000
"""The longest plausible field of a record that spans lines (no contract field is near it)."""

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


class RowProblem(str):
    """Why a CSV row cannot be read (the reject's reason), with the rule it broke:
    `encoding`, `line_too_long` or `csv`. A string, so that it reads as its reason."""

    rule: str

    def __new__(cls, reason: str, rule: str) -> RowProblem:
        made = super().__new__(cls, reason)
        made.rule = rule
        return made


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CsvRow:
    """One CSV record: its first line, raw text, fields, and a problem if any."""

    line: int
    raw: str
    fields: list[str]
    problem: RowProblem | None
    terminated: bool


_FedLine = tuple[int, str, RowProblem | None, bool]
"""One physical line as the feed decoded it: (number, text, its own problem or None,
terminated). A plain tuple: the feed makes one per line of every CSV file."""


class _LineFeed:
    """Decoded physical lines for `csv.reader`; remembers what the current row consumed.

    Lines handed back with `read_again` are served again, as they were decoded, before the
    file's next line. While `limit` is set, the feed ends (`starved`) instead of giving a
    row more lines than that; it also marks `starved` when the file ends while a row asks
    for more.
    """

    def __init__(self, binary: BinaryIO, encoding: str, limits: FileLimits) -> None:
        self._binary, self._limits = binary, limits
        self._lines = lines(binary, limits.max_line_bytes)
        name = encoding.replace("_", "-").lower()
        self._cp1251 = name.replace("-", "") in ("cp1251", "windows1251")
        # A BOM is dropped from the first line only (`connectors.byte_order`), not from
        # every line as Python's "utf-8-sig" would.
        self._encoding = "utf-8" if name == "utf-8-sig" else encoding
        self._read = 0
        self._again: deque[_FedLine] = deque()
        self.line = 0
        self.consumed: list[_FedLine] = []
        self.limit: int | None = None
        self.starved = False

    def _undecodable(self, number: int, raw: bytes, exc: UnicodeDecodeError) -> RowProblem:
        if self._cp1251 and _utf8_where_cp1251_expected(raw):
            # Python's cp1251 leaves 0x98 undefined, so some UTF-8 lines fail to decode.
            return _utf8_line(number)
        label = "Windows-1251" if self._cp1251 else "UTF-8"
        return RowProblem(
            f"line {number} is not valid {label} (byte 0x{raw[exc.start]:02x} at position "
            f"{exc.start}); the file may be in another encoding",
            "encoding",
        )

    def __iter__(self) -> Iterator[str]:
        return self

    def _read_line(self) -> _FedLine:
        raw = next(self._lines)
        self._read += 1
        number = self._read
        if len(raw) > self._limits.max_line_bytes and is_overlong(raw, self._limits.max_line_bytes):
            return self._overlong(number, raw)
        if number == 1 and not self._cp1251:
            raw = without_bom(raw)
        problem = None
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            text = raw.decode(self._encoding, "replace")
            problem = self._undecodable(number, raw, exc)
        else:
            if self._cp1251 and _utf8_where_cp1251_expected(raw):
                problem = _utf8_line(number)
        return (number, text, problem, raw.endswith(b"\n"))

    def _overlong(self, number: int, head: bytes) -> _FedLine:
        """The beginning of a line over the bound (the rest is read and dropped)."""
        line = finish_overlong(self._binary, head, self._limits.raw_chars)
        text = line.raw(self._limits.raw_chars, self._encoding)
        problem = RowProblem(line.reason(number, self._limits.max_line_bytes), "line_too_long")
        return (number, text + ("\n" if line.terminated else ""), problem, line.terminated)

    def __next__(self) -> str:
        if self.limit is None and not self._again:  # the common case: the file's next line
            fed = self._read_line()
        else:
            fed = self._next_within_row()
        self.line = fed[0]
        self.consumed.append(fed)
        return fed[1]

    def _next_within_row(self) -> _FedLine:
        if self.limit is not None and len(self.consumed) >= self.limit:
            self.starved = True
            raise StopIteration
        if self._again:
            return self._again.popleft()
        try:
            return self._read_line()
        except StopIteration:
            self.starved = bool(self.consumed)
            raise

    def read_again(self, lines: list[_FedLine]) -> None:
        """Serve these lines (in order) before any other."""
        self._again.extendleft(reversed(lines))


def _utf8_line(number: int) -> RowProblem:
    return RowProblem(
        f"line {number} is UTF-8 text, but the contract says Windows-1251", "encoding"
    )


def _split(text: str, delimiter: str) -> list[str] | None:
    """The fields of a one-line record as `csv.reader` reads them, or None if only the csv
    module can tell (quotes, line breaks or NUL inside, or a field over its size limit)."""
    body = text.rstrip("\r\n")
    if _NEEDS_CSV_MODULE.search(body) is not None or len(body) > csv.field_size_limit():
        return None
    return body.split(delimiter) if body else []


@dataclass(frozen=True)
class _Limits:
    delimiter: str
    max_record_lines: int
    max_field_chars: int


def _implausible(
    fields: list[str], lines: list[_FedLine], width: int | None, limits: _Limits
) -> str | None:
    """Why a record read across lines is not one record, or None if it may be: a wrong
    column count, a field far too long, or a later line that has a row's delimiters."""
    if width is not None and len(fields) != width:
        return (
            f"read with the lines after it, the record would have {len(fields)} columns, "
            f"the header has {width}"
        )
    longest = max((len(field) for field in fields), default=0)
    if longest > limits.max_field_chars:
        return f"read with the lines after it, a field would be {longest} characters long"
    if width is not None and width > 1:
        for number, text, _, _ in lines[1:]:
            if text.count(limits.delimiter) >= width - 1:
                return f"line {number} after it has the delimiters of a row of its own"
    return None


def _read_quoted(
    feed: _LineFeed, text: str, width: int | None, limits: _Limits
) -> tuple[list[str], RowProblem | None]:
    """The fields of the record starting with `text`, read by the csv module, and its
    problem; a record that is not plausibly one record is cut back to its first line."""
    first_line = feed.line
    feed.starved, feed.limit = False, limits.max_record_lines
    reader = csv.reader(chain([text], feed), delimiter=limits.delimiter, strict=False)
    error = None
    try:
        fields = next(reader, [])
    except csv.Error as exc:
        fields, error = [], str(exc)
    feed.limit = None
    why = _unclosed(feed, fields, error, width, limits)
    if why is None:
        if error is None:
            return fields, None
        return fields, RowProblem(f"line {first_line} is not valid CSV ({error})", "csv")
    rest = feed.consumed[1:]
    del feed.consumed[1:]
    feed.read_again(rest)
    single = csv.reader([text.rstrip("\r\n")], delimiter=limits.delimiter, strict=False)
    again = " and the lines after it are read on their own" if rest else ""
    problem = RowProblem(
        f"line {first_line} opens a quoted field that does not close on its line: {why}; "
        f"the line is rejected{again}",
        "csv",
    )
    return next(single, []), problem


def _unclosed(
    feed: _LineFeed, fields: list[str], error: str | None, width: int | None, limits: _Limits
) -> str | None:
    """Why the record just read is not one record but a quote left open, or None."""
    if feed.starved:
        if len(feed.consumed) >= limits.max_record_lines:
            return f"it is still open after {limits.max_record_lines} lines"
        return "the file ends before it closes"
    if len(feed.consumed) == 1:
        return None
    if error is not None:
        return f"read with the lines after it, the record is not valid CSV ({error})"
    return _implausible(fields, feed.consumed, width, limits)


def iter_csv_rows(
    binary: BinaryIO,
    encoding: str,
    delimiter: str,
    *,
    max_record_lines: int = MAX_RECORD_LINES,
    max_field_chars: int = MAX_FIELD_CHARS,
    limits: FileLimits | None = None,
) -> Iterator[CsvRow]:
    """CSV records (the header first) with their raw text; blank lines are skipped.

    A plain line is split directly; a line the csv module must read (quoted fields, which
    may run over several lines) is read by a `csv.reader` on the same feed, within the
    limits above (the header's column count is the width every later record is held to).
    A UTF-8 file may open with a byte-order mark (`connectors.byte_order`).
    """
    record = _Limits(delimiter, max_record_lines, max_field_chars)
    feed = _LineFeed(binary, encoding, limits or FileLimits())
    consumed = feed.consumed
    width: int | None = None
    for text in feed:
        first_line = feed.line
        fields, problem = _split(text, delimiter), None
        if fields is None:
            fields, problem = _read_quoted(feed, text, width, record)
        if len(consumed) == 1:  # the common case, without the loops below
            _, line_text, line_problem, terminated = consumed[0]
            raw, problem = line_text.rstrip("\r\n"), line_problem or problem
        else:
            raw = "".join(line[1] for line in consumed).rstrip("\r\n")
            problem = next((line[2] for line in consumed if line[2]), problem)
            terminated = consumed[-1][3]
        consumed.clear()
        if fields or problem:
            if width is None:
                width = len(fields)
            yield CsvRow(first_line, raw, fields, problem, terminated)
