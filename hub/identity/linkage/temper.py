"""Bounds on trained m and u values, so that no single field is an absolute verdict.

Expectation maximisation on well-separated data drives some m values to 1e-20 and below
(a surname typo beyond the "close" level would then outweigh every other agreement), and
leaves levels it never saw without a value. Tempering floors every trainable m at
``M_FLOOR`` and u at ``U_FLOOR``, renormalises each comparison, and gives unobserved levels
defaults (a first level that agrees is evidence for; the others get the floor).
Levels whose m is fixed in the settings keep it.
"""

from __future__ import annotations

import copy
from typing import Any, Final

M_FLOOR: Final = 1e-3
U_FLOOR: Final = 1e-6
FIRST_LEVEL_M: Final = 0.9
FIRST_LEVEL_U: Final = 1e-3


def temper_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``settings`` with every comparison's m and u bounded and normalised."""
    tempered = copy.deepcopy(settings)
    for comparison in tempered["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        _bound(levels, "m_probability", M_FLOOR, FIRST_LEVEL_M)
        _bound(levels, "u_probability", U_FLOOR, FIRST_LEVEL_U)
    return tempered


def _bound(levels: list[dict[str, Any]], key: str, floor: float, first: float) -> None:
    fixed_key = "fix_" + key
    for index, level in enumerate(levels):
        value = level.get(key)
        if not isinstance(value, int | float):
            value = first if index == 0 else floor
        if not level.get(fixed_key):
            value = max(float(value), floor)
        level[key] = value
    free = [lv for lv in levels if not lv.get(fixed_key)]
    held = sum(lv[key] for lv in levels if lv.get(fixed_key))
    total = sum(lv[key] for lv in free)
    if free and total > 0:
        for level in free:
            level[key] = level[key] * (1.0 - held) / total
