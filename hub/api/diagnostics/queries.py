"""Root fields of the diagnostics, and the lists a mahalla's fields read.

Root: the country's monthly series, the quarter's assistant ratings and body ratings.
The mahalla's categoryDisagreements, notebookFindings and assistantRating are answered by
the functions below (called from `hub.api.territory.types`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry

from hub.api.context import Info
from hub.api.diagnostics import lists_data as data
from hub.api.diagnostics.finding_types import (
    CategoryDisagreement,
    NotebookFinding,
    NotebookFindingKind,
)
from hub.api.diagnostics.periods import Month, Quarter
from hub.api.diagnostics.rating_types import AssistantRatingType, BodyRatingType
from hub.api.diagnostics.series import monthly_series
from hub.api.diagnostics.series_types import IndicatorMonth
from hub.api.fields import described
from hub.api.pagination import Connection, PageArgs, paginate
from hub.api.territory.codes import checked_code
from hub.api.vocabulary import Notebook
from hub.diagnostics.monthly import COUNTRY

N = TypeVar("N")


async def listed(
    info: Info, criteria: data.ListCriteria, convert: Callable[[Any], N], args: PageArgs
) -> Connection[N]:
    """A page of one diagnostics list; `totalCount` comes with the page's rows (a window
    count), and from a statement of its own only when the page has none to carry it."""
    db = info.context.db
    known: list[int] = []

    async def page(offset: int, limit: int) -> list[N]:
        found = await db.run(data.fetch_page, criteria, offset, limit)
        if found.total is not None:
            known.append(found.total)
        return [convert(r) for r in found.records]

    async def total() -> int:
        return known[0] if known else await db.run(data.count_rows, criteria)

    return await paginate(args, page, total)


async def disagreements_in(
    info: Info, mahalla_code: str, args: PageArgs
) -> Connection[CategoryDisagreement]:
    territory = info.context.loaders.rows.territory
    criteria = data.disagreement_criteria(mahalla_code, territory)
    return await listed(info, criteria, CategoryDisagreement.of, args)


async def findings_in(
    info: Info,
    mahalla_code: str,
    notebook: Notebook | None,
    kind: NotebookFindingKind | None,
    args: PageArgs,
) -> Connection[NotebookFinding]:
    criteria = data.finding_criteria(
        mahalla_code,
        None if notebook is None else notebook.value,
        None if kind is None else kind.value,
        info.context.loaders.rows.territory,
    )
    return await listed(info, criteria, NotebookFinding.of, args)


async def mahalla_rating(
    info: Info, mahalla_code: str, quarter: Quarter
) -> AssistantRatingType | None:
    record = await info.context.loaders.mahalla_rating.load((quarter, mahalla_code))
    return None if record is None else AssistantRatingType.of(record)


From = Annotated[Month, strawberry.argument(name="from", description="The first month.")]
To = Annotated[Month, strawberry.argument(description="The last month (included).")]


@strawberry.type
class DiagnosticsQuery:
    @described(
        "The country's monthly indicators from `from` to `to` (a month with no figures is "
        "left out)."
    )
    async def country_monthly(self, info: Info, from_: From, to: To) -> list[IndicatorMonth]:
        return await monthly_series(info, "country", COUNTRY, from_, to)

    @described(
        "The quarter's assistant ratings, by rank in the narrowest territory filtered on "
        "(district, else region, else country); empty for a quarter not rated."
    )
    async def assistant_ratings(
        self,
        info: Info,
        quarter: Quarter,
        region_code: str | None = None,
        district_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AssistantRatingType]:
        if region_code is not None:
            checked_code("regionCode", region_code)
        if district_code is not None:
            checked_code("districtCode", district_code)
        territory = info.context.loaders.rows.territory
        criteria = data.assistant_rating_criteria(quarter, region_code, district_code, territory)
        args = PageArgs(first, after, last, before)
        return await listed(info, criteria, AssistantRatingType.of, args)

    @described(
        "The quarter's ratings of the state bodies appeals are addressed to, by rank (the "
        "unranked last, by name); empty for a quarter not rated."
    )
    async def body_ratings(
        self,
        info: Info,
        quarter: Quarter,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BodyRatingType]:
        criteria = data.body_rating_criteria(quarter)
        args = PageArgs(first, after, last, before)
        return await listed(info, criteria, BodyRatingType.of, args)
