"""Small counts the public does not see (statistical disclosure control).

A count shown to the public role that is above zero and below the threshold (the setting
`HUB_API_SUPPRESSION_THRESHOLD`, default 10) is null with a `SuppressedError` (SUPPRESSED)
at its path: a mahalla with three unemployed people would otherwise point at them. A zero
is shown: it names nobody. Figures that describe the same few records follow their count
(a programme's amount, the leased area).

Parts shown beside the total they sum to are suppressed together (secondary suppression):
when exactly one part is small, the next smallest non-zero part is suppressed as well, so
that total minus the other parts does not give the small one back. The groups: the five
household category counts (summing to the households), the appeal counts by topic
(summing to the total), and the breakdowns of a month's indicators
(`hub.api.diagnostics.disclosure`).

Across the levels of the territory, a mahalla's (or district's) counts are weighed with
its siblings' as the parts of their district's (region's) total: `hub.api.access.siblings`
works out which counts to withhold, and the statistics objects carry them (`withheld`),
which `suppressed` honours. A list of mahallas ordered by population orders the public's
suppressed and withheld populations as unknown (`hub.api.territory.data`).

The suppressed fields are named beside the rule table
(`hub.api.access.suppressed_counts.SUPPRESSED`); the guard (`hub.api.access.guard`) applies
this for the public role on the regular path, and the compiled path leaves those fields to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.api.errors import SuppressedError

DEFAULT_THRESHOLD = 10

_CATEGORY_FIELDS = ("category1", "category2", "category3", "category4", "unknown")
# A figure that follows another count of the same object: suppressed with it.
_FOLLOWS = {
    ("LandStatistics", "leasedAreaHa"): "active_leases",
    ("ProgrammeFinancing", "amount"): "count",
    ("BodyRating", "resolutionRate"): "received",
    ("BodyRating", "medianDays"): "resolved",
    ("BodyRating", "p90Days"): "resolved",
}
# Types whose objects know which of their counts are hidden (a month's named figures,
# `hub.api.diagnostics.disclosure`): they answer `suppressed(field_name, threshold)`.
_SELF_DESCRIBED = frozenset({"IndicatorFigure", "IndicatorRevision"})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def small(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def hidden_parts(parts: Mapping[str, int], threshold: int) -> frozenset[str]:
    """The parts of a total to suppress: the small ones, and with exactly one small one
    the next smallest non-zero part as well."""
    hidden = {k for k, v in parts.items() if small(v, threshold)}
    if len(hidden) == 1:
        rest = sorted((v, k) for k, v in parts.items() if k not in hidden and v > 0)
        if rest:
            hidden.add(rest[0][1])
    return frozenset(hidden)


# The key of a count in `withheld` (`hub.api.access.siblings.flat_counts`), where it is not
# the field's own name in snake case.
_WITHHELD_KEYS = {
    ("LandStatistics", "leasedAreaHa"): "active_leases",
    ("AppealStatistics", "total"): "appeals_total",
    ("AppealStatistics", "open"): "appeals_open",
}


def _withheld_key(type_name: str, field_name: str, source: Any) -> str:
    if type_name == "HouseholdCategoryCounts":
        return f"{source.group}:{field_name.removeprefix('category')}"
    if type_name == "ProgrammeFinancing":
        return f"programme:{source.key}"
    if type_name == "NotebookCount":
        return f"notebook:{source.key}"
    if type_name == "TopicCount":
        return f"topic:{source.key}"
    return _WITHHELD_KEYS.get((type_name, field_name), _snake(field_name))


def suppressed(type_name: str, field_name: str, source: Any, threshold: int) -> bool:
    """Whether the public must not see `type_name.field_name` of the object `source`."""
    withheld = getattr(source, "withheld", None)
    if withheld and _withheld_key(type_name, field_name, source) in withheld:
        return True
    if type_name == "HouseholdCategoryCounts":
        parts = {name: getattr(source, name) for name in _CATEGORY_FIELDS}
        return field_name in hidden_parts(parts, threshold)
    if type_name in _SELF_DESCRIBED:
        return bool(source.suppressed(field_name, threshold))
    if type_name == "TopicCount":
        return bool(source.key in hidden_parts(source.counts, threshold))
    attribute = _FOLLOWS.get((type_name, field_name), _snake(field_name))
    return small(getattr(source, attribute), threshold)


def check(type_name: str, field_name: str, source: Any, threshold: int) -> None:
    """Raise SuppressedError when the public must not see this count."""
    if suppressed(type_name, field_name, source, threshold):
        raise SuppressedError(
            f"{type_name}.{field_name} is suppressed: below {threshold}, or it would "
            "reveal such a count by subtraction from its total.",
            threshold=threshold,
        )
