"""Root fields over persons and households."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import strawberry

from hub.api.context import Info
from hub.api.errors import BadUserInputError, NotFoundError
from hub.api.fields import described
from hub.api.pagination import Connection, PageArgs, paginate, paginate_rows
from hub.api.people import bundles, data
from hub.api.people.criteria import HouseholdCriteria, PersonCriteria
from hub.api.people.filters import (
    HouseholdFilter,
    HouseholdOrderBy,
    PersonFilter,
    PersonOrderBy,
    territory_of,
)
from hub.api.people.household_types import HOUSEHOLD_RELATIONS, HouseholdNode
from hub.api.people.person_types import PERSON_RELATIONS, PersonNode
from hub.api.projection import shown_fields
from hub.api.relations import field_paths, node_selection, warm

_PINFL = re.compile(r"^[0-9]{14}$")


def _in_access(criteria: Any, info: Info) -> Any:
    """`criteria` (of persons or households) limited to the caller's territory."""
    access = info.context.loaders.rows.territory
    if access is None:
        return criteria
    return replace(criteria, territory=replace(criteria.territory, access=access))


async def list_persons(
    info: Info, criteria: PersonCriteria, args: PageArgs
) -> Connection[PersonNode]:
    db = info.context.db
    criteria = _in_access(criteria, info)
    # The joined household is read unfiltered: with a territory, the loader reads it.
    with_households = (
        "household" in node_selection(info) and info.context.loaders.rows.territory is None
    )
    unshown = data.unshown_columns(shown_fields(info))

    async def fetch(offset: int, limit: int) -> Sequence[Sequence[Any]]:
        # With households: one statement for the page and its households.
        return await db.run(
            data.fetch_person_rows, criteria, offset, limit, unshown, households=with_households
        )

    async def nodes(rows: Sequence[Sequence[Any]]) -> list[PersonNode]:
        if with_households:
            pairs = data.persons_with_households(rows)
            households = info.context.loaders.household
            for _, household in pairs:
                if household is not None:
                    households.prime(household.id, household)
            records = [person for person, _ in pairs]
        else:
            records = data.persons_of(rows)
        built = [PersonNode.of(r) for r in records]
        await warm(info, built, PERSON_RELATIONS)
        return built

    async def count() -> int:
        return await db.run(data.count_persons, criteria)

    return await paginate_rows(args, fetch, count, nodes)


async def list_households(
    info: Info, criteria: HouseholdCriteria, args: PageArgs
) -> Connection[HouseholdNode]:
    db = info.context.db
    criteria = _in_access(criteria, info)

    async def fetch(offset: int, limit: int) -> list[HouseholdNode]:
        records = await db.run(data.fetch_households, criteria, offset, limit)
        nodes = [HouseholdNode.of(r) for r in records]
        await warm(info, nodes, HOUSEHOLD_RELATIONS)
        return nodes

    async def count() -> int:
        return await db.run(data.count_households, criteria)

    return await paginate(args, fetch, count)


async def persons_in_mahalla(info: Info, code: str, args: PageArgs) -> Connection[PersonNode]:
    criteria = PersonCriteria(territory=territory_of(None, None, code))
    return await list_persons(info, criteria, args)


async def households_in_mahalla(info: Info, code: str, args: PageArgs) -> Connection[HouseholdNode]:
    criteria = HouseholdCriteria(territory=territory_of(None, None, code))
    return await list_households(info, criteria, args)


@strawberry.type
class PeopleQuery:
    @described(
        "The person with this PINFL (14 digits) or this hub id (one of the two); a hub id "
        "merged into another person's gives that person. NOT_FOUND if none."
    )
    async def person(
        self, info: Info, pinfl: str | None = None, hub_id: str | None = None
    ) -> PersonNode:
        if (pinfl is None) == (hub_id is None):
            raise BadUserInputError(
                "Give exactly one of the arguments 'pinfl' and 'hubId'.", argument="pinfl"
            )
        if hub_id is not None:
            record = await info.context.loaders.person_following_redirects.load(hub_id)
            if record is None:
                raise NotFoundError(f"No person has hub id {hub_id!r}.", argument="hubId")
            return PersonNode.of(record)
        assert pinfl is not None
        if not _PINFL.match(pinfl):
            raise BadUserInputError(
                f"Argument 'pinfl' has value {pinfl!r}. A PINFL is 14 digits.",
                argument="pinfl",
            )
        if info.context.loaders.rows.restricts:
            # The bundle reads the person's relations unfiltered: the loaders filter.
            found = await info.context.loaders.person_by_pinfl.load(pinfl)
            if found is None:
                raise NotFoundError(f"No person has PINFL {pinfl}.", argument="pinfl")
            return PersonNode.of(found)
        parts = bundles.parts_of(field_paths(info))
        bundle = await info.context.db.run(bundles.fetch_person_bundle, pinfl, parts)
        if bundle is None:
            raise NotFoundError(f"No person has PINFL {pinfl}.", argument="pinfl")
        bundles.prime(info.context.loaders, pinfl, bundle)
        return PersonNode.of(bundle.person)

    @described("Persons matching the filter, in the given order.")
    async def persons(
        self,
        info: Info,
        filter: PersonFilter | None = None,
        order_by: PersonOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PersonNode]:
        args = PageArgs(first, after, last, before)
        criteria = (filter or PersonFilter()).criteria(order_by)
        return await list_persons(info, criteria, args)

    @described("The household with this hub id; NOT_FOUND if none.")
    async def household(self, info: Info, hub_id: str) -> HouseholdNode:
        record = await info.context.loaders.household_by_hub_id.load(hub_id)
        if record is None:
            raise NotFoundError(f"No household has hub id {hub_id!r}.", argument="hubId")
        return HouseholdNode.of(record)

    @described("Households matching the filter, in the given order.")
    async def households(
        self,
        info: Info,
        filter: HouseholdFilter | None = None,
        order_by: HouseholdOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[HouseholdNode]:
        args = PageArgs(first, after, last, before)
        criteria = (filter or HouseholdFilter()).criteria(order_by)
        return await list_households(info, criteria, args)
