"""GraphQL types of the territory: Region, District, Mahalla, Assistant (Relay nodes keyed
by their codes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self, TypeVar, cast

import strawberry
from strawberry import relay

from hub.api.context import Info
from hub.api.diagnostics import queries as diagnostics
from hub.api.diagnostics.finding_types import (
    CategoryDisagreement,
    NotebookFinding,
    NotebookFindingKind,
)
from hub.api.diagnostics.periods import Quarter
from hub.api.diagnostics.queries import From, To
from hub.api.diagnostics.rating_types import AssistantRatingType
from hub.api.diagnostics.series import monthly_series
from hub.api.diagnostics.series_types import IndicatorMonth
from hub.api.fields import described
from hub.api.nodes import load_nodes
from hub.api.pagination import Connection, PageArgs, connection_of_list
from hub.api.principal import Role
from hub.api.relations import Relation, ToOne, optional, warm
from hub.api.territory.data import AssistantRecord, DistrictRecord, MahallaRecord, RegionRecord
from hub.api.territory.statistics_types import Statistics
from hub.api.territory.withheld import public_statistics
from hub.api.vocabulary import Notebook

R = TypeVar("R")
N = TypeVar("N")


def _required(convert: Callable[[R], N]) -> Callable[[R | None], N]:
    """`convert`, failing loudly when a foreign key points at nothing (a data defect)."""

    def converted(record: R | None) -> N:
        if record is None:
            raise LookupError("A required related record is missing from the graph.")
        return convert(record)

    return converted


if TYPE_CHECKING:
    from hub.api.people.household_types import HouseholdNode
    from hub.api.people.person_types import PersonNode

# To-one relations of the territory (see hub.api.relations.ToOne); each converter looks its
# node class up when called, so a relation can point at a class defined further down.
_REGION = ToOne("region", "region_code", _required(lambda r: RegionNode.of(r)))
_DISTRICT = ToOne("district", "district_code", _required(lambda r: DistrictNode.of(r)))
_MAHALLA = ToOne("mahalla", "mahalla_code", _required(lambda r: MahallaNode.of(r)))
_ASSISTANT = ToOne("current_assistant", "code", optional(lambda r: AssistantNode.of(r)))
_REGION_STATISTICS = ToOne("region_statistics", "code", Statistics.of)
_DISTRICT_STATISTICS = ToOne("district_statistics", "code", Statistics.of)
_MAHALLA_STATISTICS = ToOne("mahalla_statistics", "code", optional(Statistics.of))


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
        connection = connection_of_list([DistrictNode.of(r) for r in records], args)
        await warm(info, [edge.node for edge in connection.edges], DISTRICT_RELATIONS)
        return connection

    @described("Sums of the indicators of the region's mahallas.")
    def statistics(self, info: Info) -> Statistics:
        return cast(Statistics, _REGION_STATISTICS.resolve(self, info))

    @described(
        "The region's monthly indicators from `from` to `to` (months without figures left out)."
    )
    async def monthly(self, info: Info, from_: From, to: To) -> list[IndicatorMonth]:
        return await monthly_series(info, "region", self.code, from_, to)


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
    def region(self, info: Info) -> RegionNode:
        return cast(RegionNode, _REGION.resolve(self, info))

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
        connection = connection_of_list([MahallaNode.of(r) for r in records], args)
        await warm(info, [edge.node for edge in connection.edges], MAHALLA_RELATIONS)
        return connection

    @described("Sums of the indicators of the district's mahallas.")
    def statistics(self, info: Info) -> Statistics:
        resolved = _DISTRICT_STATISTICS.resolve(self, info)
        if info.context.principal.role is Role.PUBLIC:  # its region's other districts
            return cast(
                Statistics,
                public_statistics(info, resolved, "district", self.code, self.region_code),
            )
        return cast(Statistics, resolved)

    @described(
        "The district's monthly indicators from `from` to `to` (months without figures left out)."
    )
    async def monthly(self, info: Info, from_: From, to: To) -> list[IndicatorMonth]:
        return await monthly_series(info, "district", self.code, from_, to)


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
    def district(self, info: Info) -> DistrictNode:
        return cast(DistrictNode, _DISTRICT.resolve(self, info))

    @described("The current khokim assistant, if one is appointed.")
    def assistant(self, info: Info) -> AssistantNode | None:
        return cast(AssistantNode | None, _ASSISTANT.resolve(self, info))

    @described("Indicators of the mahalla; null until first computed.")
    def statistics(self, info: Info) -> Statistics | None:
        resolved = _MAHALLA_STATISTICS.resolve(self, info)
        if info.context.principal.role is Role.PUBLIC:  # its district's other mahallas
            return cast(
                Statistics | None,
                public_statistics(info, resolved, "mahalla", self.code, self.district_code),
            )
        return cast(Statistics | None, resolved)

    @described(
        "The mahalla's monthly indicators from `from` to `to` (months without figures left out)."
    )
    async def monthly(self, info: Info, from_: From, to: To) -> list[IndicatorMonth]:
        return await monthly_series(info, "mahalla", self.code, from_, to)

    @described("The assistant's rating for `quarter`; null when not rated.")
    async def assistant_rating(self, info: Info, quarter: Quarter) -> AssistantRatingType | None:
        return await diagnostics.mahalla_rating(info, self.code, quarter)

    @described("Households whose assessed and computed categories differ, by rule, household.")
    async def category_disagreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CategoryDisagreement]:
        args = PageArgs(first, after, last, before)
        return await diagnostics.disagreements_in(info, self.code, args)

    @described("Notebook gaps: people eligible and not entered, or entered and not eligible.")
    async def notebook_findings(
        self,
        info: Info,
        notebook: Notebook | None = None,
        kind: NotebookFindingKind | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NotebookFinding]:
        args = PageArgs(first, after, last, before)
        return await diagnostics.findings_in(info, self.code, notebook, kind, args)

    @described("The mahalla's households by hub id (one statement per mahalla).")
    async def households(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[HouseholdNode, strawberry.lazy("hub.api.people.household_types")]]:
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
    ) -> Connection[Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")]]:
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
    def mahalla(self, info: Info) -> MahallaNode:
        return cast(MahallaNode, _MAHALLA.resolve(self, info))


# The relations a page of districts or mahallas warms (see hub.api.relations.warm).
DISTRICT_RELATIONS: dict[str, Relation] = {
    "region": lambda loaders: (loaders.region, lambda n: n.region_code),
    "statistics": lambda loaders: (loaders.district_statistics, lambda n: n.code),
}
MAHALLA_RELATIONS: dict[str, Relation] = {
    "district": lambda loaders: (loaders.district, lambda n: n.district_code),
    "assistant": lambda loaders: (loaders.current_assistant, lambda n: n.code),
    "statistics": lambda loaders: (loaders.mahalla_statistics, lambda n: n.code),
}
REGION_RELATIONS: dict[str, Relation] = {
    "statistics": lambda loaders: (loaders.region_statistics, lambda n: n.code),
}
