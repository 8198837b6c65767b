"""Small generated worlds and the strict contract reader shared by the sandbox tests.

Worlds are generated once per session. Test modules cannot import each other under
`--import-mode=importlib`, so shared helpers reach them as fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sandbox.generate import NOISE_PRESETS, NoiseSettings, generate_world
from tests.sandbox.contract_rows import unreadable_rows as strict_unreadable_rows

UnreadableRows = Callable[[Path], set[tuple[str, int]]]

NOISE_ONLY = NoiseSettings(
    pinfl_missing=0.3,
    pinfl_typo=0.2,
    pinfl_relative=0.2,
    birth_date_missing=0.5,
    mahalla_missing=0.5,
    optional_missing=0.5,
    patronymic_dropped=0.5,
    given_name_first=0.3,
    corrupt_rate=0.0,
    resurvey=0.5,
    tax_update=0.5,
    appeal_redelivery=0.5,
    lease_change=0.3,
    lease_drop=0.3,
)
"""Every kind of noise at many times the `high` rate, and no corrupt rows."""


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 people, default noise."""
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 3000, seed=7)
    return out


@pytest.fixture(scope="session")
def noisy_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4,000 people, high noise, one row in twenty corrupt."""
    out = tmp_path_factory.mktemp("noisy_world")
    generate_world(out, 4000, seed=11, noise=replace(NOISE_PRESETS["high"], corrupt_rate=0.05))
    return out


@pytest.fixture(scope="session")
def noise_only_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 people, `NOISE_ONLY`: heavy noise of every kind, corrupt_rate=0."""
    out = tmp_path_factory.mktemp("noise_only_world")
    generate_world(out, 5000, seed=13, noise=NOISE_ONLY)
    return out


@pytest.fixture(scope="session")
def unreadable_rows() -> UnreadableRows:
    """The strict stdlib reader: (file, row) of every delivered row breaking the contract."""
    return strict_unreadable_rows
