"""Physical lines of line-based files, with their numbers (CSV rows: `connectors.csv_rows`).

Files are read in binary, one line at a time, so a delivery of any size is never held in
memory and every line keeps its number and its raw text for a reject.
"""

from __future__ import annotations

from dataclasses import dataclass

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
