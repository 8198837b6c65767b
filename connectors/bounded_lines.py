"""Reading the lines of a file with a bound on each, so that one 200 MB line costs a few
kilobytes of memory and becomes one reject instead of gigabytes.

`lines(binary, max_bytes)` yields each line as `readline` does (terminator included), but
never more than `max_bytes + 2` bytes of it (room for a CRLF): a longer line is recognised
by `is_overlong`, and `finish_overlong` reads the rest of it in pieces (counting and hashing
them) without keeping it. Reading stays in C on the good path: one bounded `readline` per line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from connectors.limits import LINE_BYTES_VARIABLE
from connectors.raw_text import capped

_PIECE = 1 << 20


def lines(binary: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    """The file's lines, each cut after `max_bytes + 2` bytes (see `is_overlong`)."""
    return iter(partial(binary.readline, max_bytes + 2), b"")


def is_overlong(raw: bytes, max_bytes: int) -> bool:
    """True if `raw`, read by `lines`, is (the start of) a line longer than `max_bytes`,
    its terminator not counted."""
    return len(raw) > max_bytes and len(raw.rstrip(b"\r\n")) > max_bytes


@dataclass(frozen=True, slots=True)
class OverlongLine:
    """A line over the bound: its first bytes, its length without the terminator, the
    SHA-256 of those bytes, and whether a newline ended it (False: the file ended)."""

    head: bytes
    length: int
    sha256: str
    terminated: bool

    def reason(self, number: int, max_bytes: int) -> str:
        return (
            f"line {number} is {self.length:,} bytes long, more than the {max_bytes:,} bytes a "
            f"line may have ({LINE_BYTES_VARIABLE}); its record is rejected unread"
        )

    def raw(self, limit: int, encoding: str = "utf-8") -> str:
        """The text kept for the reject: the line's beginning, its length and hash."""
        prefix = self.head[:limit].decode(encoding, "replace")
        return capped(prefix, self.length, "bytes", self.sha256, limit)


def finish_overlong(binary: BinaryIO, head: bytes, keep: int) -> OverlongLine:
    """Read the rest of the line that `head` starts (if a newline does not already end it),
    keeping only its first `keep` bytes."""
    if head.endswith(b"\n"):
        content = head.rstrip(b"\r\n")
        return OverlongLine(content[:keep], len(content), hashlib.sha256(content).hexdigest(), True)
    digest = hashlib.sha256(head)
    length = len(head)
    terminated = False
    while piece := binary.readline(_PIECE):
        if piece.endswith(b"\n"):
            terminated = True
            piece = piece.rstrip(b"\r\n")
            digest.update(piece)
            length += len(piece)
            break
        digest.update(piece)
        length += len(piece)
    return OverlongLine(head[:keep], length, digest.hexdigest(), terminated)
