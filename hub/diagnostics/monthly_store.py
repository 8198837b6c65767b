"""Keeping the monthly indicators: closed months stay as published unless a late record
for them arrives, and then each change is recorded.

The month of the "as of" day is open: its figures are replaced on every refresh. Every
earlier month is closed once it has been written. A refresh recomputes only the open
month, months never written and closed months with late records (or the months a
partitioned run asks for), and a closed month's stored figures change only when a record
dated in that month (survey,
employment status, tax registration, lease start, loan issue, appeal receipt or
resolution) was written after the month's figures were (`last_confirmed_at` later than
their `computed_at`): then the month's figures that the late records' source moves
(`FIGURE_SOURCES`) and that differ are updated, and a `MonthlyIndicatorRevision` row keeps
the old and the new value and names the sources. Otherwise a difference is
the graph's state moving on (an employment record's later status overwrites its earlier
one, a loan falls overdue) and the month keeps the figures it was published with.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.diagnostics.evidence import read_frame
from hub.diagnostics.frame_writes import upsert_frame
from hub.diagnostics.monthly import figures_from, month_grid
from hub.diagnostics.monthly_sources import load_monthly_sources
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
    """What a refresh did: the months it rebuilt, figures written, closed-month figures
    revised (late records), and closed-month differences left as published."""

    written: int
    revised: int
    kept: int
    months: tuple[date, ...] = ()


def _published(session: Session) -> dict[date, datetime]:
    """Each stored month and when its figures were last refreshed (the latest row: a
    refresh stamps what it writes with the time it started reading the graph)."""
    stmt = select(MonthlyIndicator.month_on, func.max(MonthlyIndicator.computed_at)).group_by(
        MonthlyIndicator.month_on
    )
    return {month: at for month, at in session.execute(stmt)}


def _stored(session: Session, months: list[date]) -> pl.DataFrame:
    stmt = select(
        MonthlyIndicator.level,
        MonthlyIndicator.code,
        MonthlyIndicator.month_on,
        MonthlyIndicator.name,
        MonthlyIndicator.value,
    ).where(MonthlyIndicator.month_on.in_(months))
    schema = {
        "level": pl.String,
        "code": pl.String,
        "month_on": pl.Date,
        "name": pl.String,
        "stored": pl.Float64,
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
    session: Session, published: dict[date, datetime], open_month: date
) -> dict[date, set[str]]:
    """Closed months with records written after the month's figures, and their sources."""
    if not published:
        return {}
    writes = _late_writes(session, min(published.values()))
    late: dict[date, set[str]] = {}
    for month, since in published.items():
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


def months_to_rebuild(
    grid: list[date],
    published: dict[date, datetime],
    late: dict[date, set[str]],
    open_month: date,
    only: Collection[date] | None = None,
) -> list[date]:
    """The months a refresh recomputes: those in `only` (a partition range asked for by
    hand), else the open month, months never written and months with late records."""
    if only is not None:
        wanted = set(only)
        return [m for m in grid if m in wanted]
    return [m for m in grid if m == open_month or m not in published or m in late]


def _first_month(session: Session, as_of: date) -> date | None:
    """The first month a record is dated in, up to `as_of` (None: nothing dated)."""
    days = []
    for _, dated, _ in DATED:
        day = session.scalar(select(func.min(dated)))
        if day is not None:
            days.append(day.date() if isinstance(day, datetime) else day)
    known = [d for d in days if d <= as_of]
    return min(known).replace(day=1) if known else None


def months_due(session: Session, as_of: date) -> list[date]:
    """The months a refresh for `as_of` would rebuild, read from the graph without
    computing anything (what the sensor after each load asks the monthly job for)."""
    first = _first_month(session, as_of)
    if first is None:
        return []
    open_month = as_of.replace(day=1)
    published = _published(session)
    late = _late_months(session, published, open_month)
    return months_to_rebuild(month_grid(first, as_of), published, late, open_month)


def refresh_monthly_indicators(
    session: Session, as_of: date, only: Collection[date] | None = None
) -> MonthlyRefresh:
    """Recompute the months that need it (`months_to_rebuild`) up to `as_of` and store
    them by the rules above, in the caller's transaction."""
    now = datetime.now(UTC)
    sources = load_monthly_sources(session, as_of)
    first = sources.first_month()
    if first is None:
        return MonthlyRefresh(0, 0, 0)
    open_month = as_of.replace(day=1)
    published = _published(session)
    late = _late_months(session, published, open_month)
    months = months_to_rebuild(month_grid(first, as_of), published, late, open_month, only)
    if not months:
        return MonthlyRefresh(0, 0, 0)
    computed = figures_from(sources, as_of, months)
    stored = _stored(session, months)
    late_pairs = pl.DataFrame(
        [(month, source) for month, sources in late.items() for source in [*sources, "*"]],
        schema={"month_on": pl.Date, "source": pl.String},
        orient="row",
    )
    fresh = [m for m in months if m == open_month or m not in published]
    joined = computed.join(stored, on=KEY, how="full", coalesce=True).with_columns(
        source=_source_of(pl.col("name"))
    )
    changed = joined.filter(~pl.col("month_on").is_in(fresh) & _changes(joined))
    revisable = changed.join(late_pairs, on=["month_on", "source"], how="semi")
    kept = changed.height - revisable.height
    session.execute(delete(MonthlyIndicator).where(MonthlyIndicator.month_on.in_(fresh)))
    rows = computed.filter(pl.col("month_on").is_in(fresh))
    revised = revisable.with_columns(value=pl.col("value").fill_null(0.0))
    upsert_frame(
        session,
        MonthlyIndicator,
        pl.concat([rows, revised.select(computed.columns)]).with_columns(computed_at=pl.lit(now)),
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
    return MonthlyRefresh(
        written=rows.height + revised.height,
        revised=revised.height,
        kept=kept,
        months=tuple(months),
    )


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
