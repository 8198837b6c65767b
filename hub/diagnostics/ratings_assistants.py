"""The quarterly rating of the mahallas' assistants, from the published monthly figures.

For each quarter and mahalla, from `monthly_indicator` (mahalla level; a quarter still
running counts its months so far):

- placed: the sum of `placed` over the quarter's months;
- self_employment: the sum of `self_employed` and `entrepreneurs`;
- loans_and_subsidies: the sum of `loans.count`;
- appeals_resolved: the sum of `appeals.resolved`;
- households_up: (the share of category 3 and 4 households in the month before the quarter
  - the share in its last month) x the households in its last month: how many households
  moving up the fall in the low-income share stands for (0 with no month before).

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
from hub.graph.models import Assistant, AssistantRating, District, Mahalla, MonthlyIndicator

FLOWS = {
    "placed": ["placed"],
    "self_employment": ["self_employed", "entrepreneurs"],
    "loans_and_subsidies": ["loans.count"],
    "appeals_resolved": ["appeals.resolved"],
}
STOCKS = ["households", "households.computed.3", "households.computed.4"]


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
            quarter_on=pl.date(
                pl.col("month_on").dt.year(), (pl.col("month_on").dt.month() - 1) // 3 * 3 + 1, 1
            ),
            low=pl.col("households.computed.3") + pl.col("households.computed.4"),
        )
    )


def _components(figures: pl.DataFrame) -> pl.DataFrame:
    ordered = figures.sort("mahalla_code", "month_on")
    share = pl.when(pl.col("households") > 0).then(pl.col("low") / pl.col("households"))
    ordered = ordered.with_columns(
        share_before=share.shift(1).over("mahalla_code"),
    )
    sums = [
        pl.sum_horizontal(*[pl.col(n) for n in names]).sum().alias(c) for c, names in FLOWS.items()
    ]
    per_quarter = ordered.group_by("mahalla_code", "quarter_on").agg(
        *sums,
        households=pl.col("households").last(),
        share_end=share.last(),
        share_start=pl.col("share_before").first(),
    )
    up = (pl.col("share_start") - pl.col("share_end")) * pl.col("households")
    return per_quarter.with_columns(households_up=up.fill_null(0.0))


def rate_assistants(session: Session, rules: RuleBook) -> pl.DataFrame:
    """One row per mahalla and quarter with figures (columns of `AssistantRating`)."""
    figures = _figures(session)
    if figures.is_empty():
        return pl.DataFrame()
    per_quarter = _components(figures)
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
