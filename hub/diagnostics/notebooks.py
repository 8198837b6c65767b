"""Notebook eligibility from what the data can show, and the gaps between it and the entries.

For every member of a surveyed household, as of a day (settings: `[notebooks]` and
`[category]` in `rules.toml`; "low-income" is the household's category by income alone,
`income_category` in `household_category_evidence`, in the notebook's `categories`):

- iron: a low-income household, and the person is disabled, or an unemployed
  able-bodied adult, or an adult in a household with no able-bodied adult;
- women: sex and age in the band, and disabled, or unemployed (or a returning migrant)
  in a low-income household;
- youth: age in the band, and unemployed (or a returning migrant), or in a low-income
  household, or a family member is in the Iron or Women's notebook.

Unemployed: the latest employment-agency status on the day is `unemployed`, or, without
any agency record, the survey occupation is. A returning migrant: survey occupation
`migrant_worker` and registered unemployed since. Disabled: survey occupation `disabled`.

Findings: `eligible_not_entered` (with the criteria that hold) and `entered_not_eligible`
(with the first reason it fails: out of the age band, not the notebook's sex, now employed,
category improved). A household whose income is not known (no income evidence) has no
"low-income" verdict: its people are not found eligible on income, and an entry that
rests on income is not called unjustified. People entered in a notebook who are in no
surveyed household are not judged (their household's income is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.diagnostics import evidence as ev
from hub.diagnostics.evidence import Scope
from hub.diagnostics.frame_writes import append_frame, upsert_frame
from hub.diagnostics.history import record_closed_gaps
from hub.diagnostics.rules import BandRules, RuleBook, load_rules
from hub.graph.models import Household, HouseholdCategoryEvidence, NotebookFinding, Person

NOTEBOOKS = ("iron", "women", "youth")
WORKING = ("employed", "self_employed", "public_works")
WORKING_OCCUPATIONS = ("employed", "self_employed", "entrepreneur", "public_works")


def _household_verdicts(session: Session, scope: Scope) -> pl.DataFrame:
    evidence = HouseholdCategoryEvidence
    stmt = select(evidence.household_id, evidence.mahalla_code, evidence.income_category).where(
        evidence.household_id.in_(select(Household.id).where(*scope.households()))
    )
    schema = {"household_id": pl.Int64, "mahalla_code": pl.String, "income_category": pl.Int16}
    return ev.read_frame(session, stmt, schema)


def _people(session: Session, rules: RuleBook, as_of: date, scope: Scope) -> pl.DataFrame:
    """One row per member with the facts every rule reads."""
    category = rules.category
    members = ev.load_members(session, scope, as_of)
    status = ev.load_latest_status(session, scope, as_of)
    entries = ev.load_notebooks(session, scope)
    entered = entries.group_by("person_id").agg(
        notebooks=pl.col("notebook").unique(), entry_records=pl.col("record").unique().sort()
    )
    people = (
        members.join(status, on="person_id", how="left")
        .join(entered, on="person_id", how="left")
        .join(_household_verdicts(session, scope), on="household_id", how="inner")
    )
    occupation = pl.col("occupation").fill_null("")
    known_status = pl.col("status").is_not_null()
    unemployed = pl.when(known_status).then(pl.col("status") == "unemployed")
    working = pl.when(known_status).then(pl.col("status").is_in(WORKING))
    able = pl.col("age").is_between(
        category.able_min_age, category.able_max_age
    ) & ~occupation.is_in(list(category.not_able_occupations))
    people = people.with_columns(
        unemployed=unemployed.otherwise(occupation == "unemployed"),
        working=working.otherwise(occupation.is_in(WORKING_OCCUPATIONS)),
        migrant_back=(occupation == "migrant_worker") & (pl.col("status") == "unemployed"),
        disabled=occupation == "disabled",
        able=able.fill_null(False),
        adult=(pl.col("age") >= category.able_min_age).fill_null(False),
        notebooks=pl.col("notebooks").fill_null([]),
        entry_records=pl.col("entry_records").fill_null([]),
    ).with_columns(pl.col("migrant_back", "unemployed", "working").fill_null(False))
    family = people.group_by("household_id").agg(
        no_able_adult=~pl.col("able").any(),
        family_notebook=pl.col("notebooks")
        .list.set_intersection(["iron", "women"])
        .list.len()
        .sum()
        > 0,
    )
    judged = people.join(family, on="household_id")
    return _one_household_each(session, scope, judged)


def _one_household_each(session: Session, scope: Scope, people: pl.DataFrame) -> pl.DataFrame:
    """One row per person. Linking may put one person in two surveyed households (a move,
    or two surveys' members found to be one human): the person is judged in the household
    their golden record names (the latest survey's), else the lowest household id; both
    households' family facts still count the person."""
    stmt = select(Person.id, Person.household_id).where(Person.id.in_(scope.members()))
    homes = ev.read_frame(session, stmt, {"person_id": pl.Int64, "home_id": pl.Int64})
    at_home = (pl.col("household_id") == pl.col("home_id")).fill_null(False)
    return (
        people.join(homes, on="person_id", how="left")
        .sort(at_home.not_(), "household_id")
        .unique("person_id", keep="first", maintain_order=True)
        .drop("home_id")
    )


def _low_income(categories: frozenset[int]) -> pl.Expr:
    return pl.col("income_category").is_in(sorted(categories))


def _in_band(band: BandRules) -> pl.Expr:
    inside = pl.col("age").is_between(band.min_age, band.max_age).fill_null(False)
    return inside if band.sex is None else inside & (pl.col("sex") == band.sex)


def _criteria(rules: RuleBook, notebook: str) -> list[tuple[pl.Expr, pl.Expr]]:
    """(condition, reason text) pairs whose any-true makes a person eligible (with band)."""
    unemployed = pl.col("unemployed") & ~pl.col("migrant_back")
    since = pl.format("unemployed since {} (employment:{})", "status_on", "record_no")
    unemployed_text = (
        pl.when(pl.col("record_no").is_not_null())
        .then(since)
        .otherwise(pl.lit("unemployed (survey occupation)"))
    )
    migrant_text = pl.format("returning migrant registered unemployed (employment:{})", "record_no")
    income_text = pl.format("household category {} by income", "income_category")
    if notebook == "iron":
        low = _low_income(rules.notebooks.iron.categories)
        return [
            (low & pl.col("disabled"), pl.lit("disabled, ") + income_text),
            (
                low & pl.col("able") & pl.col("unemployed"),
                "unemployed able-bodied adult, " + income_text,
            ),
            (
                low & pl.col("adult") & pl.col("no_able_adult"),
                pl.lit("no able-bodied adult in the household, ") + income_text,
            ),
        ]
    if notebook == "women":
        low = _low_income(rules.notebooks.women.categories)
        return [
            (pl.col("disabled"), pl.lit("disabled (survey occupation)")),
            (low & unemployed, unemployed_text + ", " + income_text),
            (low & pl.col("migrant_back"), migrant_text + ", " + income_text),
        ]
    low = _low_income(rules.notebooks.youth.categories)
    return [
        (unemployed, unemployed_text),
        (pl.col("migrant_back"), migrant_text),
        (low, income_text),
        (pl.col("family_notebook"), pl.lit("family in the Iron or Women's notebook")),
    ]


def _first(pairs: list[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
    """The text of the first pair whose condition holds, else `otherwise`."""
    result = otherwise
    for condition, text in reversed(pairs):
        result = pl.when(condition).then(text).otherwise(result)
    return result


def _not_eligible_reason(rules: RuleBook, notebook: str, as_of: date) -> pl.Expr:
    """Why an entered person is not eligible: the first of the checks below that fails."""
    pairs: list[tuple[pl.Expr, pl.Expr]] = []
    if notebook != "iron":
        band: BandRules = getattr(rules.notebooks, notebook)
        bounds = f"(band {band.min_age}..{band.max_age})"
        age = pl.format("{} on " + as_of.isoformat() + " " + bounds, "age")
        pairs += [
            (pl.col("age").is_null(), pl.lit("birth date unknown")),
            (pl.col("age") > band.max_age, pl.lit("over age: ") + age),
            (pl.col("age") < band.min_age, pl.lit("under age: ") + age),
        ]
        if band.sex is not None:
            pairs.append((pl.col("sex") != band.sex, pl.lit(f"not sex {band.sex}")))
    employed = pl.format(
        "now employed: {} on {} (employment:{})", "status", "status_on", "record_no"
    )
    categories = getattr(rules.notebooks, notebook).categories
    pairs += [
        (pl.col("working") & pl.col("record_no").is_not_null(), employed),
        (pl.col("working"), pl.format("now working ({} in the survey)", "occupation")),
        (
            pl.col("income_category").is_not_null() & ~_low_income(categories),
            pl.format("category improved: household category {} by income", "income_category"),
        ),
    ]
    return _first(pairs, pl.lit("no eligibility criterion holds"))


def compute_notebook_findings(
    session: Session, rules: RuleBook, as_of: date, scope: Scope | None = None
) -> pl.DataFrame:
    """One row per (person, notebook) finding, columns of `NotebookFinding`."""
    people = _people(session, rules, as_of, scope or Scope())
    found: list[pl.DataFrame] = []
    for notebook in NOTEBOOKS:
        criteria = _criteria(rules, notebook)
        band = pl.lit(True) if notebook == "iron" else _in_band(getattr(rules.notebooks, notebook))
        holds = pl.any_horizontal(*(condition.fill_null(False) for condition, _ in criteria))
        eligible = band & holds
        texts = [pl.when(condition.fill_null(False)).then(text) for condition, text in criteria]
        # An entry resting on income alone cannot be judged while the income is unknown.
        unknown = pl.col("income_category").is_null() & band & ~holds
        entered = pl.col("notebooks").list.contains(notebook)
        judged = people.with_columns(
            notebook=pl.lit(notebook),
            eligible=eligible,
            entered=entered,
            because=pl.concat_str(texts, separator="; ", ignore_nulls=True),
            failing=_not_eligible_reason(rules, notebook, as_of),
            unknown=unknown,
        )
        missing = judged.filter(pl.col("eligible") & ~pl.col("entered")).with_columns(
            finding=pl.lit("eligible_not_entered"), reason=pl.lit("eligible: ") + pl.col("because")
        )
        stale = judged.filter(pl.col("entered") & ~pl.col("eligible") & ~pl.col("unknown"))
        stale = stale.with_columns(finding=pl.lit("entered_not_eligible"), reason=pl.col("failing"))
        found.extend([missing, stale])
    return _finding_rows(pl.concat(found), rules, as_of)


def _finding_rows(found: pl.DataFrame, rules: RuleBook, as_of: date) -> pl.DataFrame:
    employment = pl.when(pl.col("record_no").is_not_null()).then(
        pl.concat_list(pl.lit("employment:") + pl.col("record_no"))
    )
    records = pl.concat_list(
        pl.col("entry_records"), employment.otherwise(pl.lit([], dtype=pl.List(pl.String)))
    )
    return found.select(
        "person_id",
        "notebook",
        "mahalla_code",
        "household_id",
        "finding",
        "reason",
        records=records.list.sort(),
        as_of_on=pl.lit(as_of),
        rules_version=pl.lit(rules.version),
    ).sort("mahalla_code", "notebook", "person_id")


def refresh_notebook_findings(
    session: Session,
    as_of: date,
    rules: RuleBook | None = None,
    mahalla_codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Replace the findings of `mahalla_codes` (default: all) in the caller's transaction;
    reads `household_category_evidence`, so run it after the categories."""
    rules = rules or load_rules()
    computed = compute_notebook_findings(session, rules, as_of, Scope(mahalla_codes))
    record_closed_gaps(session, as_of, mahalla_codes, computed)
    stale = delete(NotebookFinding)
    if mahalla_codes is not None:
        stale = stale.where(NotebookFinding.mahalla_code.in_(list(mahalla_codes)))
    session.execute(stale)
    if not computed.is_empty():
        rows = computed.with_columns(computed_at=pl.lit(datetime.now(UTC)))
        if mahalla_codes is None:  # the table was emptied above
            append_frame(session, NotebookFinding, rows)
        else:  # a person may have moved from a mahalla outside the scope
            upsert_frame(session, NotebookFinding, rows, key=["person_id", "notebook"])
    return computed
