"""The region tests' world: the pipelines' world with its employment exports cut to the first
`REGION_MONTHS_KEPT` months.

A region loads its employment one run per month (pipelines.regional_job), and each run costs
a region test about as much as a whole source does, whatever the month holds. What these
tests check needs a region to have more than one month (an order between months, a month
rerun, a later month repeating a record of an earlier one), not six of them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REGION_MONTHS_KEPT = 3


def keep_first_months(world: Path, months: int = REGION_MONTHS_KEPT) -> None:
    """Delete the world's employment exports after its first `months` (in month order)."""
    exports = sorted((world / "employment").glob("employment_*.csv"))
    assert len(exports) > months, exports
    for path in exports[months:]:
        path.unlink()


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Path:
    """Overrides the pipelines' world: a private copy, its first months of employment."""
    copy = tmp_path / "world"
    shutil.copytree(world_template, copy)
    keep_first_months(copy)
    return copy
