"""What the generator delivered, kept apart from the deliveries: the ground truth.

`truth/records.csv` names the true person and household behind every (source, record key);
`truth/corrupt_rows.csv` lists every row made unreadable on purpose, so tests can check that
exactly those are rejected. Counts of rows and of injected noise feed world.json.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

RECORDS_HEADER = ("source", "record_key", "entity", "person_id", "household_id", "mahalla_code")
CORRUPT_HEADER = ("source", "file", "row", "record_key", "kind", "detail")


def person_id(person: int) -> str:
    return f"P{person + 1:08d}"


def household_id(household: int) -> str:
    return f"H{household + 1:07d}"


@dataclass(frozen=True)
class CorruptRow:
    source: str
    file: str
    """Path relative to the world folder."""
    row: int
    """1-based data row: CSV line after the header, JSONL line, XML Lease element, API item."""
    record_key: str
    kind: str
    detail: str


class Ledger:
    """Streams truth rows to disk and counts what each source delivered."""

    def __init__(self, truth_dir: Path) -> None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        self._records_file: TextIO = (truth_dir / "records.csv").open(
            "w", encoding="utf-8", newline=""
        )
        self._records = csv.writer(self._records_file, lineterminator="\n")
        self._records.writerow(RECORDS_HEADER)
        self._truth_dir = truth_dir
        self.corrupt: list[CorruptRow] = []
        self.rows: Counter[str] = Counter()
        self.keys: Counter[str] = Counter()
        self.noise: Counter[tuple[str, str]] = Counter()

    def record(
        self,
        source: str,
        key: str,
        entity: str,
        person: int | None,
        household: int | None,
        mahalla_code: str,
    ) -> None:
        """The truth behind a record key; call once per key, at its first delivery."""
        self.keys[source] += 1
        self._records.writerow(
            (
                source,
                key,
                entity,
                "" if person is None else person_id(person),
                "" if household is None else household_id(household),
                mahalla_code,
            )
        )

    def delivered(self, source: str, rows: int = 1) -> None:
        self.rows[source] += rows

    def noted(self, source: str, kind: str) -> None:
        self.noise[(source, kind)] += 1

    def corrupted(self, row: CorruptRow) -> None:
        self.corrupt.append(row)

    def close(self) -> None:
        """Write the corrupt-row manifest and close the records file."""
        self._records_file.close()
        with (self._truth_dir / "corrupt_rows.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(CORRUPT_HEADER)
            for row in self.corrupt:
                writer.writerow(
                    (row.source, row.file, row.row, row.record_key, row.kind, row.detail)
                )
