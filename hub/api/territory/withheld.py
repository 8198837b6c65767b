"""The public's statistics of a mahalla or district, with the counts its siblings make it
withhold (`hub.api.access.siblings`: a small count must not come back as the parent's
total minus the other siblings' counts).

The siblings' statistics are read once per parent and request (the loaders batch and keep
them), and weighed once: the result is kept on the request's loaders.
"""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import replace
from typing import Any

from hub.api.access.siblings import withheld_by_code
from hub.api.context import Info
from hub.api.territory.statistics_types import Statistics

_KEPT = "_withheld_by_parent"


async def public_statistics(
    info: Info, resolved: Any, level: str, code: str, parent_code: str
) -> Statistics | None:
    """`resolved` (the statistics of the `level` unit `code`, now or as an awaitable)
    with the counts withheld because of the siblings under `parent_code`."""
    statistics: Statistics | None = await resolved if inspect.isawaitable(resolved) else resolved
    if statistics is None:
        return None
    withheld = await _withheld(info, level, parent_code)
    mine = withheld.get(code, frozenset())
    return replace(statistics, withheld=mine) if mine else statistics


def _withheld(info: Info, level: str, parent_code: str) -> asyncio.Future[Any]:
    loaders = info.context.loaders
    kept: dict[tuple[str, str], asyncio.Future[Any]] = loaders.__dict__.setdefault(_KEPT, {})
    key = (level, parent_code)
    if key not in kept:
        threshold = info.context.suppression_threshold
        kept[key] = asyncio.ensure_future(_weigh(loaders, level, parent_code, threshold))
    return kept[key]


async def _weigh(
    loaders: Any, level: str, parent_code: str, threshold: int
) -> dict[str, frozenset[str]]:
    if level == "mahalla":
        units = await loaders.mahallas_of_district.load(parent_code)
        statistics = loaders.mahalla_statistics
    else:
        units = await loaders.districts_of_region.load(parent_code)
        statistics = loaders.district_statistics
    codes = [unit.code for unit in units]
    records = await statistics.load_many(codes)
    siblings = {c: r for c, r in zip(codes, records, strict=True) if r is not None}
    return withheld_by_code(siblings, threshold)
