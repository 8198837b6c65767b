"""Root fields over regions, districts and mahallas."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import strawberry
from sqlalchemy import Connection as Database

from hub.api.context import Info
from hub.api.errors import NotFoundError
from hub.api.fields import described
from hub.api.pagination import Connection, PageArgs, paginate, paginate_rows
from hub.api.principal import Role
from hub.api.relations import Relation, field_paths, node_paths, warm
from hub.api.territory import bundles, data
from hub.api.territory.codes import checked_code
from hub.api.territory.filters import TerritoryFilter, TerritoryOrderBy
from hub.api.territory.types import (
    DISTRICT_RELATIONS,
    MAHALLA_RELATIONS,
    REGION_RELATIONS,
    DistrictNode,
    MahallaNode,
    RegionNode,
)

R = TypeVar("R")
N = TypeVar("N")


async def _listed(
    info: Info,
    criteria: data.TerritoryCriteria,
    args: PageArgs,
    fetch: Callable[[Database, data.TerritoryCriteria, int, int], list[R]],
    count: Callable[[Database, data.TerritoryCriteria], int],
    convert: Callable[[R], N],
    relations: Mapping[str, Relation],
) -> Connection[N]:
    db = info.context.db

    async def page(offset: int, limit: int) -> list[N]:
        records = await db.run(fetch, criteria, offset, limit)
        nodes = [convert(r) for r in records]
        await warm(info, nodes, relations)
        return nodes

    async def total() -> int:
        return await db.run(count, criteria)

    return await paginate(args, page, total)


async def _primed_bundles(
    info: Info, codes: list[str], parts: frozenset[str]
) -> list[bundles.MahallaBundle | None]:
    found = await info.context.db.run(bundles.fetch_mahalla_bundles, codes, parts)
    bundles.prime(info.context.loaders, found, parts)
    return found


async def _mahalla_page(
    info: Info, criteria: data.TerritoryCriteria, args: PageArgs
) -> Connection[MahallaNode]:
    """A page of mahallas read with the relations the query selects on them that a bundle
    carries, in one statement."""
    db = info.context.db
    parts = bundles.parts_of(node_paths(info))

    async def fetch(offset: int, limit: int) -> Sequence[Sequence[Any]]:
        return await db.run(bundles.fetch_mahalla_page_rows, criteria, offset, limit, parts)

    async def nodes(rows: Sequence[Sequence[Any]]) -> list[MahallaNode]:
        found = [bundles.bundle_of(row, parts) for row in rows]
        bundles.prime(info.context.loaders, found, parts)
        built = [MahallaNode.of(bundle.mahalla) for bundle in found]
        await warm(info, built, MAHALLA_RELATIONS)
        return built

    async def total() -> int:
        return await db.run(data.count_mahallas, criteria)

    return await paginate_rows(args, fetch, total, nodes)


@strawberry.type
class TerritoryQuery:
    @described("The region with this 4-digit code; NOT_FOUND if none.")
    async def region(self, info: Info, code: str) -> RegionNode:
        record = await info.context.loaders.region.load(checked_code("code", code, level="region"))
        if record is None:
            raise NotFoundError(f"No region has code {code}.", argument="code")
        return RegionNode.of(record)

    @strawberry.field
    async def regions(
        self,
        info: Info,
        filter: TerritoryFilter | None = None,
        order_by: TerritoryOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[RegionNode]:
        criteria = (filter or TerritoryFilter()).criteria(order_by)
        args = PageArgs(first, after, last, before)
        return await _listed(
            info,
            criteria,
            args,
            data.fetch_regions,
            data.count_regions,
            RegionNode.of,
            REGION_RELATIONS,
        )

    @described("The district with this 7-digit code; NOT_FOUND if none.")
    async def district(self, info: Info, code: str) -> DistrictNode:
        record = await info.context.loaders.district.load(
            checked_code("code", code, level="district")
        )
        if record is None:
            raise NotFoundError(f"No district has code {code}.", argument="code")
        return DistrictNode.of(record)

    @strawberry.field
    async def districts(
        self,
        info: Info,
        filter: TerritoryFilter | None = None,
        order_by: TerritoryOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DistrictNode]:
        criteria = (filter or TerritoryFilter()).criteria(order_by)
        args = PageArgs(first, after, last, before)
        return await _listed(
            info,
            criteria,
            args,
            data.fetch_districts,
            data.count_districts,
            DistrictNode.of,
            DISTRICT_RELATIONS,
        )

    @described("The mahalla with this 10-digit code; NOT_FOUND if none.")
    async def mahalla(self, info: Info, code: str) -> MahallaNode:
        checked = checked_code("code", code, level="mahalla")
        parts = bundles.parts_of(field_paths(info))
        (bundle,) = await _primed_bundles(info, [checked], parts)
        if bundle is None:
            raise NotFoundError(f"No mahalla has code {code}.", argument="code")
        return MahallaNode.of(bundle.mahalla)

    @strawberry.field
    async def mahallas(
        self,
        info: Info,
        filter: TerritoryFilter | None = None,
        order_by: TerritoryOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MahallaNode]:
        criteria = (filter or TerritoryFilter()).criteria(order_by)
        if info.context.principal.role is Role.PUBLIC:  # its suppressed counts order as unknown
            criteria = replace(criteria, public_threshold=info.context.suppression_threshold)
        args = PageArgs(first, after, last, before)
        return await _mahalla_page(info, criteria, args)
