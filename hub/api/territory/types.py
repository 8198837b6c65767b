"""GraphQL types of the territory: Region, District, Mahalla, Assistant (Relay nodes keyed
by their codes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, connection_of_list
from hub.api.territory.data import AssistantRecord, DistrictRecord, MahallaRecord, RegionRecord
from hub.api.territory.statistics_types import Statistics

if TYPE_CHECKING:
    from hub.api.people.types import HouseholdNode, PersonNode


@strawberry.type(name="Region", description="A region (viloyat), keyed by its 4-digit SOATO.")
class RegionNode(relay.Node):
    code: str
    name: str
    name_ru: str | None
    iso_code: str | None = strawberry.field(description="ISO 3166-2 code, e.g. UZ-AN.")

    @classmethod
    def of(cls, r: RegionRecord) -> RegionNode:
        return cls(code=r.code, name=r.name, name_ru=r.name_ru, iso_code=r.iso_code)

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.code

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[RegionNode | None]:
        return await load_nodes(info.context.loaders.region, list(node_ids), cls.of)

    @described("The region's districts and cities, by code.")
    async def districts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DistrictNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.districts_of_region.load(self.code)
        return connection_of_list([DistrictNode.of(r) for r in records], args)

    @described("Sums of the indicators of the region's mahallas.")
    async def statistics(self, info: Info) -> Statistics:
        return Statistics.of(await info.context.loaders.region_statistics.load(self.code))


@strawberry.type(name="District", description="A district or city, keyed by its 7-digit SOATO.")
class DistrictNode(relay.Node):
    code: str
    name: str
    region_code: str

    @classmethod
    def of(cls, r: DistrictRecord) -> DistrictNode:
        return cls(code=r.code, name=r.name, region_code=r.region_code)

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.code

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[DistrictNode | None]:
        return await load_nodes(info.context.loaders.district, list(node_ids), cls.of)

    @strawberry.field
    async def region(self, info: Info) -> RegionNode:
        record = await info.context.loaders.region.load(self.region_code)
        if record is None:
            raise LookupError(f"District {self.code} has no region {self.region_code}.")
        return RegionNode.of(record)

    @described("The district's mahallas, by code.")
    async def mahallas(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MahallaNode]:
        args = PageArgs(first, after, last, before)
        records = await info.context.loaders.mahallas_of_district.load(self.code)
        return connection_of_list([MahallaNode.of(r) for r in records], args)

    @described("Sums of the indicators of the district's mahallas.")
    async def statistics(self, info: Info) -> Statistics:
        return Statistics.of(await info.context.loaders.district_statistics.load(self.code))


@strawberry.type(
    name="Mahalla", description="A mahalla citizens' assembly, keyed by its 10-digit code."
)
class MahallaNode(relay.Node):
    code: str
    name: str
    stir: str | None = strawberry.field(description="Tax number of the mahalla assembly.")
    district_code: str
    last_confirmed_at: datetime

    @classmethod
    def of(cls, r: MahallaRecord) -> MahallaNode:
        return cls(
            code=r.code,
            name=r.name,
            stir=r.stir,
            district_code=r.district_code,
            last_confirmed_at=r.last_confirmed_at,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.code

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MahallaNode | None]:
        return await load_nodes(info.context.loaders.mahalla, list(node_ids), cls.of)

    @strawberry.field
    async def district(self, info: Info) -> DistrictNode:
        record = await info.context.loaders.district.load(self.district_code)
        if record is None:
            raise LookupError(f"Mahalla {self.code} has no district {self.district_code}.")
        return DistrictNode.of(record)

    @described("The current khokim assistant, if one is appointed.")
    async def assistant(self, info: Info) -> AssistantNode | None:
        record = await info.context.loaders.current_assistant.load(self.code)
        return None if record is None else AssistantNode.of(record)

    @described("Indicators of the mahalla; null until first computed.")
    async def statistics(self, info: Info) -> Statistics | None:
        record = await info.context.loaders.mahalla_statistics.load(self.code)
        return None if record is None else Statistics.of(record)

    @described("The mahalla's households by hub id (one statement per mahalla).")
    async def households(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[HouseholdNode, strawberry.lazy("hub.api.people.types")]]:
        from hub.api.people.queries import households_in_mahalla

        return await households_in_mahalla(info, self.code, PageArgs(first, after, last, before))

    @described("The mahalla's people by hub id (one statement per mahalla).")
    async def persons(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[PersonNode, strawberry.lazy("hub.api.people.types")]]:
        from hub.api.people.queries import persons_in_mahalla

        return await persons_in_mahalla(info, self.code, PageArgs(first, after, last, before))


@strawberry.type(name="Assistant", description="A khokim assistant's appointment to a mahalla.")
class AssistantNode(relay.Node):
    assistant_id: str
    full_name: str
    phone: str | None
    mahalla_code: str
    appointed_on: date
    is_current: bool

    @classmethod
    def of(cls, r: AssistantRecord) -> AssistantNode:
        return cls(
            assistant_id=r.id,
            full_name=r.full_name,
            phone=r.phone,
            mahalla_code=r.mahalla_code,
            appointed_on=r.appointed_on,
            is_current=r.is_current,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.assistant_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[AssistantNode | None]:
        return await load_nodes(info.context.loaders.assistant, list(node_ids), cls.of)

    @strawberry.field
    async def mahalla(self, info: Info) -> MahallaNode:
        record = await info.context.loaders.mahalla.load(self.mahalla_code)
        if record is None:
            raise LookupError(f"Assistant {self.assistant_id} has no mahalla {self.mahalla_code}.")
        return MahallaNode.of(record)
