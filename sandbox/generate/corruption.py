"""Deciding which delivered rows to corrupt, and recording each one in the ledger.

Each source lists the kinds of corruption its format allows (an XML snapshot cannot carry a
broken line without losing the whole file, so land has none) and applies them itself; this
module only draws whether and how, reproducibly, and files the manifest entry.
"""

from __future__ import annotations

import random

from sandbox.generate.context import WorldContext
from sandbox.generate.ledger import CorruptRow

BROKEN_LINE = "broken_line"
BAD_DATE = "bad_date"
BAD_NUMBER = "bad_number"
UNKNOWN_ENUM = "unknown_enum"
MISSING_REQUIRED = "missing_required"


class Corrupter:
    """Draws a corruption kind for a row at the world's corrupt rate, or None."""

    def __init__(self, ctx: WorldContext, source: str, kinds: tuple[str, ...]) -> None:
        self._ctx = ctx
        self._source = source
        self._kinds = kinds
        self._rate = ctx.noise.corrupt_rate
        self.rng: random.Random = ctx.rng(f"corrupt:{source}")

    def pick(self) -> str | None:
        if self._rate <= 0.0 or self.rng.random() >= self._rate:
            return None
        return self.rng.choice(self._kinds)

    def file(self, file: str, row: int, record_key: str, kind: str, detail: str) -> None:
        self._ctx.ledger.corrupted(CorruptRow(self._source, file, row, record_key, kind, detail))


def cut_line(line: bytes, rng: random.Random) -> tuple[bytes, str]:
    """A JSON line cut somewhere in its middle third, and the manifest's description."""
    cut = rng.randrange(len(line) // 3, len(line) * 2 // 3)
    return line[:cut], f"line cut at byte {cut}"
