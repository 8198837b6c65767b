"""What the monthly monitoring report of a region shows, read from the precomputed tables
only (`monthly_indicator` and the territory): nothing is recomputed from the graph.

A region's report for a month has one `DistrictPage` per district of the region (by code):
the district's figures for the month and the month before, its last twelve months of the
figures the charts draw, and each of its mahallas' figures for the month. A district with
no mahallas has a page that says so; a month with no stored figures gives pages with empty
figures (the HTML says "no figures"), never a missing page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.diagnostics.evidence import read_frame
from hub.graph.models import District, Mahalla, MonthlyIndicator, Region

SERIES_MONTHS = 12
# The figures each district page tabulates, in order, with how a reader names them.
TABLE = {
    "households": "Households surveyed",
    "population": "Population of surveyed households",
    "unemployed": "Unemployed",
    "placed": "Placed in jobs",
    "self_employed": "Registered self-employed",
    "entrepreneurs": "Registered entrepreneurs",
    "public_works": "Public works",
    "training_referrals": "Training referrals",
    "land.leases": "Land leases",
    "land.hectares": "Land leased, ha",
    "loans.count": "Loans and subsidies",
    "loans.sum_uzs": "Loans and subsidies, UZS",
    "loans.overdue_share": "Overdue share of loans",
    "appeals.received": "Appeals received",
    "appeals.resolved": "Appeals resolved",
    "appeals.resolution_rate": "Appeal resolution rate",
    "appeals.median_days": "Median days to resolve",
    "not_surveyed": "In agency data, not surveyed",
}
SERIES = ("placed", "self_employed", "entrepreneurs", "appeals.received", "appeals.resolved")
MAHALLA_FIGURES = ("households", "unemployed", "placed", "appeals.received", "not_surveyed")


@dataclass(frozen=True)
class DistrictPage:
    code: str
    name: str
    mahallas: dict[str, str]
    """Code -> name of the district's mahallas (empty: a district with no mahallas)."""
    month: dict[str, float]
    previous: dict[str, float]
    series: pl.DataFrame
    """month_on, then one column per figure of `SERIES` (the months with stored figures)."""
    by_mahalla: pl.DataFrame
    """mahalla_code, name, then one column per figure of `MAHALLA_FIGURES` for the month."""


@dataclass(frozen=True)
class RegionReport:
    code: str
    name: str
    month: date
    districts: list[DistrictPage] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return any(page.month for page in self.districts)


def shift_month(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def report_regions(session: Session) -> dict[str, str]:
    """Code -> name of every region, by code."""
    return dict(session.execute(select(Region.code, Region.name).order_by(Region.code)).all())


def _figures(
    session: Session, level: str, codes: list[str], first: date, last: date
) -> pl.DataFrame:
    stmt = select(
        MonthlyIndicator.code,
        MonthlyIndicator.month_on,
        MonthlyIndicator.name,
        MonthlyIndicator.value,
    ).where(
        MonthlyIndicator.level == level,
        MonthlyIndicator.code.in_(codes),
        MonthlyIndicator.month_on >= first,
        MonthlyIndicator.month_on <= last,
    )
    schema = {"code": pl.String, "month_on": pl.Date, "name": pl.String, "value": pl.Float64}
    return read_frame(session, stmt, schema)


def _of(frame: pl.DataFrame, code: str, month: date) -> dict[str, float]:
    rows = frame.filter((pl.col("code") == code) & (pl.col("month_on") == month))
    return dict(zip(rows["name"].to_list(), rows["value"].to_list(), strict=True))


def _series(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    rows = frame.filter((pl.col("code") == code) & pl.col("name").is_in(list(SERIES)))
    wide = pl.DataFrame(
        {"month_on": sorted(rows["month_on"].unique().to_list())}, schema={"month_on": pl.Date}
    )
    for name in SERIES:
        values = rows.filter(pl.col("name") == name).select("month_on", pl.col("value").alias(name))
        wide = wide.join(values, on="month_on", how="left")
    return wide.with_columns(pl.col(list(SERIES)).fill_null(0.0))


def _by_mahalla(frame: pl.DataFrame, mahallas: dict[str, str], month: date) -> pl.DataFrame:
    names = pl.DataFrame(
        {"mahalla_code": list(mahallas), "name": list(mahallas.values())},
        schema={"mahalla_code": pl.String, "name": pl.String},
    )
    rows = frame.filter(pl.col("month_on") == month)
    for figure in MAHALLA_FIGURES:
        values = rows.filter(pl.col("name") == figure).select(
            mahalla_code="code", **{figure: "value"}
        )
        names = names.join(values, on="mahalla_code", how="left")
    return names.sort("mahalla_code")


def read_region_report(session: Session, region: str, name: str, month: date) -> RegionReport:
    """The report of `region` (named `name`) for `month` (its first day)."""
    month = month.replace(day=1)
    districts = dict(
        session.execute(
            select(District.code, District.name)
            .where(District.region_code == region)
            .order_by(District.code)
        ).all()
    )
    mahalla_rows = session.execute(
        select(Mahalla.code, Mahalla.name, Mahalla.district_code)
        .join(District, District.code == Mahalla.district_code)
        .where(District.region_code == region)
        .order_by(Mahalla.code)
    ).all()
    first = shift_month(month, -(SERIES_MONTHS - 1))
    district_figures = _figures(session, "district", list(districts), first, month)
    mahalla_figures = _figures(session, "mahalla", [m.code for m in mahalla_rows], month, month)
    pages = []
    for code, district_name in districts.items():
        mahallas = {m.code: m.name for m in mahalla_rows if m.district_code == code}
        pages.append(
            DistrictPage(
                code=code,
                name=district_name,
                mahallas=mahallas,
                month=_of(district_figures, code, month),
                previous=_of(district_figures, code, shift_month(month, -1)),
                series=_series(district_figures, code),
                by_mahalla=_by_mahalla(mahalla_figures, mahallas, month),
            )
        )
    return RegionReport(code=region, name=name, month=month, districts=pages)
