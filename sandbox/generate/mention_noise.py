"""Noise on a person mention: missing, mistyped or borrowed PINFLs and missing optional fields.

Noise only blanks what the source's contract lets it leave empty: a writer whose contract
requires a field passes `allow_missing=False` (rows breaking the contract are the corrupter's
job, and are listed in truth/corrupt_rows.csv).

Every injected change is counted in the ledger under (source, kind), so tests can compare
observed rates with the settings.
"""

from __future__ import annotations

import random
from typing import TypeVar

from sandbox.generate.context import WorldContext

T = TypeVar("T")


class MentionNoise:
    """Per-source noise on identifiers and optional fields, from one random stream."""

    def __init__(self, ctx: WorldContext, source: str) -> None:
        self._ctx = ctx
        self._source = source
        self._settings = ctx.noise
        self.rng: random.Random = ctx.rng(f"noise:{source}")

    def pinfl(self, person: int, *, allow_missing: bool = True) -> str | None:
        """The PINFL as the source delivers it for `person`."""
        settings, draw = self._settings, self.rng.random()
        true = self._ctx.pinfl_text[person]
        if allow_missing and draw < settings.pinfl_missing:
            self._ctx.ledger.noted(self._source, "pinfl_missing")
            return None
        draw -= settings.pinfl_missing if allow_missing else 0.0
        if draw < settings.pinfl_typo:
            self._ctx.ledger.noted(self._source, "pinfl_typo")
            return mistype(true, self.rng)
        draw -= settings.pinfl_typo
        if draw < settings.pinfl_relative:
            relative = self._relative_of(person)
            if relative is not None:
                self._ctx.ledger.noted(self._source, "pinfl_relative")
                return self._ctx.pinfl_text[relative]
        return true

    def _relative_of(self, person: int) -> int | None:
        people = self._ctx.people
        household = int(people.household[person])
        start, size = int(people.hh_start[household]), int(people.hh_size[household])
        others = [p for p in range(start, start + size) if p != person]
        return self.rng.choice(others) if others else None

    def birth_iso(self, person: int, *, allow_missing: bool = True) -> str | None:
        """The ISO birth date, or None at the missing rate where the source allows no date."""
        if allow_missing and self.rng.random() < self._settings.birth_date_missing:
            self._ctx.ledger.noted(self._source, "birth_date_missing")
            return None
        return self._ctx.birth_iso[person]

    def mahalla_code(self, person: int) -> str | None:
        if self.rng.random() < self._settings.mahalla_missing:
            self._ctx.ledger.noted(self._source, "mahalla_missing")
            return None
        # Drawn only when the rate is set, so that worlds without it keep their bytes.
        if self._settings.away_region and self.rng.random() < self._settings.away_region:
            away = self._away_mahalla(person)
            if away is not None:
                self._ctx.ledger.noted(self._source, "away_region")
                return away
        return self._ctx.mahalla_code_of(person)

    def _away_mahalla(self, person: int) -> str | None:
        """A mahalla of another region than the person's home, if the world has one."""
        home = self._ctx.mahalla_code_of(person)[:4]
        others = [code for code in self._ctx.mahalla_codes if code[:4] != home]
        return self.rng.choice(others) if others else None

    def optional(self, value: T) -> T | None:
        """The value, or None at the optional-missing rate."""
        if self.rng.random() < self._settings.optional_missing:
            return None
        return value


def mistype(pinfl: str, rng: random.Random) -> str:
    """A typo: two adjacent digits swapped, one digit replaced, or one digit dropped."""
    digits = list(pinfl)
    draw = rng.random()
    if draw < 0.45:
        positions = [i for i in range(13) if digits[i] != digits[i + 1]]
        if positions:
            i = rng.choice(positions)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return "".join(digits)
    if draw < 0.9:
        i = rng.randrange(14)
        digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
        return "".join(digits)
    del digits[rng.randrange(14)]
    return "".join(digits)
