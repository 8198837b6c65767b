"""Root fields for engineers: deliveries, per-source summaries and the quarantine."""

from __future__ import annotations

import strawberry

from hub.api.context import Info
from hub.api.fields import described
from hub.api.pagination import Connection, PageArgs, paginate
from hub.api.provenance import data
from hub.api.provenance.delivery_types import DeliveryNode, SourceSummary
from hub.api.provenance.quarantine_types import QuarantinedRecordNode, RejectCount


@strawberry.input
class QuarantineFilter:
    source: str | None = None
    rule: str | None = None
    status: str | None = strawberry.field(default=None, description="open or resolved.")

    def criteria(self) -> data.RejectCriteria:
        return data.RejectCriteria(source=self.source, rule=self.rule, status=self.status)


@strawberry.type(description="The quarantine for one filter: its records and their counts.")
class Quarantine:
    criteria: strawberry.Private[data.RejectCriteria]

    @described("Counts by source, rule and status.")
    async def counts(self, info: Info) -> list[RejectCount]:
        records = await info.context.db.run(data.fetch_reject_counts, self.criteria)
        return [RejectCount.of(r) for r in records]

    @described("The quarantined records, newest first.")
    async def records(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[QuarantinedRecordNode]:
        db = info.context.db
        criteria = self.criteria

        async def fetch(offset: int, limit: int) -> list[QuarantinedRecordNode]:
            records = await db.run(data.fetch_rejects, criteria, offset, limit)
            return [QuarantinedRecordNode.of(r) for r in records]

        async def count() -> int:
            return await db.run(data.count_rejects, criteria)

        return await paginate(PageArgs(first, after, last, before), fetch, count)


@strawberry.type
class ProvenanceQuery:
    @described("Deliveries, the most recently started first.")
    async def deliveries(
        self,
        info: Info,
        source: str | None = None,
        status: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DeliveryNode]:
        db = info.context.db
        criteria = data.DeliveryCriteria(source=source, status=status)

        async def fetch(offset: int, limit: int) -> list[DeliveryNode]:
            records = await db.run(data.fetch_deliveries, criteria, offset, limit)
            return [DeliveryNode.of(r) for r in records]

        async def count() -> int:
            return await db.run(data.count_deliveries, criteria)

        return await paginate(PageArgs(first, after, last, before), fetch, count)

    @described("Per source: deliveries, record counts, last success and last failure.")
    async def sources(self, info: Info, source: str | None = None) -> list[SourceSummary]:
        wanted = None if source is None else [source]
        records = await info.context.db.run(data.fetch_source_summaries, wanted)
        return [SourceSummary.of(r) for r in records]

    @described("Quarantined (rejected) records and their counts.")
    def quarantine(self, filter: QuarantineFilter | None = None) -> Quarantine:
        return Quarantine(criteria=(filter or QuarantineFilter()).criteria())
