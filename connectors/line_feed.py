"""Decoded physical lines for `csv.reader`, each with its own problem (encoding, length).

The CSV reader (`connectors.text_lines.iter_csv_rows`) pulls lines from a `LineFeed`: it
decodes each line on its own (one badly encoded line is one reject), cuts a line over
`FileLimits.max_line_bytes` to its beginning (`connectors.bounded_lines`), drops a BOM that
opens a UTF-8 file (`connectors.byte_order`), remembers what the current record consumed,
and can serve lines again (`read_again`) or stop a record at a number of lines (`limit`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from connectors.bounded_lines import finish_overlong, is_overlong, lines
from connectors.byte_order import without_bom
from connectors.limits import FileLimits

# A byte that can only start a UTF-8 sequence, not followed by a continuation byte: proof
# that a line is not UTF-8, found without raising UnicodeDecodeError (the common case for
# Windows-1251 Cyrillic, where letters are 0xC0-0xFF and mostly followed by letters).
_NOT_UTF8 = re.compile(rb"[\xc0-\xff](?![\x80-\xbf])")


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


FedLine = tuple[int, str, RowProblem | None, bool]
"""One physical line as the feed decoded it: (number, text, its own problem or None,
terminated). A plain tuple: the feed makes one per line of every CSV file."""


class LineFeed:
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
        self._again: deque[FedLine] = deque()
        self.line = 0
        self.consumed: list[FedLine] = []
        self.limit: int | None = None
        self.starved = False

    def _undecodable(self, number: int, raw: bytes, exc: UnicodeDecodeError) -> RowProblem:
        if self._cp1251 and _utf8_where_cp1251_expected(raw):
            # Python's cp1251 leaves 0x98 undefined, so some UTF-8 lines fail to decode.
            return utf8_line(number)
        label = "Windows-1251" if self._cp1251 else "UTF-8"
        return RowProblem(
            f"line {number} is not valid {label} (byte 0x{raw[exc.start]:02x} at position "
            f"{exc.start}); the file may be in another encoding",
            "encoding",
        )

    def __iter__(self) -> Iterator[str]:
        return self

    def _read_line(self) -> FedLine:
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
                problem = utf8_line(number)
        return (number, text, problem, raw.endswith(b"\n"))

    def _overlong(self, number: int, head: bytes) -> FedLine:
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

    def _next_within_row(self) -> FedLine:
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

    def read_again(self, lines: list[FedLine]) -> None:
        """Serve these lines (in order) before any other."""
        self._again.extendleft(reversed(lines))


def utf8_line(number: int) -> RowProblem:
    return RowProblem(
        f"line {number} is UTF-8 text, but the contract says Windows-1251", "encoding"
    )
