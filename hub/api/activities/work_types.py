"""GraphQL types of the work and income facts: tax registrations (tax source, keyed by
TIN) and employment records (employment source, by record number), each a Relay node."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from hub.api.activities.data import EmploymentRecordRow, TaxRecord
from hub.api.activities.linked_person import linked_person
from hub.api.context import Info
from hub.api.nodes import load_nodes
from hub.api.scalars import Soums, soums_from_tiyin
from hub.api.vocabulary import EmploymentStatus, TaxRegime, enum_value

if TYPE_CHECKING:
    from hub.api.people.person_types import PersonNode


@strawberry.type(
    name="TaxRegistration",
    description="Self-employment or individual entrepreneurship (tax source), keyed by TIN.",
)
class TaxRegistrationNode(relay.Node):
    tin: str
    regime: TaxRegime
    activity_code: str | None
    registered_on: date
    closed_on: date | None
    is_open: bool = strawberry.field(description="Not closed.")
    declared_income: Soums | None
    tax_year: int | None
    mahalla_code: str | None
    address: str | None
    source_updated_at: datetime
    last_confirmed_at: datetime
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: TaxRecord) -> TaxRegistrationNode:
        income = r.declared_income_tiyin
        return cls(
            tin=r.tin,
            regime=enum_value(TaxRegime, r.regime),
            activity_code=r.activity_code,
            registered_on=r.registered_on,
            closed_on=r.closed_on,
            is_open=r.closed_on is None,
            declared_income=None if income is None else soums_from_tiyin(income),
            tax_year=r.tax_year,
            mahalla_code=r.mahalla_code,
            address=r.address,
            source_updated_at=r.source_updated_at,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.tin

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[TaxRegistrationNode | None]:
        return await load_nodes(info.context.loaders.tax, list(node_ids), cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)


@strawberry.type(
    name="EmploymentRecord",
    description="A job seeker's or placement's status (employment source), by record number.",
)
class EmploymentRecordNode(relay.Node):
    record_no: str
    status: EmploymentStatus
    status_on: date
    employer_tin: str | None
    referral: str | None = strawberry.field(description="Training referral, free text.")
    mahalla_code: str | None
    source_file: str
    last_confirmed_at: datetime
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: EmploymentRecordRow) -> EmploymentRecordNode:
        return cls(
            record_no=r.record_no,
            status=enum_value(EmploymentStatus, r.status),
            status_on=r.status_on,
            employer_tin=r.employer_tin,
            referral=r.referral,
            mahalla_code=r.mahalla_code,
            source_file=r.source_file,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.record_no

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[EmploymentRecordNode | None]:
        return await load_nodes(info.context.loaders.employment, list(node_ids), cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)
