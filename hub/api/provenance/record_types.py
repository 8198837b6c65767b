"""GraphQL types of what the sources said about a person: a source record (one agency
record a golden entity was built from) and a person conflict (a source value that disagrees
with the surviving one), each a Relay node."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.fields import described
from hub.api.identity.types import RecordLink
from hub.api.nodes import load_nodes, split_key
from hub.api.provenance.data import ConflictRecord, SourceRecordRow
from hub.api.provenance.delivery_types import DeliveryNode, delivery_of


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
        return delivery_of(info, self.first_delivery_id)

    @described("The delivery that last brought the record.")
    def last_delivery(self, info: Info) -> DeliveryNode | None:
        return delivery_of(info, self.last_delivery_id)

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
