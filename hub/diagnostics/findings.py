"""The lists an assistant works from, read from the precomputed diagnosis tables.

- `list_category_disagreements`: a mahalla's households whose assessed and computed
  categories are both known and differ, each with the rule and records that decided it.
- `list_notebook_findings`: a mahalla's people eligible for a notebook but not entered, or
  entered but no longer eligible, each with the reason.

A mahalla with no survey yet (or an unknown code) has no households, so both lists are
empty: the absence of findings is not the absence of people (see the indicators' "in
agency data but not surveyed").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graph.models import Household, HouseholdCategoryEvidence, NotebookFinding, Person


@dataclass(frozen=True)
class CategoryDisagreement:
    household_hub_id: str
    assessed_category: int
    computed_category: int
    rule: str
    explanation: str
    records: list[str]
    per_capita_uzs: int | None
    as_of_on: date
    rules_version: str


@dataclass(frozen=True)
class NotebookGap:
    person_hub_id: str
    household_hub_id: str | None
    notebook: str
    finding: str
    reason: str
    records: list[str]


def list_category_disagreements(session: Session, mahalla_code: str) -> list[CategoryDisagreement]:
    """Disagreements in `mahalla_code`, ordered by household hub id."""
    evidence = HouseholdCategoryEvidence
    stmt = (
        select(
            Household.hub_id,
            evidence.assessed_category,
            evidence.computed_category,
            evidence.rule,
            evidence.explanation,
            evidence.records,
            evidence.per_capita_uzs,
            evidence.as_of_on,
            evidence.rules_version,
        )
        .join(Household, Household.id == evidence.household_id)
        .where(
            evidence.mahalla_code == mahalla_code,
            evidence.assessed_category.is_not(None),
            evidence.computed_category.is_not(None),
            evidence.assessed_category != evidence.computed_category,
        )
        .order_by(Household.hub_id)
    )
    found: list[CategoryDisagreement] = []
    for (
        hub_id,
        assessed,
        computed,
        rule,
        explanation,
        records,
        per_capita,
        as_of,
        version,
    ) in session.execute(stmt):
        if assessed is None or computed is None:  # excluded by the query; narrows the types
            continue
        found.append(
            CategoryDisagreement(
                household_hub_id=hub_id,
                assessed_category=assessed,
                computed_category=computed,
                rule=rule,
                explanation=explanation,
                records=list(records),
                per_capita_uzs=per_capita,
                as_of_on=as_of,
                rules_version=version,
            )
        )
    return found


def list_notebook_findings(session: Session, mahalla_code: str) -> list[NotebookGap]:
    """Notebook findings in `mahalla_code`, by notebook, finding and person hub id."""
    stmt = (
        select(
            Person.hub_id,
            Household.hub_id,
            NotebookFinding.notebook,
            NotebookFinding.finding,
            NotebookFinding.reason,
            NotebookFinding.records,
        )
        .join(Person, Person.id == NotebookFinding.person_id)
        .outerjoin(Household, Household.id == NotebookFinding.household_id)
        .where(NotebookFinding.mahalla_code == mahalla_code)
        .order_by(NotebookFinding.notebook, NotebookFinding.finding, Person.hub_id)
    )
    return [
        NotebookGap(
            person_hub_id=person,
            household_hub_id=household,
            notebook=notebook,
            finding=finding,
            reason=reason,
            records=list(records),
        )
        for person, household, notebook, finding, reason, records in session.execute(stmt)
    ]
