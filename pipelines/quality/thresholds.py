"""The numbers the warn rules compare against, in one place.

Defaults follow the contracts (contracts/SOURCES.md) and what the sandbox delivers; a caller
with other expectations (a region known for poor PINFL capture) passes its own
`QualityThresholds` to `validate_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

FIRST_BIRTH_ON: Final = date(1900, 1, 1)
"""Staging quarantines earlier birth dates by default (pipelines/staging/plausible_dates.py)."""

MAX_TIYIN: Final = 10**13
"""100 billion soums: more than any household loan, subsidy or declared income."""


@dataclass(frozen=True)
class QualityThresholds:
    """Warn-rule thresholds.

    - `min_valid_pinfl_rate`: share of delivered PINFLs that are valid and consistent.
    - `max_optional_null_rate`: largest share of nulls in a field the source usually fills.
    - `max_tiyin`: amounts must be below it (and above zero).
    - `max_area_ha`: largest plausible leased area.
    - `max_failed_row_share`: a blocking rule on single values (required, vocabulary,
      format) fails only when more than this share of the rows break it: a structural
      break, not one bad row (staging quarantines such rows anyway).
    """

    min_valid_pinfl_rate: float = 0.80
    max_optional_null_rate: float = 0.20
    max_tiyin: int = MAX_TIYIN
    max_area_ha: float = 1000.0
    first_birth_on: date = FIRST_BIRTH_ON
    max_failed_row_share: float = 0.01


DEFAULT_THRESHOLDS: Final = QualityThresholds()
