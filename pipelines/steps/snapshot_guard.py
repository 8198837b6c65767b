"""A land snapshot that would end too many current leases waits for an engineer.

The newest land snapshot decides which leases are current: a lease absent from it ends.
An empty snapshot, one cut short while being written, or one of the wrong region would
end leases wholesale. So before the newest snapshot loads, the leases it would end are
counted; above `max_share` of the current leases, the delivery is held (status `held`,
the reason in its message) and the graph keeps its previous snapshot until an engineer
runs `hub deliveries confirm <id>`; the next run then loads it. A newer snapshot that
loads supersedes the held ones before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.graph.bulk import in_chunks
from hub.graph.models import Delivery, LandLease
from hub.graph.types import utc_now
from pipelines.deliveries import DeliveryRef


@dataclass(frozen=True)
class SnapshotImpact:
    """What loading a snapshot as the newest would do to the current leases."""

    current: int
    ended: int

    @property
    def share(self) -> float:
        return self.ended / self.current if self.current else 0.0


def snapshot_impact(session: Session, lease_ids: pl.Series) -> SnapshotImpact:
    """How many current leases are absent from a snapshot of `lease_ids`."""
    current = session.scalar(select(func.count()).where(LandLease.is_current)) or 0
    kept = 0
    for chunk in in_chunks(lease_ids.unique().drop_nulls().to_list()):
        kept += (
            session.scalar(
                select(func.count()).where(LandLease.is_current, LandLease.lease_id.in_(chunk))
            )
            or 0
        )
    return SnapshotImpact(current=current, ended=current - kept)


def is_newest(session: Session, name: str) -> bool:
    """True when no staged or loaded snapshot has a later name (names carry the date)."""
    newest = session.scalar(
        select(func.max(Delivery.name)).where(
            Delivery.source == "land", Delivery.status.in_(("staged", "loaded"))
        )
    )
    return newest is None or name >= newest


def hold_reason(
    session: Session, ref: DeliveryRef, staged: pl.DataFrame, max_share: float
) -> str | None:
    """Why `ref` must wait for a confirmation, or None when it may load unattended."""
    if ref.confirmed or not is_newest(session, ref.name):
        return None
    impact = snapshot_impact(session, staged["lease_id"])
    if impact.current == 0 or impact.share <= max_share:
        return None
    return (
        f"land: snapshot {ref.name} (delivery {ref.id}, {staged.height} leases) would end "
        f"{impact.ended} of the {impact.current} current leases ({impact.share:.0%}), more "
        f"than the {max_share:.0%} allowed (HUB_LAND_MAX_ENDED_SHARE); the previous "
        f"snapshot stays current. If it is right, run: hub deliveries confirm {ref.id}"
    )


def supersede_older_held(session: Session, ref: DeliveryRef) -> None:
    """Held snapshots older than `ref`, which has just loaded, no longer wait: a newer
    snapshot has said which leases are current."""
    session.execute(
        update(Delivery)
        .where(Delivery.source == "land", Delivery.status == "held", Delivery.name < ref.name)
        .values(
            status="superseded",
            finished_at=utc_now(),
            message=f"superseded by the newer snapshot {ref.name} (delivery {ref.id})",
        )
    )
