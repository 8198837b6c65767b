"""Small generated worlds shared by the sandbox tests (generated once per session)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sandbox.generate import NOISE_PRESETS, generate_world


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
