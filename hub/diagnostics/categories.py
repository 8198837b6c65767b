"""The hub's own, evidence-based household category (domain/MAHALLA.md).

Per-capita monthly income against the minimum consumption expenditure (MCE):

| category | rule |
|---|---|
| 1 — well-off | per-capita income >= `well_off` x MCE |
| 2 — at the poverty line | `poverty_line` x MCE <= per-capita income < `well_off` x MCE |
| 3 — low-income, able to work | below the line and at least one able-bodied adult |
| 4 — needs state support | below the line and no able-bodied adult, or in the Iron Notebook |

Income evidence is the larger of the survey's stated household income and the sum of the
members' declared incomes (open tax registrations, annual income / 12). A household with
no income evidence at all gets no computed category. The rules are settings
(`CategoryRules`, from the environment), not code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from hub.graph.models import Household, HouseholdMember, NotebookEntry, Person, TaxRegistration


class CategoryRulesError(ValueError):
    """A category setting in the environment is not a positive number."""


@dataclass(frozen=True)
class CategoryRules:
    mce_uzs: int = 498_000
    well_off: float = 1.5
    poverty_line: float = 1.0
    able_min_age: int = 18
    able_max_age: int = 60

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CategoryRules:
        env = os.environ if environ is None else environ
        raw = env.get("HUB_MCE_UZS")
        if raw is None:
            return cls()
        try:
            value = int(raw)
        except ValueError as exc:
            raise CategoryRulesError(
                f"HUB_MCE_UZS has value {raw!r}. Not a whole number of soums."
            ) from exc
        if value <= 0:
            raise CategoryRulesError(f"HUB_MCE_UZS has value {raw!r}. It must be positive.")
        return cls(mce_uzs=value)


def _frame(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    schema: dict[str, pl.DataType | type[pl.DataType]],
) -> pl.DataFrame:
    rows = [tuple(r) for r in session.execute(stmt)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def compute_categories(session: Session, rules: CategoryRules, today: date) -> pl.DataFrame:
    """(household_id, computed_category) for every household; category null without evidence."""
    households = _frame(
        session,
        select(Household.id, Household.monthly_income_uzs),
        {"household_id": pl.Int64, "stated_uzs": pl.Int64},
    )
    members = _frame(
        session,
        select(HouseholdMember.household_id, Person.id, Person.birth_on, Person.occupation).join(
            Person, Person.id == HouseholdMember.person_id
        ),
        {
            "household_id": pl.Int64,
            "person_id": pl.Int64,
            "birth_on": pl.Date,
            "occupation": pl.String,
        },
    )
    declared = _frame(
        session,
        select(TaxRegistration.person_id, TaxRegistration.declared_income_tiyin).where(
            TaxRegistration.closed_on.is_(None), TaxRegistration.person_id.is_not(None)
        ),
        {"person_id": pl.Int64, "declared_tiyin": pl.Int64},
    )
    iron = _frame(
        session,
        select(NotebookEntry.person_id).where(NotebookEntry.notebook == "iron").distinct(),
        {"person_id": pl.Int64},
    ).with_columns(iron=pl.lit(True))
    age = (pl.lit(today) - pl.col("birth_on")).dt.total_days() / 365.25
    able = (
        age.is_between(rules.able_min_age, rules.able_max_age)
        & (pl.col("occupation") != "disabled")
    ).fill_null(False)
    per_household = (
        members.join(
            declared.group_by("person_id").agg(pl.sum("declared_tiyin")), on="person_id", how="left"
        )
        .join(iron, on="person_id", how="left")
        .group_by("household_id")
        .agg(
            size=pl.len(),
            declared_uzs=(pl.col("declared_tiyin").sum() / 100 / 12),
            any_declared=pl.col("declared_tiyin").is_not_null().any(),
            able_adults=able.sum(),
            iron=pl.col("iron").fill_null(False).any(),
        )
    )
    joined = households.join(per_household, on="household_id", how="left")
    income = pl.max_horizontal(
        pl.col("stated_uzs").cast(pl.Float64),
        pl.when(pl.col("any_declared")).then(pl.col("declared_uzs")),
    )
    per_capita = income / pl.col("size").fill_null(1).clip(lower_bound=1)
    mce = float(rules.mce_uzs)
    category = (
        pl.when(income.is_null())
        .then(None)
        .when(pl.col("iron").fill_null(False))
        .then(4)
        .when(per_capita >= rules.well_off * mce)
        .then(1)
        .when(per_capita >= rules.poverty_line * mce)
        .then(2)
        .when(pl.col("able_adults").fill_null(0) > 0)
        .then(3)
        .otherwise(4)
    )
    return joined.select("household_id", category.cast(pl.Int16).alias("computed_category"))


def refresh_computed_categories(
    session: Session, rules: CategoryRules | None = None, today: date | None = None
) -> int:
    """Write every household's computed category; returns the number of households."""
    computed = compute_categories(session, rules or CategoryRules.from_env(), today or date.today())
    if computed.is_empty():
        return 0
    rows = computed.rename({"household_id": "id"}).to_dicts()
    # ORM bulk UPDATE by primary key: one executemany, existing households only.
    session.execute(update(Household), rows)
    return len(rows)
