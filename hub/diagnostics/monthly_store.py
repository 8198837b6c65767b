"""Keeping the monthly indicators: closed months stay as published unless a late record
for them arrives, and then each change is recorded.

The month of the "as of" day is open: its figures are replaced on every refresh. Every
earlier month is closed once it has been written. A refresh recomputes all months, but a
closed month's stored figures change only when a record dated in that month (survey,
employment status, tax registration, lease start, loan issue, appeal receipt or
resolution) was written after the month's figures were (`last_confirmed_at` later than
their `computed_at`): then the month's figures that the late records' source moves
(`FIGURE_SOURCES`) and that differ are updated, and a `MonthlyIndicatorRevision` row keeps
the old and the new value and names the sources. Otherwise a difference is
the graph's state moving on (an employment record's later status overwrites its earlier
one, a loan falls overdue) and the month keeps the figures it was published with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.diagnostics.evidence import read_frame
from hub.diagnostics.monthly import compute_monthly_indicators
from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    Appeal,
    EmploymentRecord,
    Household,
    LandLease,
    Loan,
    MonthlyIndicator,
    MonthlyIndicatorRevision,
    TaxRegistration,
)

KEY = ["level", "code", "month_on", "name"]
# (what the record says happened, and on which day), per kind of dated record.
DATED: tuple[tuple[str, InstrumentedAttribute[Any], InstrumentedAttribute[datetime]], ...] = (
    ("survey", Household.surveyed_on, Household.last_confirmed_at),
    ("employment", EmploymentRecord.status_on, EmploymentRecord.last_confirmed_at),
    ("tax", TaxRegistration.registered_on, TaxRegistration.last_confirmed_at),
    ("land", LandLease.start_on, LandLease.last_confirmed_at),
    ("bank", Loan.issued_on, Loan.last_confirmed_at),
    ("appeals", Appeal.received_at, Appeal.last_confirmed_at),
    ("appeals", Appeal.resolved_at, Appeal.last_confirmed_at),
)


# The figures each source's records move (by name prefix); not_surveyed moves with any.
FIGURE_SOURCES = {
    "households": "survey",
    "population": "survey",
    "unemployed": "employment",
    "placed": "employment",
    "public_works": "employment",
    "training_referrals": "employment",
    "self_employed": "tax",
    "entrepreneurs": "tax",
    "land.": "land",
    "loans.": "bank",
    "appeals.": "appeals",
}


@dataclass(frozen=True)
class MonthlyRefresh:
    """What a refresh did: figures written, closed-month figures revised (late records),
    and closed-month differences left as published."""

    written: int
    revised: int
    kept: int


def _stored(session: Session, months: list[date]) -> pl.DataFrame:
    stmt = select(
        MonthlyIndicator.level,
        MonthlyIndicator.code,
        MonthlyIndicator.month_on,
        MonthlyIndicator.name,
        MonthlyIndicator.value,
        MonthlyIndicator.computed_at,
    ).where(MonthlyIndicator.month_on.in_(months))
    schema = {
        "level": pl.String,
        "code": pl.String,
        "month_on": pl.Date,
        "name": pl.String,
        "stored": pl.Float64,
        "computed_at": pl.Datetime("us", "UTC"),
    }
    return read_frame(session, stmt, schema)


def _late_writes(session: Session, since: datetime) -> dict[date, list[tuple[str, datetime]]]:
    """Per month, the (source, written at) of records dated in it written after `since`."""
    late: dict[date, list[tuple[str, datetime]]] = {}
    for source, dated, confirmed in DATED:
        stmt = select(dated, confirmed).where(confirmed > since, dated.is_not(None))
        for day, written_at in session.execute(stmt):
            as_date = day.date() if isinstance(day, datetime) else day
            late.setdefault(as_date.replace(day=1), []).append((source, written_at))
    return late


def _late_months(
    session: Session, published: pl.DataFrame, open_month: date
) -> dict[date, set[str]]:
    """Closed months with records written after the month's figures, and their sources."""
    first = published["since"].min()
    if not isinstance(first, datetime):
        return {}
    writes = _late_writes(session, first)
    late: dict[date, set[str]] = {}
    for month, since in published.iter_rows():
        sources = {s for s, at in writes.get(month, []) if at > since}
        if month != open_month and sources:
            late[month] = sources
    return late


def _source_of(name: pl.Expr) -> pl.Expr:
    """The source whose records a figure counts ("*": any source's)."""
    rule: pl.Expr = pl.lit("*")
    for prefix, source in reversed(FIGURE_SOURCES.items()):
        rule = pl.when(name.str.starts_with(prefix)).then(pl.lit(source)).otherwise(rule)
    return rule


def _changes(joined: pl.DataFrame) -> pl.Expr:
    return (pl.col("value").fill_null(0.0) - pl.col("stored").fill_null(0.0)).abs() > 1e-9


def refresh_monthly_indicators(session: Session, as_of: date) -> MonthlyRefresh:
    """Recompute every month up to `as_of` and store it by the rules above, in the
    caller's transaction."""
    computed = compute_monthly_indicators(session, as_of)
    if computed.is_empty():
        return MonthlyRefresh(0, 0, 0)
    months = computed["month_on"].unique().to_list()
    stored = _stored(session, months)
    open_month = as_of.replace(day=1)
    published = stored.group_by("month_on").agg(since=pl.col("computed_at").min())
    late = _late_months(session, published, open_month)
    late_pairs = pl.DataFrame(
        [(month, source) for month, sources in late.items() for source in [*sources, "*"]],
        schema={"month_on": pl.Date, "source": pl.String},
        orient="row",
    )
    already = set(published["month_on"].to_list())
    fresh = [m for m in months if m == open_month or m not in already]
    joined = computed.join(stored, on=KEY, how="full", coalesce=True).with_columns(
        source=_source_of(pl.col("name"))
    )
    changed = joined.filter(~pl.col("month_on").is_in(fresh) & _changes(joined))
    revisable = changed.join(late_pairs, on=["month_on", "source"], how="semi")
    kept = changed.height - revisable.height
    now = datetime.now(UTC)
    session.execute(delete(MonthlyIndicator).where(MonthlyIndicator.month_on.in_(fresh)))
    rows = computed.filter(pl.col("month_on").is_in(fresh))
    revised = revisable.with_columns(value=pl.col("value").fill_null(0.0))
    upsert_rows(
        session,
        MonthlyIndicator,
        pl.concat([rows, revised.select(computed.columns)])
        .with_columns(computed_at=pl.lit(now))
        .to_dicts(),
        key=KEY,
    )
    if not revised.is_empty():
        reasons = {
            month: f"late records dated {month:%Y-%m} from " + ", ".join(sorted(sources))
            for month, sources in late.items()
        }
        revision_rows = revised.select(
            *KEY,
            old_value=pl.col("stored").fill_null(0.0),
            new_value="value",
            reason=pl.col("month_on").replace_strict(reasons, return_dtype=pl.String),
            revised_at=pl.lit(now),
        ).to_dicts()
        session.execute(insert(MonthlyIndicatorRevision), revision_rows)
    return MonthlyRefresh(written=rows.height + revised.height, revised=revised.height, kept=kept)


def read_monthly_series(
    session: Session, level: str, code: str, from_on: date, to_on: date
) -> pl.DataFrame:
    """A territory's figures from `from_on` to `to_on` (months), one row per month
    (`month_on` column) and one column per figure; empty when nothing is stored."""
    stmt = select(MonthlyIndicator.month_on, MonthlyIndicator.name, MonthlyIndicator.value).where(
        MonthlyIndicator.level == level,
        MonthlyIndicator.code == code,
        MonthlyIndicator.month_on >= from_on.replace(day=1),
        MonthlyIndicator.month_on <= to_on,
    )
    long = read_frame(session, stmt, {"month_on": pl.Date, "name": pl.String, "value": pl.Float64})
    if long.is_empty():
        return pl.DataFrame(schema={"month_on": pl.Date})
    wide = long.pivot("name", index="month_on", values="value").sort("month_on")
    return wide.select("month_on", *sorted(c for c in wide.columns if c != "month_on"))
