"""GraphQL types of provenance: deliveries, source records, conflicts, the quarantine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.fields import described
from hub.api.identity.types import RecordLink
from hub.api.nodes import integer_key, load_nodes, split_key
from hub.api.provenance.data import (
    ConflictRecord,
    DeliveryRecord,
    RejectCountRecord,
    RejectRecord,
    SourceRecordRow,
    SourceSummaryRecord,
)
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


def _delivery(info: Info, delivery_id: int | None) -> DeliveryNode | None:
    if delivery_id is None:
        return None
    loader = info.context.loaders.delivery
    return now_or_later(loader, delivery_id, optional(DeliveryNode.of))


@strawberry.type(
    name="SourceRecord",
    description="One agency record a golden entity was built from; id key: source:recordKey.",
)
class SourceRecordNode(relay.Node):
    source: str
    record_key: str
    kind: str
    first_seen_at: datetime
    last_seen_at: datetime
    pinfl_issue: str | None = strawberry.field(
        description="Why the record's PINFL was not trusted, if it was not."
    )
    match_method: str | None = strawberry.field(description="How the record was linked.")
    match_score: float | None
    first_delivery_id: strawberry.Private[int | None]
    last_delivery_id: strawberry.Private[int | None]
    row: strawberry.Private[SourceRecordRow]

    @classmethod
    def of(cls, r: SourceRecordRow) -> SourceRecordNode:
        return cls(
            row=r,
            source=r.source,
            record_key=r.record_key,
            kind=r.kind,
            first_seen_at=r.first_seen_at,
            last_seen_at=r.last_seen_at,
            pinfl_issue=r.pinfl_issue,
            match_method=r.match_method,
            match_score=r.match_score,
            first_delivery_id=r.first_delivery_id,
            last_delivery_id=r.last_delivery_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return f"{root.source}:{root.record_key}"

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SourceRecordNode | None]:
        keys = [split_key(node_id, 2, "SourceRecord") for node_id in node_ids]
        return await load_nodes(info.context.loaders.source_record, keys, cls.of)

    @described("The delivery that first brought the record.")
    def first_delivery(self, info: Info) -> DeliveryNode | None:
        return _delivery(info, self.first_delivery_id)

    @described("The delivery that last brought the record.")
    def last_delivery(self, info: Info) -> DeliveryNode | None:
        return _delivery(info, self.last_delivery_id)

    @described(
        "How the record joined its person (method, probability, weight, the waterfall of "
        "comparisons), or why it stayed unlinked; null for records that are not persons."
    )
    def link(self) -> RecordLink | None:
        if self.row.kind != "person":
            return None
        return RecordLink.of(self.row)


@strawberry.type(
    name="PersonConflict",
    description=(
        "A value a source gives for a person that disagrees with the surviving value; "
        "id key: personHubId:attribute:source:recordKey."
    ),
)
class PersonConflictNode(relay.Node):
    attribute: str
    value: str | None
    surviving_value: str | None
    source: str
    record_key: str
    detected_at: datetime
    kind: str = strawberry.field(
        description="attribute (a value that lost to the surviving one), or an identity "
        "conflict linkage found: pinfl_overruled, pinfl_shared, merge_refused."
    )
    other_source: str | None = strawberry.field(
        description="For an identity conflict: the source of the other record."
    )
    other_record_key: str | None
    detail: str | None
    person_hub_id: strawberry.Private[str]

    @classmethod
    def of(cls, r: ConflictRecord) -> PersonConflictNode:
        return cls(
            kind=r.kind,
            other_source=r.other_source,
            other_record_key=r.other_record_key,
            detail=r.detail,
            attribute=r.attribute,
            value=r.value,
            surviving_value=r.surviving_value,
            source=r.source,
            record_key=r.record_key,
            detected_at=r.detected_at,
            person_hub_id=r.person_hub_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return f"{root.person_hub_id}:{root.attribute}:{root.source}:{root.record_key}"

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PersonConflictNode | None]:
        keys = [split_key(node_id, 4, "PersonConflict") for node_id in node_ids]
        return await load_nodes(info.context.loaders.conflict, keys, cls.of)


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
        return _delivery(info, self.delivery_id)


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


@strawberry.type(description="How many quarantined records one source, rule and status have.")
class RejectCount:
    source: str
    rule: str
    status: str
    count: int

    @classmethod
    def of(cls, r: RejectCountRecord) -> RejectCount:
        return cls(source=r.source, rule=r.rule, status=r.status, count=r.count)
