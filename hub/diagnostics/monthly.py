"""Monthly indicators per mahalla, district, region and the country, from the graph.

A month is a calendar month (`month_on` = its first day). Flows count the records dated in
the month; stocks count what was known by its last day. Each figure's place is the linked
person's mahalla, else the record's own (parcels: the parcel's).

- households, population (stock): households surveyed by the month's end, and their
  members; households.assessed.N / households.computed.N by category (1..4, unknown).
- unemployed (stock): people whose latest employment status by the month's end is
  unemployed.
- placed, public_works, training_referrals (flow): employment statuses employed,
  public_works, training dated in the month.
- self_employed, entrepreneurs (flow): tax registrations of that regime in the month.
- land.leases, land.hectares, and .<purpose> of each (flow): leases starting in the month.
- loans.count, loans.sum_uzs, and .<programme> of each (flow): issued in the month.
- loans.to_date, loans.overdue_to_date (stock): issued by the month's end, and of those
  the ones whose status is overdue; loans.overdue_share = their ratio (absent at 0 loans).
- appeals.received (and .<topic>), appeals.resolved (flow): received, resolved in the
  month; appeals.resolution_rate = resolved / received (absent when none received);
  appeals.median_days: median days from receipt to resolution of those resolved in it.
- not_surveyed (stock): people with an agency record by the month's end who are in no
  surveyed household.

Training completions are not in the graph (the employment agency sends no completion
status), so there is no completions figure. Every month from the first with data to the
"as of" month has every figure of `ALWAYS` at every territory (0 when nothing happened):
a month with no data is a row of zeros, not a gap. Ratios and medians are computed at each
level from its own counts and appeals, never averaged from the level below.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

import polars as pl
from sqlalchemy.orm import Session

from hub.diagnostics.monthly_sources import MonthlySources, load_monthly_sources

COUNTRY = "UZ"
# Each level and the territory column that names its code.
LEVELS = {
    "mahalla": "mahalla_code",
    "district": "district_code",
    "region": "region_code",
    "country": "country",
}
ALWAYS = (
    "households",
    "population",
    "unemployed",
    "placed",
    "public_works",
    "training_referrals",
    "self_employed",
    "entrepreneurs",
    "land.leases",
    "land.hectares",
    "loans.count",
    "loans.sum_uzs",
    "loans.to_date",
    "loans.overdue_to_date",
    "appeals.received",
    "appeals.resolved",
    "not_surveyed",
)
EMPLOYMENT_FLOWS = {
    "employed": "placed",
    "public_works": "public_works",
    "training": "training_referrals",
}
REGIMES = {"self_employed": "self_employed", "individual_entrepreneur": "entrepreneurs"}
FIGURE = {"mahalla_code": pl.String, "month_on": pl.Date, "name": pl.String, "value": pl.Float64}


def month_of(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo").cast(pl.Date).alias("month_on")


def month_end(month: date) -> date:
    following = (
        date(month.year + 1, 1, 1)
        if month.month == 12
        else month.replace(month=month.month + 1, day=1)
    )
    return following - timedelta(days=1)


def month_grid(first: date, last: date) -> list[date]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _count(frame: pl.DataFrame, name: pl.Expr, value: pl.Expr | None = None) -> pl.DataFrame:
    """Sum `value` (default: 1 per row) by mahalla, month and figure name."""
    summed = pl.len().cast(pl.Float64) if value is None else value.sum().cast(pl.Float64)
    grouped = frame.with_columns(name=name).group_by("mahalla_code", "month_on", "name")
    return grouped.agg(value=summed).select(list(FIGURE))


def _cumulative(flows: pl.DataFrame, months: list[date]) -> pl.DataFrame:
    """Flows turned into stocks: each month's value is the sum up to it."""
    keys = flows.select("mahalla_code", "name").unique()
    grid = keys.join(pl.DataFrame({"month_on": months}), how="cross")
    joined = grid.join(flows, on=["mahalla_code", "name", "month_on"], how="left")
    stock = joined.sort("month_on").with_columns(
        value=pl.col("value").fill_null(0.0).cum_sum().over("mahalla_code", "name")
    )
    return stock.select(list(FIGURE))


def _latest_status_stocks(sources: MonthlySources, months: Sequence[date]) -> pl.DataFrame:
    frames = []
    linked = sources.employment.filter(pl.col("person_id").is_not_null())
    for month in months:
        known = linked.filter(pl.col("status_on") <= month_end(month))
        latest = known.sort("status_on", "record_no").group_by("person_id").last()
        unemployed = latest.filter(pl.col("status") == "unemployed")
        frames.append(unemployed.with_columns(month_on=pl.lit(month)))
    people = (
        pl.concat(frames)
        if frames
        else sources.employment.clear().with_columns(month_on=pl.lit(None, pl.Date))
    )
    return _count(people, pl.lit("unemployed"))


def _flows(sources: MonthlySources) -> list[pl.DataFrame]:
    employment = sources.employment.with_columns(month_of("status_on"))
    flows = employment.filter(pl.col("status").is_in(list(EMPLOYMENT_FLOWS)))
    tax = sources.tax.filter(pl.col("regime").is_in(list(REGIMES))).with_columns(
        month_of("registered_on")
    )
    leases = sources.leases.with_columns(month_of("start_on"))
    loans = sources.loans.with_columns(month_of("issued_on"))
    received = sources.appeals.with_columns(month_of("received_on"))
    resolved = sources.appeals.filter(pl.col("resolved_on").is_not_null()).with_columns(
        month_of("resolved_on")
    )
    by_purpose = pl.lit("land.leases.") + pl.col("purpose")
    return [
        _count(flows, pl.col("status").replace_strict(EMPLOYMENT_FLOWS)),
        _count(tax, pl.col("regime").replace_strict(REGIMES)),
        _count(leases, pl.lit("land.leases")),
        _count(leases, by_purpose),
        _count(leases, pl.lit("land.hectares"), pl.col("area_ha")),
        _count(leases, pl.lit("land.hectares.") + pl.col("purpose"), pl.col("area_ha")),
        _count(loans, pl.lit("loans.count")),
        _count(loans, pl.lit("loans.count.") + pl.col("program")),
        _count(loans, pl.lit("loans.sum_uzs"), pl.col("amount_uzs")),
        _count(loans, pl.lit("loans.sum_uzs.") + pl.col("program"), pl.col("amount_uzs")),
        _count(received, pl.lit("appeals.received")),
        _count(received, pl.lit("appeals.received.") + pl.col("topic")),
        _count(resolved.filter(pl.col("status") == "resolved"), pl.lit("appeals.resolved")),
    ]


def _stocks(sources: MonthlySources, grid: list[date], months: list[date]) -> list[pl.DataFrame]:
    households = sources.households.with_columns(month_of("surveyed_on"))
    loans = sources.loans.with_columns(month_of("issued_on"))
    unsurveyed = sources.unsurveyed.with_columns(month_of("first_on"))
    cumulative = [
        _count(households, pl.lit("households")),
        _count(households, pl.lit("population"), pl.col("members")),
        _count(households, pl.lit("households.assessed.") + pl.col("assessed")),
        _count(households, pl.lit("households.computed.") + pl.col("computed")),
        _count(loans, pl.lit("loans.to_date")),
        _count(loans.filter(pl.col("status") == "overdue"), pl.lit("loans.overdue_to_date")),
        _count(unsurveyed, pl.lit("not_surveyed")),
    ]
    return [_cumulative(pl.concat(cumulative), grid), _latest_status_stocks(sources, months)]


def _zeros(mahallas: list[str], months: list[date]) -> pl.DataFrame:
    grid = pl.DataFrame({"mahalla_code": mahallas}).join(
        pl.DataFrame({"month_on": months}), how="cross"
    )
    names = pl.DataFrame({"name": list(ALWAYS)})
    return grid.join(names, how="cross").with_columns(value=pl.lit(0.0)).select(list(FIGURE))


def _by_level(figures: pl.DataFrame, territory: pl.DataFrame) -> pl.DataFrame:
    placed = figures.join(territory, on="mahalla_code")
    frames = []
    for level, column in LEVELS.items():
        summed = placed.group_by(column, "month_on", "name").agg(pl.col("value").sum())
        frames.append(
            summed.select(
                level=pl.lit(level),
                code=pl.col(column),
                month_on="month_on",
                name="name",
                value="value",
            )
        )
    return pl.concat(frames)


def _ratios(figures: pl.DataFrame) -> pl.DataFrame:
    keys = ["level", "code", "month_on"]
    wide = figures.filter(
        pl.col("name").is_in(
            ["loans.to_date", "loans.overdue_to_date", "appeals.received", "appeals.resolved"]
        )
    )
    wide = wide.pivot("name", index=keys, values="value")
    shares = [
        wide.filter(pl.col("loans.to_date") > 0).select(
            *keys,
            name=pl.lit("loans.overdue_share"),
            value=pl.col("loans.overdue_to_date") / pl.col("loans.to_date"),
        ),
        wide.filter(pl.col("appeals.received") > 0).select(
            *keys,
            name=pl.lit("appeals.resolution_rate"),
            value=pl.col("appeals.resolved") / pl.col("appeals.received"),
        ),
    ]
    return pl.concat(shares)


def _median_days(sources: MonthlySources, territory: pl.DataFrame) -> pl.DataFrame:
    resolved = sources.appeals.filter(
        (pl.col("status") == "resolved") & pl.col("resolved_on").is_not_null()
    )
    resolved = resolved.with_columns(
        month_of("resolved_on"), days=pl.col("days").cast(pl.Float64)
    ).join(territory, on="mahalla_code")
    frames = []
    for level, column in LEVELS.items():
        medians = resolved.group_by(column, "month_on").agg(value=pl.col("days").median())
        frames.append(
            medians.select(
                level=pl.lit(level),
                code=pl.col(column),
                month_on="month_on",
                name=pl.lit("appeals.median_days"),
                value="value",
            )
        )
    return pl.concat(frames)


EMPTY = {
    "level": pl.String,
    "code": pl.String,
    "month_on": pl.Date,
    "name": pl.String,
    "value": pl.Float64,
}


def compute_monthly_indicators(
    session: Session, as_of: date, only: Collection[date] | None = None
) -> pl.DataFrame:
    """Every figure of every territory for every month from the first with data to
    `as_of`'s month (or those of them in `only`): columns level, code, month_on, name,
    value. Records dated after `as_of` are not counted."""
    return figures_from(load_monthly_sources(session, as_of), as_of, only)


def figures_from(
    sources: MonthlySources, as_of: date, only: Collection[date] | None = None
) -> pl.DataFrame:
    """`compute_monthly_indicators` over sources already read. A stock needs every month
    before it, so the whole grid is summed; only the months asked for are kept."""
    first = sources.first_month()
    grid = [] if first is None else month_grid(first, as_of)
    months = grid if only is None else [m for m in grid if m in set(only)]
    if not months:
        return pl.DataFrame(schema=EMPTY)
    territory = sources.territory.with_columns(country=pl.lit(COUNTRY))
    mahallas = territory["mahalla_code"].to_list()
    parts = [_zeros(mahallas, months), *_flows(sources), *_stocks(sources, grid, months)]
    figures = pl.concat(parts).filter(pl.col("month_on").is_in(months))
    figures = figures.group_by("mahalla_code", "month_on", "name").agg(pl.col("value").sum())
    leveled = _by_level(figures, territory)
    medians = _median_days(sources, territory).filter(pl.col("month_on").is_in(months))
    result = pl.concat([leveled, _ratios(leveled), medians])
    return result.sort("level", "code", "month_on", "name")
