"""Secondary suppression across the territory: siblings are the parts of their parent's total.

A district's statistics are the sums of its mahallas', a region's the sums of its
districts'. When exactly one mahalla of a district has a small count (shown to the public
as null), the district's total minus its other mahallas' shown counts would give it back.
So, count by count, the siblings are weighed together as the parts of a total are
(`hub.api.access.suppression.hidden_parts`): with exactly one small part, the next
smallest non-zero sibling is withheld too (null with the same SUPPRESSED error), and the
difference then covers at least two siblings. The same holds for the districts of a
region. Counts weighed: every count the public sees on a territory's statistics
(`flat_counts`: the scalar counts, the household categories, the loans per programme, the
notebooks, the appeal topics).

`withheld_by_code` gives, for each sibling, the counts withheld from it; the public's
`statistics` of a mahalla or district carry them (`Statistics.withheld`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.api.access.suppression import hidden_parts
from hub.api.territory.statistics_data import SUMMED

# Scalar counts of a territory's statistics record that sum from the level below.
SCALAR_COUNTS = SUMMED


def flat_counts(record: Any) -> dict[str, int]:
    """The counts of a statistics record by their keys (`Statistics.withheld`'s keys)."""
    counts = {name: int(getattr(record, name)) for name in SCALAR_COUNTS}
    for key, value in record.households_by_assessed_category.items():
        counts[f"assessed:{key}"] = int(value)
    for key, value in record.households_by_computed_category.items():
        counts[f"computed:{key}"] = int(value)
    for key, total in record.loans_by_program.items():
        counts[f"programme:{key}"] = int(total.count)
    for key, value in record.notebook_entries.items():
        counts[f"notebook:{key}"] = int(value)
    for key, value in record.appeals_by_topic.items():
        counts[f"topic:{key}"] = int(value)
    return counts


def withheld_by_code(siblings: Mapping[str, Any], threshold: int) -> dict[str, frozenset[str]]:
    """For each sibling (code -> statistics record, the parts of one total), the keys of
    the counts withheld from it so that no small one is derivable by subtraction."""
    flats = {code: flat_counts(record) for code, record in siblings.items()}
    keys: set[str] = set()
    for counts in flats.values():
        keys.update(counts)
    withheld: dict[str, set[str]] = {code: set() for code in flats}
    for key in sorted(keys):
        parts = {code: counts.get(key, 0) for code, counts in flats.items()}
        for code in hidden_parts(parts, threshold):
            withheld[code].add(key)
    return {code: frozenset(keys) for code, keys in withheld.items()}
