"""The hub's own, evidence-based household category (domain/MAHALLA.md), with its reasons.

A household's monthly income is the larger of two figures, so neither source counts twice:

- the survey's stated household income (`survey:<survey_id>`);
- the agencies' sum: declared income of members' open tax registrations (annual / 12,
  `tax:<tin>`), a placed member's wage (`employment:<record>` whose latest status on the
  "as of" day is `employed`, counted at the year's `placed_wage_uzs`), subsidies issued in
  the last `subsidy_months` (amount / `subsidy_months`, `bank:<loan_id>`), and the members'
  current active leases (hectares x `land_income_uzs_per_ha`, `land:<lease_id>`).

Then, in this order (the first that holds decides; `rule` names it):

| rule | category | when |
|---|---|---|
| no_members | none | the household has no members in the graph |
| iron_notebook | 4 | a member is in the Iron Notebook (`iron_notebook_is_category_4`) |
| no_income_evidence | none | no stated income and no agency record of income |
| well_off | 1 | per-capita income >= `well_off` x MCE |
| poverty_line | 2 | per-capita income >= `poverty_line` x MCE |
| low_income_able | 3 | below the line, at least one able-bodied adult |
| low_income_no_able_adult | 4 | below the line, no able-bodied adult |

An able-bodied adult is aged `able_min_age`..`able_max_age` (whole years; an unknown birth
date is not taken as able) with a survey occupation outside `not_able_occupations`. Loans
are listed as evidence but are not income. All settings: `hub/diagnostics/rules.toml`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from hub.diagnostics import evidence as ev
from hub.diagnostics.evidence import Scope
from hub.diagnostics.frame_writes import append_frame, upsert_frame
from hub.diagnostics.history import record_category_changes
from hub.diagnostics.rules import RuleBook, YearRules, load_rules
from hub.graph.models import Household, HouseholdCategoryEvidence

CATEGORY_OF_RULE = {
    "well_off": 1,
    "poverty_line": 2,
    "low_income_able": 3,
    "low_income_no_able_adult": 4,
    "iron_notebook": 4,
}
INCOME_PARTS = ("declared_income_uzs", "wage_income_uzs", "subsidy_income_uzs", "land_income_uzs")


def _records(frame: pl.DataFrame, source: str, key: str, income: bool) -> pl.DataFrame:
    """(household_id, record, income): `income` says the record is evidence of income."""
    return frame.select(
        "household_id", record=pl.lit(f"{source}:") + pl.col(key), income=pl.lit(income)
    )


def _per_person(
    session: Session, scope: Scope, rules: RuleBook, year: YearRules, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members with their income components, long frame of (household_id, record))."""
    settings = rules.category
    members = ev.load_members(session, scope, as_of)
    owner = members.select("household_id", "person_id")
    status = ev.load_latest_status(session, scope, as_of)
    placed = status.filter(pl.col("status") == "employed").join(owner, on="person_id")
    declared = ev.load_declared_income(session, scope, as_of).join(owner, on="person_id")
    loans = ev.load_loans(session, scope, as_of, settings.subsidy_months).join(
        owner, on="person_id"
    )
    leases = ev.load_leases(session, scope).join(owner, on="person_id")
    iron = ev.load_notebooks(session, scope).filter(pl.col("notebook") == "iron")
    iron = iron.join(owner, on="person_id")
    subsidies = loans.filter("counts_as_income")
    parts = [
        declared.group_by("person_id").agg(
            declared_income_uzs=pl.col("declared_tiyin").fill_null(0).sum() / 100 / 12
        ),
        placed.select("person_id", wage_income_uzs=pl.lit(float(year.placed_wage_uzs))),
        subsidies.group_by("person_id").agg(
            subsidy_income_uzs=pl.col("amount_tiyin").sum() / 100 / settings.subsidy_months
        ),
        leases.group_by("person_id").agg(
            land_income_uzs=pl.col("area_ha").sum() * year.land_income_uzs_per_ha
        ),
        iron.select("person_id", iron=pl.lit(True)).unique(),
    ]
    for part in parts:
        members = members.join(part, on="person_id", how="left")
    able = (
        pl.col("age").is_between(settings.able_min_age, settings.able_max_age)
        & ~pl.col("occupation").fill_null("").is_in(list(settings.not_able_occupations))
    ).fill_null(False)
    members = members.with_columns(pl.col(*INCOME_PARTS).fill_null(0.0), able=able)
    records = pl.concat(
        [
            _records(declared, "tax", "tin", income=True),
            _records(placed, "employment", "record_no", income=True),
            _records(subsidies, "bank", "loan_id", income=True),
            _records(loans.filter(~pl.col("counts_as_income")), "bank", "loan_id", income=False),
            _records(leases, "land", "lease_id", income=True),
            iron.select("household_id", "record", income=pl.lit(False)),
        ]
    )
    return members, records


def _explain(year: YearRules, as_of: date) -> pl.Expr:
    mce = f" x MCE {year.mce_uzs} ({as_of.year})"
    income = pl.format(
        "per-capita income {} from {} income {} over {} members",
        pl.col("per_capita_uzs"),
        pl.col("income_basis"),
        pl.col("income_uzs"),
        pl.col("members"),
    )
    rule = pl.col("rule")
    return (
        pl.when(rule == "no_members")
        .then(pl.lit("the household has no members in the graph"))
        .when(rule == "iron_notebook")
        .then(pl.lit("a member is in the Iron Notebook"))
        .when(rule == "no_income_evidence")
        .then(pl.lit("no stated income and no agency record of income"))
        .when(rule == "well_off")
        .then(pl.format("{} >= {}" + mce, income, pl.lit(year.well_off)))
        .when(rule == "poverty_line")
        .then(pl.format("{} >= {}" + mce, income, pl.lit(year.poverty_line)))
        .when(rule == "low_income_able")
        .then(
            pl.format(
                "{} < {}" + mce + "; {} able-bodied adult(s)",
                income,
                pl.lit(year.poverty_line),
                pl.col("able_adults"),
            )
        )
        .otherwise(
            pl.format("{} < {}" + mce + "; no able-bodied adult", income, pl.lit(year.poverty_line))
        )
    )


def _decide(households: pl.DataFrame, rules: RuleBook, year: YearRules) -> pl.DataFrame:
    agencies = pl.sum_horizontal(*INCOME_PARTS)
    stated = pl.col("stated_uzs").cast(pl.Float64)
    income = (
        pl.when(pl.col("has_agency_income") | stated.is_not_null())
        .then(pl.max_horizontal(stated, pl.when(pl.col("has_agency_income")).then(agencies)))
        .round(0)
        .cast(pl.Int64)
    )
    basis = (
        pl.when(stated.is_not_null() & (stated >= agencies))
        .then(pl.lit("survey"))
        .when(pl.col("has_agency_income"))
        .then(pl.lit("agencies"))
    )
    framed = households.with_columns(income_uzs=income, income_basis=basis).with_columns(
        per_capita_uzs=(pl.col("income_uzs") / pl.col("members").clip(lower_bound=1))
        .round(0)
        .cast(pl.Int64)
    )
    mce, per_capita = float(year.mce_uzs), pl.col("per_capita_uzs")
    by_income = (
        pl.when(pl.col("members") == 0)
        .then(pl.lit("no_members"))
        .when(pl.col("income_uzs").is_null())
        .then(pl.lit("no_income_evidence"))
        .when(per_capita >= year.well_off * mce)
        .then(pl.lit("well_off"))
        .when(per_capita >= year.poverty_line * mce)
        .then(pl.lit("poverty_line"))
        .when(pl.col("able_adults") > 0)
        .then(pl.lit("low_income_able"))
        .otherwise(pl.lit("low_income_no_able_adult"))
    )
    iron = (pl.col("members") > 0) & pl.col("iron") & rules.category.iron_notebook_is_category_4
    rule = pl.when(iron).then(pl.lit("iron_notebook")).otherwise(by_income)

    def category(of: pl.Expr) -> pl.Expr:
        return of.replace_strict(CATEGORY_OF_RULE, default=None, return_dtype=pl.Int16)

    return framed.with_columns(
        rule=rule,
        computed_category=category(rule),
        income_category=category(by_income),
    )


def compute_categories(
    session: Session, rules: RuleBook, as_of: date, scope: Scope | None = None
) -> pl.DataFrame:
    """One row per household of `scope`: its computed category, the rule that decided it,
    the income components, the evidence records and an explanation (columns of
    `HouseholdCategoryEvidence`). Raises MissingRuleYearError for an unconfigured year."""
    scope = scope or Scope()
    year = rules.for_year(as_of.year)
    households = ev.load_households(session, scope)
    members, records = _per_person(session, scope, rules, year, as_of)
    survey = households.filter(pl.col("survey_id").is_not_null())
    records = pl.concat([_records(survey, "survey", "survey_id", income=False), records])
    per_household = members.group_by("household_id").agg(
        pl.col(*INCOME_PARTS).sum(),
        members=pl.len(),
        able_adults=pl.col("able").sum(),
        iron=pl.col("iron").fill_null(False).any(),
    )
    listed = (
        records.unique()
        .sort("record")
        .group_by("household_id")
        .agg(records=pl.col("record"), has_agency_income=pl.col("income").any())
    )
    joined = (
        households.join(per_household, on="household_id", how="left")
        .join(listed, on="household_id", how="left")
        .with_columns(
            pl.col("members", "able_adults").fill_null(0).cast(pl.Int64),
            pl.col("iron", "has_agency_income").fill_null(False),
            pl.col(*INCOME_PARTS).fill_null(0.0),
            records=pl.col("records").fill_null([]),
        )
    )
    decided = _decide(joined, rules, year)
    return decided.with_columns(
        pl.col(*INCOME_PARTS).round(0).cast(pl.Int64),
        explanation=_explain(year, as_of),
        stated_income_uzs=pl.col("stated_uzs"),
        mce_uzs=pl.lit(year.mce_uzs),
        as_of_on=pl.lit(as_of),
        rules_version=pl.lit(rules.version),
    ).drop("stated_uzs", "survey_id", "iron", "has_agency_income")


def refresh_household_categories(
    session: Session,
    as_of: date,
    rules: RuleBook | None = None,
    mahalla_codes: list[str] | None = None,
) -> pl.DataFrame:
    """Compute the categories of the households of `mahalla_codes` (default: all), write
    each household's `computed_category` and its evidence row (replacing the scope's old
    rows), in the caller's transaction; return the computed frame."""
    rules = rules or load_rules()
    scope = Scope(mahalla_codes)
    computed = compute_categories(session, rules, as_of, scope)
    stale = delete(HouseholdCategoryEvidence)
    if mahalla_codes is not None:
        stale = stale.where(HouseholdCategoryEvidence.mahalla_code.in_(mahalla_codes))
    session.execute(stale)
    if computed.is_empty():
        return computed
    now = datetime.now(UTC)
    # Written in the order the API lists a mahalla's disagreements (its index on mahalla
    # and rule), so a mahalla's rows share pages: at 1M people, a mahalla's list read 940
    # scattered pages for 900 rows when written by household id.
    rows = computed.sort("mahalla_code", "rule", "household_id").with_columns(
        computed_at=pl.lit(now)
    )
    if mahalla_codes is None:  # the table was emptied above
        append_frame(session, HouseholdCategoryEvidence, rows)
    else:  # a household may have moved from a mahalla outside the scope
        upsert_frame(session, HouseholdCategoryEvidence, rows, key=["household_id"])
    record_category_changes(session, as_of, mahalla_codes)
    # One set-based UPDATE ... FROM the evidence just written (not a row per household),
    # of the households whose category changed.
    evidence = HouseholdCategoryEvidence
    changed = [
        Household.id == evidence.household_id,
        Household.computed_category.is_distinct_from(evidence.computed_category),
    ]
    if mahalla_codes is not None:
        changed.append(evidence.mahalla_code.in_(mahalla_codes))
    session.execute(
        update(Household)
        .where(*changed)
        .values(computed_category=evidence.computed_category)
        .execution_options(synchronize_session=False)
    )
    return computed
