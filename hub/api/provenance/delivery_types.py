"""GraphQL types of the loads: a delivery (a Relay node keyed by its id), the to-one
relation other provenance types use to reach one, and the state of one source's loads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.nodes import integer_key, load_nodes
from hub.api.provenance.data import DeliveryRecord, SourceSummaryRecord
from hub.api.relations import now_or_later, optional


@strawberry.type(
    name="Delivery",
    description="One file or API window read for a source; delivered = accepted + rejected.",
)
class DeliveryNode(relay.Node):
    delivery_id: int
    source: str
    name: str
    fingerprint: str | None
    status: str = strawberry.field(
        description="landing, landed, staged, loaded (a successful load) or failed; "
        "held (waiting for an engineer's confirmation, the message says why and how), "
        "quarantined (a file unreadable as a whole) or superseded (a later version of the "
        "same file replaced it).",
    )
    started_at: datetime
    finished_at: datetime | None
    delivered: int
    accepted: int
    rejected: int
    duplicate_keys: int = strawberry.field(
        description="Delivered records that repeated an earlier record's key in this "
        "delivery (the later one is loaded; the register rejects keys repeated with other "
        "values)."
    )
    cursor_from: str | None
    cursor_to: str | None
    message: str | None
    run_id: str | None
    confirmed_at: datetime | None = strawberry.field(
        description="When an engineer let this held delivery load."
    )

    @classmethod
    def of(cls, r: DeliveryRecord) -> DeliveryNode:
        return cls(
            delivery_id=r.id,
            source=r.source,
            name=r.name,
            fingerprint=r.fingerprint,
            status=r.status,
            started_at=r.started_at,
            finished_at=r.finished_at,
            delivered=r.delivered,
            accepted=r.accepted,
            rejected=r.rejected,
            duplicate_keys=r.duplicate_keys,
            cursor_from=r.cursor_from,
            cursor_to=r.cursor_to,
            message=r.message,
            run_id=r.run_id,
            confirmed_at=r.confirmed_at,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return str(root.delivery_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[DeliveryNode | None]:
        keys = [integer_key(node_id, "Delivery") for node_id in node_ids]
        return await load_nodes(info.context.loaders.delivery, keys, cls.of)


def delivery_of(info: Info, delivery_id: int | None) -> DeliveryNode | None:
    """The delivery `delivery_id` (None: none), now or as an awaitable."""
    if delivery_id is None:
        return None
    loader = info.context.loaders.delivery
    return now_or_later(loader, delivery_id, optional(DeliveryNode.of))


@strawberry.type(description="The state of one source's loads.")
class SourceSummary:
    source: str
    deliveries: int
    delivered: int
    accepted: int
    rejected: int
    last_succeeded_at: datetime | None = strawberry.field(
        description="When the latest successful load finished."
    )
    last_failed_at: datetime | None
    last_failure_message: str | None
    open_rejects: int = strawberry.field(description="Quarantined records still open.")
    held_deliveries: int = strawberry.field(
        description="Deliveries held for an engineer's confirmation (hub deliveries confirm)."
    )
    quarantined_files: int = strawberry.field(
        description="Files set aside whole because no row of them could be read."
    )

    @classmethod
    def of(cls, r: SourceSummaryRecord) -> SourceSummary:
        return cls(
            source=r.source,
            deliveries=r.deliveries,
            delivered=r.delivered,
            accepted=r.accepted,
            rejected=r.rejected,
            last_succeeded_at=r.last_succeeded_at,
            last_failed_at=r.last_failed_at,
            last_failure_message=r.last_failure_message,
            open_rejects=r.open_rejects,
            held_deliveries=r.held_deliveries,
            quarantined_files=r.quarantined_files,
        )
