"""Input filters and orderings of the region, district and mahalla lists."""

from __future__ import annotations

from enum import Enum

import strawberry

from hub.api.territory.codes import checked_code
from hub.api.territory.data import TerritoryCriteria, TerritoryOrder
from hub.api.vocabulary import OrderDirection


@strawberry.enum
class TerritoryOrderField(Enum):
    CODE = "code"
    NAME = "name"
    POPULATION = "population"


@strawberry.input(description="POPULATION orders mahallas only; regions and districts by code.")
class TerritoryOrderBy:
    field: TerritoryOrderField = TerritoryOrderField.CODE
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Conditions on territory units; all given conditions must hold.")
class TerritoryFilter:
    region_code: str | None = None
    district_code: str | None = None
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive part of the name."
    )

    def criteria(self, order: TerritoryOrderBy | None) -> TerritoryCriteria:
        order = order or TerritoryOrderBy()
        region = self.region_code
        district = self.district_code
        return TerritoryCriteria(
            region_code=None if region is None else checked_code("regionCode", region),
            district_code=None if district is None else checked_code("districtCode", district),
            name_contains=self.name_contains or None,
            order=TerritoryOrder[order.field.name],
            descending=order.direction is OrderDirection.DESC,
        )
