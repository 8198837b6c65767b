"""Which mahallas a refresh must redo: those whose evidence was written since the last one.

A mahalla is touched when, since `since`, a household of it was written, or a record of a
member of one of its households (employment, tax, bank, land, notebook entry, the golden
person itself), or — for the products built on the categories — its category evidence.
Loads commit whole deliveries and a row's `last_confirmed_at` is the time it was written,
not committed, so the caller asks from a little before its last refresh (`OVERLAP`): a
mahalla redone twice costs little, one skipped keeps a stale diagnosis.

`plan_refresh` says whether a product must be rebuilt whole (nothing built yet, other
rules, another "as of" day) or only for the touched mahallas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.graph.models import (
    EmploymentRecord,
    Household,
    HouseholdCategoryEvidence,
    HouseholdMember,
    LandLease,
    Loan,
    NotebookEntry,
    NotebookFinding,
    Person,
    TaxRegistration,
)

OVERLAP = timedelta(hours=1)
# (person id, written at) of each person-level kind of record.
PERSON_RECORDS: tuple[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[datetime]], ...] = (
    (Person.id, Person.updated_at),
    (EmploymentRecord.person_id, EmploymentRecord.last_confirmed_at),
    (TaxRegistration.person_id, TaxRegistration.last_confirmed_at),
    (Loan.person_id, Loan.last_confirmed_at),
    (LandLease.person_id, LandLease.last_confirmed_at),
    (NotebookEntry.person_id, NotebookEntry.last_confirmed_at),
)


Built = tuple[datetime | None, date | None, str | None]


@dataclass(frozen=True)
class RefreshPlan:
    """`mahalla_codes` None: rebuild whole (`reason` says why); else only those."""

    mahalla_codes: list[str] | None
    reason: str


def touched_mahallas(session: Session, since: datetime, with_categories: bool) -> list[str]:
    """Mahalla codes with evidence written after `since` (sorted)."""
    codes = set(
        session.scalars(select(Household.mahalla_code).where(Household.last_confirmed_at > since))
    )
    for person_id, written_at in PERSON_RECORDS:
        people = select(person_id).where(written_at > since, person_id.is_not(None))
        stmt = (
            select(Household.mahalla_code)
            .join(HouseholdMember, HouseholdMember.household_id == Household.id)
            .where(HouseholdMember.person_id.in_(people))
            .distinct()
        )
        codes.update(session.scalars(stmt))
    if with_categories:
        evidence = HouseholdCategoryEvidence
        codes.update(
            session.scalars(
                select(evidence.mahalla_code).where(evidence.computed_at > since).distinct()
            )
        )
    return sorted(codes)


def plan_refresh(
    session: Session,
    built: Built,
    as_of: date,
    rules_version: str,
    with_categories: bool = False,
) -> RefreshPlan:
    """What to redo, given what the product was last built at, for which day, with which
    rules version (`built`, all None when never built)."""
    built_at, built_as_of, built_version = built
    if built_at is None:
        return RefreshPlan(None, "nothing built yet")
    if built_version != rules_version:
        return RefreshPlan(None, f"rules version {built_version} -> {rules_version}")
    if built_as_of != as_of:
        return RefreshPlan(None, f"as of {built_as_of} -> {as_of}")
    codes = touched_mahallas(session, built_at - OVERLAP, with_categories)
    return RefreshPlan(codes, f"{len(codes)} mahallas with evidence written since {built_at}")


def last_built(
    session: Session, product: type[HouseholdCategoryEvidence | NotebookFinding]
) -> Built:
    """When a product's rows were last written, for which day, with which rules (all None
    when it has no rows)."""
    latest = session.scalar(select(func.max(product.computed_at)))
    if latest is None:
        return None, None, None
    row = session.execute(
        select(product.as_of_on, product.rules_version)
        .where(product.computed_at == latest)
        .limit(1)
    ).one()
    return latest, row[0], row[1]
