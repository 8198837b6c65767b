"""GraphQL types of golden persons and households (Relay nodes keyed by `hub_id`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Self, TypeVar, cast

import strawberry
from strawberry import relay

from hub.api.activities.data import LeaseRecord
from hub.api.activities.land_types import LandLeaseNode
from hub.api.activities.support_types import AppealNode, LoanNode, NotebookEntryNode
from hub.api.activities.work_types import EmploymentRecordNode, TaxRegistrationNode
from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, connection_of_list
from hub.api.people.records import HouseholdRecord, MemberRecord, PersonRecord
from hub.api.provenance.types import PersonConflictNode, SourceRecordNode
from hub.api.relations import Relation as LoaderRelation
from hub.api.relations import ToOne, now_or_later, optional
from hub.api.scalars import Soums
from hub.api.territory.types import AssistantNode, MahallaNode
from hub.api.vocabulary import Need, Occupation, Relation, Sex, enum_value, optional_enum

R = TypeVar("R")
N = TypeVar("N")


def _paged(convert: Callable[[R], N], args: PageArgs) -> Callable[[Sequence[R]], Connection[N]]:
    def page(records: Sequence[R]) -> Connection[N]:
        return connection_of_list([convert(r) for r in records], args)

    return page


_mahalla_node = optional(MahallaNode.of)


def _household_node(record: HouseholdRecord | None) -> HouseholdNode | None:
    return None if record is None else HouseholdNode.of(record)


# Relations of persons and households (see hub.api.relations.ToOne); nodes are shared:
# the hundred persons of a page who live in twenty households share twenty nodes.
_HOUSEHOLD = ToOne("household", "household_id", _household_node, shared=True)
_MAHALLA = ToOne("mahalla", "mahalla_code", _mahalla_node, shared=True)


def _relation(member: MemberRecord) -> Relation:
    return Relation(member.relation)


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
    full_name: str | None = strawberry.field(description="In the hub's one Latin spelling.")
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
        # A hub id merged into another person's resolves to that person.
        loader = info.context.loaders.person_following_redirects
        return await load_nodes(loader, list(node_ids), cls.of)

    @strawberry.field
    def household(self, info: Info) -> HouseholdNode | None:
        return cast(HouseholdNode | None, _HOUSEHOLD.resolve(self, info))

    @described("The person's relation to the head of their household.")
    def household_relation(self, info: Info) -> Relation | None:
        if self.household_id is None:
            return None
        key = (self.household_id, self.person_id)
        return now_or_later(info.context.loaders.membership, key, optional(_relation))

    @strawberry.field
    def mahalla(self, info: Info) -> MahallaNode | None:
        return cast(MahallaNode | None, _MAHALLA.resolve(self, info))

    @described("Tax registrations, oldest first.")
    def tax_registrations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TaxRegistrationNode] | None:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.tax_of_person
        return now_or_later(loader, self.person_id, _paged(TaxRegistrationNode.of, args))

    @described("Employment-agency records, oldest status first.")
    def employment_history(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EmploymentRecordNode] | None:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.employment_of_person
        return now_or_later(loader, self.person_id, _paged(EmploymentRecordNode.of, args))

    @described("Land leases where the person is the lessee, oldest first.")
    def land_leases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LandLeaseNode] | None:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.leases_of_person
        return now_or_later(loader, self.person_id, _paged(LandLeaseNode.of, args))

    @described("Loans and subsidies, oldest first.")
    def loans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LoanNode] | None:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.loans_of_person
        return now_or_later(loader, self.person_id, _paged(LoanNode.of, args))

    @described("Social notebook entries.")
    def notebook_entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NotebookEntryNode]:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.notebook_of_person
        return now_or_later(loader, self.person_id, _paged(NotebookEntryNode.of, args))

    @described("Appeals the person made, oldest first.")
    def appeals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AppealNode] | None:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.appeals_of_person
        return now_or_later(loader, self.person_id, _paged(AppealNode.of, args))

    @described("The agency records this person was built from.")
    def source_records(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SourceRecordNode]:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.source_records_of_person
        return now_or_later(loader, self.person_id, _paged(SourceRecordNode.of, args))

    @described("Source values that disagree with the surviving ones.")
    def conflicts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PersonConflictNode]:
        args = PageArgs(first, after, last, before)
        loader = info.context.loaders.conflicts_of_person
        return now_or_later(loader, self.person_id, _paged(PersonConflictNode.of, args))


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
        return cast(MahallaNode | None, _MAHALLA.resolve(self, info))

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
        return now_or_later(loader, self.household_id, _paged(HouseholdMember.of, args))

    @described("Household-plot leases whose lessee is a member, oldest first.")
    def plot_leases(self, info: Info) -> list[LandLeaseNode] | None:
        loader = info.context.loaders.plot_leases_of_household
        return now_or_later(loader, self.household_id, _leases)


def _leases(records: Sequence[LeaseRecord]) -> list[LandLeaseNode]:
    return [LandLeaseNode.of(r) for r in records]


def _person_key(node: PersonNode) -> int:
    return node.person_id


def _membership_key(node: PersonNode) -> tuple[int, int] | None:
    return None if node.household_id is None else (node.household_id, node.person_id)


# The relations a page of persons or households warms (see hub.api.relations.warm).
PERSON_RELATIONS: dict[str, LoaderRelation] = {
    "household": lambda loaders: (loaders.household, lambda n: n.household_id),
    "householdRelation": lambda loaders: (loaders.membership, _membership_key),
    "mahalla": lambda loaders: (loaders.mahalla, lambda n: n.mahalla_code),
    "taxRegistrations": lambda loaders: (loaders.tax_of_person, _person_key),
    "employmentHistory": lambda loaders: (loaders.employment_of_person, _person_key),
    "landLeases": lambda loaders: (loaders.leases_of_person, _person_key),
    "loans": lambda loaders: (loaders.loans_of_person, _person_key),
    "notebookEntries": lambda loaders: (loaders.notebook_of_person, _person_key),
    "appeals": lambda loaders: (loaders.appeals_of_person, _person_key),
    "sourceRecords": lambda loaders: (loaders.source_records_of_person, _person_key),
    "conflicts": lambda loaders: (loaders.conflicts_of_person, _person_key),
}
HOUSEHOLD_RELATIONS: dict[str, LoaderRelation] = {
    "mahalla": lambda loaders: (loaders.mahalla, lambda n: n.mahalla_code),
    "surveyedBy": lambda loaders: (loaders.assistant, lambda n: n.assistant_id),
    "members": lambda loaders: (loaders.members, lambda n: n.household_id),
}
