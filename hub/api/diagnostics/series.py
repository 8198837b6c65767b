"""Reading one territory's monthly series for a field: the arguments checked, the figures
read in one statement and, when the query selects them, the revisions in one more of the
same batch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Connection

from hub.api.context import Info
from hub.api.diagnostics.periods import Month, checked_months
from hub.api.diagnostics.series_data import (
    RevisionRecord,
    SeriesKey,
    fetch_figures,
    fetch_revisions,
)
from hub.api.diagnostics.series_types import IndicatorMonth, MonthFigures
from hub.api.relations import field_paths


async def monthly_series(
    info: Info, level: str, code: str, first: Month, last: Month
) -> list[IndicatorMonth]:
    """The months from `first` to `last` that have figures, ascending. A month without
    figures (before the first data, or not computed yet) is left out. At the mahalla
    level an agency key's territory applies: a mahalla outside it has no months."""
    checked_months(first, last)
    territory = info.context.loaders.rows.territory if level == "mahalla" else None
    key = SeriesKey(level, code, first, last, territory)
    # Revisions selected: read with the figures, in the same batch (one round trip).
    with_revisions = "revisions" in field_paths(info)
    figures, revised = await info.context.db.run(fetch_series, key, with_revisions)

    async def revisions() -> Mapping[date, list[RevisionRecord]]:
        return revised

    return [
        IndicatorMonth(month=Month(month), figure_set=MonthFigures(values), revisions_of=revisions)
        for month, values in figures.items()
    ]


def fetch_series(
    connection: Connection, key: SeriesKey, with_revisions: bool
) -> tuple[dict[date, dict[str, float]], dict[date, list[RevisionRecord]]]:
    figures = fetch_figures(connection, key)
    return figures, fetch_revisions(connection, key) if with_revisions and figures else {}
