"""Streaming readers of line-based files: physical lines and CSV rows with their raw text.

Files are read in binary, one line at a time, so a delivery of any size is never held in
memory and every row keeps its line number and its raw text for a reject. A line longer
than `FileLimits.max_line_bytes` is never held either: its beginning stands for it, with
the problem that rejects its row (`connectors.bounded_lines`). Decoding happens
per line (`connectors.line_feed`), so one badly encoded line becomes one reject instead of
failing the file.

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
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, Final

from connectors.limits import FileLimits
from connectors.line_feed import FedLine, LineFeed, RowProblem
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

# What a line may not contain to be split without the csv module: quotes, a line break
# inside the line, NUL; and no field longer than the csv module's limit.
_NEEDS_CSV_MODULE = re.compile(r'["\r\n\x00]')


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CsvRow:
    """One CSV record: its first line, raw text, fields, and a problem if any."""

    line: int
    raw: str
    fields: list[str]
    problem: RowProblem | None
    terminated: bool


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
    fields: list[str], lines: list[FedLine], width: int | None, limits: _Limits
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
    feed: LineFeed, text: str, width: int | None, limits: _Limits
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
    feed: LineFeed, fields: list[str], error: str | None, width: int | None, limits: _Limits
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
    feed = LineFeed(binary, encoding, limits or FileLimits())
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
