"""Taking a delivered file only once it is complete.

An agency may still be writing a file when the hub looks at its folder. A file is taken
when it is *settled*: its size and modification time are the same as at the hub's
previous look (an earlier run or sensor tick), or it has not been modified for
`settle_seconds` (by default one sensor interval). A file still changing is left for a
later run and reported as waiting. Writers that can should still write to another name
and rename when done (files whose names are not the contract's are never read).

The looks are kept per source in `<landing root>/settling/<source>.json`, written to a
temporary name and renamed like every landing file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from connectors.file_source import FileDelivery

Look = tuple[int, str]
"""(size in bytes, modification time in ISO 8601) of one file at one look."""


@dataclass(frozen=True)
class Settling:
    """The files of one look, split into those taken and those still changing."""

    settled: list[FileDelivery]
    changing: list[FileDelivery]


def look_of(delivery: FileDelivery) -> Look:
    return (delivery.size, delivery.modified_at.isoformat())


def split_settled(
    files: Sequence[FileDelivery],
    previous: dict[str, Look],
    now: datetime,
    settle: timedelta,
) -> Settling:
    """Which of `files` (in their order) are complete, given the previous look."""
    settled: list[FileDelivery] = []
    changing: list[FileDelivery] = []
    for delivery in files:
        unchanged = previous.get(delivery.name) == look_of(delivery)
        quiet = now - delivery.modified_at >= settle
        (settled if unchanged or quiet else changing).append(delivery)
    return Settling(settled, changing)


@dataclass(frozen=True)
class LookLog:
    """The last look at each source's folder, kept beside the landing store."""

    root: Path

    def _path(self, source: str) -> Path:
        return self.root / "settling" / f"{source}.json"

    def previous(self, source: str) -> dict[str, Look]:
        path = self._path(source)
        if not path.exists():
            return {}
        saved = json.loads(path.read_text(encoding="utf-8"))
        return {name: (int(size), str(at)) for name, (size, at) in saved.items()}

    def save(self, source: str, files: Sequence[FileDelivery]) -> None:
        path = self._path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.partial")
        looks = {d.name: list(look_of(d)) for d in files}
        partial.write_text(json.dumps(looks, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)


def waiting_message(delivery: FileDelivery, settle: timedelta) -> str:
    return (
        f"{delivery.name} is still changing (its size or modification time differs from "
        f"the last look, and it was modified less than {settle.total_seconds():g} s ago); "
        "it is taken once it has settled"
    )
