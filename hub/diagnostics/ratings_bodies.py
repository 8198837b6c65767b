"""The quarterly open rating of the state bodies citizens' appeals are addressed to.

For each quarter (`quarter_on`: its first day; days are Tashkent days) and body
(`addressed_to`):

- received: appeals received in the quarter;
- resolved: of those, resolved by the quarter's end (status `resolved`, resolution day in
  or before the quarter's last day; a rejection is not a resolution);
- resolution_rate: resolved / received (null when none received);
- median_days, p90_days: days from receipt to resolution of the appeals resolved in the
  quarter (whenever received), linear interpolation; null when none;
- overdue_open: appeals received by the quarter's end, still open at its end (not resolved
  or rejected by then), older than `ratings.overdue_days`;
- rank: 1 = best, by resolution rate (higher first), then median days (fewer first), then
  overdue open (fewer first); only bodies with at least `ratings.min_received` appeals
  received in the quarter are ranked.

An appeal with no addressee is counted under `NO_ADDRESSEE` and never ranked: nobody can
be held to it, but its count is itself a finding.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.diagnostics.evidence import read_frame
from hub.diagnostics.monthly import month_end
from hub.diagnostics.rules import RuleBook
from hub.graph.bulk import upsert_rows
from hub.graph.models import Appeal, BodyRating

NO_ADDRESSEE = "(no addressee)"
TASHKENT = "Asia/Tashkent"


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(quarter: date) -> date:
    return month_end(date(quarter.year, quarter.month + 2, 1))


def load_appeals(session: Session) -> pl.DataFrame:
    """Every appeal's body, Tashkent receipt and closing days, and days to close."""
    stmt = select(Appeal.addressed_to, Appeal.received_at, Appeal.resolved_at, Appeal.status)
    schema = {
        "body": pl.String,
        "received_at": pl.Datetime("us", "UTC"),
        "resolved_at": pl.Datetime("us", "UTC"),
        "status": pl.String,
    }
    frame = read_frame(session, stmt, schema)
    local = {c: pl.col(c).dt.convert_time_zone(TASHKENT) for c in ("received_at", "resolved_at")}
    return frame.with_columns(
        body=pl.col("body").fill_null(NO_ADDRESSEE),
        received_on=local["received_at"].dt.date(),
        closed_on=local["resolved_at"].dt.date(),
        days=(pl.col("resolved_at") - pl.col("received_at")).dt.total_seconds() / 86_400,
    )


def rate_bodies(appeals: pl.DataFrame, rules: RuleBook, quarter: date) -> pl.DataFrame:
    """One row per body with an appeal received by the quarter's end (columns of
    `BodyRating` but the bookkeeping ones), from `load_appeals`' frame."""
    first, last = quarter, quarter_end(quarter)
    appeals = appeals.filter(pl.col("received_on") <= last)
    closed_by_end = pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= last)
    resolved_by_end = closed_by_end & (pl.col("status") == "resolved")
    in_quarter = pl.col("received_on") >= first
    resolved_in_quarter = resolved_by_end & (pl.col("closed_on") >= first)
    overdue_since = last - timedelta(days=rules.ratings.overdue_days)
    overdue = ~closed_by_end & (pl.col("received_on") < overdue_since)
    days = pl.col("days").filter(resolved_in_quarter)
    rated = appeals.group_by("body").agg(
        received=in_quarter.sum().cast(pl.Int64),
        resolved=(in_quarter & resolved_by_end).sum().cast(pl.Int64),
        median_days=days.median(),
        p90_days=days.quantile(0.9, interpolation="linear"),
        overdue_open=overdue.sum().cast(pl.Int64),
    )
    rated = rated.with_columns(
        resolution_rate=pl.when(pl.col("received") > 0).then(
            pl.col("resolved") / pl.col("received")
        )
    )
    rankable = (pl.col("received") >= rules.ratings.min_received) & (pl.col("body") != NO_ADDRESSEE)
    ordered = rated.filter(rankable).sort(
        ["resolution_rate", "median_days", "overdue_open", "body"],
        descending=[True, False, False, False],
        nulls_last=True,
    )
    ranks = ordered.with_row_index("rank", offset=1).select("body", pl.col("rank").cast(pl.Int64))
    return rated.join(ranks, on="body", how="left").sort("rank", "body", nulls_last=True)


def refresh_body_ratings(session: Session, rules: RuleBook, as_of: date) -> pl.DataFrame:
    """Rate every quarter from the first appeal's to `as_of`'s; replaces the stored ones."""
    appeals = load_appeals(session)
    session.execute(delete(BodyRating))
    earliest = appeals["received_on"].min()
    if not isinstance(earliest, date):
        return pl.DataFrame()
    quarter, last = quarter_of(earliest), quarter_of(as_of)
    frames = []
    while quarter <= last:
        rated = rate_bodies(appeals, rules, quarter)
        frames.append(rated.with_columns(quarter_on=pl.lit(quarter)))
        quarter = quarter_of(quarter_end(quarter) + timedelta(days=1))
    rated = pl.concat(frames)
    now = datetime.now(UTC)
    rows = rated.with_columns(rules_version=pl.lit(rules.version), computed_at=pl.lit(now))
    upsert_rows(session, BodyRating, rows.to_dicts(), key=["quarter_on", "body"])
    return rated
