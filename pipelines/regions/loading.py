"""Load one region's rows of the staged deliveries of a source (a region partition).

Landing and staging read each country-wide delivery once (a file cannot be read per region
without reading it 14 times; staging is a vectorised pass that costs little beside
linking). Loading is what grows with the country: each region partition loads its
region's rows of every staged delivery, oldest first, in one transaction per delivery
(a monthly source's partition: of one month's deliveries, pipelines.regions.months),
its persons linked against its own region's records only, and records it in
`delivery_region`. A region already recorded for a delivery is not loaded again, so a
rerun or backfill of one region leaves the others untouched. A region loads a source only
after the loads it must follow (pipelines.regions.order).

The country-wide step (`pipelines.regions.country`) loads the rows with no region
(`COUNTRY`) after the regions, linked against every region. A delivery is marked `loaded`
by whichever load completes it: once every region holding its rows (`COUNTRY` included)
has loaded them. Until then it stays `staged`, so a region that has not run yet still
finds it.
"""

from __future__ import annotations

from hub.graph.models import DeliveryRegion
from hub.graph.types import utc_now
from pipelines import deliveries
from pipelines.loading.context import LoadContext
from pipelines.regions.codes import rows_of
from pipelines.regions.months import delivery_month
from pipelines.regions.order import check_order, loaded_regions, regions_in
from pipelines.resources import HubDatabase
from pipelines.steps.load import (
    LoadReport,
    delivery_frames,
    finish_delivery,
    hold_if_harmful,
    write_delivery,
)


def load_region_pending(
    hub: HubDatabase, source: str, region: str, month: str | None = None
) -> LoadReport:
    """Load `region`'s rows (a region code, or `COUNTRY`) of every staged delivery of
    `source` not loaded for it yet (for a monthly source's month partition: of that month
    only), oldest first; see the module docstring. Refused with
    `pipelines.regions.order.RegionOrderError` while a load it must follow is waiting."""
    check_order(hub, source, region, month)
    report = LoadReport(source)
    with hub.session() as session:
        pending = deliveries.pending(session, source, "staged")
    if month is not None:
        pending = [ref for ref in pending if delivery_month(ref.name) == month]
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
        with hub.load_session() as session:
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
