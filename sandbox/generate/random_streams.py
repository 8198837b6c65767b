"""Independent, reproducible random streams, one per concept.

Each concept (population, names, each source, each noise) draws from its own stream derived
from the world seed and the concept's name, so adding draws to one concept never shifts the
output of another, and the same seed always gives the same world.
"""

from __future__ import annotations

import random
import zlib

import numpy as np


def numpy_rng(seed: int, concept: str) -> np.random.Generator:
    """A numpy generator for vectorised draws of one concept."""
    return np.random.default_rng([seed, zlib.crc32(concept.encode())])


def python_rng(seed: int, concept: str) -> random.Random:
    """A stdlib generator for per-record draws of one concept (faster than numpy per scalar)."""
    return random.Random(f"{seed}:{concept}")
