"""The API data of a world, loaded once, sorted, and kept as ready-to-send JSON bytes.

Items are not validated here: a corrupt item the generator wrote is served as written, which
is the point. Only the fields that order and filter the pages are read.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import orjson

TASHKENT = timezone(timedelta(hours=5))
TAX_FILE = Path("api/tax/taxpayers.jsonl")
BANK_FILE = Path("api/bank/loans.jsonl")


def epoch_seconds(text: str) -> int:
    """Epoch seconds of an ISO 8601 datetime; a naive one is taken as Tashkent time.

    Raises ValueError if the text is not an ISO 8601 datetime.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TASHKENT)
    return int(moment.timestamp())


@dataclass(frozen=True)
class TaxCatalogue:
    """Taxpayer items ordered by (updated_at, tin)."""

    keys: list[tuple[int, str]]
    items: list[bytes]

    @classmethod
    def load(cls, world_dir: Path) -> TaxCatalogue:
        rows = []
        for line in (world_dir / TAX_FILE).read_bytes().splitlines():
            item = orjson.loads(line)
            rows.append(((epoch_seconds(item["updated_at"]), str(item.get("tin") or "")), line))
        rows.sort(key=lambda row: row[0])
        return cls([key for key, _ in rows], [line for _, line in rows])

    def start_after(self, key: tuple[int, str]) -> int:
        return bisect.bisect_right(self.keys, key)

    def start_at(self, updated_since: int) -> int:
        return bisect.bisect_left(self.keys, (updated_since, ""))

    def updated_by(self, now: float) -> int:
        """How many items (a prefix) have an updated_at at or before `now` (epoch seconds)."""
        return bisect.bisect_right(self.keys, now, key=lambda key: key[0])


@dataclass
class BankCatalogue:
    """Loan items ordered by loan_id, with the filtered views computed once per issued_from."""

    issued_on: list[str]
    items: list[bytes]
    _views: dict[date | None, list[bytes]] = field(default_factory=dict)

    @classmethod
    def load(cls, world_dir: Path) -> BankCatalogue:
        rows = []
        for line in (world_dir / BANK_FILE).read_bytes().splitlines():
            item = orjson.loads(line)
            rows.append((str(item.get("loan_id") or ""), str(item.get("issued_on") or ""), line))
        rows.sort(key=lambda row: row[0])
        return cls([issued for _, issued, _ in rows], [line for _, _, line in rows])

    def view(self, issued_from: date | None) -> list[bytes]:
        """Items issued on or after `issued_from` (all of them for None), in loan_id order."""
        if issued_from not in self._views:
            if issued_from is None:
                self._views[None] = self.items
            else:
                bound = issued_from.isoformat()
                self._views[issued_from] = [
                    item
                    for item, issued in zip(self.items, self.issued_on, strict=True)
                    if issued >= bound
                ]
        return self._views[issued_from]
