"""Load: write each staged delivery into the graph in one transaction.

Within that transaction: the source's loader (linking and upserts keyed by record keys),
closing the quarantine entries of the records now accepted, the delivery marked `loaded`,
and for an API source its cursor saved. A failure rolls all of it back: the graph keeps
its previous state and the delivery stays `staged`, to be loaded again by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from dagster import MetadataValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.models import Delivery, SourceCursor
from hub.graph.types import utc_now
from pipelines import deliveries
from pipelines.loading import agencies, survey, territory
from pipelines.loading.context import LoadContext
from pipelines.quarantine import resolve_accepted
from pipelines.resources import HubDatabase
from pipelines.staging.schemas import SOURCE_TABLES, STAGED_SCHEMAS
from pipelines.steps.later_files import RULES as LATER_FILE_RULES
from pipelines.steps.later_files import set_aside_superseded
from pipelines.steps.snapshot_guard import hold_reason, supersede_older_held

Loader = Callable[[LoadContext, dict[str, pl.DataFrame]], None]


def _registry(ctx: LoadContext, frames: dict[str, pl.DataFrame]) -> None:
    territory.load_mahallas(ctx, frames["registry_mahallas"])
    territory.load_assistants(ctx, frames["registry_assistants"])


def _land(ctx: LoadContext, frames: dict[str, pl.DataFrame]) -> None:
    newest = ctx.session.scalar(
        select(Delivery.name)
        .where(Delivery.source == "land", Delivery.status.in_(("staged", "loaded")))
        .order_by(Delivery.name.desc())
        .limit(1)
    )
    agencies.load_land(ctx, frames["land"], newest=newest == ctx.delivery_name)


LOADERS: dict[str, Loader] = {
    "registry": _registry,
    "survey": lambda ctx, f: survey.load_survey(ctx, f["survey_households"], f["survey_members"]),
    "tax": lambda ctx, f: agencies.load_tax(ctx, f["tax"]),
    "employment": lambda ctx, f: agencies.load_employment(ctx, f["employment"]),
    "land": _land,
    "bank": lambda ctx, f: agencies.load_bank(ctx, f["bank"]),
    "appeals": lambda ctx, f: agencies.load_appeals(ctx, f["appeals"]),
}


@dataclass
class LoadReport:
    source: str
    loaded: list[int] = field(default_factory=list)
    rows: int = 0
    resolved_rejects: int = 0
    held: list[str] = field(default_factory=list)
    # Rows set aside because a later-named file already delivered their records
    # (pipelines/steps/later_files.py).
    superseded: int = 0

    def metadata(self) -> dict[str, Any]:
        """What a load asset's materialisation shows of it."""
        return {
            "deliveries": len(self.loaded),
            "rows": self.rows,
            "resolved_rejects": self.resolved_rejects,
            "superseded_by_later_files": self.superseded,
            "held": MetadataValue.json(self.held),
        }


def delivery_frames(hub: HubDatabase, source: str, delivery_id: int) -> dict[str, pl.DataFrame]:
    store = hub.landing()
    frames = {}
    for table in SOURCE_TABLES[source]:
        staged = store.read_parts("staged", source, delivery_id, table)
        frames[table] = pl.DataFrame(schema=STAGED_SCHEMAS[table]) if staged is None else staged
    return frames


def hold_if_harmful(hub: HubDatabase, ref: deliveries.DeliveryRef, staged: pl.DataFrame) -> bool:
    with hub.session() as session:
        reason = hold_reason(session, ref, staged, hub.land_max_ended_share)
        if reason is not None:
            deliveries.hold(session, ref.id, reason)
    return reason is not None


def load_pending(hub: HubDatabase, source: str) -> LoadReport:
    """Load every staged delivery of `source`, oldest first; a land snapshot that would end
    too many current leases is held instead (pipelines/steps/snapshot_guard.py), and rows
    a later-named file already delivered are set aside (pipelines/steps/later_files.py)."""
    report = LoadReport(source)
    with hub.session() as session:
        pending = deliveries.pending(session, source, "staged")
    for ref in pending:
        frames = delivery_frames(hub, source, ref.id)
        if source == "land" and hold_if_harmful(hub, ref, frames["land"]):
            report.held.append(ref.name)
            continue
        known = hub.known_mahallas()
        now = utc_now()
        with hub.load_session() as session:
            write_delivery(
                LoadContext(session, source, ref.id, ref.name, now, known), frames, report
            )
            finish_delivery(session, ref, now)
        report.loaded.append(ref.id)
    return report


def write_delivery(ctx: LoadContext, frames: dict[str, pl.DataFrame], report: LoadReport) -> int:
    """Write `frames` (a delivery's staged tables, or a region's rows of them) into the
    graph in the caller's transaction: rows a later-named file delivered already set aside,
    the source's loader, the quarantine entries of the keys now accepted closed. Returns
    the rows written."""
    session, source = ctx.session, ctx.source
    frames, superseded = set_aside_superseded(session, source, ctx.delivery_name, frames)
    report.superseded += superseded
    LOADERS[source](ctx, frames)
    keys = [k for frame in frames.values() for k in frame["record_key"].to_list()]
    report.resolved_rejects += resolve_accepted(
        session,
        source,
        keys,
        ctx.delivery_id,
        ctx.now,
        files_up_to=ctx.delivery_name if source in LATER_FILE_RULES else None,
    )
    rows = sum(f.height for f in frames.values())
    report.rows += rows
    return rows


def finish_delivery(session: Session, ref: deliveries.DeliveryRef, now: datetime) -> None:
    """The delivery is loaded: its status, older held land snapshots it replaces, and an
    API source's cursor (saved only now, with the load it belongs to)."""
    deliveries.advance(session, ref.id, "loaded", finished_at=now)
    if ref.source == "land":
        supersede_older_held(session, ref)
    if ref.cursor_to is not None:
        upsert_rows(
            session,
            SourceCursor,
            [
                {
                    "source": ref.source,
                    "value": ref.cursor_to,
                    "delivery_id": ref.id,
                    "updated_at": now,
                }
            ],
            key=["source"],
        )
