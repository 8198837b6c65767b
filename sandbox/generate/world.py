"""generate_world: the whole synthetic world in one folder, reproducible from its seed.

Layout of a world folder (deliveries under the folders the hub's env vars point at):

    world.json                 this manifest: seed, reference date, sizes, noise settings, counts
    registry/                  mahallas.csv, assistants.csv                  HUB_REGISTRY_DIR
    survey/                    survey_YYYY-MM.jsonl                          HUB_SURVEY_DIR
    employment/                employment_YYYY-MM.csv                        HUB_EMPLOYMENT_DIR
    land/                      leases_YYYY-MM-DD.xml                         HUB_LAND_DIR
    appeals/                   appeals_YYYY-Qn.jsonl                         HUB_APPEALS_DIR
    api/tax/taxpayers.jsonl    what the fake tax API serves (one item per line)
    api/bank/loans.jsonl       what the fake bank API serves (one item per line)
    truth/                     persons.csv, households.csv, records.csv, corrupt_rows.csv
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sandbox.generate.assistants import appoint_assistants
from sandbox.generate.context import WorldContext
from sandbox.generate.dating import DEFAULT_BASE_YEAR, WorldDates
from sandbox.generate.economy import generate_economy
from sandbox.generate.ledger import Ledger
from sandbox.generate.population import generate_people
from sandbox.generate.random_streams import numpy_rng
from sandbox.generate.settings import NoiseSettings
from sandbox.generate.sources.appeals import write_appeals
from sandbox.generate.sources.bank import write_bank
from sandbox.generate.sources.employment import write_employment
from sandbox.generate.sources.land import write_land
from sandbox.generate.sources.registry import write_registry
from sandbox.generate.sources.survey import write_survey
from sandbox.generate.sources.tax import write_tax
from sandbox.generate.territory import plan_territory
from sandbox.generate.truth import write_truth

logger = logging.getLogger(__name__)

MANIFEST_FILE = "world.json"
DEFAULT_SEED = 20220101
SOURCES = ("registry", "survey", "tax", "employment", "land", "bank", "appeals")
_WRITERS: tuple[Callable[[WorldContext], None], ...] = (
    write_registry, write_survey, write_tax, write_employment, write_land, write_bank,
    write_appeals,
)  # fmt: skip


@dataclass(frozen=True)
class WorldManifest:
    """What a world folder holds; written as world.json and read back by `read`."""

    seed: int
    people: int
    households: int
    mahallas: int
    districts: int
    regions: int
    reference_on: str
    """1 January of the base year the world is dated in (see sandbox.generate.dating)."""
    noise: dict[str, float]
    files: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    """Delivered rows per source (redeliveries and corrupt rows included)."""
    records: dict[str, int] = field(default_factory=dict)
    """Distinct record keys per source."""
    corrupt_rows: dict[str, int] = field(default_factory=dict)
    noise_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def base_year(self) -> int:
        return int(self.reference_on[:4])

    def write(self, world_dir: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)
        (world_dir / MANIFEST_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, world_dir: Path) -> WorldManifest:
        data: dict[str, Any] = json.loads((world_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        return cls(**data)


def generate_world(
    out_dir: Path,
    people: int,
    seed: int = DEFAULT_SEED,
    noise: NoiseSettings | None = None,
    base_year: int = DEFAULT_BASE_YEAR,
    regions: int | None = None,
) -> WorldManifest:
    """Write a world of about `people` people (short by less than one household) to `out_dir`,
    dated in `base_year` (every date, record id and file name; see sandbox.generate.dating).

    The same seed, size, noise and base year give byte-identical files (the default base
    year keeps the bytes worlds had before it was a parameter). Raises
    ValueError when `people` is below 100 (too few to fill one mahalla) or the base year is
    outside what the generator can date. `regions`: how many regions the world spans
    (default: as many as its size suggests, sandbox.generate.territory).
    """
    if people < 100:
        raise ValueError(f"A world needs at least 100 people; got people={people}.")
    dates = WorldDates(base_year)
    settings = noise or NoiseSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    territory = plan_territory(people, numpy_rng(seed, "territory"), regions)
    population = generate_people(people, territory, dates, numpy_rng(seed, "population"))
    economy = generate_economy(population, territory, numpy_rng(seed, "economy"))
    appointments = appoint_assistants(
        population, len(territory.mahallas), dates, numpy_rng(seed, "assistants")
    )
    ledger = Ledger(out_dir / "truth")
    ctx = WorldContext(
        seed, out_dir, territory, population, economy, appointments, settings, ledger, dates
    )
    logger.info(
        "World of %d people in %d households planned", population.count, len(population.hh_size)
    )
    write_truth(ctx)
    for writer in _WRITERS:
        writer(ctx)
        logger.info("Wrote %s", writer.__name__)
    ledger.close()
    manifest = _manifest(ctx)
    manifest.write(out_dir)
    return manifest


def _manifest(ctx: WorldContext) -> WorldManifest:
    ledger = ctx.ledger
    noise_counts: dict[str, dict[str, int]] = {}
    for (source, kind), count in sorted(ledger.noise.items()):
        noise_counts.setdefault(source, {})[kind] = count
    corrupt: dict[str, int] = dict.fromkeys(SOURCES, 0)
    for row in ledger.corrupt:
        corrupt[row.source] += 1
    return WorldManifest(
        seed=ctx.seed,
        people=ctx.people.count,
        households=len(ctx.people.hh_size),
        mahallas=len(ctx.territory.mahallas),
        districts=len(ctx.territory.districts),
        regions=len({d.region_soato for d in ctx.territory.districts}),
        reference_on=str(ctx.dates.reference_on),
        noise=ctx.noise.as_dict(),
        files={source: ctx.files.get(source, []) for source in SOURCES},
        rows={source: ledger.rows[source] for source in SOURCES},
        records={source: ledger.keys[source] for source in SOURCES},
        corrupt_rows=corrupt,
        noise_counts=noise_counts,
    )
