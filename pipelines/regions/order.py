"""A region's loads run in the order the whole load's hub ids need, whatever launched them.

The whole load founds persons source by source (SOURCES order) and a monthly source's
files month by month; a region's partitions must do the same for its persons to get the
same hub ids. Dagster's asset graph says so (each region load depends on the previous
source's, a month on the previous month), but a run started by hand or by a job of one
partition does not wait for its parents. So before a region loads a source it checks:

- the previous source (in load order) has no staged delivery holding the region's rows that
  the region has not loaded (for a monthly source: in none of its months);
- for a month partition, no earlier month of the same source is waiting for the region.

A region that fails the check loads nothing and stops with `RegionOrderError`, naming the
partitions to run first. A month with no file waits for nothing; a file of an old month that
arrives after later months were loaded loads whenever its partition is rerun (the later
month's rows still win, by `source_file`, as in the whole load). The country-wide step
(`COUNTRY`) loads every source in order itself and is not checked.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.models import DeliveryRegion
from pipelines import deliveries
from pipelines.deliveries import DeliveryRef
from pipelines.regions.codes import COUNTRY, region_expr
from pipelines.regions.months import MONTHLY_SOURCES, delivery_month, region_month_key
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES
from pipelines.steps.load import delivery_frames

REGIONAL_SOURCES = tuple(name for name in SOURCES if name != "registry")
"""The sources loaded by region, in load order (the register stays whole)."""


class RegionOrderError(RuntimeError):
    """A region's load was started before the loads it must follow."""


def loaded_regions(session: Session, delivery_id: int) -> set[str]:
    """The regions (and `COUNTRY`) whose rows of the delivery are loaded."""
    stmt = select(DeliveryRegion.region).where(DeliveryRegion.delivery_id == delivery_id)
    return set(session.scalars(stmt))


def regions_in(frames: dict[str, pl.DataFrame]) -> set[str]:
    """The regions holding rows of `frames` (`COUNTRY` for rows with none)."""
    found: set[str] = set()
    for frame in frames.values():
        if frame.is_empty():
            continue
        if "mahalla_code" not in frame.columns:
            found.add(COUNTRY)
            continue
        codes = frame.select(region_expr().fill_null(COUNTRY).unique())
        found.update(codes.to_series().to_list())
    return found


def previous_source(source: str) -> str | None:
    """The regional source loaded just before `source` (None for the first)."""
    index = REGIONAL_SOURCES.index(source)
    return REGIONAL_SOURCES[index - 1] if index else None


def waiting_for(
    hub: HubDatabase,
    source: str,
    region: str,
    only: Callable[[DeliveryRef], bool] = lambda ref: True,
) -> list[DeliveryRef]:
    """The staged deliveries of `source` (those `only` keeps) holding rows of `region` that
    the region has not loaded, oldest first."""
    with hub.session() as session:
        pending = [ref for ref in deliveries.pending(session, source, "staged") if only(ref)]
        unloaded = [ref for ref in pending if region not in loaded_regions(session, ref.id)]
    return [ref for ref in unloaded if region in regions_in(delivery_frames(hub, source, ref.id))]


def partition_of(source: str, region: str, ref: DeliveryRef) -> str:
    """The partition of `region_loaded_<source>` that loads the region's rows of `ref`."""
    if source in MONTHLY_SOURCES:
        return str(region_month_key(region, delivery_month(ref.name)))
    return region


def _refuse(source: str, region: str, waiting: str, refs: list[DeliveryRef]) -> None:
    names = ", ".join(ref.name for ref in refs)
    keys = ", ".join(dict.fromkeys(partition_of(waiting, region, ref) for ref in refs))
    raise RegionOrderError(
        f"Region {region} cannot load {source} yet: its rows of {waiting} deliveries "
        f"{names} are not loaded. Run region_loaded_{waiting} for partition(s) {keys} first."
    )


def check_order(hub: HubDatabase, source: str, region: str, month: str | None = None) -> None:
    """Raise `RegionOrderError` unless `region` may load `source` (its `month` partition for
    a monthly source) now; see the module docstring."""
    if region == COUNTRY:
        return
    before = previous_source(source)
    if before is not None:
        waiting = waiting_for(hub, before, region)
        if waiting:
            _refuse(source, region, before, waiting)
    if month is not None:
        earlier = waiting_for(hub, source, region, lambda ref: delivery_month(ref.name) < month)
        if earlier:
            _refuse(f"{source} of {month}", region, source, earlier)


def months_waiting(hub: HubDatabase, region: str) -> list[str]:
    """The months whose staged files of a monthly source hold rows of `region` that it has
    not loaded: the month partitions a region's run must run, oldest first."""
    waiting = (ref for source in MONTHLY_SOURCES for ref in waiting_for(hub, source, region))
    return sorted({delivery_month(ref.name) for ref in waiting})
