"""GraphQL types of golden persons and households (Relay nodes keyed by `hub_id`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Self, TypeVar

import strawberry
from strawberry import relay

from hub.api.activities.types import (
    AppealNode,
    EmploymentRecordNode,
    LandLeaseNode,
    LoanNode,
    NotebookEntryNode,
    TaxRegistrationNode,
)
from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, connection_of_list
from hub.api.people.data import HouseholdRecord, MemberRecord, PersonRecord
from hub.api.provenance.types import PersonConflictNode, SourceRecordNode
from hub.api.scalars import Soums
from hub.api.territory.types import AssistantNode, MahallaNode
from hub.api.vocabulary import Need, Occupation, Relation, Sex, optional_enum

R = TypeVar("R")
N = TypeVar("N")


def _page(records: Sequence[R], convert: Callable[[R], N], args: PageArgs) -> Connection[N]:
    return connection_of_list([convert(r) for r in records], args)


async def _mahalla(info: Info, code: str | None) -> MahallaNode | None:
    if code is None:
        return None
    record = await info.context.loaders.mahalla.load(code)
    return None if record is None else MahallaNode.of(record)


@strawberry.type(
    name="Person",
    description=(
        "A golden person: the hub's reconciled view of one individual across all sources, "
        "keyed by the stable hub id."
    ),
)
class PersonNode(relay.Node):
    hub_id: str
    pinfl: str | None
    full_name: str = strawberry.field(description="In the hub's one Latin spelling.")
    surname: str | None
    given_name: str | None
    patronymic: str | None
    birth_on: date | None
    sex: Sex | None
    occupation: Occupation | None = strawberry.field(description="As the survey recorded it.")
    mahalla_code: str | None
    created_at: datetime
    updated_at: datetime
    last_confirmed_at: datetime
    person_id: strawberry.Private[int]
    household_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: PersonRecord) -> PersonNode:
        return cls(
            hub_id=r.hub_id,
            pinfl=r.pinfl,
            full_name=r.full_name,
            surname=r.surname,
            given_name=r.given_name,
            patronymic=r.patronymic,
            birth_on=r.birth_on,
            sex=optional_enum(Sex, r.sex),
            occupation=optional_enum(Occupation, r.occupation),
            mahalla_code=r.mahalla_code,
            created_at=r.created_at,
            updated_at=r.updated_at,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.id,
            household_id=r.household_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.hub_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PersonNode | None]:
        return await load_nodes(info.context.loaders.person_by_hub_id, list(node_ids), cls.of)

    @strawberry.field
    async def household(self, info: Info) -> HouseholdNode | None:
        if self.household_id is None:
            return None
        record = await info.context.loaders.household.load(self.household_id)
        return None if record is None else HouseholdNode.of(record)

    @described("The person's relation to the head of their household.")
    async def household_relation(self, info: Info) -> Relation | None:
        if self.household_id is None:
            return None
        member = await info.context.loaders.membership.load((self.household_id, self.person_id))
        return None if member is None else Relation(member.relation)

    @strawberry.field
    async def mahalla(self, info: Info) -> MahallaNode | None:
        return await _mahalla(info, self.mahalla_code)

    @described("Tax registrations, oldest first.")
    async def tax_registrations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TaxRegistrationNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.tax_of_person.load(self.person_id)
        return _page(records, TaxRegistrationNode.of, args)

    @described("Employment-agency records, oldest status first.")
    async def employment_history(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EmploymentRecordNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.employment_of_person.load(self.person_id)
        return _page(records, EmploymentRecordNode.of, args)

    @described("Land leases where the person is the lessee, oldest first.")
    async def land_leases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LandLeaseNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.leases_of_person.load(self.person_id)
        return _page(records, LandLeaseNode.of, args)

    @described("Loans and subsidies, oldest first.")
    async def loans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LoanNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.loans_of_person.load(self.person_id)
        return _page(records, LoanNode.of, args)

    @described("Social notebook entries.")
    async def notebook_entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NotebookEntryNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.notebook_of_person.load(self.person_id)
        return _page(records, NotebookEntryNode.of, args)

    @described("Appeals the person made, oldest first.")
    async def appeals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AppealNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.appeals_of_person.load(self.person_id)
        return _page(records, AppealNode.of, args)

    @described("The agency records this person was built from.")
    async def source_records(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SourceRecordNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.source_records_of_person.load(self.person_id)
        return _page(records, SourceRecordNode.of, args)

    @described("Source values that disagree with the surviving ones.")
    async def conflicts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PersonConflictNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.conflicts_of_person.load(self.person_id)
        return _page(records, PersonConflictNode.of, args)


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
            relation=Relation(member.relation),
            person=PersonNode.of(person),
        )


@strawberry.type(name="Household", description="A surveyed household, keyed by hub id.")
class HouseholdNode(relay.Node):
    hub_id: str
    survey_id: str | None
    mahalla_code: str
    address: Address
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
            needs=[Need(n) for n in r.needs],
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
    async def mahalla(self, info: Info) -> MahallaNode | None:
        return await _mahalla(info, self.mahalla_code)

    @described("The assistant who surveyed the household.")
    async def surveyed_by(self, info: Info) -> AssistantNode | None:
        if self.assistant_id is None:
            return None
        record = await info.context.loaders.assistant.load(self.assistant_id)
        return None if record is None else AssistantNode.of(record)

    @described("Members by member number, with their relation to the head.")
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[HouseholdMember]:
        args = PageArgs(first, after, last, before)
        pairs = await info.context.loaders.members.load(self.household_id)
        return _page(pairs, HouseholdMember.of, args)
