"""GraphQL types of a surveyed household (a Relay node keyed by `hub_id`): its address,
its members, its mahalla, surveying assistant and plot leases, and the relations a page of
households warms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Self, cast

import strawberry
from strawberry import relay

from hub.api.activities.data import LeaseRecord
from hub.api.activities.land_types import LandLeaseNode
from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, paged
from hub.api.people.person_types import MAHALLA, PersonNode
from hub.api.people.records import HouseholdRecord, MemberRecord, PersonRecord
from hub.api.relations import Relation as LoaderRelation
from hub.api.relations import now_or_later, optional
from hub.api.scalars import Soums
from hub.api.territory.types import AssistantNode, MahallaNode
from hub.api.vocabulary import Need, Relation, enum_value


@strawberry.type(description="A household's address as surveyed.")
class Address:
    street: str | None
    house: str | None
    apartment: str | None


@strawberry.type(description="A person's membership in a household, as the survey recorded it.")
class HouseholdMember:
    member_no: int
    relation: Relation
    person: PersonNode

    @classmethod
    def of(cls, pair: tuple[MemberRecord, PersonRecord]) -> HouseholdMember:
        member, person = pair
        return cls(
            member_no=member.member_no,
            relation=enum_value(Relation, member.relation),
            person=PersonNode.of(person),
        )


@strawberry.type(name="Household", description="A surveyed household, keyed by hub id.")
class HouseholdNode(relay.Node):
    hub_id: str
    survey_id: str | None
    mahalla_code: str
    address: Address | None
    surveyed_on: date | None
    assessed_category: int | None = strawberry.field(
        description="Category 1..4 as the assistant assessed it."
    )
    computed_category: int | None = strawberry.field(
        description="Category 1..4 as the hub computes it from integrated data."
    )
    category_mismatch: bool = strawberry.field(description="Both categories are known and differ.")
    monthly_income: Soums | None = strawberry.field(description="Stated in the survey.")
    plot_sotix: float | None = strawberry.field(description="Household plot (1 sotix = 0.01 ha).")
    needs: list[Need]
    last_confirmed_at: datetime
    household_id: strawberry.Private[int]
    assistant_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, r: HouseholdRecord) -> HouseholdNode:
        return cls(
            hub_id=r.hub_id,
            survey_id=r.survey_id,
            mahalla_code=r.mahalla_code,
            address=Address(street=r.street, house=r.house, apartment=r.apartment),
            surveyed_on=r.surveyed_on,
            assessed_category=r.assessed_category,
            computed_category=r.computed_category,
            category_mismatch=(
                r.assessed_category is not None
                and r.computed_category is not None
                and r.assessed_category != r.computed_category
            ),
            monthly_income=None if r.monthly_income_uzs is None else Soums(r.monthly_income_uzs),
            plot_sotix=r.plot_sotix,
            # None: not read, the document shows no household's needs (hub.api.projection)
            needs=[] if r.needs is None else [enum_value(Need, n) for n in r.needs],
            last_confirmed_at=r.last_confirmed_at,
            household_id=r.id,
            assistant_id=r.assistant_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.hub_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[HouseholdNode | None]:
        loader = info.context.loaders.household_by_hub_id
        return await load_nodes(loader, list(node_ids), cls.of)

    @strawberry.field
    def mahalla(self, info: Info) -> MahallaNode | None:
        return cast(MahallaNode | None, MAHALLA.resolve(self, info))

    @described("The assistant who surveyed the household.")
    def surveyed_by(self, info: Info) -> AssistantNode | None:
        if self.assistant_id is None:
            return None
        loader = info.context.loaders.assistant
        return now_or_later(loader, self.assistant_id, optional(AssistantNode.of))

    @described("Members by member number, with their relation to the head.")
    def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[HouseholdMember]:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.members
        return now_or_later(loader, self.household_id, paged(HouseholdMember.of, args))

    @described("Household-plot leases whose lessee is a member, oldest first.")
    def plot_leases(self, info: Info) -> list[LandLeaseNode] | None:
        loader = info.context.loaders.plot_leases_of_household
        return now_or_later(loader, self.household_id, _leases)


def _leases(records: Sequence[LeaseRecord]) -> list[LandLeaseNode]:
    return [LandLeaseNode.of(r) for r in records]


# The relations a page of households warms (see hub.api.relations.warm).
HOUSEHOLD_RELATIONS: dict[str, LoaderRelation] = {
    "mahalla": lambda loaders: (loaders.mahalla, lambda n: n.mahalla_code),
    "surveyedBy": lambda loaders: (loaders.assistant, lambda n: n.assistant_id),
    "members": lambda loaders: (loaders.members, lambda n: n.household_id),
}
