"""The quarterly rating of the mahallas' assistants, from the published monthly figures.

For each quarter and mahalla, from `monthly_indicator` (mahalla level; a quarter still
running counts its months so far):

- placed: the sum of `placed` over the quarter's months;
- self_employment: the sum of `self_employed` and `entrepreneurs`;
- loans_and_subsidies: the sum of `loans.count`;
- appeals_resolved: the sum of `appeals.resolved`;
- households_up: households whose computed category is better (a lower number) after
  their last change in the quarter than before their first (`household_category_change`,
  dated by the rebuild's evidence date);
- notebook_gaps_closed: notebook findings that a rebuild in the quarter no longer found
  (`notebook_gap_closed`).

Both count from the history the category and findings rebuilds append, so they start at 0
for quarters before the hub's first rebuild.

Each value is taken per `ratings.per_households` households of the mahalla at the
quarter's last month (0 for a mahalla with none), times its weight
(`ratings.assistant_weights`); the score is the sum, and the components are kept beside it.
Ranks (1 = best, ties share the better rank) are within the district, the region and the
country. The assistant is the mahalla's current one (none: null).
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.diagnostics.evidence import read_frame
from hub.diagnostics.rules import RuleBook
from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    Assistant,
    AssistantRating,
    District,
    HouseholdCategoryChange,
    Mahalla,
    MonthlyIndicator,
    NotebookGapClosed,
)

FLOWS = {
    "placed": ["placed"],
    "self_employment": ["self_employed", "entrepreneurs"],
    "loans_and_subsidies": ["loans.count"],
    "appeals_resolved": ["appeals.resolved"],
}
STOCKS = ["households"]


def _figures(session: Session) -> pl.DataFrame:
    names = [n for group in FLOWS.values() for n in group] + STOCKS
    stmt = select(
        MonthlyIndicator.code,
        MonthlyIndicator.month_on,
        MonthlyIndicator.name,
        MonthlyIndicator.value,
    ).where(MonthlyIndicator.level == "mahalla", MonthlyIndicator.name.in_(names))
    schema = {
        "mahalla_code": pl.String,
        "month_on": pl.Date,
        "name": pl.String,
        "value": pl.Float64,
    }
    long = read_frame(session, stmt, schema)
    wide = long.pivot("name", index=["mahalla_code", "month_on"], values="value")
    missing = [pl.lit(0.0).alias(n) for n in names if n not in wide.columns]
    return (
        wide.with_columns(*missing)
        .fill_null(0.0)
        .with_columns(
            quarter_on=_quarter(pl.col("month_on")),
        )
    )


def _quarter(of: pl.Expr) -> pl.Expr:
    return pl.date(of.dt.year(), (of.dt.month() - 1) // 3 * 3 + 1, 1)


def _history(session: Session) -> pl.DataFrame:
    """households_up and notebook_gaps_closed per mahalla and quarter, from the history."""
    changes = read_frame(
        session,
        select(
            HouseholdCategoryChange.household_id,
            HouseholdCategoryChange.mahalla_code,
            HouseholdCategoryChange.as_of_on,
            HouseholdCategoryChange.from_category,
            HouseholdCategoryChange.to_category,
        ).order_by(HouseholdCategoryChange.as_of_on, HouseholdCategoryChange.id),
        {"household_id": pl.Int64, "mahalla_code": pl.String, "as_of_on": pl.Date,
         "from_category": pl.Int64, "to_category": pl.Int64},
    )  # fmt: skip
    up = (
        changes.with_columns(quarter_on=_quarter(pl.col("as_of_on")))
        .group_by("household_id", "quarter_on", maintain_order=True)
        .agg(
            pl.col("mahalla_code").last(),
            pl.col("from_category").first(),
            pl.col("to_category").last(),
        )
        .filter(pl.col("to_category") < pl.col("from_category"))
        .group_by("mahalla_code", "quarter_on")
        .agg(households_up=pl.len().cast(pl.Float64))
    )
    closed = read_frame(
        session,
        select(NotebookGapClosed.mahalla_code, NotebookGapClosed.as_of_on),
        {"mahalla_code": pl.String, "as_of_on": pl.Date},
    )
    gaps = (
        closed.with_columns(quarter_on=_quarter(pl.col("as_of_on")))
        .group_by("mahalla_code", "quarter_on")
        .agg(notebook_gaps_closed=pl.len().cast(pl.Float64))
    )
    return up.join(gaps, on=["mahalla_code", "quarter_on"], how="full", coalesce=True)


def _components(figures: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    ordered = figures.sort("mahalla_code", "month_on")
    sums = [
        pl.sum_horizontal(*[pl.col(n) for n in names]).sum().alias(c) for c, names in FLOWS.items()
    ]
    per_quarter = ordered.group_by("mahalla_code", "quarter_on").agg(
        *sums, households=pl.col("households").last()
    )
    counted = ["households_up", "notebook_gaps_closed"]
    return per_quarter.join(history, on=["mahalla_code", "quarter_on"], how="left").with_columns(
        pl.col(counted).fill_null(0.0)
    )


def rate_assistants(session: Session, rules: RuleBook) -> pl.DataFrame:
    """One row per mahalla and quarter with figures (columns of `AssistantRating`)."""
    figures = _figures(session)
    if figures.is_empty():
        return pl.DataFrame()
    per_quarter = _components(figures, _history(session))
    settings = rules.ratings
    scale = pl.when(pl.col("households") > 0).then(settings.per_households / pl.col("households"))
    points = {
        name: (pl.col(name) * scale * weight).fill_null(0.0)
        for name, weight in settings.assistant_weights.items()
    }
    scored = per_quarter.with_columns(
        score=pl.sum_horizontal(*points.values()),
        components=pl.struct(
            *[
                pl.struct(
                    value=pl.col(name),
                    per_households=(pl.col(name) * scale).fill_null(0.0),
                    weight=pl.lit(weight),
                    points=points[name],
                ).alias(name)
                for name, weight in settings.assistant_weights.items()
            ]
        ),
    )
    territory = read_frame(
        session,
        select(Mahalla.code, Mahalla.district_code, District.region_code).join(
            District, District.code == Mahalla.district_code
        ),
        {"mahalla_code": pl.String, "district_code": pl.String, "region_code": pl.String},
    )
    current = read_frame(
        session,
        select(Assistant.mahalla_code, Assistant.id).where(Assistant.is_current.is_(True)),
        {"mahalla_code": pl.String, "assistant_id": pl.String},
    ).unique("mahalla_code", keep="first")
    rated = scored.join(territory, on="mahalla_code").join(current, on="mahalla_code", how="left")
    rank = pl.col("score").rank("min", descending=True).cast(pl.Int64)
    return rated.with_columns(
        rank_in_district=rank.over("quarter_on", "district_code"),
        rank_in_region=rank.over("quarter_on", "region_code"),
        rank_in_country=rank.over("quarter_on"),
    ).select(
        "quarter_on", "mahalla_code", "assistant_id", "district_code", "region_code", "score",
        "components", "rank_in_district", "rank_in_region", "rank_in_country",
    ).sort("quarter_on", "rank_in_country", "mahalla_code")  # fmt: skip


def refresh_assistant_ratings(session: Session, rules: RuleBook) -> pl.DataFrame:
    """Rate every quarter the monthly figures cover; replaces the stored ratings."""
    rated = rate_assistants(session, rules)
    session.execute(delete(AssistantRating))
    if not rated.is_empty():
        rows = rated.with_columns(
            rules_version=pl.lit(rules.version), computed_at=pl.lit(datetime.now(UTC))
        ).to_dicts()
        upsert_rows(session, AssistantRating, rows, key=["quarter_on", "mahalla_code"])
    return rated
