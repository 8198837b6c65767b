"""A district's or region's statistics in SQL: the sums over its mahallas' indicator rows,
as `hub.api.territory.statistics_data.sum_indicators` adds them up.

The sums come as one row whose columns carry the indicator table's names (counts summed,
0 when there is no row; the leased area rounded to 4 places; `computed_at` the oldest; each
JSON breakdown summed key by key into a JSON object of its own, loans per programme by
count and amount), so the mahalla's mapping of `Statistics` reads them unchanged; plus
`mahalla_count`, the rows summed. PostgreSQL only: SQLite's fields go the regular way.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    FromClause,
    Numeric,
    Select,
    cast,
    func,
    literal_column,
    select,
    true,
)

from hub.api.territory.data import DISTRICT, INDICATORS, MAHALLA
from hub.api.territory.statistics_data import COUNTED, SUMMED


def _members(row: Any, level: str) -> tuple[FromClause, Any, ColumnElement[bool]]:
    """The indicator rows of the territory `row` (a district's or a region's): the join,
    the indicators' alias and the condition naming `row`."""
    indicators, mahalla = INDICATORS.alias(), MAHALLA.alias()
    joined = indicators.join(mahalla, mahalla.c.code == indicators.c.mahalla_code)
    if level == "district":
        return joined, indicators, mahalla.c.district_code == row.c.code
    district = DISTRICT.alias()
    joined = joined.join(district, district.c.code == mahalla.c.district_code)
    return joined, indicators, district.c.region_code == row.c.code


def _per_key(
    row: Any, level: str, column: str, sums: Callable[[Any], dict[str, ColumnElement[Any]]]
) -> Any:
    """Per key of the JSON object column `column` over the territory's indicator rows, the
    sums `sums(items)` names (`items`: the rows' key and JSON value), as a subquery."""
    joined, indicators, condition = _members(row, level)
    items = func.json_each(indicators.c[column]).table_valued("key", "value")
    items = items.render_derived()
    return (
        select(items.c.key, *(value.label(name) for name, value in sums(items).items()))
        .select_from(joined)
        .join(items, true())
        .where(condition)
        .group_by(items.c.key)
        .correlate(row)
        .subquery()
    )


def _breakdown(row: Any, level: str, column: str) -> ColumnElement[Any]:
    """The breakdown `column` summed key by key (None without rows)."""
    per_key = _per_key(
        row,
        level,
        column,
        lambda items: {
            "n": func.sum(cast(items.c.value.op("#>>")(literal_column("'{}'")), BigInteger))
        },
    )
    return (
        select(func.json_object_agg(per_key.c.key, per_key.c.n))
        .select_from(per_key)
        .scalar_subquery()
    )


def _loans(row: Any, level: str) -> ColumnElement[Any]:
    """Loans per programme, count and amount summed (`ProgrammeTotal`)."""

    def part(items: Any, name: str) -> ColumnElement[Any]:
        value = cast(items.c.value.op("->>")(literal_column(f"'{name}'")), BigInteger)
        return func.coalesce(func.sum(func.coalesce(value, 0)), 0)

    per_key = _per_key(
        row,
        level,
        "loans_by_program",
        lambda items: {"n": part(items, "count"), "tiyin": part(items, "amount_tiyin")},
    )
    total = func.json_build_object(
        literal_column("'count'"), per_key.c.n, literal_column("'amount_tiyin'"), per_key.c.tiyin
    )
    return select(func.json_object_agg(per_key.c.key, total)).select_from(per_key).scalar_subquery()


def statistics_sums(level: str) -> Any:
    """The one-row query of the sums of the territory `row` (`Rows(one=True)`)."""

    def rows(row: Any) -> Select[Any]:
        joined, indicators, condition = _members(row, level)
        area = func.round(cast(func.sum(indicators.c.leased_area_ha), Numeric), 4)
        query = (
            select(
                func.count().label("mahalla_count"),
                *(func.coalesce(func.sum(indicators.c[n]), 0).label(n) for n in SUMMED),
                func.coalesce(cast(area, Float), 0.0).label("leased_area_ha"),
                func.min(indicators.c.computed_at).label("computed_at"),
                *(_breakdown(row, level, n).label(n) for n in COUNTED),
                _loans(row, level).label("loans_by_program"),
            )
            .select_from(joined)
            .where(condition)
        )
        return typing.cast("Select[Any]", query)

    return rows
