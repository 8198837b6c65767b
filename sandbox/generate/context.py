"""Everything a source writer needs: the truth, the settings, the ledger and text caches."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from sandbox.generate.assistants import Appointment
from sandbox.generate.dating import WorldDates
from sandbox.generate.economy import Economy
from sandbox.generate.ledger import Ledger
from sandbox.generate.population import People
from sandbox.generate.random_streams import numpy_rng, python_rng
from sandbox.generate.settings import NoiseSettings
from sandbox.generate.territory import Territory


@dataclass
class WorldContext:
    seed: int
    out_dir: Path
    territory: Territory
    people: People
    economy: Economy
    appointments: tuple[Appointment, ...]
    noise: NoiseSettings
    ledger: Ledger
    dates: WorldDates
    """The world's named dates: every writer's dates, ids and file names come from here."""
    files: dict[str, list[str]] = field(default_factory=dict)
    """Delivered files per source, relative to out_dir."""

    def rng(self, concept: str) -> random.Random:
        return python_rng(self.seed, concept)

    def nrng(self, concept: str) -> np.random.Generator:
        return numpy_rng(self.seed, concept)

    def delivery_path(self, source: str, relative: str) -> Path:
        """Create the folder of a delivered file and register the file under its source."""
        path = self.out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.setdefault(source, []).append(relative)
        return path

    @cached_property
    def pinfl_text(self) -> list[str]:
        texts: list[str] = self.people.pinfl.astype(str).tolist()
        return texts

    @cached_property
    def birth_iso(self) -> list[str]:
        texts: list[str] = np.datetime_as_string(self.people.birth_on).tolist()
        return texts

    @cached_property
    def person_mahalla(self) -> np.ndarray:
        mahalla: np.ndarray = self.people.hh_mahalla[self.people.household]
        return mahalla

    @cached_property
    def mahalla_codes(self) -> list[str]:
        return [m.code for m in self.territory.mahallas]

    def mahalla_code_of(self, person: int) -> str:
        return self.mahalla_codes[int(self.person_mahalla[person])]

    def phone_of(self, person: int) -> str:
        return f"+998{int(self.people.phone[person]):09d}"
