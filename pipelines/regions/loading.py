"""Load one region's rows of the staged deliveries of a source (a region partition).

Landing and staging read each country-wide delivery once (a file cannot be read per region
without reading it 14 times; staging is a vectorised pass that costs little beside
linking). Loading is what grows with the country: each region partition loads its
region's rows of every staged delivery, oldest first, in one transaction per delivery,
its persons linked against its own region's records only, and records it in
`delivery_region`. A region already recorded for a delivery is not loaded again, so a
rerun or backfill of one region leaves the others untouched.

The country-wide step (`pipelines.regions.country`) loads the rows with no region
(`COUNTRY`) after the regions, linked against every region. A delivery is marked `loaded`
by whichever load completes it: once every region holding its rows (`COUNTRY` included)
has loaded them. Until then it stays `staged`, so a region that has not run yet still
finds it.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.models import DeliveryRegion
from hub.graph.types import utc_now
from pipelines import deliveries
from pipelines.loading.context import LoadContext
from pipelines.regions.codes import COUNTRY, region_expr, rows_of
from pipelines.resources import HubDatabase
from pipelines.steps.load import (
    LoadReport,
    delivery_frames,
    finish_delivery,
    hold_if_harmful,
    write_delivery,
)


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


def load_region_pending(hub: HubDatabase, source: str, region: str) -> LoadReport:
    """Load `region`'s rows (a region code, or `COUNTRY`) of every staged delivery of
    `source` not loaded for it yet, oldest first; see the module docstring."""
    report = LoadReport(source)
    with hub.session() as session:
        pending = deliveries.pending(session, source, "staged")
    for ref in pending:
        with hub.session() as session:
            done = loaded_regions(session, ref.id)
        if region in done:
            continue
        whole = delivery_frames(hub, source, ref.id)
        # A land snapshot is judged whole, once, before any region loads it.
        if source == "land" and not done and hold_if_harmful(hub, ref, whole["land"]):
            report.held.append(ref.name)
            continue
        frames = {table: rows_of(frame, region) for table, frame in whole.items()}
        now = utc_now()
        with hub.session() as session:
            ctx = LoadContext(
                session, source, ref.id, ref.name, now, hub.known_mahallas(), region=region
            )
            rows = write_delivery(ctx, frames, report)
            session.add(DeliveryRegion(delivery_id=ref.id, region=region, rows=rows, loaded_at=now))
            if regions_in(whole) <= done | {region}:
                finish_delivery(session, ref, now)
        report.loaded.append(ref.id)
    return report


def waiting_regions(hub: HubDatabase, source: str) -> dict[str, list[str]]:
    """Delivery name -> the regions holding its rows that have not loaded them, for the
    staged deliveries of `source` (what keeps them from being `loaded`)."""
    with hub.session() as session:
        pending = deliveries.pending(session, source, "staged")
        done = {ref.id: loaded_regions(session, ref.id) for ref in pending}
    waiting = {}
    for ref in pending:
        missing = regions_in(delivery_frames(hub, source, ref.id)) - done[ref.id]
        if missing:
            waiting[ref.name] = sorted(missing)
    return waiting
