"""The hub's record of deliveries: what was read, how far each got, and with what counts.

A delivery moves `landing` → `landed` → `staged` → `loaded`; `failed` when a stage could
not finish (its message says why). Every stage picks up the deliveries the previous one
left, so a killed run resumes where it stopped. `delivered = accepted + rejected` holds on
every row from `landed` on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.graph.models import Delivery
from hub.graph.types import utc_now

ACTIVE = ("landing", "landed", "staged", "loaded")


@dataclass(frozen=True)
class DeliveryRef:
    id: int
    source: str
    name: str
    cursor_from: str | None
    cursor_to: str | None


def _ref(delivery: Delivery) -> DeliveryRef:
    return DeliveryRef(
        delivery.id, delivery.source, delivery.name, delivery.cursor_from, delivery.cursor_to
    )


def seen_files(session: Session, source: str) -> set[tuple[str, str | None]]:
    """(name, fingerprint) of the files of `source` that are not failed."""
    stmt = select(Delivery.name, Delivery.fingerprint).where(
        Delivery.source == source, Delivery.status.in_(ACTIVE)
    )
    return {(name, fingerprint) for name, fingerprint in session.execute(stmt)}


def open_delivery(
    session: Session,
    source: str,
    name: str,
    *,
    fingerprint: str | None = None,
    cursor_from: str | None = None,
    run_id: str | None = None,
) -> int:
    delivery = Delivery(
        source=source,
        name=name,
        fingerprint=fingerprint,
        cursor_from=cursor_from,
        run_id=run_id,
        status="landing",
        started_at=utc_now(),
    )
    session.add(delivery)
    session.flush()
    return delivery.id


def advance(session: Session, delivery_id: int, status: str, **values: object) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(status=status, **values)
    )


def fail(session: Session, delivery_id: int, message: str) -> None:
    advance(session, delivery_id, "failed", message=message[:4000], finished_at=utc_now())


def pending(session: Session, source: str, status: str) -> list[DeliveryRef]:
    """Deliveries of `source` waiting in `status`, oldest first."""
    stmt = (
        select(Delivery)
        .where(Delivery.source == source, Delivery.status == status)
        .order_by(Delivery.id)
    )
    return [_ref(d) for d in session.scalars(stmt)]


def last_loaded_at(session: Session, source: str) -> datetime | None:
    stmt = select(Delivery.finished_at).where(
        Delivery.source == source, Delivery.status == "loaded"
    )
    return max((t for t in session.scalars(stmt) if t is not None), default=None)
