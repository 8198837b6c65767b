"""The 14 region codes (SOATO, domain/TERRITORY.md), the partitions they make, and the region
of a row.

A row's region is the first four digits of its `mahalla_code` when they name one of the 14
regions. A row without a mahalla code (tax and bank may leave it empty), or whose code names
no region, has no region: it is loaded by the country-wide step (`COUNTRY`), never lost.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl
from dagster import StaticPartitionsDefinition
from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import InstrumentedAttribute

from hub.graph.models import Parcel
from hub.identity import REGIONS_BY_SOATO

REGION_CODES: Final[tuple[str, ...]] = tuple(sorted(REGIONS_BY_SOATO))
"""The 14 SOATO region codes, in code order."""

REGIONS: Final = StaticPartitionsDefinition(list(REGION_CODES))
"""One partition per region."""

COUNTRY: Final = "country"
"""The bucket of rows with no region, loaded by the country-wide step."""


def region_expr(column: str = "mahalla_code") -> pl.Expr:
    """The region code of each row's `column` (null when it names none of the 14)."""
    prefix = pl.col(column).cast(pl.String).str.slice(0, 4)
    return pl.when(prefix.is_in(list(REGION_CODES))).then(prefix).otherwise(None)


def rows_of(frame: pl.DataFrame, region: str) -> pl.DataFrame:
    """The rows of `frame` in `region` (a region code, or `COUNTRY` for those with none)."""
    if region != COUNTRY and region not in REGION_CODES:
        raise ValueError(f"Region '{region}' is not one of the 14 region codes {REGION_CODES}.")
    if "mahalla_code" not in frame.columns:
        return frame if region == COUNTRY else frame.clear()
    found = region_expr()
    keep = found.is_null() if region == COUNTRY else found == region
    return frame.filter(keep)


def code_in_region(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], region: str
) -> ColumnElement[bool]:
    """SQL: the mahalla code in `column` starts with the region code `region`.

    Written as the range [region, next code) that an index leading with the column can
    search, the prefix LIKE kept as the exact test: under the database's collation
    (C.UTF-8, not "C") PostgreSQL cannot search an index by a LIKE prefix, so a region's
    lookup read every region's rows of the table, and a region run slowed as the other
    regions' records grew."""
    upper = str(int(region) + 1).zfill(len(region))
    return and_(column >= region, column < upper, column.like(f"{region}%"))


def parcel_in_region(region: str) -> ColumnElement[bool]:
    """SQL: a parcel's mahalla is in `region` (or, for `COUNTRY`, in none of the 14)."""
    if region == COUNTRY:
        prefix = func.substr(Parcel.mahalla_code, 1, 4)
        return or_(Parcel.mahalla_code.is_(None), prefix.not_in(REGION_CODES))
    return code_in_region(Parcel.mahalla_code, region)
