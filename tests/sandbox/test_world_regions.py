"""A world spans the number of regions asked for, and some mentions name another region."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from sandbox.generate.settings import NoiseSettings
from sandbox.generate.world import generate_world


def _mahalla_regions(world: Path) -> set[str]:
    with (world / "registry" / "mahallas.csv").open(encoding="utf-8") as rows:
        return {row["region_soato"] for row in csv.DictReader(rows)}


@pytest.mark.parametrize("regions", [1, 4])
def test_a_world_spans_the_regions_asked_for(tmp_path: Path, regions: int) -> None:
    manifest = generate_world(tmp_path, 600, seed=3, regions=regions)
    assert manifest.regions == regions
    assert len(_mahalla_regions(tmp_path)) == regions


def test_too_many_regions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1 to 14 regions; got regions=15"):
        generate_world(tmp_path, 600, seed=3, regions=15)


def test_away_mentions_name_a_mahalla_of_another_region(tmp_path: Path) -> None:
    noise = replace(NoiseSettings(), away_region=0.3)
    manifest = generate_world(tmp_path, 600, seed=3, noise=noise, regions=2)
    assert manifest.noise_counts["bank"]["away_region"] > 0
    assert manifest.noise_counts["employment"]["away_region"] > 0
    plain = generate_world(tmp_path / "plain", 600, seed=3, regions=2)
    assert "away_region" not in plain.noise_counts.get("bank", {})
