"""Root fields of identity resolution: unlinked and borderline records, persons no survey
found in a mahalla."""

from __future__ import annotations

import strawberry

from hub.api.access.rules import TERRITORY
from hub.api.context import Info
from hub.api.errors import BadUserInputError
from hub.api.fields import described
from hub.api.identity import data
from hub.api.pagination import Connection, PageArgs, paginate
from hub.api.people.person_types import PersonNode
from hub.api.people.records import PERSON
from hub.api.provenance.record_types import SourceRecordNode

BORDERLINE_FROM = 0.5
BORDERLINE_TO = 0.95
"""The default band of match probabilities an engineer reviews; each query may set its own."""


async def _mentions(
    info: Info, criteria: data.MentionCriteria, args: PageArgs
) -> Connection[SourceRecordNode]:
    db = info.context.db

    async def fetch(offset: int, limit: int) -> list[SourceRecordNode]:
        records = await db.run(data.fetch_mentions, criteria, offset, limit)
        return [SourceRecordNode.of(r) for r in records]

    async def count() -> int:
        return await db.run(data.count_mentions, criteria)

    return await paginate(args, fetch, count)


@strawberry.type
class IdentityQuery:
    @described(
        "Person records linkage could not attach to any person (too little evidence), "
        "each with its reason in link.unlinkedReason; beside the persons, never lost."
    )
    async def unlinked_mentions(
        self,
        info: Info,
        source: str | None = None,
        mahalla_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SourceRecordNode]:
        criteria = data.MentionCriteria(unlinked=True, source=source, mahalla_code=mahalla_code)
        return await _mentions(info, criteria, PageArgs(first, after, last, before))

    @described(
        "Probabilistic links whose match probability lies in the band (inclusive), for an "
        "engineer to review; each record's link shows the waterfall."
    )
    async def borderline_links(
        self,
        info: Info,
        min_probability: float = BORDERLINE_FROM,
        max_probability: float = BORDERLINE_TO,
        source: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SourceRecordNode]:
        if not 0.0 <= min_probability <= max_probability <= 1.0:
            raise BadUserInputError(
                f"Arguments 'minProbability' {min_probability} and 'maxProbability' "
                f"{max_probability} must satisfy 0 <= min <= max <= 1.",
                argument="minProbability",
            )
        criteria = data.MentionCriteria(
            min_probability=min_probability, max_probability=max_probability, source=source
        )
        return await _mentions(info, criteria, PageArgs(first, after, last, before))

    @described(
        "Persons agency records place in the mahalla whom no surveyed household lists: the "
        "assistant's door-to-door follow-up list. Their evidence is in sourceRecords."
    )
    async def not_surveyed(
        self,
        info: Info,
        mahalla_code: str,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PersonNode]:
        db = info.context.db
        where = info.context.loaders.rows.condition(TERRITORY, PERSON)

        async def fetch(offset: int, limit: int) -> list[PersonNode]:
            records = await db.run(data.fetch_not_surveyed, mahalla_code, offset, limit, where)
            return [PersonNode.of(r) for r in records]

        async def count() -> int:
            return await db.run(data.count_not_surveyed, mahalla_code, where)

        return await paginate(PageArgs(first, after, last, before), fetch, count)
