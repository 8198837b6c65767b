"""GraphQL type of a golden person (a Relay node keyed by `hub_id`): the reconciled
individual, their household and mahalla, the activity lists and provenance the sources give,
and the relations a page of persons warms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self, cast

import strawberry
from strawberry import relay

from hub.api.activities.land_types import LandLeaseNode
from hub.api.activities.support_types import AppealNode, LoanNode, NotebookEntryNode
from hub.api.activities.work_types import EmploymentRecordNode, TaxRegistrationNode
from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, paged
from hub.api.people.records import HouseholdRecord, MemberRecord, PersonRecord
from hub.api.provenance.record_types import PersonConflictNode, SourceRecordNode
from hub.api.relations import Relation as LoaderRelation
from hub.api.relations import ToOne, now_or_later, optional
from hub.api.territory.types import MahallaNode
from hub.api.vocabulary import Occupation, Relation, Sex, optional_enum

if TYPE_CHECKING:
    from hub.api.people.household_types import HouseholdNode

_mahalla_node = optional(MahallaNode.of)


def _household_node(record: HouseholdRecord | None) -> HouseholdNode | None:
    # Imported here: hub.api.people.household_types imports PersonNode for its members.
    from hub.api.people.household_types import HouseholdNode

    return None if record is None else HouseholdNode.of(record)


# Relations of persons and households (see hub.api.relations.ToOne); nodes are shared:
# the hundred persons of a page who live in twenty households share twenty nodes, and
# households share the mahalla nodes of persons (household_types uses MAHALLA too).
_HOUSEHOLD = ToOne("household", "household_id", _household_node, shared=True)
MAHALLA = ToOne("mahalla", "mahalla_code", _mahalla_node, shared=True)


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
    def household(
        self, info: Info
    ) -> Annotated[HouseholdNode, strawberry.lazy("hub.api.people.household_types")] | None:
        return cast(HouseholdNode | None, _HOUSEHOLD.resolve(self, info))

    @described("The person's relation to the head of their household.")
    def household_relation(self, info: Info) -> Relation | None:
        if self.household_id is None:
            return None
        key = (self.household_id, self.person_id)
        return now_or_later(info.context.loaders.membership, key, optional(_relation))

    @strawberry.field
    def mahalla(self, info: Info) -> MahallaNode | None:
        return cast(MahallaNode | None, MAHALLA.resolve(self, info))

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
        return now_or_later(loader, self.person_id, paged(TaxRegistrationNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(EmploymentRecordNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(LandLeaseNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(LoanNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(NotebookEntryNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(AppealNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(SourceRecordNode.of, args))

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
        return now_or_later(loader, self.person_id, paged(PersonConflictNode.of, args))


def _person_key(node: PersonNode) -> int:
    return node.person_id


def _membership_key(node: PersonNode) -> tuple[int, int] | None:
    return None if node.household_id is None else (node.household_id, node.person_id)


# The relations a page of persons warms (see hub.api.relations.warm).
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
