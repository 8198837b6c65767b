"""GraphQL types of the quarantine: a quarantined record (a Relay node keyed by its reject
id, its raw text cut to `RAW_SHOWN_CHARS`) and the counts per source, rule and status."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.nodes import integer_key, load_nodes
from hub.api.provenance.data import RejectCountRecord, RejectRecord
from hub.api.provenance.delivery_types import DeliveryNode, delivery_of

RAW_SHOWN_CHARS = 4000
"""The most of a quarantined record's raw text the API returns: the quarantine's own cap
(HUB_QUARANTINE_RAW_CHARS, 4,000 by default), also for rows written before texts were capped."""


def shown_raw(raw: str) -> str:
    """`raw`, or its beginning and full length if it is longer than `RAW_SHOWN_CHARS`."""
    if len(raw) <= RAW_SHOWN_CHARS:
        return raw
    marker = f"…[cut: {len(raw):,} characters in all]"
    return raw[: RAW_SHOWN_CHARS - len(marker)] + marker


@strawberry.type(
    name="QuarantinedRecord",
    description="A record that was not loaded (the quarantine), with its raw text and reasons.",
)
class QuarantinedRecordNode(relay.Node):
    reject_id: int
    source: str
    record_key: str | None
    stage: str
    rule: str = strawberry.field(description="The rule the record failed.")
    reasons: list[str]
    raw: str | None = strawberry.field(
        description="The record as delivered; a long one is cut to its beginning, followed by "
        "its full length (and, when the hub cut it, the SHA-256 of the whole)."
    )
    origin: str | None = strawberry.field(description="File and line, or API page.")
    status: str = strawberry.field(description="open until a corrected redelivery resolves it.")
    created_at: datetime = strawberry.field(description="When the record was first rejected.")
    resolved_at: datetime | None
    seen_count: int = strawberry.field(
        description="How many times deliveries brought this same content and it was rejected "
        "(reruns that read it again update this entry rather than adding one)."
    )
    last_seen_at: datetime = strawberry.field(
        description="When a delivery last brought it; `delivery` is that delivery."
    )
    delivery_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: RejectRecord) -> QuarantinedRecordNode:
        return cls(
            reject_id=r.id,
            source=r.source,
            record_key=r.record_key,
            stage=r.stage,
            rule=r.rule,
            reasons=list(r.reasons),
            raw=shown_raw(r.raw),
            origin=r.origin,
            status=r.status,
            created_at=r.created_at,
            resolved_at=r.resolved_at,
            seen_count=r.seen_count,
            last_seen_at=r.last_seen_at,
            delivery_id=r.delivery_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return str(root.reject_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[QuarantinedRecordNode | None]:
        keys = [integer_key(node_id, "QuarantinedRecord") for node_id in node_ids]
        return await load_nodes(info.context.loaders.reject, keys, cls.of)

    @strawberry.field
    def delivery(self, info: Info) -> DeliveryNode | None:
        return delivery_of(info, self.delivery_id)


@strawberry.type(description="How many quarantined records one source, rule and status have.")
class RejectCount:
    source: str
    rule: str
    status: str
    count: int

    @classmethod
    def of(cls, r: RejectCountRecord) -> RejectCount:
        return cls(source=r.source, rule=r.rule, status=r.status, count=r.count)
