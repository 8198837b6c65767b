"""Regions, districts and mahallas of a world, sized from its number of people.

Real mahallas hold about 3,900 people; a small world uses smaller mahallas so that even a
demo of 20,000 people spans several regions, districts and mahallas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sandbox.generate.name_lists import MAHALLA_NAMES
from sandbox.generate.territory_names import DISTRICTS, REGIONS, URBAN_REGION

_MAHALLAS_PER_DISTRICT = 8


@dataclass(frozen=True)
class District:
    soato: str
    name: str
    region_soato: str
    region_name: str


@dataclass(frozen=True)
class Mahalla:
    code: str
    name: str
    stir: str
    district: District

    @property
    def urban(self) -> bool:
        return self.district.region_soato == URBAN_REGION


@dataclass(frozen=True)
class Territory:
    districts: tuple[District, ...]
    mahallas: tuple[Mahalla, ...]
    mahalla_weights: np.ndarray
    """Relative population of each mahalla (sums to 1)."""


def people_per_mahalla(people: int) -> int:
    """Mean mahalla size: about a 40th of the world, between 100 and 3,900 people."""
    return min(3900, max(100, people // 40))


def plan_territory(people: int, rng: np.random.Generator, regions: int | None = None) -> Territory:
    """Choose regions, districts and mahallas (with codes and STIRs) for a world of `people`;
    `regions` sets how many regions it spans (default: about one per two districts).
    Raises ValueError when `regions` is not between 1 and 14."""
    n_mahallas = max(1, round(people / people_per_mahalla(people)))
    max_districts = sum(len(names) for names in DISTRICTS.values())
    n_districts = min(max_districts, max(1, math.ceil(n_mahallas / _MAHALLAS_PER_DISTRICT)))
    n_regions = min(len(REGIONS), max(1, math.ceil(n_districts / 2)))
    if regions is not None:
        if not 1 <= regions <= len(REGIONS):
            raise ValueError(f"A world spans 1 to {len(REGIONS)} regions; got regions={regions}.")
        n_regions = regions
        n_districts = max(n_districts, regions)
        n_mahallas = max(n_mahallas, n_districts)
    region_rows = sorted(rng.permutation(len(REGIONS))[:n_regions].tolist())
    chosen = [REGIONS[i] for i in region_rows]
    n_districts = min(n_districts, sum(len(DISTRICTS[soato]) for soato, _ in chosen))
    districts = _plan_districts(chosen, n_districts, rng)
    mahallas = _plan_mahallas(districts, n_mahallas, rng)
    weights = rng.lognormal(0.0, 0.3, len(mahallas))
    return Territory(tuple(districts), tuple(mahallas), weights / weights.sum())


def _plan_districts(
    regions: list[tuple[str, str]], n_districts: int, rng: np.random.Generator
) -> list[District]:
    per_region = [0] * len(regions)
    slot = 0
    for _ in range(n_districts):
        while per_region[slot % len(regions)] >= len(DISTRICTS[regions[slot % len(regions)][0]]):
            slot += 1
        per_region[slot % len(regions)] += 1
        slot += 1
    districts: list[District] = []
    for (soato, region_name), count in zip(regions, per_region, strict=True):
        names = DISTRICTS[soato]
        for index in sorted(rng.permutation(len(names))[:count].tolist()):
            # 2xx codes spaced by three, so Asaka (the first name of Andijon) is 1703202.
            code = f"{soato}2{index * 3 + 2:02d}"
            districts.append(District(code, f"{names[index]} tumani", soato, region_name))
    return districts


def _plan_mahallas(
    districts: list[District], n_mahallas: int, rng: np.random.Generator
) -> list[Mahalla]:
    counts = np.full(len(districts), n_mahallas // len(districts))
    counts[: n_mahallas % len(districts)] += 1
    stirs = 200_000_000 + rng.choice(100_000_000, n_mahallas, replace=False)
    mahallas: list[Mahalla] = []
    for district, count in zip(districts, counts.tolist(), strict=True):
        numbers = np.sort(rng.choice(999, count, replace=False) + 1).tolist()
        name_rows = rng.permutation(len(MAHALLA_NAMES)).tolist()
        for j, number in enumerate(numbers):
            base = MAHALLA_NAMES[name_rows[j % len(name_rows)]]
            name = base if j < len(name_rows) else f"{base}-{j // len(name_rows) + 1}"
            stir = str(int(stirs[len(mahallas)]))
            mahallas.append(Mahalla(f"{district.soato}{number:03d}", f"{name} MFY", stir, district))
    return mahallas
