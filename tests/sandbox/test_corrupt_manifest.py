"""The corrupt-row manifest names exactly the rows that break the contract."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

UnreadableRows = Callable[[Path], set[tuple[str, int]]]


def _manifest(world: Path) -> list[dict[str, str]]:
    with (world / "truth/corrupt_rows.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_manifest_lists_exactly_the_rows_a_strict_reader_rejects(
    noisy_world: Path, unreadable_rows: UnreadableRows
) -> None:
    listed = {(row["file"], int(row["row"])) for row in _manifest(noisy_world)}
    assert listed == unreadable_rows(noisy_world)


def test_every_source_with_rows_gets_every_kind_of_corruption_it_allows(noisy_world: Path) -> None:
    kinds = Counter((row["source"], row["kind"]) for row in _manifest(noisy_world))
    for source in ("survey", "employment", "appeals"):
        assert kinds[(source, "broken_line")] > 0
        assert kinds[(source, "bad_date")] > 0
        assert kinds[(source, "missing_required")] > 0
    assert kinds[("employment", "bad_number")] > 0
    assert kinds[("land", "bad_number")] > 0
    assert kinds[("tax", "unknown_enum")] > 0


def test_corrupt_rate_is_near_its_setting(noisy_world: Path) -> None:
    rows = sum(1 for _ in _manifest(noisy_world))
    delivered = sum(json.loads((noisy_world / "world.json").read_text())["rows"].values())
    assert 0.035 < rows / delivered < 0.065


def test_manifest_matches_rejections_at_the_default_rate(
    world: Path, unreadable_rows: UnreadableRows
) -> None:
    listed = {(row["file"], int(row["row"])) for row in _manifest(world)}
    assert unreadable_rows(world) == listed
