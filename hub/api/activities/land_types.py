"""GraphQL types of the land facts: parcels (by cadastre number), land leases (land source,
by lease id) and the businesses that lease them (by TIN), each a Relay node."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from hub.api.activities.data import BusinessRecord, LeaseRecord, ParcelRecord
from hub.api.activities.linked_person import linked_person
from hub.api.context import Info
from hub.api.fields import described
from hub.api.identity.data import HOUSEHOLD_PLOT, BusinessSourceRecord
from hub.api.identity.types import BusinessSource
from hub.api.nodes import load_nodes
from hub.api.relations import now_or_later, optional
from hub.api.vocabulary import LandPurpose, LeaseStatus, LesseeKind, enum_value

if TYPE_CHECKING:
    from hub.api.people.household_types import HouseholdNode
    from hub.api.people.person_types import PersonNode


@strawberry.type(name="Parcel", description="A land parcel, keyed by its cadastre number.")
class ParcelNode(relay.Node):
    cadastre: str
    mahalla_code: str | None
    area_ha: float = strawberry.field(description="Area in hectares.")
    purpose: LandPurpose
    crop: str | None

    @classmethod
    def of(cls, r: ParcelRecord) -> ParcelNode:
        return cls(
            cadastre=r.cadastre,
            mahalla_code=r.mahalla_code,
            area_ha=float(r.area_ha),
            purpose=enum_value(LandPurpose, r.purpose),
            crop=r.crop,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.cadastre

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ParcelNode | None]:
        return await load_nodes(info.context.loaders.parcel_by_cadastre, list(node_ids), cls.of)


@strawberry.type(name="Business", description="A legal entity known by its TIN (a lessee).")
class BusinessNode(relay.Node):
    tin: str
    name: str | None
    mahalla_code: str | None

    @classmethod
    def of(cls, r: BusinessRecord) -> BusinessNode:
        return cls(tin=r.tin, name=r.name, mahalla_code=r.mahalla_code)

    @described(
        "The records naming this TIN: its tax registration, employment records naming it "
        "as employer, leases with it as lessee."
    )
    def sources(self, info: Info) -> list[BusinessSource]:
        loader = info.context.loaders.business_sources
        return now_or_later(loader, self.tin, _business_sources)

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.tin

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[BusinessNode | None]:
        return await load_nodes(info.context.loaders.business_by_tin, list(node_ids), cls.of)


def _parcel(record: ParcelRecord | None) -> ParcelNode:
    if record is None:
        raise LookupError("A land lease's parcel is missing from the graph.")
    return ParcelNode.of(record)


@strawberry.type(name="LandLease", description="A land lease (land source), by lease id.")
class LandLeaseNode(relay.Node):
    lease_id: str
    contract: str | None
    status: LeaseStatus
    is_current: bool = strawberry.field(description="In the newest cadastre snapshot.")
    lessee_kind: LesseeKind
    lessee_name: str | None
    start_on: date
    end_on: date | None
    snapshot_on: date
    last_confirmed_at: datetime
    parcel_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]
    business_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: LeaseRecord) -> LandLeaseNode:
        return cls(
            lease_id=r.lease_id,
            contract=r.contract,
            status=enum_value(LeaseStatus, r.status),
            is_current=r.is_current,
            lessee_kind=enum_value(LesseeKind, r.lessee_kind),
            lessee_name=r.lessee_name,
            start_on=r.start_on,
            end_on=r.end_on,
            snapshot_on=r.snapshot_on,
            last_confirmed_at=r.last_confirmed_at,
            parcel_id=r.parcel_id,
            person_id=r.person_id,
            business_id=r.business_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.lease_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LandLeaseNode | None]:
        return await load_nodes(info.context.loaders.lease, list(node_ids), cls.of)

    @strawberry.field
    def parcel(self, info: Info) -> ParcelNode:
        return now_or_later(info.context.loaders.parcel, self.parcel_id, _parcel)

    @described("The lessee when a person.")
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)

    @described(
        "For a household plot: the household of its lessee (null for other purposes, a "
        "legal-entity lessee, or a lessee no survey places in a household)."
    )
    async def household(
        self, info: Info
    ) -> Annotated[HouseholdNode, strawberry.lazy("hub.api.people.household_types")] | None:
        from hub.api.people.household_types import HouseholdNode

        if self.person_id is None:
            return None
        parcel = await info.context.loaders.parcel.load(self.parcel_id)
        if parcel is None or parcel.purpose != HOUSEHOLD_PLOT:
            return None
        person = await info.context.loaders.person.load(self.person_id)
        if person is None or person.household_id is None:
            return None
        household = await info.context.loaders.household.load(person.household_id)
        return None if household is None else HouseholdNode.of(household)

    @described("The lessee when a legal entity.")
    def business(self, info: Info) -> BusinessNode | None:
        if self.business_id is None:
            return None
        loader = info.context.loaders.business
        return now_or_later(loader, self.business_id, optional(BusinessNode.of))


def _business_sources(records: list[BusinessSourceRecord]) -> list[BusinessSource]:
    return [BusinessSource.of(r) for r in records]
