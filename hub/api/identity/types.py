"""GraphQL types of identity resolution: a record's link and its waterfall, a business's
sources."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.context import Info
from hub.api.fields import described
from hub.api.identity.data import BusinessSourceRecord, ContributionRecord
from hub.api.relations import now_or_later, optional

if TYPE_CHECKING:
    from hub.api.provenance.data import SourceRecordRow
    from hub.api.provenance.record_types import SourceRecordNode


@strawberry.type(description="One step of a link's waterfall: a comparison and its weight.")
class LinkContribution:
    comparison: str = strawberry.field(description='The compared field, or "prior".')
    level: str = strawberry.field(description="The comparison level the pair hit.")
    log2_bayes_factor: float = strawberry.field(
        description="The level's match weight (log2 Bayes factor); the prior's is the start."
    )

    @classmethod
    def of(cls, r: ContributionRecord) -> LinkContribution:
        return cls(comparison=r.comparison, level=r.level, log2_bayes_factor=r.log2_bayes_factor)


def _contributions(records: list[ContributionRecord]) -> list[LinkContribution]:
    return [LinkContribution.of(r) for r in records]


@strawberry.type(description="How a person record joined its golden person, or why it did not.")
class RecordLink:
    method: str | None = strawberry.field(
        description="pinfl_exact, probabilistic, previous_link, singleton (founded a person) "
        "or unlinked."
    )
    match_probability: float | None
    match_weight: float | None = strawberry.field(description="log2 Bayes factor of the pair.")
    unlinked_reason: str | None
    model_version: str | None
    linked_at: datetime | None
    record_id: strawberry.Private[int]
    matched_source: strawberry.Private[str | None]
    matched_record_key: strawberry.Private[str | None]

    @classmethod
    def of(cls, r: SourceRecordRow) -> RecordLink:
        return cls(
            method=r.match_method,
            match_probability=r.match_score,
            match_weight=r.match_weight,
            unlinked_reason=r.unlinked_reason,
            model_version=r.model_version,
            linked_at=r.linked_at,
            record_id=r.id,
            matched_source=r.matched_source,
            matched_record_key=r.matched_record_key,
        )

    @described("The record whose pair with this one decided the link.")
    def matched_record(
        self, info: Info
    ) -> Annotated[SourceRecordNode, strawberry.lazy("hub.api.provenance.record_types")] | None:
        from hub.api.provenance.record_types import SourceRecordNode

        if self.matched_source is None or self.matched_record_key is None:
            return None
        key = (self.matched_source, self.matched_record_key)
        return now_or_later(info.context.loaders.source_record, key, optional(SourceRecordNode.of))

    @described("The waterfall: each comparison's level and weight, the prior first.")
    def contributions(self, info: Info) -> list[LinkContribution]:
        loader = info.context.loaders.contributions_of_record
        return now_or_later(loader, self.record_id, _contributions)


@strawberry.type(description="A record that names a business: its source, key and role.")
class BusinessSource:
    source: str
    record_key: str
    role: str = strawberry.field(description="taxpayer, employer or lessee.")

    @classmethod
    def of(cls, r: BusinessSourceRecord) -> BusinessSource:
        return cls(source=r.source, record_key=r.record_key, role=r.role)
