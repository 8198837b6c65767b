"""The hub's record of deliveries: what was read, how far each got, and with what counts.

A delivery moves `landing` → `landed` → `staged` → `loaded`; `failed` when a stage could
not finish (its message says why; it is read again by the next run). Every stage picks up
the deliveries the previous one left, so a killed run resumes where it stopped.
`delivered = accepted + rejected` holds on every row from `landed` on.

Three statuses take a delivery out of that line without failing the run:

- `quarantined`: a file that cannot be read at all (wrong encoding, no header); one
  quarantine entry says why. It is not read again until its content changes.
- `held`: staged, but loading it would do too much harm to be done unattended (a land
  snapshot that would end most current leases); it waits for `confirm` by an engineer,
  the graph keeps its previous state meanwhile.
- `superseded`: a later version of the same file replaced it before it was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hub.graph.models import Delivery
from hub.graph.types import utc_now

ACTIVE = ("landing", "landed", "staged", "loaded")
SET_ASIDE = ("quarantined", "held", "superseded")
WAITING = ("landed", "staged", "held", "quarantined")
"""Statuses of a file version a later version of the same file supersedes."""


class DeliveryNotHeldError(ValueError):
    """`confirm` was asked for a delivery that is not waiting for a confirmation."""


@dataclass(frozen=True)
class DeliveryRef:
    id: int
    source: str
    name: str
    cursor_from: str | None
    cursor_to: str | None
    confirmed: bool = False


def _ref(delivery: Delivery) -> DeliveryRef:
    return DeliveryRef(
        delivery.id,
        delivery.source,
        delivery.name,
        delivery.cursor_from,
        delivery.cursor_to,
        delivery.confirmed_at is not None,
    )


def seen_files(session: Session, source: str) -> set[tuple[str, str | None]]:
    """(name, fingerprint) of the files of `source` not to read again (all but failed)."""
    stmt = select(Delivery.name, Delivery.fingerprint).where(
        Delivery.source == source, Delivery.status.in_(ACTIVE + SET_ASIDE)
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


def quarantine(session: Session, delivery_id: int, message: str) -> None:
    """Set a whole unreadable file aside (no records, no counts) with its reason."""
    advance(
        session,
        delivery_id,
        "quarantined",
        message=message[:4000],
        finished_at=utc_now(),
        delivered=0,
        accepted=0,
        rejected=0,
    )


def hold(session: Session, delivery_id: int, reason: str) -> None:
    """Keep a staged delivery from loading until an engineer confirms it."""
    advance(session, delivery_id, "held", message=reason[:4000])


def confirm(session: Session, delivery_id: int, at: datetime | None = None) -> DeliveryRef:
    """An engineer's go-ahead for a held delivery: it is staged again and loads next run.

    Raises `DeliveryNotHeldError` naming the delivery's status when it is not held.
    """
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status != "held":
        status = "does not exist" if delivery is None else f"is {delivery.status}"
        raise DeliveryNotHeldError(
            f"Delivery {delivery_id} {status}; only a held delivery can be confirmed."
        )
    delivery.status = "staged"
    delivery.confirmed_at = at or utc_now()
    delivery.message = f"confirmed by an engineer; was held: {delivery.message or ''}"[:4000]
    session.flush()
    return _ref(delivery)


@dataclass(frozen=True)
class HeldDelivery:
    id: int
    source: str
    name: str
    reason: str

    @property
    def confirm_command(self) -> str:
        return f"hub deliveries confirm {self.id}"


def held(session: Session, source: str | None = None) -> list[HeldDelivery]:
    """The deliveries waiting for an engineer's confirmation (of `source`), oldest first."""
    stmt = select(Delivery.id, Delivery.source, Delivery.name, Delivery.message).where(
        Delivery.status == "held"
    )
    if source is not None:
        stmt = stmt.where(Delivery.source == source)
    return [
        HeldDelivery(i, s, name, message or "")
        for i, s, name, message in session.execute(stmt.order_by(Delivery.id))
    ]


def supersede_earlier_versions(
    session: Session, source: str, name: str, delivery_id: int
) -> list[int]:
    """Earlier versions of file `name` that `delivery_id` replaces; those not yet loaded
    become `superseded`. Returns the ids of every earlier version (loaded ones included)."""
    earlier = session.execute(
        select(Delivery.id, Delivery.status).where(
            Delivery.source == source,
            Delivery.name == name,
            Delivery.id < delivery_id,
            Delivery.status.in_(("loaded", *WAITING)),
        )
    ).all()
    waiting = [i for i, status in earlier if status in WAITING]
    if waiting:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(waiting))
            .values(
                status="superseded",
                finished_at=utc_now(),
                message=f"superseded by delivery {delivery_id}, a later version of {name}",
            )
        )
    return [i for i, _ in earlier]


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


NEW_CONTENT = ("landed", "staged", "loaded", "held", "superseded")
"""Statuses of a delivery that was read whole (neither failed, unreadable nor running)."""


def last_new_delivery_at(session: Session, source: str) -> datetime | None:
    """When `source` last delivered something new: the start of its latest delivery that
    was read whole with at least one unit in it and, for an API read from a saved cursor,
    moved that cursor (a look-back re-read that brings nothing newer does not count; a file
    is new by being read at all, since a file already read is never read again)."""
    stmt = select(func.max(Delivery.started_at)).where(
        Delivery.source == source,
        Delivery.status.in_(NEW_CONTENT),
        Delivery.delivered > 0,
        or_(
            Delivery.cursor_from.is_(None),
            Delivery.cursor_to.is_(None),
            Delivery.cursor_to != Delivery.cursor_from,
        ),
    )
    return session.scalar(stmt)
