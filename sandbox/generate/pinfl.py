"""PINFLs in bulk: vectorised construction with the check digit of domain/IDENTIFIERS.md.

A PINFL is kept as an int64 (its first digit is 3..6, so it never has a leading zero).
tests/sandbox checks that every number made here passes hub.identity's validator.
"""

from __future__ import annotations

import numpy as np

_WEIGHTS = np.array([7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7], dtype=np.int64)
_POWERS_13 = 10 ** np.arange(12, -1, -1, dtype=np.int64)


def check_digits(first13: np.ndarray) -> np.ndarray:
    """Check digits of 13-digit prefixes given as int64: weights 7,3,1,... sum mod 10."""
    digits = (first13[:, None] // _POWERS_13[None, :]) % 10
    result: np.ndarray = (digits @ _WEIGHTS) % 10
    return result


def make_pinfls(birth_on: np.ndarray, female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique valid PINFLs consistent with birth dates (datetime64[D]) and sexes.

    Area and serial are drawn at random in 001..999; collisions are redrawn until every
    number is unique.
    """
    years = birth_on.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth_on.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth_on - birth_on.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.where(years >= 2000, 5, 3) + female.astype(np.int64)
    prefix = century * 10**6 + days * 10**4 + months * 10**2 + years % 100
    count = len(birth_on)
    area = rng.integers(1, 1000, count, dtype=np.int64)
    serial = rng.integers(1, 1000, count, dtype=np.int64)
    first13 = prefix * 10**6 + area * 10**3 + serial
    while True:
        _, first_index, inverse = np.unique(first13, return_index=True, return_inverse=True)
        duplicate = first_index[inverse] != np.arange(count)
        if not duplicate.any():
            break
        redraw = int(duplicate.sum())
        first13[duplicate] = prefix[duplicate] * 10**6 + rng.integers(
            1001, 999_999, redraw, dtype=np.int64
        )
        # Keep area and serial inside 001..999 each after the redraw.
        low = first13 % 1000
        first13 = np.where(low == 0, first13 + 1, first13)
    pinfls: np.ndarray = first13 * 10 + check_digits(first13)
    return pinfls
