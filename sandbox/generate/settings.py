"""Noise settings of a generated world: every rate is a parameter, with named presets.

Rates are probabilities per delivered record (or per person mention where stated). The
`none` preset still writes names in each agency's own form (that is the contract, not
noise) but never breaks an identifier, drops a field or corrupts a row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

NoisePresetName = Literal["none", "default", "high"]


@dataclass(frozen=True)
class NoiseSettings:
    """Probabilities of each kind of noise the generator injects."""

    pinfl_missing: float = 0.04
    """A person mention carries no PINFL."""
    pinfl_typo: float = 0.01
    """Two digits swapped, one replaced or one dropped (usually fails the check digit)."""
    pinfl_relative: float = 0.005
    """A valid PINFL of another member of the same household typed in."""
    birth_date_missing: float = 0.02
    """An optional birth date left empty."""
    mahalla_missing: float = 0.03
    """An optional mahalla code left empty."""
    away_region: float = 0.0
    """A bank or employment mention carries a mahalla of another region than the person's
    home (a person registered in one region and borrowing or working in another). Off by
    default: worlds keep the bytes they had before it existed."""
    optional_missing: float = 0.05
    """Other optional fields (phone, passport, plot, income) left empty."""
    patronymic_dropped: float = 0.3
    """Tax and appeals names written without the patronymic."""
    given_name_first: float = 0.03
    """Name written given name first."""
    corrupt_rate: float = 0.002
    """A delivered row is made unreadable (broken line, bad date/number/enum, missing field)."""
    resurvey: float = 0.05
    """A household surveyed again in a later survey file (same survey_id, changed values)."""
    tax_update: float = 0.1
    """A taxpayer delivered again with a later updated_at and changed values."""
    appeal_redelivery: float = 0.3
    """An appeal delivered again in a later file with a changed status."""
    lease_change: float = 0.05
    """A lease changed (status, area) in the newer land snapshot."""
    lease_drop: float = 0.05
    """A lease absent from the newer land snapshot."""

    def as_dict(self) -> dict[str, float]:
        """The settings as plain numbers, for world.json."""
        return asdict(self)


_DEFAULT = NoiseSettings()

NOISE_PRESETS: dict[str, NoiseSettings] = {
    "none": replace(
        _DEFAULT,
        pinfl_missing=0.0,
        pinfl_typo=0.0,
        pinfl_relative=0.0,
        birth_date_missing=0.0,
        mahalla_missing=0.0,
        optional_missing=0.0,
        patronymic_dropped=0.0,
        given_name_first=0.0,
        corrupt_rate=0.0,
    ),
    "default": _DEFAULT,
    "high": replace(
        _DEFAULT,
        pinfl_missing=0.15,
        pinfl_typo=0.05,
        pinfl_relative=0.02,
        birth_date_missing=0.1,
        mahalla_missing=0.1,
        optional_missing=0.15,
        patronymic_dropped=0.5,
        given_name_first=0.1,
        corrupt_rate=0.02,
        resurvey=0.15,
        tax_update=0.25,
        appeal_redelivery=0.5,
        lease_change=0.15,
        lease_drop=0.15,
    ),
}


def noise_preset(name: str, corrupt_rate: float | None = None) -> NoiseSettings:
    """The named preset, optionally with its corrupt-row rate overridden.

    Raises ValueError for an unknown preset name or a rate outside [0, 1].
    """
    if name not in NOISE_PRESETS:
        known = ", ".join(NOISE_PRESETS)
        raise ValueError(f"Noise preset {name!r} is unknown. Known presets: {known}.")
    settings = NOISE_PRESETS[name]
    if corrupt_rate is not None:
        if not 0.0 <= corrupt_rate <= 1.0:
            raise ValueError(f"Corrupt rate {corrupt_rate} is not a probability in [0, 1].")
        settings = replace(settings, corrupt_rate=corrupt_rate)
    return settings
