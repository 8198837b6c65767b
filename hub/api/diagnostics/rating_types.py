"""GraphQL types of the quarterly ratings: assistants (per mahalla, with the components of
the score and the ranks) and the state bodies appeals are addressed to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry

from hub.api.context import Info
from hub.api.diagnostics.lists_data import AssistantRatingRecord, BodyRatingRecord
from hub.api.diagnostics.periods import Quarter
from hub.api.fields import described
from hub.api.relations import ToOne, optional

if TYPE_CHECKING:
    from hub.api.territory.types import AssistantNode, MahallaNode


def _mahalla_node(record: Any) -> Any:
    from hub.api.territory.types import MahallaNode

    return None if record is None else MahallaNode.of(record)


def _assistant_node(record: Any) -> Any:
    from hub.api.territory.types import AssistantNode

    return AssistantNode.of(record)


_MAHALLA = ToOne("mahalla", "mahalla_code", _mahalla_node, shared=True)
_ASSISTANT = ToOne("assistant", "assistant_id", optional(_assistant_node))


@strawberry.type(
    description="One part of an assistant's score: the quarter's value, per "
    "`ratings.per_households` households, times its weight (hub/diagnostics/rules.toml)."
)
class RatingComponent:
    name: str = strawberry.field(
        description=(
            "placed, self_employment, loans_and_subsidies, appeals_resolved, households_up, "
            "notebook_gaps_closed."
        )
    )
    value: float | None
    per_households: float | None
    weight: float | None
    points: float | None


def _number(part: Any, key: str) -> float | None:
    value = part.get(key) if isinstance(part, dict) else None
    return None if value is None else float(value)


def components_of(components: dict[str, Any]) -> list[RatingComponent]:
    return [
        RatingComponent(
            name=name,
            value=_number(part, "value"),
            per_households=_number(part, "per_households"),
            weight=_number(part, "weight"),
            points=_number(part, "points"),
        )
        for name, part in sorted(components.items())
    ]


@strawberry.type(
    name="AssistantRating",
    description="A mahalla assistant's quarterly score and its ranks (1 = best; ties share "
    "the better rank).",
)
class AssistantRatingType:
    quarter: Quarter
    mahalla_code: str
    assistant_id: str | None = strawberry.field(
        description="The mahalla's assistant when the rating was computed; null if none."
    )
    district_code: str
    region_code: str
    score: float
    rank_in_district: int
    rank_in_region: int
    rank_in_country: int
    components: list[RatingComponent]

    @classmethod
    def of(cls, r: AssistantRatingRecord) -> AssistantRatingType:
        return cls(
            quarter=Quarter(r.quarter_on),
            mahalla_code=r.mahalla_code,
            assistant_id=r.assistant_id,
            district_code=r.district_code,
            region_code=r.region_code,
            score=r.score,
            rank_in_district=r.rank_in_district,
            rank_in_region=r.rank_in_region,
            rank_in_country=r.rank_in_country,
            components=components_of(r.components),
        )

    @strawberry.field
    def mahalla(
        self, info: Info
    ) -> Annotated[MahallaNode, strawberry.lazy("hub.api.territory.types")] | None:
        return cast("MahallaNode | None", _MAHALLA.resolve(self, info))

    @described("The assistant's appointment (the directory's entry).")
    def assistant(
        self, info: Info
    ) -> Annotated[AssistantNode, strawberry.lazy("hub.api.territory.types")] | None:
        return cast("AssistantNode | None", _ASSISTANT.resolve(self, info))


@strawberry.type(
    name="BodyRating",
    description="A state body's handling of the appeals addressed to it in a quarter: the "
    "open rating of the appeals reform. Unranked (null) with too few appeals or no addressee.",
)
class BodyRatingType:
    quarter: Quarter
    body: str
    received: int | None
    resolved: int | None
    resolution_rate: float | None
    median_days: float | None = strawberry.field(
        description="Median days from receipt to resolution of the resolved appeals."
    )
    p90_days: float | None = strawberry.field(description="90th percentile of those days.")
    overdue_open: int | None = strawberry.field(
        description="Appeals still open at the quarter's end and older than `ratings.overdue_days`."
    )
    rank: int | None

    @classmethod
    def of(cls, r: BodyRatingRecord) -> BodyRatingType:
        return cls(
            quarter=Quarter(r.quarter_on),
            body=r.body,
            received=r.received,
            resolved=r.resolved,
            resolution_rate=r.resolution_rate,
            median_days=r.median_days,
            p90_days=r.p90_days,
            overdue_open=r.overdue_open,
            rank=r.rank,
        )
